//! Findings about imported or user-given part data.
//!
//! Importers never invent data and never drop it quietly. A problem that makes a
//! curve unusable (NaN, decreasing axis that cannot be sorted, too few points) is an
//! [`Severity::Error`]: the curve is left out and the part loads with the gap
//! flagged. A problem that leaves the data usable but suspicious (points sorted,
//! duplicates merged, a magnitude that looks like a unit mistake) is a
//! [`Severity::Warning`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The data were used, possibly after a documented repair.
    Warning,
    /// The data were left out.
    Error,
}

/// One finding, naming the part, the curve and, where it applies, the point.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Warning or error.
    pub severity: Severity,
    /// Part name as in the library.
    pub part: String,
    /// Curve or field, as a path such as `switch.e_on[1]` or `switch.thermal_foster`.
    pub curve: String,
    /// Zero-based index of the offending point, if one point is at fault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub point: Option<usize>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl Finding {
    /// A warning about `curve` of `part`.
    pub fn warning(part: &str, curve: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            part: part.to_owned(),
            curve: curve.to_owned(),
            point: None,
            message: message.into(),
        }
    }

    /// An error about `curve` of `part`.
    pub fn error(part: &str, curve: &str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            ..Self::warning(part, curve, message)
        }
    }

    /// The same finding, pointing at point `index`.
    pub fn at_point(mut self, index: usize) -> Self {
        self.point = Some(index);
        self
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{severity}: {} {}", self.part, self.curve)?;
        if let Some(point) = self.point {
            write!(f, " point {point}")?;
        }
        write!(f, ": {}", self.message)
    }
}
