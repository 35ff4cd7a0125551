//! Configuration errors and the run-time status shared by the controllers.

use core::fmt;

/// Accepted range of a configuration value, as reported by [`ConfigError`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expected {
    /// Any finite value.
    Finite,
    /// A finite value greater than zero.
    Positive,
    /// A finite value greater than or equal to zero.
    NonNegative,
    /// A finite value in the closed interval `[min, max]`.
    Within {
        /// Lower bound, included.
        min: f64,
        /// Upper bound, included.
        max: f64,
    },
    /// A finite value in the half-open interval `(0, max]`.
    PositiveAtMost {
        /// Upper bound, included.
        max: f64,
    },
    /// A finite value in the half-open interval `[0, max)`.
    NonNegativeBelow {
        /// Upper bound, excluded.
        max: f64,
    },
    /// A finite value strictly greater than another field of the same configuration.
    GreaterThan {
        /// Name of the other field.
        field: &'static str,
        /// Value of the other field.
        value: f64,
    },
    /// A finite value strictly less than another field of the same configuration.
    LessThan {
        /// Name of the other field.
        field: &'static str,
        /// Value of the other field.
        value: f64,
    },
    /// An integer count in the closed interval `[min, max]`.
    CountWithin {
        /// Lower bound, included.
        min: usize,
        /// Upper bound, included.
        max: usize,
    },
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Expected::Finite => write!(f, "a finite value"),
            Expected::Positive => write!(f, "a finite value > 0"),
            Expected::NonNegative => write!(f, "a finite value >= 0"),
            Expected::Within { min, max } => write!(f, "a finite value in [{min}, {max}]"),
            Expected::PositiveAtMost { max } => write!(f, "a finite value in (0, {max}]"),
            Expected::NonNegativeBelow { max } => write!(f, "a finite value in [0, {max})"),
            Expected::GreaterThan { field, value } => {
                write!(f, "a finite value > {field} = {value}")
            }
            Expected::LessThan { field, value } => write!(f, "a finite value < {field} = {value}"),
            Expected::CountWithin { min, max } => write!(f, "an integer in [{min}, {max}]"),
        }
    }
}

/// Invalid configuration value: the field, the rejected value and the accepted range.
///
/// Returned by every constructor and setter that takes parameters. Counts such as a
/// number of phases are reported as `f64`, which represents them exactly up to 2⁵³.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ConfigError {
    /// Name of the configuration field, as spelled in the Rust struct (`kp`, `u_max`).
    /// A member of an array element is written `array.member`, for example
    /// `steps.up`, and displayed as `steps[index].up`.
    pub field: &'static str,
    /// Index of the element when the field is an array (a shedding step), else `None`.
    pub index: Option<usize>,
    /// Rejected value.
    pub value: f64,
    /// Accepted range.
    pub expected: Expected,
}

impl ConfigError {
    /// Creates an error for the scalar field `field`.
    pub const fn new(field: &'static str, value: f64, expected: Expected) -> Self {
        Self {
            field,
            index: None,
            value,
            expected,
        }
    }

    /// Creates an error for element `index` of the array field `field`.
    pub const fn at(field: &'static str, index: usize, value: f64, expected: Expected) -> Self {
        Self {
            field,
            index: Some(index),
            value,
            expected,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, self.field.split_once('.')) {
            (Some(index), Some((array, member))) => write!(
                f,
                "invalid {array}[{index}].{member} = {}: expected {}",
                self.value, self.expected
            ),
            (Some(index), None) => write!(
                f,
                "invalid {}[{index}] = {}: expected {}",
                self.field, self.value, self.expected
            ),
            (None, _) => write!(
                f,
                "invalid {} = {}: expected {}",
                self.field, self.value, self.expected
            ),
        }
    }
}

impl core::error::Error for ConfigError {}

/// Checks that `value` is finite and greater than zero.
pub(crate) fn check_positive(field: &'static str, value: f64) -> Result<f64, ConfigError> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(ConfigError::new(field, value, Expected::Positive))
    }
}

/// Checks that `value` is finite and greater than or equal to zero.
pub(crate) fn check_non_negative(field: &'static str, value: f64) -> Result<f64, ConfigError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(ConfigError::new(field, value, Expected::NonNegative))
    }
}

/// Checks that `value` is finite.
pub(crate) fn check_finite(field: &'static str, value: f64) -> Result<f64, ConfigError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ConfigError::new(field, value, Expected::Finite))
    }
}

/// Checks that `min` and `max` are finite and `min < max`.
///
/// The error names `max` when `min` is finite, because the pair is then rejected for its order.
pub(crate) fn check_limits(
    min_field: &'static str,
    min: f64,
    max_field: &'static str,
    max: f64,
) -> Result<(), ConfigError> {
    check_finite(min_field, min)?;
    if max.is_finite() && max > min {
        Ok(())
    } else {
        Err(ConfigError::new(
            max_field,
            max,
            Expected::GreaterThan {
                field: min_field,
                value: min,
            },
        ))
    }
}

/// Checks that `value` is finite and inside `[min, max]`.
pub(crate) fn check_within(
    field: &'static str,
    value: f64,
    min: f64,
    max: f64,
) -> Result<f64, ConfigError> {
    if value.is_finite() && value >= min && value <= max {
        Ok(value)
    } else {
        Err(ConfigError::new(
            field,
            value,
            Expected::Within { min, max },
        ))
    }
}

/// Run-time status of a controller after its last `update`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    /// The output is inside its limits.
    #[default]
    Unsaturated,
    /// The output is clamped to its upper limit.
    SaturatedHigh,
    /// The output is clamped to its lower limit.
    SaturatedLow,
    /// An input was NaN or infinite, so the controller held its previous output and state.
    InvalidInput,
}

impl Status {
    /// Returns whether the output is clamped to either limit.
    pub const fn is_saturated(self) -> bool {
        matches!(self, Status::SaturatedHigh | Status::SaturatedLow)
    }
}
