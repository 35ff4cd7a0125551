//! Step-response metrics: overshoot, rise time and settling time.

use super::{MetricError, check_positive, check_time, check_values, value_at};

/// Parameters of a step-response measurement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepSpec {
    /// Time of the step, in s. Only samples at or after it are examined.
    pub t_step: f64,
    /// Value before the step. `None` uses the signal's value at `t_step`
    /// (the left limit if the signal jumps there).
    pub initial: Option<f64>,
    /// Target value after the step. `None` uses the last sample.
    pub final_value: Option<f64>,
    /// Half-width of the settling band as a fraction of the step size
    /// `|final − initial|`, for example 0.02 for ±2 %.
    pub band: f64,
}

impl StepSpec {
    /// Returns a spec for a step at `t_step` seconds with a ±2 % settling
    /// band, the initial value read at `t_step` and the final value taken
    /// from the last sample.
    pub fn new(t_step: f64) -> Self {
        StepSpec {
            t_step,
            initial: None,
            final_value: None,
            band: 0.02,
        }
    }

    /// Sets the settling band, as a fraction of the step size.
    pub fn with_band(mut self, band: f64) -> Self {
        self.band = band;
        self
    }

    /// Sets the value before the step.
    pub fn with_initial(mut self, initial: f64) -> Self {
        self.initial = Some(initial);
        self
    }

    /// Sets the target value after the step.
    pub fn with_final_value(mut self, final_value: f64) -> Self {
        self.final_value = Some(final_value);
        self
    }
}

/// Step-response metrics. Times are in s, values in the signal's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepResponse {
    /// Value before the step.
    pub initial: f64,
    /// Target value after the step.
    pub final_value: f64,
    /// Extreme value after the step in the direction of the step: the
    /// maximum for a rising step, the minimum for a falling one.
    pub peak: f64,
    /// Time of `peak`, in s.
    pub peak_time: f64,
    /// Overshoot `100·(peak − final)/(final − initial)` in %, or 0 when the
    /// response never passes the final value. For a second-order system
    /// with damping ratio `ζ < 1` it is `100·exp(−ζπ/√(1−ζ²))`.
    pub overshoot_percent: f64,
    /// 10–90 % rise time, in s: the time from the first crossing of
    /// `initial + 0.1·(final − initial)` to the first crossing of
    /// `initial + 0.9·(final − initial)` after `t_step`, each interpolated
    /// between samples. `None` if the response never reaches 90 %.
    pub rise_time: Option<f64>,
    /// Time from `t_step` after which `|y − final| ≤ band·|final − initial|`
    /// stays true until the end of the data, in s. The band crossing is
    /// interpolated linearly between samples. `None` if the last sample is
    /// still outside the band.
    pub settling_time: Option<f64>,
}

/// Measures overshoot, rise time and settling time of the step response `y`
/// sampled at `time` (s), for the step described by `spec`.
///
/// Returns an error if the inputs are invalid, if `t_step` is not before
/// the last sample, if `band` is not positive, or if the final value equals
/// the initial value (the step size is zero).
pub fn step_response(
    time: &[f64],
    y: &[f64],
    spec: &StepSpec,
) -> Result<StepResponse, MetricError> {
    check_time(time, 2)?;
    let (first, last) = (time[0], time[time.len() - 1]);
    if !(spec.t_step.is_finite() && spec.t_step >= first && spec.t_step < last) {
        return Err(MetricError::OutsideData {
            field: "t_step",
            value: spec.t_step,
            first,
            last,
        });
    }
    check_positive("band", spec.band)?;
    // Samples from the one at or before t_step to the end are used.
    let from = time
        .partition_point(|&t| t <= spec.t_step)
        .saturating_sub(1);
    check_values("y", y, time.len(), from..time.len())?;

    let initial = match spec.initial {
        Some(value) => check_finite("initial", value)?,
        None => value_at(time, y, spec.t_step),
    };
    let final_value = match spec.final_value {
        Some(value) => check_finite("final_value", value)?,
        None => y[y.len() - 1],
    };
    let step = final_value - initial;
    if step == 0.0 || !step.is_finite() {
        return Err(MetricError::Undefined {
            quantity: "step response",
            reason: format!(
                "the final value {final_value} equals the initial value {initial}, so the step size is zero"
            ),
        });
    }
    let direction = step.signum();
    let first_after = time.partition_point(|&t| t < spec.t_step);

    let mut peak = f64::NEG_INFINITY;
    let mut peak_time = spec.t_step;
    for i in first_after..time.len() {
        let signed = direction * y[i];
        if signed > peak {
            peak = signed;
            peak_time = time[i];
        }
    }
    let peak = direction * peak;
    let overshoot_percent = (100.0 * (peak - final_value) / step).max(0.0);

    Ok(StepResponse {
        initial,
        final_value,
        peak,
        peak_time,
        overshoot_percent,
        rise_time: rise_time(time, y, first_after, initial, step),
        settling_time: settling_time(time, y, first_after, spec, final_value, step.abs()),
    })
}

fn check_finite(field: &'static str, value: f64) -> Result<f64, MetricError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(MetricError::InvalidParameter {
            field,
            value,
            expected: "a finite number",
        })
    }
}

/// Returns the first time at or after sample `from` where the normalized
/// response `(y − initial)/step` reaches `level`, interpolated between samples.
fn first_crossing(
    time: &[f64],
    y: &[f64],
    from: usize,
    initial: f64,
    step: f64,
    level: f64,
) -> Option<f64> {
    let normalized = |i: usize| (y[i] - initial) / step;
    if normalized(from) >= level {
        return Some(time[from]);
    }
    for i in from + 1..time.len() {
        let (a, b) = (normalized(i - 1), normalized(i));
        if b >= level {
            let fraction = (level - a) / (b - a);
            return Some(time[i - 1] + fraction * (time[i] - time[i - 1]));
        }
    }
    None
}

/// Returns the 10–90 % rise time. The 90 % crossing cannot come before the
/// 10 % crossing, because the response must pass 10 % on its way to 90 %.
fn rise_time(time: &[f64], y: &[f64], from: usize, initial: f64, step: f64) -> Option<f64> {
    let t10 = first_crossing(time, y, from, initial, step, 0.1)?;
    let t90 = first_crossing(time, y, from, initial, step, 0.9)?;
    Some(t90 - t10)
}

fn settling_time(
    time: &[f64],
    y: &[f64],
    from: usize,
    spec: &StepSpec,
    final_value: f64,
    step_size: f64,
) -> Option<f64> {
    let tolerance = spec.band * step_size;
    let deviation = |i: usize| y[i] - final_value;
    let last_outside = (from..time.len())
        .rev()
        .find(|&i| deviation(i).abs() > tolerance);
    let Some(i) = last_outside else {
        return Some(0.0);
    };
    if i + 1 == time.len() {
        return None;
    }
    // The response leaves the band for the last time between samples i and
    // i + 1: find where |deviation| falls to the tolerance.
    let (d0, d1) = (deviation(i), deviation(i + 1));
    let edge = tolerance.copysign(d0);
    let fraction = ((d0 - edge) / (d0 - d1)).clamp(0.0, 1.0);
    let t_cross = time[i] + fraction * (time[i + 1] - time[i]);
    Some((t_cross - spec.t_step).max(0.0))
}
