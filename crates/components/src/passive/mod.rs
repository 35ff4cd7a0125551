//! Passive parts: capacitors with frequency-dependent ESR, current shunts and NTC
//! thermistors.
//!
//! - [`capacitor`]: ESR loss of harmonic or sampled ripple current and the check
//!   against the ripple-current rating.
//! - [`shunt`]: resistance drift with temperature, loss and power rating.
//! - [`ntc`]: the Beta model of an NTC thermistor and its inverse.
//! - [`request`]: serde request and result types for capacitor losses.

pub mod capacitor;
pub mod ntc;
pub mod request;
pub mod shunt;

pub use capacitor::{Capacitor, CapacitorLosses, Esr, RippleRating};
pub use ntc::NtcBeta;
pub use shunt::{Shunt, ShuntOperatingPoint};

use crate::magnetics::MagneticsError;

/// Error from a passive-part calculation or the validation of its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PassiveError {
    /// A numeric parameter is out of its accepted range.
    #[error("{field} = {value} is invalid: expected {expected}")]
    InvalidParameter {
        /// Field path, such as `ripple_rating.rms_a`.
        field: String,
        /// The rejected value.
        value: f64,
        /// The accepted range, in words.
        expected: String,
    },
    /// A field is missing, conflicts with another or has an invalid structure.
    #[error("{field} is invalid: {message}")]
    InvalidField {
        /// Field path, such as `saturation`.
        field: String,
        /// Description of the fault and of the fix.
        message: String,
    },
    /// A waveform was rejected (sample count or a non-finite sample).
    #[error(transparent)]
    Waveform(#[from] MagneticsError),
}

/// Rejects `value` unless it is finite and `accept(value)` holds.
pub(crate) fn check(
    field: &str,
    value: f64,
    accept: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<f64, PassiveError> {
    if value.is_finite() && accept(value) {
        Ok(value)
    } else {
        Err(PassiveError::InvalidParameter {
            field: field.to_owned(),
            value,
            expected: expected.to_owned(),
        })
    }
}

/// Rejects `value` unless it is finite and strictly positive.
pub(crate) fn check_positive(field: &str, value: f64) -> Result<f64, PassiveError> {
    check(field, value, |v| v > 0.0, "a finite value > 0")
}

/// Rejects a temperature at or below absolute zero.
pub(crate) fn check_temperature(field: &str, value: f64) -> Result<f64, PassiveError> {
    check(
        field,
        value,
        |t| t > -273.15,
        "a finite temperature above -273.15 °C",
    )
}
