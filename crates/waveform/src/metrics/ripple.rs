//! Ripple helpers for switching converters.

use super::{MetricError, Span, Window, check_positive, check_time, check_values};

/// Minimum and maximum of a signal over one switching period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodExtremes {
    /// Start of the period, in s.
    pub t_start: f64,
    /// End of the period, in s.
    pub t_end: f64,
    /// Minimum over the period, in the signal's unit.
    pub min: f64,
    /// Maximum over the period, in the signal's unit.
    pub max: f64,
}

impl PeriodExtremes {
    /// Returns the peak-to-peak ripple `max − min` of the period.
    pub fn peak_to_peak(&self) -> f64 {
        self.max - self.min
    }
}

/// Returns the peak-to-peak ripple `max − min` over the last `periods`
/// switching periods of the data, that is over
/// `[t_last − periods/switching_hz, t_last]`, in the signal's unit.
///
/// Returns an error if `switching_hz` is not positive, `periods` is 0, or
/// the data is shorter than the requested periods.
pub fn ripple_peak_to_peak(
    time: &[f64],
    values: &[f64],
    switching_hz: f64,
    periods: usize,
) -> Result<f64, MetricError> {
    check_positive("switching_hz", switching_hz)?;
    check_period_count(periods)?;
    let window = Window::Last {
        duration: periods as f64 / switching_hz,
    };
    super::peak_to_peak(time, values, window)
}

fn check_period_count(periods: usize) -> Result<(), MetricError> {
    if periods == 0 {
        return Err(MetricError::InvalidParameter {
            field: "periods",
            value: 0.0,
            expected: "at least 1",
        });
    }
    Ok(())
}

/// Returns the minimum and maximum of `values` in each whole switching
/// period inside `window`, oldest first.
///
/// Period `k` covers `[t0 + k/f, t0 + (k+1)/f]`, where `t0` is the window
/// start and `f` is `switching_hz`. A partial period at the end of the
/// window is left out. Comparing the ripple of successive periods shows
/// whether a converter has reached steady state.
pub fn peak_to_peak_per_period(
    time: &[f64],
    values: &[f64],
    switching_hz: f64,
    window: Window,
) -> Result<Vec<PeriodExtremes>, MetricError> {
    check_positive("switching_hz", switching_hz)?;
    check_time(time, 2)?;
    let span = Span::resolve(time, window)?;
    check_values("values", values, time.len(), span.used())?;

    let period = 1.0 / switching_hz;
    let count = (span.duration() / period * (1.0 + 1e-9)).floor();
    if count < 1.0 {
        return Err(MetricError::Undefined {
            quantity: "ripple per period",
            reason: format!(
                "the window is {} s long, shorter than one switching period of {period} s",
                span.duration()
            ),
        });
    }
    // More periods than samples means the data cannot resolve the ripple,
    // and the check also bounds the work and the size of the result.
    if count > time.len() as f64 {
        return Err(MetricError::InvalidParameter {
            field: "switching_hz",
            value: switching_hz,
            expected: "a frequency low enough that the window holds no more periods than there are samples",
        });
    }
    let count = count as usize;
    let mut result = Vec::with_capacity(count);
    for k in 0..count {
        let start = span.start + k as f64 * period;
        let end = (span.start + (k + 1) as f64 * period).min(span.end);
        let sub = Span::resolve(time, Window::Range { start, end })?;
        let mut min = f64::INFINITY;
        let mut max = f64::NEG_INFINITY;
        for (_, x) in sub.points(time, values) {
            min = min.min(x);
            max = max.max(x);
        }
        result.push(PeriodExtremes {
            t_start: start,
            t_end: end,
            min,
            max,
        });
    }
    Ok(result)
}
