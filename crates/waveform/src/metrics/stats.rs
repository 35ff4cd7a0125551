//! Time-weighted statistics, power, energy and efficiency.
//!
//! All integrals treat the signals as piecewise linear between samples and
//! are exact for that interpolant. For one segment of length `Δt` with end
//! values `a`, `b` (and `c`, `d` for a second signal):
//!
//! - `∫x dt = Δt·(a + b)/2` (trapezoidal rule)
//! - `∫x² dt = Δt·(a² + a·b + b²)/3`
//! - `∫x·y dt = Δt·(2a·c + a·d + b·c + 2b·d)/6`

use super::{MetricError, Span, Window, check_time, check_values};

/// Summary statistics of one signal over a window, from one pass over the data.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statistics {
    /// Start of the window, in s.
    pub t_start: f64,
    /// End of the window, in s.
    pub t_end: f64,
    /// Time-weighted mean `(1/T)·∫x dt`, in the signal's unit.
    pub mean: f64,
    /// Root mean square `√((1/T)·∫x² dt)`, in the signal's unit.
    pub rms: f64,
    /// Minimum, in the signal's unit.
    pub min: f64,
    /// Maximum, in the signal's unit.
    pub max: f64,
    /// Peak-to-peak value `max − min`, in the signal's unit.
    pub peak_to_peak: f64,
}

/// Validates one signal and resolves the window.
fn prepare(
    time: &[f64],
    field: &'static str,
    values: &[f64],
    window: Window,
) -> Result<Span, MetricError> {
    check_time(time, 2)?;
    if values.len() != time.len() {
        return Err(MetricError::LengthMismatch {
            field,
            len: values.len(),
            expected: time.len(),
        });
    }
    let span = Span::resolve(time, window)?;
    check_values(field, values, time.len(), span.used())?;
    Ok(span)
}

/// Computes mean, RMS, min, max and peak-to-peak of `values` over `window`.
///
/// `time` is in s. See [`mean`], [`rms`], [`min`], [`max`] and
/// [`peak_to_peak`] for the definitions.
pub fn statistics(time: &[f64], values: &[f64], window: Window) -> Result<Statistics, MetricError> {
    let span = prepare(time, "values", values, window)?;
    let mut integral = 0.0;
    let mut square_integral = 0.0;
    let mut min = f64::INFINITY;
    let mut max = f64::NEG_INFINITY;
    let mut previous: Option<(f64, f64)> = None;
    for (t, x) in span.points(time, values) {
        min = min.min(x);
        max = max.max(x);
        if let Some((t0, x0)) = previous {
            let dt = t - t0;
            integral += dt * (x0 + x) * 0.5;
            square_integral += dt * (x0 * x0 + x0 * x + x * x) / 3.0;
        }
        previous = Some((t, x));
    }
    let duration = span.duration();
    let mean = integral / duration;
    Ok(Statistics {
        t_start: span.start,
        t_end: span.end,
        mean,
        rms: (square_integral / duration).sqrt(),
        min,
        max,
        peak_to_peak: max - min,
    })
}

/// Returns the time-weighted mean `(1/T)·∫x dt` over `window`, with
/// `T = t_end − t_start` in s. The result has the unit of `values`.
///
/// With non-uniform sampling each sample is weighted by the time it covers
/// (trapezoidal rule), not counted once.
pub fn mean(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    Ok(statistics(time, values, window)?.mean)
}

/// Returns the root mean square `√((1/T)·∫x² dt)` over `window`, in the
/// unit of `values`. For a sine of amplitude `A` it is `A/√2`.
pub fn rms(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    Ok(statistics(time, values, window)?.rms)
}

/// Returns the minimum of `values` over `window`, including the
/// interpolated values at the window edges.
pub fn min(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    Ok(statistics(time, values, window)?.min)
}

/// Returns the maximum of `values` over `window`, including the
/// interpolated values at the window edges.
pub fn max(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    Ok(statistics(time, values, window)?.max)
}

/// Returns the peak-to-peak value `max − min` over `window`, in the unit of
/// `values`. It is never negative.
pub fn peak_to_peak(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    Ok(statistics(time, values, window)?.peak_to_peak)
}

/// Returns the time integral `∫x dt` over `window` (trapezoidal rule), in
/// the unit of `values` times s. For a power in W it is the energy in J.
pub fn integral(time: &[f64], values: &[f64], window: Window) -> Result<f64, MetricError> {
    let stats = statistics(time, values, window)?;
    Ok(stats.mean * (stats.t_end - stats.t_start))
}

/// Returns `(∫v·i dt, T)` over `window`, with both signals piecewise linear.
fn product_integral(
    time: &[f64],
    voltage: &[f64],
    current: &[f64],
    window: Window,
) -> Result<(f64, f64), MetricError> {
    let span = prepare(time, "voltage", voltage, window)?;
    check_values("current", current, time.len(), span.used())?;
    let mut total = 0.0;
    let mut previous: Option<(f64, f64, f64)> = None;
    for ((t, v), (_, i)) in span.points(time, voltage).zip(span.points(time, current)) {
        if let Some((t0, v0, i0)) = previous {
            total += (t - t0) * (2.0 * v0 * i0 + v0 * i + v * i0 + 2.0 * v * i) / 6.0;
        }
        previous = Some((t, v, i));
    }
    Ok((total, span.duration()))
}

/// Returns the average power `P = (1/T)·∫v·i dt` over `window`, in W when
/// `voltage` is in V and `current` in A.
///
/// The product is integrated exactly for piecewise-linear `v` and `i`, so
/// `P` is correct for non-uniform sampling. Positive `P` means the port
/// absorbs power when `i` flows into its positive terminal.
pub fn average_power(
    time: &[f64],
    voltage: &[f64],
    current: &[f64],
    window: Window,
) -> Result<f64, MetricError> {
    let (total, duration) = product_integral(time, voltage, current, window)?;
    Ok(total / duration)
}

/// Returns the energy `E = ∫v·i dt` over `window`, in J when `voltage` is
/// in V and `current` in A.
pub fn energy(
    time: &[f64],
    voltage: &[f64],
    current: &[f64],
    window: Window,
) -> Result<f64, MetricError> {
    Ok(product_integral(time, voltage, current, window)?.0)
}

/// Returns the efficiency `η = P_out / P_in` as a ratio (multiply by 100
/// for %), from average powers in W.
///
/// `input_power` must be positive and finite. `output_power` may be any
/// finite number, so a converter that draws power from its load gives a
/// negative `η`.
pub fn efficiency(input_power: f64, output_power: f64) -> Result<f64, MetricError> {
    if !(input_power.is_finite() && input_power > 0.0) {
        return Err(MetricError::InvalidParameter {
            field: "input_power",
            value: input_power,
            expected: "a positive finite power in W",
        });
    }
    if !output_power.is_finite() {
        return Err(MetricError::InvalidParameter {
            field: "output_power",
            value: output_power,
            expected: "a finite power in W",
        });
    }
    Ok(output_power / input_power)
}
