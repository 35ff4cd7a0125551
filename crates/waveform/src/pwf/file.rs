//! Block-wise reading of a `.pwf` file, for files larger than the memory one request
//! should take.
//!
//! The file is columnar, so row `i` of signal `k` lies at
//! `data_start + 8·(N·(k+1) + i)` (time is column 0). [`PwfFile::read_rows`] seeks to
//! each column in turn and reads one slice, so a block of `R` rows over `C` columns
//! costs `C` seeks and `8·R·C` bytes of memory, whatever the file size.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom};
use std::path::Path;

use super::{PwfError, read_full, read_layout};
use crate::decimate::{Bucket, DecimateError, bucket_index};
use crate::signal::SignalInfo;
use crate::waveforms::RecordError;

/// An open `.pwf` file whose preamble, header and size were checked.
#[derive(Debug)]
pub struct PwfFile {
    file: BufReader<File>,
    signals: Vec<SignalInfo>,
    metadata: BTreeMap<String, String>,
    sample_count: u64,
    data_start: u64,
    /// Last time value handed out by [`PwfFile::next_block`], to check that time
    /// does not decrease across blocks.
    last_time: Option<f64>,
    /// First row that [`PwfFile::next_block`] reads next.
    cursor: u64,
}

/// Rows `start..start + time.len()` of every column.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    /// Index of the first row in the file.
    pub start: u64,
    /// Time column [s].
    pub time: Vec<f64>,
    /// One vector per signal, in file order, each as long as `time`.
    pub columns: Vec<Vec<f64>>,
}

impl PwfFile {
    /// Opens `path` and checks the preamble, the header and that the file length matches
    /// the header's sample count. Reads no column.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, PwfError> {
        let file = File::open(path)?;
        let length = file.metadata()?.len();
        let mut file = BufReader::new(file);
        let layout = read_layout(&mut file, Some(length))?;
        Ok(PwfFile {
            file,
            signals: layout.header.signals,
            metadata: layout.header.metadata,
            sample_count: layout.header.sample_count,
            data_start: layout.data_start,
            last_time: None,
            cursor: 0,
        })
    }

    /// Returns the signals, in column order.
    pub fn signals(&self) -> &[SignalInfo] {
        &self.signals
    }

    /// Returns the header's metadata.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Returns the number of samples per column.
    pub fn sample_count(&self) -> u64 {
        self.sample_count
    }

    /// Reads rows `start..start + rows` (clipped at the end of the file) of the time
    /// column and every signal. Checks that the block's time values are finite and
    /// non-decreasing.
    pub fn read_rows(&mut self, start: u64, rows: usize) -> Result<Block, PwfError> {
        let start = start.min(self.sample_count);
        let rows = (rows as u64).min(self.sample_count - start);
        let mut bytes = vec![0u8; rows as usize * 8];
        let mut columns = Vec::with_capacity(self.signals.len() + 1);
        for column in 0..=self.signals.len() as u64 {
            let offset = self.data_start + 8 * (self.sample_count * column + start);
            self.file.seek(SeekFrom::Start(offset))?;
            let found = read_full(&mut self.file, &mut bytes)?;
            if found < bytes.len() {
                return Err(PwfError::Truncated {
                    section: self.column_name(column),
                    expected: bytes.len() as u64,
                    found: found as u64,
                });
            }
            columns.push(
                bytes
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                    .collect::<Vec<f64>>(),
            );
        }
        let time = columns.remove(0);
        check_time(&time, start)?;
        Ok(Block {
            start,
            time,
            columns,
        })
    }

    /// Reads the next `rows` rows after the previous call (from row 0 at first), or
    /// `None` after the last row. Also checks that time does not decrease from one
    /// block to the next.
    pub fn next_block(&mut self, rows: usize) -> Option<Result<Block, PwfError>> {
        if self.cursor >= self.sample_count || rows == 0 {
            return None;
        }
        let block = match self.read_rows(self.cursor, rows) {
            Ok(block) => block,
            Err(e) => {
                // A failed block ends the sequence.
                self.cursor = self.sample_count;
                return Some(Err(e));
            }
        };
        if let (Some(last), Some(&first)) = (self.last_time, block.time.first())
            && first < last
        {
            let index = self.cursor as usize;
            self.cursor = self.sample_count;
            return Some(Err(PwfError::InvalidData(RecordError::TimeDecreasing {
                index,
                previous: last,
                value: first,
            })));
        }
        self.last_time = block.time.last().copied();
        self.cursor += block.time.len() as u64;
        Some(Ok(block))
    }

    /// Reads time value `row` [s] (one seek, 8 bytes).
    pub fn time_at(&mut self, row: u64) -> Result<f64, PwfError> {
        self.file.seek(SeekFrom::Start(
            self.data_start + 8 * row.min(self.sample_count),
        ))?;
        let mut bytes = [0u8; 8];
        if read_full(&mut self.file, &mut bytes)? < 8 {
            return Err(PwfError::Truncated {
                section: "time column".into(),
                expected: 8,
                found: 0,
            });
        }
        Ok(f64::from_le_bytes(bytes))
    }

    /// First row whose time is not before `t` (by `before(time, t)`), found by
    /// bisection over the time column: `log2(N)` reads of 8 bytes.
    fn partition_point(&mut self, before: impl Fn(f64) -> bool) -> Result<u64, PwfError> {
        let (mut lo, mut hi) = (0_u64, self.sample_count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if before(self.time_at(mid)?) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    /// Min/max buckets of every signal over `[t_start, t_end]` [s], equal to
    /// [`crate::decimate_waveforms`] on the whole recording, but reading only the rows
    /// in the window, in blocks of `block_rows`. Memory is one block plus the buckets,
    /// so a zoomed view of a long recording reads a small part of the file.
    ///
    /// # Errors
    /// [`FileDecimateError::Decimate`] for an invalid range, zero buckets or time that
    /// decreases in the window, and [`FileDecimateError::Pwf`] for read errors.
    pub fn decimate(
        &mut self,
        t_start: f64,
        t_end: f64,
        buckets: usize,
        block_rows: usize,
    ) -> Result<Vec<Vec<Bucket>>, FileDecimateError> {
        if !t_start.is_finite() || !t_end.is_finite() || t_start > t_end {
            return Err(DecimateError::InvalidRange {
                start: t_start,
                end: t_end,
            }
            .into());
        }
        if buckets == 0 {
            return Err(DecimateError::ZeroBuckets.into());
        }
        let width = (t_end - t_start) / buckets as f64;
        let first = self.partition_point(|t| t < t_start)?;
        let end = self.partition_point(|t| t <= t_end)?.max(first);
        let mut out: Vec<Vec<Bucket>> = vec![Vec::new(); self.signals.len()];
        let mut previous = t_start;
        let mut row = first;
        while row < end {
            let rows = ((end - row) as usize).min(block_rows.max(1));
            let block = self.read_rows(row, rows)?;
            for (k, &t) in block.time.iter().enumerate() {
                if t < previous {
                    return Err(DecimateError::TimeDecreasing {
                        index: (row as usize) + k,
                        previous,
                        value: t,
                    }
                    .into());
                }
                previous = t;
                let index = bucket_index(t, t_start, width)
                    .unwrap_or(0)
                    .min(buckets - 1);
                for (signal, column) in out.iter_mut().zip(&block.columns) {
                    let value = column[k];
                    match signal.last_mut() {
                        Some(bucket) if bucket.index == index => bucket.add(t, value),
                        _ => signal.push(Bucket::start(index, t, value)),
                    }
                }
            }
            row += rows as u64;
        }
        Ok(out)
    }

    /// Min/max buckets of every signal over the whole recording, with its time span
    /// `(t_first, t_last)` [s], as [`PwfFile::decimate`] reads them. `None` for an
    /// empty recording or one that spans no time.
    ///
    /// # Errors
    /// As [`PwfFile::decimate`].
    #[allow(clippy::type_complexity)]
    pub fn decimate_all(
        &mut self,
        buckets: usize,
        block_rows: usize,
    ) -> Result<Option<((f64, f64), Vec<Vec<Bucket>>)>, FileDecimateError> {
        if self.sample_count == 0 {
            return Ok(None);
        }
        let t0 = self.time_at(0)?;
        let t1 = self.time_at(self.sample_count - 1)?;
        if !(t1 > t0) {
            return Ok(None);
        }
        Ok(Some((
            (t0, t1),
            self.decimate(t0, t1, buckets, block_rows)?,
        )))
    }

    fn column_name(&self, column: u64) -> String {
        match column.checked_sub(1) {
            None => "time column".to_string(),
            Some(k) => format!("column {:?}", self.signals[k as usize].name),
        }
    }
}

/// Error of [`PwfFile::decimate`].
#[derive(Debug, thiserror::Error)]
pub enum FileDecimateError {
    /// The file cannot be read.
    #[error(transparent)]
    Pwf(#[from] PwfError),
    /// The range, the bucket count or the time column is invalid.
    #[error(transparent)]
    Decimate(#[from] DecimateError),
}

/// Finite, non-decreasing time within one block; `start` numbers the rows in errors.
fn check_time(time: &[f64], start: u64) -> Result<(), PwfError> {
    let shift = |index: usize| index + start as usize;
    crate::waveforms::validate_time(time).map_err(|e| {
        PwfError::InvalidData(match e {
            RecordError::TimeDecreasing {
                index,
                previous,
                value,
            } => RecordError::TimeDecreasing {
                index: shift(index),
                previous,
                value,
            },
            RecordError::NonFiniteTime { index, value } => RecordError::NonFiniteTime {
                index: shift(index),
                value,
            },
            other => other,
        })
    })
}
