//! Magnetic components: core shapes, core loss, winding resistance and inductors.
//!
//! - [`data`]: the embedded shape and wire-material tables (OpenMagnetics MAS data).
//! - [`shapes`]: effective core parameters (`Ae`, `le`, `Ve`) by the core-constant
//!   method of IEC 60205.
//! - [`core_loss`]: Steinmetz and improved generalized Steinmetz (iGSE) core loss.
//! - [`flux_loops`]: splitting of a flux waveform into major and minor loops.
//! - [`winding`]: wire resistivity, DC resistance, skin depth and Dowell's AC factor.
//! - [`harmonics`]: harmonic decomposition of sampled periodic waveforms.
//! - [`inductor`]: an inductor model with copper and core losses.
//! - [`request`]: serde request and result types for inductor losses.
//!
//! Units are SI throughout: m, m², m³, T, Hz, A, Ω, W; temperatures in °C.

pub mod core_loss;
pub mod data;
pub mod flux_loops;
pub mod harmonics;
pub mod inductor;
pub mod request;
pub mod shapes;
pub mod winding;

pub use core_loss::SteinmetzParams;
pub use data::{CoreShape, Dimension, WireMaterial};
pub use inductor::{Inductor, InductorLosses};
pub use shapes::EffectiveParameters;
pub use winding::{Conductor, Winding};

/// Error from a magnetics calculation or the validation of its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MagneticsError {
    /// A numeric parameter is out of its accepted range.
    #[error("{field} = {value} is invalid: expected {expected}")]
    InvalidParameter {
        /// Field path, such as `steinmetz.alpha`.
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
    /// A sample array has the wrong length.
    #[error("{field} has {count} samples: expected {expected}")]
    SampleCount {
        /// Field path of the array.
        field: String,
        /// Number of samples given.
        count: usize,
        /// The accepted length, in words.
        expected: String,
    },
    /// No core shape has this name or alias.
    #[error("core shape {name:?} not found: use a name or alias from the shape table")]
    UnknownShape {
        /// The requested name.
        name: String,
    },
    /// The shape's family has no effective-parameter formula here.
    #[error(
        "core shape {name:?} is of family {family:?}, for which effective parameters are not \
         implemented: give ae_m2, le_m and ve_m3 from the manufacturer's data sheet instead"
    )]
    UnsupportedFamily {
        /// Shape name.
        name: String,
        /// Family code as in the shape table (`pq`, `rm`, ...).
        family: String,
    },
    /// A dimension the formula needs is absent.
    #[error("core shape {name:?} has no dimension {letter}, which family {family:?} needs")]
    MissingDimension {
        /// Shape name.
        name: String,
        /// Family code.
        family: String,
        /// Dimension letter.
        letter: String,
    },
    /// A dimension is unusable or the dimensions do not form a valid core.
    #[error("core shape {name:?}: {reason}")]
    InvalidDimension {
        /// Shape name.
        name: String,
        /// Description of the fault, naming the letters involved.
        reason: String,
    },
    /// An embedded data line failed to parse.
    #[error("{file} line {line}: {message}")]
    Data {
        /// Embedded file name.
        file: &'static str,
        /// One-based line number.
        line: usize,
        /// Parser message.
        message: String,
    },
    /// No wire material has this name.
    #[error("wire material {name:?} not found: expected \"copper\" or \"aluminium\"")]
    UnknownMaterial {
        /// The requested name.
        name: String,
    },
}

/// Rejects `value` unless it is finite and `accept(value)` holds.
pub(crate) fn check(
    field: &str,
    value: f64,
    accept: impl Fn(f64) -> bool,
    expected: &str,
) -> Result<f64, MagneticsError> {
    if value.is_finite() && accept(value) {
        Ok(value)
    } else {
        Err(MagneticsError::InvalidParameter {
            field: field.to_owned(),
            value,
            expected: expected.to_owned(),
        })
    }
}

/// Rejects `value` unless it is finite and strictly positive.
pub(crate) fn check_positive(field: &str, value: f64) -> Result<f64, MagneticsError> {
    check(field, value, |v| v > 0.0, "a finite value > 0")
}
