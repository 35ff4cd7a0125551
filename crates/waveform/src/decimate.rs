//! Min/max decimation of waveforms for display.
//!
//! A plot is a few thousand pixels wide, but a simulation records millions
//! of samples. Plotting every n-th sample hides switching spikes. Min/max
//! decimation instead splits the time range into equal-width buckets (one per
//! pixel column, typically) and keeps for each bucket the minimum, the
//! maximum, and the first and last values. Drawing a vertical line from min
//! to max in each bucket, joined through first and last, shows every
//! extreme of the original data.
//!
//! Both decimators place a sample at time `t` (s) in bucket
//! `k = floor((t - origin) / width)`, so the batch decimator and the
//! streaming one produce the same buckets for the same origin and width.
//! Buckets that contain no sample are left out, and each bucket carries its
//! index so a client can see the gaps.

use serde::Serialize;

use crate::waveforms::{Waveforms, window_range};

/// Summary of one signal's samples in one time bucket.
///
/// `min` and `max` skip NaN values, so they are NaN only if every sample in
/// the bucket is NaN. `first` and `last` are the unchanged first and last
/// samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bucket {
    /// Bucket number: `floor((t - origin) / width)` for every sample in it.
    pub index: usize,
    /// Time of the first sample in the bucket, in s.
    pub t_first: f64,
    /// Time of the last sample in the bucket, in s.
    pub t_last: f64,
    /// Number of samples in the bucket (at least 1).
    pub samples: usize,
    /// Minimum value, in the signal's unit.
    pub min: f64,
    /// Maximum value, in the signal's unit.
    pub max: f64,
    /// Value of the first sample.
    pub first: f64,
    /// Value of the last sample.
    pub last: f64,
}

impl Bucket {
    pub(crate) fn start(index: usize, t: f64, value: f64) -> Self {
        Bucket {
            index,
            t_first: t,
            t_last: t,
            samples: 1,
            min: value,
            max: value,
            first: value,
            last: value,
        }
    }

    pub(crate) fn add(&mut self, t: f64, value: f64) {
        self.t_last = t;
        self.samples += 1;
        // f64::min and f64::max return the other operand when one is NaN.
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.last = value;
    }
}

/// Error from a decimator.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecimateError {
    /// The time range has NaN or infinite bounds or starts after it ends.
    #[error("invalid time range [{start}, {end}] s; expected finite bounds with start <= end")]
    InvalidRange {
        /// Range start, in s.
        start: f64,
        /// Range end, in s.
        end: f64,
    },
    /// The bucket count is zero.
    #[error("buckets is 0; expected at least 1")]
    ZeroBuckets,
    /// The bucket width is not a positive finite number.
    #[error("bucket width is {value} s; expected a positive finite number")]
    InvalidBucketWidth {
        /// The rejected width, in s.
        value: f64,
    },
    /// The origin of the streaming decimator is not finite.
    #[error("origin is {value} s; expected a finite number")]
    InvalidOrigin {
        /// The rejected origin, in s.
        value: f64,
    },
    /// The value slice and the time slice have different lengths.
    #[error("values has {actual} samples but time has {expected}")]
    LengthMismatch {
        /// Length of the time slice.
        expected: usize,
        /// Length of the value slice.
        actual: usize,
    },
    /// A pushed sample has a different number of values from the number of signals.
    #[error("sample has {actual} values but the decimator has {expected} signals")]
    ValueCountMismatch {
        /// Number of signals.
        expected: usize,
        /// Number of values given.
        actual: usize,
    },
    /// A time value is NaN or infinite, or comes before the origin.
    #[error("time {value} s is not finite or lies before the origin {origin} s")]
    TimeOutOfRange {
        /// The rejected time, in s.
        value: f64,
        /// The decimator's origin, in s.
        origin: f64,
    },
    /// A time value is smaller than the one before it.
    #[error(
        "time[{index}] = {value} s is less than the previous time {previous} s; time must be non-decreasing"
    )]
    TimeDecreasing {
        /// Sample index.
        index: usize,
        /// Previous time, in s.
        previous: f64,
        /// The rejected time, in s.
        value: f64,
    },
}

/// Returns the bucket that time `t` falls into, or `None` when `t` is before
/// `origin` or not finite. A zero width puts every sample in bucket 0.
pub(crate) fn bucket_index(t: f64, origin: f64, width: f64) -> Option<usize> {
    if !t.is_finite() || t < origin {
        return None;
    }
    if width == 0.0 {
        return Some(0);
    }
    // `as` saturates, so an offset too large for usize maps to usize::MAX.
    Some(((t - origin) / width).floor() as usize)
}

/// Index range of the samples in one bucket, shared by all signals.
struct BucketSpan {
    index: usize,
    first: usize,
    end: usize,
}

/// Splits the samples of `time` in `[t_start, t_end]` into `buckets` equal-width buckets.
fn bucket_spans(
    time: &[f64],
    t_start: f64,
    t_end: f64,
    buckets: usize,
) -> Result<Vec<BucketSpan>, DecimateError> {
    if !t_start.is_finite() || !t_end.is_finite() || t_start > t_end {
        return Err(DecimateError::InvalidRange {
            start: t_start,
            end: t_end,
        });
    }
    if buckets == 0 {
        return Err(DecimateError::ZeroBuckets);
    }
    let width = (t_end - t_start) / buckets as f64;
    let range = window_range(time, t_start, t_end).map_err(|_| DecimateError::InvalidRange {
        start: t_start,
        end: t_end,
    })?;

    let mut spans: Vec<BucketSpan> = Vec::new();
    let mut previous = t_start;
    for i in range {
        let t = time[i];
        if t < previous {
            return Err(DecimateError::TimeDecreasing {
                index: i,
                previous,
                value: t,
            });
        }
        previous = t;
        let index = bucket_index(t, t_start, width)
            .unwrap_or(0)
            .min(buckets - 1);
        match spans.last_mut() {
            Some(span) if span.index == index => span.end = i + 1,
            _ => spans.push(BucketSpan {
                index,
                first: i,
                end: i + 1,
            }),
        }
    }
    Ok(spans)
}

fn summarize(time: &[f64], values: &[f64], span: &BucketSpan) -> Bucket {
    let mut bucket = Bucket::start(span.index, time[span.first], values[span.first]);
    for i in span.first + 1..span.end {
        bucket.add(time[i], values[i]);
    }
    bucket
}

/// Decimates one signal over `[t_start, t_end]` (s) into at most `buckets`
/// equal-width time buckets.
///
/// Bucket `k` covers `[t_start + k·w, t_start + (k+1)·w)` with
/// `w = (t_end - t_start) / buckets`, and the last bucket also contains the
/// samples at exactly `t_end`. Empty buckets are left out, so the result has at most
/// `buckets` entries in increasing `index` order. When `t_start == t_end`,
/// all samples at that time form bucket 0.
///
/// Returns an error if the lengths differ, the range is invalid, `buckets`
/// is 0, or the time slice decreases inside the range.
pub fn decimate_min_max(
    time: &[f64],
    values: &[f64],
    t_start: f64,
    t_end: f64,
    buckets: usize,
) -> Result<Vec<Bucket>, DecimateError> {
    if values.len() != time.len() {
        return Err(DecimateError::LengthMismatch {
            expected: time.len(),
            actual: values.len(),
        });
    }
    let spans = bucket_spans(time, t_start, t_end, buckets)?;
    Ok(spans
        .iter()
        .map(|span| summarize(time, values, span))
        .collect())
}

/// Decimates every signal of `waveforms` over `[t_start, t_end]` (s), as
/// [`decimate_min_max`] does for one signal.
///
/// The outer vector has one entry per signal, in signal order. All signals
/// share the same bucket boundaries.
pub fn decimate_waveforms(
    waveforms: &Waveforms,
    t_start: f64,
    t_end: f64,
    buckets: usize,
) -> Result<Vec<Vec<Bucket>>, DecimateError> {
    let time = waveforms.time();
    let spans = bucket_spans(time, t_start, t_end, buckets)?;
    Ok(waveforms
        .columns
        .iter()
        .map(|values| {
            spans
                .iter()
                .map(|span| summarize(time, values, span))
                .collect()
        })
        .collect())
}

/// Min/max decimator that takes samples one at a time and emits each bucket
/// once a later sample shows that it is complete.
///
/// Buckets have a fixed `width` (s) counted from `origin` (s). A bucket is
/// complete when a sample lands in a later bucket, or when
/// [`StreamingDecimator::finish`] is called. [`StreamingDecimator::take_completed`]
/// returns the completed buckets, for example to send them to a browser in
/// chunks while the simulation runs.
///
/// ```
/// use pelab_waveform::StreamingDecimator;
///
/// let mut decimator = StreamingDecimator::new(1, 0.0, 1e-3)?;
/// for k in 0..2_500 {
///     let t = k as f64 * 1e-6;
///     decimator.push(t, &[(t * 1e4).sin()])?;
/// }
/// let completed = decimator.take_completed();
/// assert_eq!(completed[0].len(), 2); // [0, 1) ms and [1, 2) ms
/// let rest = decimator.finish();
/// assert_eq!(rest[0].len(), 1); // [2, 2.5) ms
/// # Ok::<(), pelab_waveform::DecimateError>(())
/// ```
#[derive(Debug, Clone)]
pub struct StreamingDecimator {
    origin: f64,
    width: f64,
    open: Vec<Bucket>,
    completed: Vec<Vec<Bucket>>,
    pushed: usize,
    last_time: f64,
}

impl StreamingDecimator {
    /// Creates a decimator for `signal_count` signals with buckets of `width`
    /// seconds starting at `origin` seconds.
    pub fn new(signal_count: usize, origin: f64, width: f64) -> Result<Self, DecimateError> {
        if !origin.is_finite() {
            return Err(DecimateError::InvalidOrigin { value: origin });
        }
        if !(width.is_finite() && width > 0.0) {
            return Err(DecimateError::InvalidBucketWidth { value: width });
        }
        Ok(StreamingDecimator {
            origin,
            width,
            open: Vec::with_capacity(signal_count),
            completed: vec![Vec::new(); signal_count],
            pushed: 0,
            last_time: origin,
        })
    }

    /// Returns the number of signals.
    pub fn signal_count(&self) -> usize {
        self.completed.len()
    }

    /// Adds one sample: time `t` in s and one value per signal.
    ///
    /// Returns `true` when this sample completed a bucket. Returns an error,
    /// and changes nothing, if the value count is wrong, if `t` is not finite
    /// or before the origin, or if `t` is less than the previous time.
    pub fn push(&mut self, t: f64, values: &[f64]) -> Result<bool, DecimateError> {
        if values.len() != self.completed.len() {
            return Err(DecimateError::ValueCountMismatch {
                expected: self.completed.len(),
                actual: values.len(),
            });
        }
        let Some(index) = bucket_index(t, self.origin, self.width) else {
            return Err(DecimateError::TimeOutOfRange {
                value: t,
                origin: self.origin,
            });
        };
        if t < self.last_time {
            return Err(DecimateError::TimeDecreasing {
                index: self.pushed,
                previous: self.last_time,
                value: t,
            });
        }
        self.last_time = t;
        self.pushed += 1;

        let open_index = self.open.first().map(|bucket| bucket.index);
        if open_index == Some(index) {
            for (bucket, &value) in self.open.iter_mut().zip(values) {
                bucket.add(t, value);
            }
            return Ok(false);
        }
        let completed = self.close_open();
        self.open
            .extend(values.iter().map(|&value| Bucket::start(index, t, value)));
        Ok(completed)
    }

    /// Moves the open bucket, if any, to the completed list.
    fn close_open(&mut self) -> bool {
        if self.open.is_empty() {
            return false;
        }
        for (pending, bucket) in self.completed.iter_mut().zip(self.open.drain(..)) {
            pending.push(bucket);
        }
        true
    }

    /// Returns the buckets completed since the last call, one vector per
    /// signal in signal order. The bucket that is still open is kept.
    pub fn take_completed(&mut self) -> Vec<Vec<Bucket>> {
        self.completed.iter_mut().map(std::mem::take).collect()
    }

    /// Closes the open bucket and returns every bucket not yet taken, one
    /// vector per signal.
    pub fn finish(mut self) -> Vec<Vec<Bucket>> {
        self.close_open();
        self.completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spike_survives_decimation() {
        let n = 10_000;
        let time: Vec<f64> = (0..n).map(|k| k as f64).collect();
        let mut values = vec![0.0; n];
        values[4_321] = 50.0;
        values[7_777] = -3.0;
        let buckets = decimate_min_max(&time, &values, 0.0, (n - 1) as f64, 100).unwrap();
        assert_eq!(buckets.len(), 100);
        let max = buckets.iter().map(|b| b.max).fold(f64::MIN, f64::max);
        let min = buckets.iter().map(|b| b.min).fold(f64::MAX, f64::min);
        assert_eq!(max, 50.0);
        assert_eq!(min, -3.0);
        let total: usize = buckets.iter().map(|b| b.samples).sum();
        assert_eq!(total, n);
    }

    #[test]
    fn buckets_fewer_than_requested_when_sparse() {
        let time = [0.0, 0.1, 9.9];
        let values = [1.0, 2.0, 3.0];
        let buckets = decimate_min_max(&time, &values, 0.0, 10.0, 10).unwrap();
        let indices: Vec<usize> = buckets.iter().map(|b| b.index).collect();
        assert_eq!(indices, vec![0, 9]);
        assert_eq!(buckets[0].first, 1.0);
        assert_eq!(buckets[0].last, 2.0);
        assert_eq!(buckets[0].t_last, 0.1);
    }

    #[test]
    fn sample_at_range_end_goes_to_last_bucket() {
        let time = [0.0, 5.0, 10.0];
        let values = [0.0, 1.0, 2.0];
        let buckets = decimate_min_max(&time, &values, 0.0, 10.0, 2).unwrap();
        assert_eq!(buckets.len(), 2);
        assert_eq!(buckets[1].index, 1);
        assert_eq!(buckets[1].samples, 2);
    }

    #[test]
    fn zero_width_range_is_one_bucket() {
        let time = [0.0, 1.0, 1.0, 2.0];
        let values = [0.0, -1.0, 4.0, 2.0];
        let buckets = decimate_min_max(&time, &values, 1.0, 1.0, 5).unwrap();
        assert_eq!(buckets.len(), 1);
        assert_eq!((buckets[0].min, buckets[0].max), (-1.0, 4.0));
    }

    #[test]
    fn nan_is_skipped_by_min_max() {
        let time = [0.0, 1.0, 2.0];
        let values = [f64::NAN, 3.0, -1.0];
        let buckets = decimate_min_max(&time, &values, 0.0, 2.0, 1).unwrap();
        assert_eq!((buckets[0].min, buckets[0].max), (-1.0, 3.0));
        assert!(buckets[0].first.is_nan());
    }

    #[test]
    fn decimate_rejects_bad_arguments() {
        let time = [0.0, 1.0];
        assert_eq!(
            decimate_min_max(&time, &[0.0], 0.0, 1.0, 1),
            Err(DecimateError::LengthMismatch {
                expected: 2,
                actual: 1
            })
        );
        assert_eq!(
            decimate_min_max(&time, &[0.0, 1.0], 0.0, 1.0, 0),
            Err(DecimateError::ZeroBuckets)
        );
        assert!(matches!(
            decimate_min_max(&time, &[0.0, 1.0], 1.0, 0.0, 1),
            Err(DecimateError::InvalidRange { .. })
        ));
        assert!(matches!(
            decimate_min_max(&[0.0, 2.0, 1.0], &[0.0; 3], 0.0, 3.0, 2),
            Err(DecimateError::TimeDecreasing { index: 2, .. })
        ));
    }

    #[test]
    fn streaming_rejects_bad_samples() {
        assert!(StreamingDecimator::new(1, 0.0, 0.0).is_err());
        assert!(StreamingDecimator::new(1, f64::NAN, 1.0).is_err());
        let mut decimator = StreamingDecimator::new(2, 1.0, 1.0).unwrap();
        assert!(matches!(
            decimator.push(0.5, &[0.0, 0.0]),
            Err(DecimateError::TimeOutOfRange { .. })
        ));
        assert!(matches!(
            decimator.push(1.5, &[0.0]),
            Err(DecimateError::ValueCountMismatch { .. })
        ));
        decimator.push(2.0, &[0.0, 0.0]).unwrap();
        assert!(matches!(
            decimator.push(1.5, &[0.0, 0.0]),
            Err(DecimateError::TimeDecreasing { index: 1, .. })
        ));
    }

    #[test]
    fn streaming_reports_completion() {
        let mut decimator = StreamingDecimator::new(1, 0.0, 1.0).unwrap();
        assert!(!decimator.push(0.2, &[1.0]).unwrap());
        assert!(!decimator.push(0.7, &[3.0]).unwrap());
        assert!(decimator.push(3.1, &[2.0]).unwrap());
        let completed = decimator.take_completed();
        assert_eq!(completed[0].len(), 1);
        assert_eq!(completed[0][0].max, 3.0);
        assert!(decimator.take_completed()[0].is_empty());
        let rest = decimator.finish();
        assert_eq!(rest[0][0].index, 3);
    }
}
