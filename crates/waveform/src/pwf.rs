//! The pelab waveform format (`.pwf`): a compact columnar binary file.
//!
//! # Layout
//!
//! All integers and floats are little-endian.
//!
//! | offset | size | content |
//! | --- | --- | --- |
//! | 0 | 8 | magic bytes `PELABWF\0` (`50 45 4C 41 42 57 46 00`) |
//! | 8 | 4 | format version, `u32`, currently 1 |
//! | 12 | 4 | header length `H` in bytes, `u32`, at most [`MAX_HEADER_BYTES`] |
//! | 16 | `H` | header: UTF-8 JSON object, see below |
//! | 16 + `H` | `8·N` | time column: `N` × `f64`, in s |
//! | 16 + `H` + `8·N·(k+1)` | `8·N` | column of signal `k` (0-based): `N` × `f64` |
//!
//! The file ends right after the last column. The header is a JSON object:
//!
//! ```json
//! {"sample_count":3,
//!  "signals":[{"name":"v_out","unit":"V","kind":"output"}],
//!  "metadata":{"solver":"rk4"}}
//! ```
//!
//! `sample_count` is `N`. `signals` lists the value columns in file order,
//! with `kind` one of `state`, `input`, `output`, `gate`, `derived`, `other`.
//! `metadata` is an optional map from string to string. Readers ignore
//! unknown header keys. The writer pads the JSON with trailing spaces so
//! that `16 + H` is a multiple of 8, which keeps every column 8-byte aligned
//! for memory mapping. Readers accept any `H`.
//!
//! `FORMAT.md` in this crate describes the same layout and shows how to load
//! a file with numpy.
//!
//! # Validation
//!
//! The reader checks the magic bytes, the version, the header length, the
//! header JSON, the signal names, that the data is exactly
//! `8·N·(signals+1)` bytes, and that time is finite and non-decreasing. It
//! reads columns in 64 KiB chunks, so a header that claims more samples than
//! the input contains fails with [`PwfError::Truncated`] after allocating at
//! most about twice the bytes actually present.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::signal::SignalInfo;
use crate::waveforms::{RecordError, Waveforms, validate_signals, validate_time};

/// Magic bytes at the start of every `.pwf` file.
pub const MAGIC: [u8; 8] = *b"PELABWF\0";

/// Format version that this crate writes and reads.
pub const VERSION: u32 = 1;

/// File name extension, without the dot.
pub const EXTENSION: &str = "pwf";

/// Size of the fixed part before the header: magic, version and header length.
pub const PREAMBLE_BYTES: usize = 16;

/// Maximum header length in bytes (16 MiB). A header for 30 signals is
/// about 2 KiB, so a larger value means a corrupt file.
pub const MAX_HEADER_BYTES: u32 = 16 * 1024 * 1024;

/// Size of the chunks in which columns are read and written.
const CHUNK_BYTES: usize = 64 * 1024;

/// Error from reading or writing a `.pwf` file.
#[derive(Debug, thiserror::Error)]
pub enum PwfError {
    /// The underlying reader or writer failed.
    #[error("pwf I/O failed: {0}")]
    Io(#[from] io::Error),
    /// The input ends before the end of a section.
    #[error(
        "pwf input is truncated: {section} needs {expected} bytes but only {found} are present"
    )]
    Truncated {
        /// Section that is cut short, for example `"preamble"` or `column "v_out"`.
        section: String,
        /// Bytes the section needs.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// The first 8 bytes are not [`MAGIC`].
    #[error(
        "not a pwf file: the first 8 bytes are {found:02x?}, expected {MAGIC:02x?} (\"PELABWF\\0\")"
    )]
    BadMagic {
        /// The first 8 bytes of the input.
        found: [u8; 8],
    },
    /// The version field is not one this crate reads.
    #[error("unsupported pwf version {found}; this reader supports version {VERSION}")]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
    /// The header length field exceeds [`MAX_HEADER_BYTES`].
    #[error("pwf header length is {length} bytes; the maximum is {MAX_HEADER_BYTES}")]
    HeaderTooLarge {
        /// The header length in the file, or of the header to write.
        length: u64,
    },
    /// The header is not valid UTF-8 JSON of the expected shape.
    #[error("invalid pwf header: {reason}")]
    InvalidHeader {
        /// Message from the JSON parser or the validation.
        reason: String,
    },
    /// `sample_count` × columns × 8 overflows a 64-bit size.
    #[error(
        "pwf header sample_count {sample_count} with {columns} columns gives a data size that does not fit in 64 bits"
    )]
    DataSizeOverflow {
        /// `sample_count` from the header.
        sample_count: u64,
        /// Number of columns, time included.
        columns: u64,
    },
    /// Bytes follow the last column.
    #[error(
        "pwf input has bytes after the last column, which ends at byte {expected_end}; the header sample_count does not match the data"
    )]
    TrailingBytes {
        /// Offset where the file should end.
        expected_end: u64,
    },
    /// The decoded columns break a [`Waveforms`] invariant, such as decreasing time.
    #[error("invalid pwf data: {0}")]
    InvalidData(#[from] RecordError),
}

/// JSON header of a `.pwf` file.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Header {
    pub(crate) sample_count: u64,
    pub(crate) signals: Vec<SignalInfo>,
    #[serde(default)]
    pub(crate) metadata: BTreeMap<String, String>,
}

/// Writes `waveforms`, with its signals, kinds and metadata, to `writer` in
/// the `.pwf` format. The writer is flushed at the end.
pub fn write_pwf<W: Write>(mut writer: W, waveforms: &Waveforms) -> Result<(), PwfError> {
    let header = Header {
        sample_count: waveforms.len() as u64,
        signals: waveforms.signals().to_vec(),
        metadata: waveforms.metadata().clone(),
    };
    let mut json = serde_json::to_vec(&header).map_err(|error| PwfError::InvalidHeader {
        reason: error.to_string(),
    })?;
    while !(PREAMBLE_BYTES + json.len()).is_multiple_of(8) {
        json.push(b' ');
    }
    let length = u32::try_from(json.len())
        .ok()
        .filter(|&length| length <= MAX_HEADER_BYTES)
        .ok_or(PwfError::HeaderTooLarge {
            length: json.len() as u64,
        })?;

    writer.write_all(&MAGIC)?;
    writer.write_all(&VERSION.to_le_bytes())?;
    writer.write_all(&length.to_le_bytes())?;
    writer.write_all(&json)?;

    let mut buffer = Vec::with_capacity(CHUNK_BYTES);
    let columns =
        std::iter::once(waveforms.time()).chain(waveforms.columns.iter().map(Vec::as_slice));
    for column in columns {
        for chunk in column.chunks(CHUNK_BYTES / 8) {
            buffer.clear();
            for value in chunk {
                buffer.extend_from_slice(&value.to_le_bytes());
            }
            writer.write_all(&buffer)?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// Writes `waveforms` to the file at `path` in the `.pwf` format, replacing
/// it if it exists.
pub fn write_pwf_file(path: impl AsRef<Path>, waveforms: &Waveforms) -> Result<(), PwfError> {
    let file = File::create(path)?;
    write_pwf(BufWriter::new(file), waveforms)
}

/// Reads a `.pwf` stream, as described in the [module documentation](self).
///
/// Returns an error naming what is wrong: bad magic bytes, an unsupported
/// version, an oversized or invalid header, truncated data, trailing bytes,
/// or columns that break the [`Waveforms`] invariants.
pub fn read_pwf<R: Read>(reader: R) -> Result<Waveforms, PwfError> {
    read_with_length(reader, None)
}

/// Reads a `.pwf` file from memory, as [`read_pwf`] does.
///
/// Because the input length is known, a header that claims more data than
/// the input contains is rejected before any column is allocated.
pub fn read_pwf_bytes(bytes: &[u8]) -> Result<Waveforms, PwfError> {
    read_with_length(bytes, Some(bytes.len() as u64))
}

/// Reads the `.pwf` file at `path`, as [`read_pwf`] does, checking the
/// file size against the header before allocating any column.
pub fn read_pwf_file(path: impl AsRef<Path>) -> Result<Waveforms, PwfError> {
    let file = File::open(path)?;
    let length = file.metadata()?.len();
    read_with_length(BufReader::new(file), Some(length))
}

/// Layout of a `.pwf` file after its preamble and header are read and checked.
pub(crate) struct Layout {
    /// The decoded header.
    pub(crate) header: Header,
    /// Byte offset of the time column.
    pub(crate) data_start: u64,
    /// Byte offset where the last column ends.
    pub(crate) data_end: u64,
}

/// Reads and checks the preamble and header. `input_length`, when known, is the total
/// number of bytes in the stream and is checked against the header's sample count.
pub(crate) fn read_layout<R: Read>(
    reader: &mut R,
    input_length: Option<u64>,
) -> Result<Layout, PwfError> {
    let mut preamble = [0u8; PREAMBLE_BYTES];
    let found = read_full(reader, &mut preamble)?;
    let magic_bytes = found.min(MAGIC.len());
    if preamble[..magic_bytes] != MAGIC[..magic_bytes] {
        return Err(PwfError::BadMagic {
            found: first_eight(&preamble),
        });
    }
    if found < PREAMBLE_BYTES {
        return Err(PwfError::Truncated {
            section: "preamble (magic, version, header length)".into(),
            expected: PREAMBLE_BYTES as u64,
            found: found as u64,
        });
    }
    let version = u32::from_le_bytes([preamble[8], preamble[9], preamble[10], preamble[11]]);
    if version != VERSION {
        return Err(PwfError::UnsupportedVersion { found: version });
    }
    let header_length =
        u32::from_le_bytes([preamble[12], preamble[13], preamble[14], preamble[15]]);
    if header_length > MAX_HEADER_BYTES {
        return Err(PwfError::HeaderTooLarge {
            length: u64::from(header_length),
        });
    }

    let header = read_header(reader, header_length)?;
    validate_signals(&header.signals)?;
    let columns = header.signals.len() as u64 + 1;
    let data_start = PREAMBLE_BYTES as u64 + u64::from(header_length);
    let data_end = header
        .sample_count
        .checked_mul(columns)
        .and_then(|values| values.checked_mul(8))
        .and_then(|bytes| bytes.checked_add(data_start))
        .ok_or(PwfError::DataSizeOverflow {
            sample_count: header.sample_count,
            columns,
        })?;
    if let Some(length) = input_length {
        if length < data_end {
            return Err(PwfError::Truncated {
                section: format!(
                    "data ({} samples × {columns} columns × 8 bytes)",
                    header.sample_count
                ),
                expected: data_end - data_start,
                found: length - data_start,
            });
        }
        if length > data_end {
            return Err(PwfError::TrailingBytes {
                expected_end: data_end,
            });
        }
    }
    Ok(Layout {
        header,
        data_start,
        data_end,
    })
}

/// Reads a `.pwf` stream. `input_length`, when known, is the total number
/// of bytes in the stream.
fn read_with_length<R: Read>(
    mut reader: R,
    input_length: Option<u64>,
) -> Result<Waveforms, PwfError> {
    let Layout {
        header, data_end, ..
    } = read_layout(&mut reader, input_length)?;
    let time = read_column(&mut reader, header.sample_count, "time column")?;
    let mut values = Vec::with_capacity(header.signals.len());
    for info in &header.signals {
        let section = format!("column {:?}", info.name);
        values.push(read_column(&mut reader, header.sample_count, &section)?);
    }
    let mut extra = [0u8; 1];
    if read_full(&mut reader, &mut extra)? != 0 {
        return Err(PwfError::TrailingBytes {
            expected_end: data_end,
        });
    }
    validate_time(&time)?;
    Ok(Waveforms {
        signals: header.signals,
        time,
        columns: values,
        metadata: header.metadata,
    })
}

fn first_eight(preamble: &[u8; PREAMBLE_BYTES]) -> [u8; 8] {
    let mut found = [0u8; 8];
    found.copy_from_slice(&preamble[..8]);
    found
}

fn read_header<R: Read>(reader: &mut R, length: u32) -> Result<Header, PwfError> {
    let mut json = Vec::new();
    let found = reader.take(u64::from(length)).read_to_end(&mut json)?;
    if found < length as usize {
        return Err(PwfError::Truncated {
            section: "JSON header".into(),
            expected: u64::from(length),
            found: found as u64,
        });
    }
    serde_json::from_slice(&json).map_err(|error| PwfError::InvalidHeader {
        reason: error.to_string(),
    })
}

/// Reads `count` little-endian `f64` values, growing the vector only as
/// data arrives.
fn read_column<R: Read>(reader: &mut R, count: u64, section: &str) -> Result<Vec<f64>, PwfError> {
    let mut column = Vec::with_capacity(count.min((CHUNK_BYTES / 8) as u64) as usize);
    let mut chunk = vec![0u8; CHUNK_BYTES];
    let mut remaining = count;
    while remaining > 0 {
        let values = remaining.min((CHUNK_BYTES / 8) as u64) as usize;
        let bytes = &mut chunk[..values * 8];
        let found = read_full(reader, bytes)?;
        if found < bytes.len() {
            let done = count - remaining;
            return Err(PwfError::Truncated {
                section: section.to_owned(),
                expected: count.saturating_mul(8),
                found: done * 8 + found as u64,
            });
        }
        column.extend(
            bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
        );
        remaining -= values as u64;
    }
    Ok(column)
}

/// Reads until `buffer` is full or the input ends, and returns the number of bytes read.
pub(crate) fn read_full<R: Read>(reader: &mut R, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match reader.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

mod file;

pub use file::{Block, FileDecimateError, PwfFile};

#[cfg(test)]
mod tests;
