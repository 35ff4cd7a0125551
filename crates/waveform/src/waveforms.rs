//! [`Waveforms`]: an immutable columnar set of sampled signals on one time axis.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::signal::{InvalidLabel, SignalInfo};

/// Error from building, recording or slicing waveforms.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RecordError {
    /// The consumer of a [`crate::SampleTap`] asked to stop (a cancelled run).
    #[error("the recording was stopped by its consumer")]
    Stopped,
    /// A signal name or unit cannot be stored.
    #[error("signal {index}: {source}")]
    InvalidSignal {
        /// Position of the signal in the signal list.
        index: usize,
        /// Description of the problem with the name or unit.
        source: InvalidLabel,
    },
    /// Two signals have the same name.
    #[error("signal name {name:?} is used by signals {first} and {second}; names must be unique")]
    DuplicateSignal {
        /// The repeated name.
        name: String,
        /// Position of the first signal with that name.
        first: usize,
        /// Position of the second signal with that name.
        second: usize,
    },
    /// The number of value columns differs from the number of signals.
    #[error("got {actual} value columns for {expected} signals")]
    ColumnCountMismatch {
        /// Number of signals.
        expected: usize,
        /// Number of columns given.
        actual: usize,
    },
    /// A value column has a different length from the time column.
    #[error("column of signal {signal:?} has {actual} samples but the time column has {expected}")]
    ColumnLengthMismatch {
        /// Name of the signal.
        signal: String,
        /// Length of the time column.
        expected: usize,
        /// Length of the signal column.
        actual: usize,
    },
    /// A pushed sample has a different number of values from the number of signals.
    #[error("sample has {actual} values but the recorder has {expected} signals")]
    ValueCountMismatch {
        /// Number of signals.
        expected: usize,
        /// Number of values given.
        actual: usize,
    },
    /// A time value is NaN or infinite.
    #[error("time[{index}] is {value}; time values must be finite")]
    NonFiniteTime {
        /// Sample index.
        index: usize,
        /// The rejected time, in s.
        value: f64,
    },
    /// A time value is smaller than the one before it.
    #[error("time[{index}] = {value} s is less than time[{}] = {previous} s; time must be non-decreasing", index - 1)]
    TimeDecreasing {
        /// Sample index.
        index: usize,
        /// Time of the previous sample, in s.
        previous: f64,
        /// The rejected time, in s.
        value: f64,
    },
    /// Pushing one more sample would exceed the recorder's sample budget.
    #[error(
        "sample budget of {max_samples} samples exceeded; raise it with Recorder::set_max_samples or record fewer output steps"
    )]
    SampleBudgetExceeded {
        /// The configured maximum number of samples.
        max_samples: usize,
    },
    /// Memory for the requested number of samples could not be reserved.
    #[error("failed to reserve memory for {additional} more samples of {columns} columns")]
    ReserveFailed {
        /// Number of samples requested.
        additional: usize,
        /// Number of columns, time included.
        columns: usize,
    },
    /// A time window has NaN bounds or starts after it ends.
    #[error("invalid time window [{start}, {end}] s; expected finite bounds with start <= end")]
    InvalidWindow {
        /// Window start, in s.
        start: f64,
        /// Window end, in s.
        end: f64,
    },
}

/// Signals sampled on one shared time axis, stored column by column.
///
/// [`Waveforms::new`] checks these invariants and
/// [`Recorder`](crate::Recorder) keeps them:
///
/// - every time value is finite, and time is non-decreasing (equal
///   neighbours mark a discontinuity such as a switching edge);
/// - every column has as many samples as the time column;
/// - signal names are unique and valid.
///
/// Signal values may be NaN or infinite, because a diverging simulation is
/// worth inspecting. Metrics reject non-finite values in the range they use.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Waveforms {
    pub(crate) signals: Vec<SignalInfo>,
    pub(crate) time: Vec<f64>,
    pub(crate) columns: Vec<Vec<f64>>,
    pub(crate) metadata: BTreeMap<String, String>,
}

impl Waveforms {
    /// Builds waveforms from a time column (s) and one value column per signal.
    ///
    /// Returns an error if a signal is invalid or repeated, if the column
    /// count or a column length does not match, or if time is non-finite or
    /// decreasing.
    pub fn new(
        signals: Vec<SignalInfo>,
        time: Vec<f64>,
        columns: Vec<Vec<f64>>,
    ) -> Result<Self, RecordError> {
        validate_signals(&signals)?;
        if columns.len() != signals.len() {
            return Err(RecordError::ColumnCountMismatch {
                expected: signals.len(),
                actual: columns.len(),
            });
        }
        for (info, column) in signals.iter().zip(&columns) {
            if column.len() != time.len() {
                return Err(RecordError::ColumnLengthMismatch {
                    signal: info.name.clone(),
                    expected: time.len(),
                    actual: column.len(),
                });
            }
        }
        validate_time(&time)?;
        Ok(Waveforms {
            signals,
            time,
            columns,
            metadata: BTreeMap::new(),
        })
    }

    /// Replaces the metadata map (free-form key/value pairs such as solver
    /// settings), which the `.pwf` format stores and CSV does not.
    pub fn with_metadata(mut self, metadata: BTreeMap<String, String>) -> Self {
        self.metadata = metadata;
        self
    }

    /// Returns the metadata map.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Returns the number of samples.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Returns `true` when no sample is stored.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Returns the number of signals, the time column not included.
    pub fn signal_count(&self) -> usize {
        self.signals.len()
    }

    /// Returns the signal descriptions in column order.
    pub fn signals(&self) -> &[SignalInfo] {
        &self.signals
    }

    /// Returns the position of the signal called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.signals.iter().position(|info| info.name == name)
    }

    /// Returns the time column, in s.
    pub fn time(&self) -> &[f64] {
        &self.time
    }

    /// Returns the value column of signal `index`.
    pub fn column(&self, index: usize) -> Option<&[f64]> {
        self.columns.get(index).map(Vec::as_slice)
    }

    /// Returns the value column of the signal called `name`.
    pub fn signal(&self, name: &str) -> Option<&[f64]> {
        self.index_of(name).and_then(|index| self.column(index))
    }

    /// Returns the first and last sample times, in s, or `None` when empty.
    pub fn time_span(&self) -> Option<(f64, f64)> {
        Some((*self.time.first()?, *self.time.last()?))
    }

    /// Returns the index range of the samples with `t_start <= t <= t_end`
    /// (in s), found by binary search. The range is empty when no sample lies
    /// in the window.
    pub fn window(&self, t_start: f64, t_end: f64) -> Result<Range<usize>, RecordError> {
        window_range(&self.time, t_start, t_end)
    }
}

/// Returns the index range of the samples of sorted `time` with
/// `t_start <= t <= t_end`.
pub(crate) fn window_range(
    time: &[f64],
    t_start: f64,
    t_end: f64,
) -> Result<Range<usize>, RecordError> {
    if t_start.is_nan() || t_end.is_nan() || t_start > t_end {
        return Err(RecordError::InvalidWindow {
            start: t_start,
            end: t_end,
        });
    }
    let first = time.partition_point(|&t| t < t_start);
    let end = time.partition_point(|&t| t <= t_end);
    Ok(first..end.max(first))
}

pub(crate) fn validate_signals(signals: &[SignalInfo]) -> Result<(), RecordError> {
    for (index, info) in signals.iter().enumerate() {
        info.validate()
            .map_err(|source| RecordError::InvalidSignal { index, source })?;
        if let Some(first) = signals[..index].iter().position(|s| s.name == info.name) {
            return Err(RecordError::DuplicateSignal {
                name: info.name.clone(),
                first,
                second: index,
            });
        }
    }
    Ok(())
}

pub(crate) fn validate_time(time: &[f64]) -> Result<(), RecordError> {
    let mut previous = f64::NEG_INFINITY;
    for (index, &value) in time.iter().enumerate() {
        if !value.is_finite() {
            return Err(RecordError::NonFiniteTime { index, value });
        }
        if value < previous {
            return Err(RecordError::TimeDecreasing {
                index,
                previous,
                value,
            });
        }
        previous = value;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SignalKind;

    fn two_signals() -> Vec<SignalInfo> {
        vec![
            SignalInfo::new("v", "V", SignalKind::State),
            SignalInfo::new("i", "A", SignalKind::State),
        ]
    }

    #[test]
    fn new_accepts_consistent_columns() {
        let waves = Waveforms::new(
            two_signals(),
            vec![0.0, 1.0, 1.0, 2.0],
            vec![vec![1.0, 2.0, 3.0, 4.0], vec![0.0; 4]],
        )
        .unwrap();
        assert_eq!(waves.len(), 4);
        assert_eq!(waves.signal("v"), Some(&[1.0, 2.0, 3.0, 4.0][..]));
        assert_eq!(waves.signal("missing"), None);
        assert_eq!(waves.index_of("i"), Some(1));
        assert_eq!(waves.time_span(), Some((0.0, 2.0)));
    }

    #[test]
    fn new_rejects_inconsistent_input() {
        let short = Waveforms::new(
            two_signals(),
            vec![0.0, 1.0],
            vec![vec![1.0, 2.0], vec![0.0]],
        );
        assert!(matches!(
            short,
            Err(RecordError::ColumnLengthMismatch { ref signal, expected: 2, actual: 1 }) if signal == "i"
        ));

        let missing = Waveforms::new(two_signals(), vec![0.0], vec![vec![1.0]]);
        assert!(matches!(
            missing,
            Err(RecordError::ColumnCountMismatch {
                expected: 2,
                actual: 1
            })
        ));

        let decreasing = Waveforms::new(two_signals(), vec![0.0, -1.0], vec![vec![0.0; 2]; 2]);
        assert!(matches!(
            decreasing,
            Err(RecordError::TimeDecreasing { index: 1, .. })
        ));

        let nan = Waveforms::new(two_signals(), vec![0.0, f64::NAN], vec![vec![0.0; 2]; 2]);
        assert!(matches!(
            nan,
            Err(RecordError::NonFiniteTime { index: 1, .. })
        ));

        let mut duplicate = two_signals();
        duplicate[1].name = "v".into();
        let error = Waveforms::new(duplicate, vec![], vec![vec![], vec![]]).unwrap_err();
        assert!(matches!(
            error,
            RecordError::DuplicateSignal {
                first: 0,
                second: 1,
                ..
            }
        ));
    }

    #[test]
    fn window_uses_closed_interval() {
        let time = [0.0, 1.0, 2.0, 2.0, 3.0, 4.0];
        assert_eq!(window_range(&time, 1.0, 3.0).unwrap(), 1..5);
        assert_eq!(window_range(&time, 0.5, 2.0).unwrap(), 1..4);
        assert_eq!(window_range(&time, 4.5, 9.0).unwrap(), 6..6);
        assert_eq!(window_range(&time, -2.0, -1.0).unwrap(), 0..0);
        assert_eq!(window_range(&time, 2.5, 2.5).unwrap(), 4..4);
        assert!(window_range(&time, 3.0, 1.0).is_err());
        assert!(window_range(&time, f64::NAN, 1.0).is_err());
    }
}
