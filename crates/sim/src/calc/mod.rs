//! Design calculators for the web UI's labs: closed-form or small numerical results in
//! milliseconds, each with a request and a response type that travel as JSON.
//!
//! - [`ripple`]: inductor ripple of buck, boost and inverting buck-boost stages with
//!   interleaved phases.
//! - [`llc_tank`]: first-harmonic gain curves of an LLC tank.
//! - [`lcl`]: LCL grid-filter sizing for a three-phase two-level inverter.
//! - [`pv_curve`]: I-V and P-V curves of a CEC module, and a module search.
//! - [`foc_tuning`]: PMSM field-oriented control gains, step responses and the
//!   torque-speed envelope, computed with the controllers of `pelab-control`.
//!
//! Every request is validated before any arithmetic: a NaN, an infinity or a value
//! outside its accepted range gives a [`CalcError`] that names the field, the value and
//! the range. Arrays in requests and responses are capped at [`MAX_POINTS`] entries.
//!
//! # Limitations
//!
//! The calculators are steady-state or small-signal estimates. They ignore losses
//! unless a field sets them, and the simulation kernels compute the same quantities
//! with parasitics included.

pub mod foc_tuning;
pub mod lcl;
pub mod llc_tank;
pub mod pv_curve;
pub mod ripple;

use serde::Serialize;

/// Largest number of points in any curve of a request or response.
pub const MAX_POINTS: usize = 2000;

/// A rejected request: the field at fault and why.
#[derive(Debug, Clone, PartialEq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{path}: {message}")]
pub struct CalcError {
    /// Request field at fault, for example `l` or `loads[2]`.
    pub path: String,
    /// The value and the accepted range, for example `-3 (accepted: 1e-9 to 1 H)`.
    pub message: String,
}

impl CalcError {
    /// Creates an error for the field `path` with `message`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Formats a number for an error message: plain notation between 10⁻⁴ and 10⁶,
/// scientific notation outside, so `1e-9` and `1e300` stay readable.
pub(crate) fn number(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || !x.is_finite() || (1e-4..1e6).contains(&a) {
        format!("{x}")
    } else {
        format!("{x:e}")
    }
}

/// Builds the error of `value` outside a range, `range` being the text after
/// "accepted:" without the unit, e.g. `1e-9 to 1`.
fn out_of_range(path: &str, value: f64, range: String, unit: &str) -> CalcError {
    let unit = if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    };
    CalcError::new(path, format!("{} (accepted: {range}{unit})", number(value)))
}

/// Checks that `value` is finite and within `[min, max]`, with `unit` for the message
/// (empty for a dimensionless value).
pub(crate) fn check(
    path: &str,
    value: f64,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<f64, CalcError> {
    if value.is_finite() && value >= min && value <= max {
        return Ok(value);
    }
    let range = format!("{} to {}", number(min), number(max));
    Err(out_of_range(path, value, range, unit))
}

/// Checks that `value` is finite, above `min` (exclusive) and at most `max`.
pub(crate) fn check_above(
    path: &str,
    value: f64,
    min: f64,
    max: f64,
    unit: &str,
) -> Result<f64, CalcError> {
    if value.is_finite() && value > min && value <= max {
        return Ok(value);
    }
    let range = format!("above {} up to {}", number(min), number(max));
    Err(out_of_range(path, value, range, unit))
}

/// Checks that an integer count lies in `[min, max]`.
pub(crate) fn check_count(
    path: &str,
    value: usize,
    min: usize,
    max: usize,
) -> Result<usize, CalcError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(CalcError::new(
            path,
            format!("{value} (accepted: {min} to {max})"),
        ))
    }
}

/// `n` frequencies spaced evenly on a logarithmic axis from `lo` to `hi`, both included.
pub(crate) fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let last = n.saturating_sub(1).max(1) as f64;
    let ratio = (hi / lo).ln();
    (0..n)
        .map(|k| lo * (ratio * k as f64 / last).exp())
        .collect()
}

/// Keeps at most `max` samples of a time series by taking every `⌈len/max⌉`-th one, and
/// always the last.
pub(crate) fn decimate<T: Clone>(samples: &[T], max: usize) -> Vec<T> {
    if samples.len() <= max || max < 2 {
        return samples.to_vec();
    }
    let stride = samples.len().div_ceil(max - 1);
    let mut out: Vec<T> = samples.iter().step_by(stride).cloned().collect();
    if let Some(last) = samples.last()
        && !(samples.len() - 1).is_multiple_of(stride)
    {
        out.push(last.clone());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_message_names_value_and_range() {
        let e = check("l", -3.0, 1e-9, 1.0, "H").unwrap_err();
        assert_eq!(e.path, "l");
        assert_eq!(e.message, "-3 (accepted: 1e-9 to 1 H)");
        assert!(check("l", f64::NAN, 1e-9, 1.0, "H").is_err());
        assert!(check_above("f", 0.0, 0.0, 1.0, "Hz").is_err());
        assert!(check_above("f", f64::INFINITY, 0.0, f64::MAX, "Hz").is_err());
    }

    #[test]
    fn decimation_keeps_ends_and_cap() {
        let v: Vec<usize> = (0..10_001).collect();
        let d = decimate(&v, 2000);
        assert!(d.len() <= 2000, "{}", d.len());
        assert_eq!(d.first(), Some(&0));
        assert_eq!(d.last(), Some(&10_000));
        assert_eq!(decimate(&v[..5], 2000).len(), 5);
    }

    #[test]
    fn log_space_ends() {
        let f = log_space(10.0, 1000.0, 3);
        assert!((f[0] - 10.0).abs() < 1e-12);
        assert!((f[1] - 100.0).abs() < 1e-9);
        assert!((f[2] - 1000.0).abs() < 1e-9);
    }
}

#[cfg(all(test, feature = "openapi"))]
mod schema_tests {
    use utoipa::PartialSchema;

    #[test]
    fn schemas_name_the_request_fields() {
        let schemas = [
            (
                serde_json::to_string(&super::ripple::RippleRequest::schema()),
                "phases",
            ),
            (
                serde_json::to_string(&super::llc_tank::LlcTankRequest::schema()),
                "loads",
            ),
            (
                serde_json::to_string(&super::lcl::LclRequest::schema()),
                "l_ratio",
            ),
            (
                serde_json::to_string(&super::pv_curve::PvCurveRequest::schema()),
                "irradiance",
            ),
            (
                serde_json::to_string(&super::foc_tuning::FocTuningRequest::schema()),
                "speed_step",
            ),
        ];
        for (json, field) in schemas {
            let json = json.unwrap();
            assert!(json.contains(field), "{field} missing from {json}");
        }
    }
}
