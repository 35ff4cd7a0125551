//! Waveform metrics: pure functions on a time slice and value slices.
//!
//! # Conventions
//!
//! - Time is in s and must be finite and non-decreasing. Two samples at the
//!   same time mark a discontinuity, such as a switching edge.
//! - Between samples a signal is taken to be linear (piecewise-linear
//!   interpolation). Integrals are exact for that interpolant, which is the
//!   trapezoidal rule for `∫x dt`, so non-uniform sampling is weighted
//!   correctly.
//! - A [`Window`] selects the time range. Window edges that fall between
//!   samples are interpolated, so a window need not line up with samples.
//!   An edge that lies outside the data by at most `1e-9` of the window
//!   length is moved onto the data, to absorb rounding in `t_end - N·T`.
//! - Every value used must be finite. Invalid input returns a
//!   [`MetricError`] that names the argument, the value and the accepted
//!   range, rather than a panic. A property test calls every metric on
//!   random finite input and random windows to check this.

mod ripple;
mod spectrum;
mod stats;
mod step;

pub use ripple::{PeriodExtremes, peak_to_peak_per_period, ripple_peak_to_peak};
pub use spectrum::{
    Harmonic, HarmonicAnalysis, HarmonicSpec, MAX_FFT_POINTS, SpectralWindow, Spectrum,
    analyze_harmonics, resample_uniform, spectrum, thd,
};
pub use stats::{
    Statistics, average_power, efficiency, energy, integral, max, mean, min, peak_to_peak, rms,
    statistics,
};
pub use step::{StepResponse, StepSpec, step_response};

/// Time range that a metric uses.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Window {
    /// From the first to the last sample.
    #[default]
    All,
    /// From `start` to `end`, in s. Both must lie within the data.
    Range {
        /// Start time, in s.
        start: f64,
        /// End time, in s.
        end: f64,
    },
    /// The last `duration` seconds of the data, ending at the last sample.
    Last {
        /// Length of the window, in s.
        duration: f64,
    },
}

impl Window {
    /// Returns the window from `start` to `end`, in s.
    pub fn range(start: f64, end: f64) -> Self {
        Window::Range { start, end }
    }

    /// Returns the window covering the last `duration` seconds of the data.
    pub fn last(duration: f64) -> Self {
        Window::Last { duration }
    }
}

/// Error from a metric function.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricError {
    /// A slice has fewer samples than the metric needs.
    #[error("`{field}` has {len} samples; expected at least {min}")]
    TooFewSamples {
        /// Argument name.
        field: &'static str,
        /// Length given.
        len: usize,
        /// Minimum length.
        min: usize,
    },
    /// A value slice is not as long as the time slice.
    #[error("`{field}` has {len} samples but `time` has {expected}; expected equal lengths")]
    LengthMismatch {
        /// Argument name.
        field: &'static str,
        /// Length given.
        len: usize,
        /// Length of `time`.
        expected: usize,
    },
    /// A sample is NaN or infinite.
    #[error("`{field}[{index}]` is {value}; expected a finite number")]
    NonFinite {
        /// Argument name.
        field: &'static str,
        /// Sample index.
        index: usize,
        /// The rejected value.
        value: f64,
    },
    /// Time decreases between two samples.
    #[error(
        "`time[{index}]` = {value} s is less than the previous sample {previous} s; expected non-decreasing time"
    )]
    TimeDecreasing {
        /// Sample index.
        index: usize,
        /// Time of the previous sample, in s.
        previous: f64,
        /// The rejected time, in s.
        value: f64,
    },
    /// A window has NaN bounds or does not have positive length.
    #[error("window [{start}, {end}] s is invalid; expected finite bounds with start < end")]
    InvalidWindow {
        /// Window start, in s.
        start: f64,
        /// Window end, in s.
        end: f64,
    },
    /// A time argument lies outside the time covered by the data.
    #[error("`{field}` = {value} s lies outside the data, which covers [{first}, {last}] s")]
    OutsideData {
        /// Argument name, for example `window.start`.
        field: &'static str,
        /// The rejected time, in s.
        value: f64,
        /// First sample time, in s.
        first: f64,
        /// Last sample time, in s.
        last: f64,
    },
    /// A numeric parameter is outside its accepted range.
    #[error("`{field}` = {value}; expected {expected}")]
    InvalidParameter {
        /// Argument name.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// The accepted range, in words.
        expected: &'static str,
    },
    /// The metric has no defined value for this input.
    #[error("{quantity} is undefined: {reason}")]
    Undefined {
        /// The metric, for example `THD`.
        quantity: &'static str,
        /// Reason the value is undefined.
        reason: String,
    },
}

/// Relative tolerance, as a fraction of the window length, within which a
/// window edge outside the data is moved onto the data.
const EDGE_TOLERANCE: f64 = 1e-9;

/// Checks that `time` has at least `min` samples and is finite and non-decreasing.
pub(crate) fn check_time(time: &[f64], min: usize) -> Result<(), MetricError> {
    if time.len() < min {
        return Err(MetricError::TooFewSamples {
            field: "time",
            len: time.len(),
            min,
        });
    }
    let mut previous = f64::NEG_INFINITY;
    for (index, &value) in time.iter().enumerate() {
        if !value.is_finite() {
            return Err(MetricError::NonFinite {
                field: "time",
                index,
                value,
            });
        }
        if value < previous {
            return Err(MetricError::TimeDecreasing {
                index,
                previous,
                value,
            });
        }
        previous = value;
    }
    Ok(())
}

/// Checks that `values` is as long as `time` and finite in `range`.
pub(crate) fn check_values(
    field: &'static str,
    values: &[f64],
    time_len: usize,
    range: std::ops::Range<usize>,
) -> Result<(), MetricError> {
    if values.len() != time_len {
        return Err(MetricError::LengthMismatch {
            field,
            len: values.len(),
            expected: time_len,
        });
    }
    for index in range {
        let value = values[index];
        if !value.is_finite() {
            return Err(MetricError::NonFinite {
                field,
                index,
                value,
            });
        }
    }
    Ok(())
}

/// Checks that a parameter is finite and positive.
pub(crate) fn check_positive(field: &'static str, value: f64) -> Result<(), MetricError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(MetricError::InvalidParameter {
            field,
            value,
            expected: "a positive finite number",
        })
    }
}

/// A window resolved against a time slice: the interpolated edges and the
/// samples strictly between them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    /// Window start, in s.
    pub start: f64,
    /// Window end, in s.
    pub end: f64,
    /// First index with `time > start`. Sample `after_start - 1` is at or before `start`.
    pub after_start: usize,
    /// First index with `time >= end`.
    pub at_end: usize,
}

impl Span {
    /// Resolves `window` against `time`, which must already have passed
    /// [`check_time`] with at least 2 samples.
    pub fn resolve(time: &[f64], window: Window) -> Result<Span, MetricError> {
        let (first, last) = match (time.first(), time.last()) {
            (Some(&first), Some(&last)) => (first, last),
            _ => {
                return Err(MetricError::TooFewSamples {
                    field: "time",
                    len: time.len(),
                    min: 2,
                });
            }
        };

        let (start, end, start_field) = match window {
            Window::All => (first, last, "window.start"),
            Window::Range { start, end } => (start, end, "window.start"),
            Window::Last { duration } => {
                check_positive("window.duration", duration)?;
                (last - duration, last, "window.duration")
            }
        };

        if !(start.is_finite() && end.is_finite() && start < end) {
            return Err(MetricError::InvalidWindow { start, end });
        }

        let slack = EDGE_TOLERANCE * (end - start);
        let start = if start < first && first - start <= slack {
            first
        } else {
            start
        };
        let end = if end > last && end - last <= slack {
            last
        } else {
            end
        };

        if start < first || start >= last {
            let value = match window {
                Window::Last { duration } => duration,
                _ => start,
            };
            return Err(MetricError::OutsideData {
                field: start_field,
                value,
                first,
                last,
            });
        }
        if end > last {
            return Err(MetricError::OutsideData {
                field: "window.end",
                value: end,
                first,
                last,
            });
        }

        // Now first <= start < end <= last, so sample after_start - 1 exists
        // and at_end is a valid index.
        let after_start = time.partition_point(|&t| t <= start);
        let at_end = time.partition_point(|&t| t < end);
        Ok(Span {
            start,
            end,
            after_start,
            at_end,
        })
    }

    /// Returns the window length, in s.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Returns the index range of the samples that the interpolation uses.
    pub fn used(&self) -> std::ops::Range<usize> {
        self.after_start - 1..self.at_end + 1
    }

    /// Returns the points of the piecewise-linear signal in the window:
    /// the interpolated start, the samples strictly inside, and the
    /// interpolated end, as `(t, x)` pairs.
    pub fn points<'a>(
        &self,
        time: &'a [f64],
        values: &'a [f64],
    ) -> impl Iterator<Item = (f64, f64)> + 'a {
        let start = (
            self.start,
            interpolate(time, values, self.after_start - 1, self.start),
        );
        let end = (self.end, value_at_end(time, values, self.at_end, self.end));
        let inner = (self.after_start..self.at_end).map(move |i| (time[i], values[i]));
        std::iter::once(start)
            .chain(inner)
            .chain(std::iter::once(end))
    }
}

/// Interpolates linearly at `t` between samples `i` and `i + 1`, where
/// `time[i] <= t`. Returns `values[i]` when `t == time[i]` or when sample
/// `i + 1` does not exist or has the same time.
pub(crate) fn interpolate(time: &[f64], values: &[f64], i: usize, t: f64) -> f64 {
    let (t0, x0) = (time[i], values[i]);
    match (time.get(i + 1), values.get(i + 1)) {
        (Some(&t1), Some(&x1)) if t1 > t0 && t > t0 => x0 + (x1 - x0) * ((t - t0) / (t1 - t0)),
        _ => x0,
    }
}

/// Returns the value at the window end, where `at_end` is the first index
/// with `time >= end`. At a discontinuity it takes the left limit.
fn value_at_end(time: &[f64], values: &[f64], at_end: usize, end: f64) -> f64 {
    if time[at_end] == end {
        values[at_end]
    } else {
        interpolate(time, values, at_end - 1, end)
    }
}

/// Returns the value of the piecewise-linear signal at `t`, taking the left
/// limit at a discontinuity. `t` must lie within `time`.
pub(crate) fn value_at(time: &[f64], values: &[f64], t: f64) -> f64 {
    let at = time.partition_point(|&s| s < t).min(time.len() - 1);
    if time[at] == t || at == 0 {
        values[at]
    } else {
        interpolate(time, values, at - 1, t)
    }
}

#[cfg(test)]
mod tests;
