//! Errors of the thermal module, each naming the offending field.

/// Why a thermal network, stack, power profile or request was rejected.
///
/// Every variant names the field as a path relative to the value that was checked:
/// `tau_s[2]` from [`Foster::from_r_tau`](super::Foster::from_r_tau), or
/// `sources[1].foster.tau_s[2]` from [`calc_thermal`](super::calc_thermal).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ThermalError {
    /// A number outside its accepted range (NaN and infinities included).
    #[error("{field} = {value}: accepted {accepted}")]
    OutOfRange {
        /// Path of the field, such as `sources[1].foster.tau_s[2]`.
        field: String,
        /// The rejected value, in the field's unit.
        value: f64,
        /// The accepted range, in words.
        accepted: String,
    },
    /// An array of the wrong length.
    #[error("{field} has {len} entries: accepted {accepted}")]
    Length {
        /// Path of the array.
        field: String,
        /// Its length.
        len: usize,
        /// The accepted length, in words.
        accepted: String,
    },
    /// Fields that are missing, contradict each other or do not fit together.
    #[error("{field}: {message}")]
    Invalid {
        /// Path of the field or object at fault.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A numerical step failed. With validated input this indicates data at the edge
    /// of what double precision resolves (time constants spread over more than about
    /// twelve decades, say); the message says which step.
    #[error("{field}: numerical failure: {message}")]
    Numerical {
        /// Path of the network or object being processed.
        field: String,
        /// Which step failed and how.
        message: String,
    },
}

impl ThermalError {
    /// The path of the offending field.
    pub fn field(&self) -> &str {
        match self {
            Self::OutOfRange { field, .. }
            | Self::Length { field, .. }
            | Self::Invalid { field, .. }
            | Self::Numerical { field, .. } => field,
        }
    }

    /// The same error with `prefix` put in front of its field path.
    pub(crate) fn within(mut self, prefix: &str) -> Self {
        let field = match &mut self {
            Self::OutOfRange { field, .. }
            | Self::Length { field, .. }
            | Self::Invalid { field, .. }
            | Self::Numerical { field, .. } => field,
        };
        *field = join_path(prefix, field);
        self
    }

    pub(crate) fn out_of_range(field: impl Into<String>, value: f64, accepted: &str) -> Self {
        Self::OutOfRange {
            field: field.into(),
            value,
            accepted: accepted.to_owned(),
        }
    }

    pub(crate) fn length(
        field: impl Into<String>,
        len: usize,
        accepted: impl Into<String>,
    ) -> Self {
        Self::Length {
            field: field.into(),
            len,
            accepted: accepted.into(),
        }
    }

    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn numerical(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Numerical {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Joins two field paths: `a` and `b` to `a.b`, `a` and `[2]` to `a[2]`.
pub(crate) fn join_path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else if field.is_empty() {
        prefix.to_owned()
    } else if field.starts_with('[') {
        format!("{prefix}{field}")
    } else {
        format!("{prefix}.{field}")
    }
}

/// Checks that `value` is finite and strictly positive.
pub(crate) fn positive(
    field: impl Into<String>,
    value: f64,
    unit: &str,
) -> Result<(), ThermalError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(ThermalError::out_of_range(
            field,
            value,
            &format!("finite and > 0 {unit}"),
        ))
    }
}

/// Checks that `value` is finite and not negative.
pub(crate) fn non_negative(
    field: impl Into<String>,
    value: f64,
    unit: &str,
) -> Result<(), ThermalError> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(ThermalError::out_of_range(
            field,
            value,
            &format!("finite and >= 0 {unit}"),
        ))
    }
}
