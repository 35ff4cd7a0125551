//! CSV export and import.
//!
//! # Format
//!
//! - The first line is the header. Its first field is `time[s]`. Each other
//!   field is `<name>[<unit>]`, for example `v_out[V]` or `i_L1[A]`, or just
//!   `<name>` for a dimensionless signal. Signal names may contain `_`, so a
//!   `<name>_<unit>` convention could not be split back reliably. Names and
//!   units never contain `[`, `]`, `,` or `"` (see
//!   [`SignalInfo::validate`](crate::SignalInfo::validate)), so the header
//!   needs no quoting.
//! - Each following line is one sample: time in s, then one value per signal.
//! - Numbers use the shortest decimal form that parses back to the same
//!   `f64` (for example `0.1`, `1e-7`, `2.5e21`), so a write followed by a
//!   read returns identical bits. Non-finite values are written as `NaN`,
//!   `inf` and `-inf`.
//! - The separator is `,` and lines end with `\n`. The reader also accepts
//!   `\r\n`, spaces around fields and blank lines, but not quoted fields.
//!
//! CSV does not store signal kinds or metadata. The reader sets every kind
//! to [`SignalKind::Other`]. Use the `.pwf` format ([`crate::pwf`]) to keep them.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use crate::signal::{SignalInfo, SignalKind};
use crate::waveforms::{RecordError, Waveforms, validate_signals};

/// Header of the time column.
pub const TIME_HEADER: &str = "time[s]";

/// Size at which the writer hands its row buffer to the underlying writer.
const FLUSH_BYTES: usize = 64 * 1024;

/// Error from reading or writing CSV.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// The underlying reader or writer failed.
    #[error("CSV I/O failed: {0}")]
    Io(#[from] io::Error),
    /// The input has no header line.
    #[error("CSV input is empty; expected a header line starting with `time[s]`")]
    Empty,
    /// A header field is invalid.
    #[error("CSV header, column {column} ({text:?}): {reason}")]
    Header {
        /// 1-based column number.
        column: usize,
        /// The header field as read.
        text: String,
        /// Description of the problem.
        reason: String,
    },
    /// A data line has the wrong number of fields.
    #[error("CSV line {line}: expected {expected} fields (time and one per signal), found {found}")]
    FieldCount {
        /// 1-based line number.
        line: usize,
        /// Number of header fields.
        expected: usize,
        /// Number of fields on the line.
        found: usize,
    },
    /// A data field is invalid.
    #[error("CSV line {line}, column {column} ({header}): {reason}: {text:?}")]
    Field {
        /// 1-based line number.
        line: usize,
        /// 1-based column number.
        column: usize,
        /// Header of the column.
        header: String,
        /// The field as read, cut to 64 characters.
        text: String,
        /// Description of the problem.
        reason: &'static str,
    },
    /// A line is not valid UTF-8.
    #[error("CSV line {line} is not valid UTF-8")]
    InvalidUtf8 {
        /// 1-based line number.
        line: usize,
    },
}

/// Writes `waveforms` as CSV to `writer`, in the format described in the
/// [module documentation](self).
///
/// Rows are formatted into an internal 64 KiB buffer, so `writer` need not
/// be buffered. The writer is flushed at the end.
pub fn write_csv<W: Write>(mut writer: W, waveforms: &Waveforms) -> Result<(), CsvError> {
    write_csv_header(&mut writer, waveforms.signals())?;
    write_csv_rows(&mut writer, waveforms.time(), &waveforms.columns)?;
    writer.flush()?;
    Ok(())
}

/// Writes the CSV header line (`time[s],name[unit],…`) of `signals`.
pub fn write_csv_header<W: Write>(writer: &mut W, signals: &[SignalInfo]) -> Result<(), CsvError> {
    let mut line = String::from(TIME_HEADER);
    for info in signals {
        line.push(',');
        line.push_str(&header_field(info));
    }
    line.push('\n');
    writer.write_all(line.as_bytes())?;
    Ok(())
}

/// Writes one CSV line per entry of `time`, with the values of `columns` at that row,
/// through a 64 KiB buffer. Every column must be at least as long as `time`. Does not
/// flush, so a caller can write a file in blocks.
pub fn write_csv_rows<W: Write>(
    writer: &mut W,
    time: &[f64],
    columns: &[Vec<f64>],
) -> Result<(), CsvError> {
    let mut buffer: Vec<u8> = Vec::with_capacity(FLUSH_BYTES + 4096);
    let mut formatter = ryu::Buffer::new();
    for (row, &t) in time.iter().enumerate() {
        buffer.extend_from_slice(formatter.format(t).as_bytes());
        for column in columns {
            buffer.push(b',');
            buffer.extend_from_slice(formatter.format(column[row]).as_bytes());
        }
        buffer.push(b'\n');
        if buffer.len() >= FLUSH_BYTES {
            writer.write_all(&buffer)?;
            buffer.clear();
        }
    }
    writer.write_all(&buffer)?;
    Ok(())
}

/// Writes `waveforms` as CSV to the file at `path`, replacing it if it exists.
pub fn write_csv_file(path: impl AsRef<Path>, waveforms: &Waveforms) -> Result<(), CsvError> {
    let file = File::create(path)?;
    write_csv(BufWriter::new(file), waveforms)
}

/// Returns the CSV header field of a signal: `name[unit]`, or `name` when the unit is empty.
pub fn header_field(info: &SignalInfo) -> String {
    if info.unit.is_empty() {
        info.name.clone()
    } else {
        format!("{}[{}]", info.name, info.unit)
    }
}

/// Splits a header field into name and unit: `v_out[V]` gives `("v_out", "V")`
/// and `duty` gives `("duty", "")`.
fn split_header_field(field: &str) -> (&str, &str) {
    if let Some(without_bracket) = field.strip_suffix(']')
        && let Some((name, unit)) = without_bracket.rsplit_once('[')
    {
        return (name.trim(), unit.trim());
    }
    (field, "")
}

/// Reads CSV in the format described in the [module documentation](self).
///
/// Returns an error naming the line, column and text of the first invalid
/// field. Time must be finite and non-decreasing. Signal values may be any
/// `f64`, including `NaN` and `inf`.
pub fn read_csv<R: BufRead>(mut reader: R) -> Result<Waveforms, CsvError> {
    let mut lines = LineReader::default();
    let Some((_, header)) = lines.next_line(&mut reader)? else {
        return Err(CsvError::Empty);
    };
    let headers: Vec<String> = header.split(',').map(|f| f.trim().to_owned()).collect();
    let signals = parse_header(&headers)?;

    let mut time = Vec::new();
    let mut columns: Vec<Vec<f64>> = vec![Vec::new(); signals.len()];
    let mut fields: Vec<f64> = Vec::with_capacity(headers.len());
    while let Some((line, text)) = lines.next_line(&mut reader)? {
        let found = text.split(',').count();
        if found != headers.len() {
            return Err(CsvError::FieldCount {
                line,
                expected: headers.len(),
                found,
            });
        }
        fields.clear();
        for (index, field) in text.split(',').enumerate() {
            let value = parse_field(field.trim()).map_err(|reason| CsvError::Field {
                line,
                column: index + 1,
                header: headers[index].clone(),
                text: field.chars().take(64).collect(),
                reason,
            })?;
            fields.push(value);
        }
        let t = fields[0];
        let time_error = |reason| CsvError::Field {
            line,
            column: 1,
            header: headers[0].clone(),
            text: t.to_string(),
            reason,
        };
        if !t.is_finite() {
            return Err(time_error("time must be finite"));
        }
        if time.last().is_some_and(|&previous| t < previous) {
            return Err(time_error("time is less than on the previous line"));
        }
        time.push(t);
        for (column, &value) in columns.iter_mut().zip(&fields[1..]) {
            column.push(value);
        }
    }
    // Signals and time were validated above and every row filled every column.
    Ok(Waveforms {
        signals,
        time,
        columns,
        metadata: Default::default(),
    })
}

/// Reads the CSV file at `path`, as [`read_csv`] does.
pub fn read_csv_file(path: impl AsRef<Path>) -> Result<Waveforms, CsvError> {
    read_csv(BufReader::new(File::open(path)?))
}

fn parse_header(headers: &[String]) -> Result<Vec<SignalInfo>, CsvError> {
    let header_error = |column: usize, reason: String| CsvError::Header {
        column: column + 1,
        text: headers[column].clone(),
        reason,
    };
    if headers[0] != TIME_HEADER {
        return Err(header_error(0, format!("expected `{TIME_HEADER}`")));
    }
    let signals: Vec<SignalInfo> = headers[1..]
        .iter()
        .map(|field| {
            let (name, unit) = split_header_field(field);
            SignalInfo::new(name, unit, SignalKind::Other)
        })
        .collect();
    validate_signals(&signals).map_err(|error| match error {
        RecordError::InvalidSignal { index, source } => header_error(index + 1, source.to_string()),
        RecordError::DuplicateSignal { first, second, .. } => header_error(
            second + 1,
            format!("repeats the name of column {}", first + 2),
        ),
        other => header_error(0, other.to_string()),
    })?;
    Ok(signals)
}

fn parse_field(field: &str) -> Result<f64, &'static str> {
    if field.starts_with('"') {
        return Err("quoted fields are not supported");
    }
    if field.is_empty() {
        return Err("empty field; expected a number");
    }
    field.parse::<f64>().map_err(|_| "invalid number")
}

/// Reads lines one at a time into a reused buffer, skipping blank lines.
#[derive(Default)]
struct LineReader {
    bytes: Vec<u8>,
    text: String,
    /// 1-based number of the line last returned.
    number: usize,
}

impl LineReader {
    /// Returns the next non-blank line and its 1-based number, without the line ending.
    fn next_line<R: BufRead>(&mut self, reader: &mut R) -> Result<Option<(usize, &str)>, CsvError> {
        loop {
            self.bytes.clear();
            if reader.read_until(b'\n', &mut self.bytes)? == 0 {
                return Ok(None);
            }
            self.number += 1;
            let mut end = self.bytes.len();
            while end > 0 && matches!(self.bytes[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            let line = std::str::from_utf8(&self.bytes[..end])
                .map_err(|_| CsvError::InvalidUtf8 { line: self.number })?;
            if !line.trim().is_empty() {
                self.text.clear();
                self.text.push_str(line);
                return Ok(Some((self.number, &self.text)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Waveforms {
        Waveforms::new(
            vec![
                SignalInfo::new("v_out", "V", SignalKind::Output),
                SignalInfo::new("duty", "", SignalKind::Gate),
            ],
            vec![0.0, 1e-7, 1e-7, 0.30000000000000004],
            vec![
                vec![1.0, -2.5e-300, f64::NAN, f64::INFINITY],
                vec![0.1, 0.2, 1.0 / 3.0, -0.0],
            ],
        )
        .unwrap()
    }

    fn to_string(waveforms: &Waveforms) -> String {
        let mut out = Vec::new();
        write_csv(&mut out, waveforms).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn header_uses_brackets() {
        let text = to_string(&sample());
        let first = text.lines().next().unwrap();
        assert_eq!(first, "time[s],v_out[V],duty");
        assert_eq!(text.lines().nth(1).unwrap(), "0.0,1.0,0.1");
    }

    #[test]
    fn round_trip_is_bit_exact() {
        let original = sample();
        let read = read_csv(to_string(&original).as_bytes()).unwrap();
        assert_eq!(read.time(), original.time());
        for k in 0..2 {
            let a = original.column(k).unwrap();
            let b = read.column(k).unwrap();
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x.to_bits(), y.to_bits(), "{x} vs {y}");
            }
        }
        assert_eq!(read.signals()[0].name, "v_out");
        assert_eq!(read.signals()[0].unit, "V");
        assert_eq!(read.signals()[1].unit, "");
        assert_eq!(read.signals()[1].kind, SignalKind::Other);
    }

    #[test]
    fn reader_accepts_crlf_and_spaces() {
        let text = "time[s], v[V] ,i [A]\r\n0, 1.5 ,2\r\n\r\n1e-3,-1,inf\r\n";
        let read = read_csv(text.as_bytes()).unwrap();
        assert_eq!(read.time(), &[0.0, 1e-3]);
        assert_eq!(read.signal("v"), Some(&[1.5, -1.0][..]));
        assert_eq!(read.signals()[1].unit, "A");
    }

    #[test]
    fn reader_reports_bad_number() {
        let text = "time[s],v[V]\n0,1\n1,1.2.3\n";
        let error = read_csv(text.as_bytes()).unwrap_err();
        let message = error.to_string();
        assert!(
            matches!(
                error,
                CsvError::Field {
                    line: 3,
                    column: 2,
                    ..
                }
            ),
            "{message}"
        );
        assert!(message.contains("v[V]"), "{message}");
        assert!(message.contains("1.2.3"), "{message}");
    }

    #[test]
    fn reader_reports_field_count() {
        let error = read_csv("time[s],v\n0,1,2\n".as_bytes()).unwrap_err();
        assert!(matches!(
            error,
            CsvError::FieldCount {
                line: 2,
                expected: 2,
                found: 3
            }
        ));
    }

    #[test]
    fn reader_rejects_bad_time() {
        let decreasing = read_csv("time[s],v\n1,0\n0,0\n".as_bytes()).unwrap_err();
        assert!(matches!(
            decreasing,
            CsvError::Field {
                line: 3,
                column: 1,
                ..
            }
        ));
        let nan = read_csv("time[s],v\nNaN,0\n".as_bytes()).unwrap_err();
        assert!(matches!(
            nan,
            CsvError::Field {
                line: 2,
                column: 1,
                ..
            }
        ));
    }

    #[test]
    fn reader_rejects_bad_header() {
        assert!(matches!(read_csv("".as_bytes()), Err(CsvError::Empty)));
        let wrong_time = read_csv("t,v\n".as_bytes()).unwrap_err();
        assert!(matches!(wrong_time, CsvError::Header { column: 1, .. }));
        let duplicate = read_csv("time[s],v[V],v[A]\n".as_bytes()).unwrap_err();
        assert!(
            matches!(duplicate, CsvError::Header { column: 3, .. }),
            "{duplicate}"
        );
        let empty_name = read_csv("time[s],[V]\n".as_bytes()).unwrap_err();
        assert!(matches!(empty_name, CsvError::Header { column: 2, .. }));
        let quoted = read_csv("time[s],v\n\"0\",1\n".as_bytes()).unwrap_err();
        assert!(quoted.to_string().contains("quoted"));
        let invalid_utf8 = read_csv(&b"time[s],v\n0,\xff\n"[..]).unwrap_err();
        assert!(matches!(invalid_utf8, CsvError::InvalidUtf8 { line: 2 }));
    }

    #[test]
    fn header_only_gives_no_samples() {
        let read = read_csv("time[s],v[V]\n".as_bytes()).unwrap();
        assert!(read.is_empty());
        assert_eq!(read.signal_count(), 1);
    }
}
