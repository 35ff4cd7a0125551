//! Signal descriptions: name, unit and role in the circuit model.

use serde::{Deserialize, Serialize};

/// Role of a recorded signal in the circuit model.
///
/// The kind does not change how a signal is stored. It lets a plot or a
/// report group signals, for example gate signals on a separate axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SignalKind {
    /// State variable of the model, such as an inductor current or a capacitor voltage.
    State,
    /// Independent source or external input, such as an input voltage.
    Input,
    /// Output of the model, such as an output voltage or a measured current.
    Output,
    /// Switch gate command, 0 or 1 (or a duty ratio when averaged).
    Gate,
    /// Quantity computed from other signals, such as an instantaneous power.
    Derived,
    /// Signal whose role is not known, for example one read from a CSV file.
    Other,
}

impl SignalKind {
    /// Returns the lowercase name used in the `.pwf` header (`"state"`, `"gate"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::State => "state",
            SignalKind::Input => "input",
            SignalKind::Output => "output",
            SignalKind::Gate => "gate",
            SignalKind::Derived => "derived",
            SignalKind::Other => "other",
        }
    }
}

/// Description of one recorded signal.
///
/// Names identify signals in lookups, CSV headers and `.pwf` headers, so they
/// must be unique within a recording. [`SignalInfo::validate`] lists the
/// characters that names and units may contain.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SignalInfo {
    /// Signal name, for example `v_out` or `i_L1`.
    pub name: String,
    /// Unit symbol, for example `V`, `A`, `W`, or empty for a dimensionless signal.
    pub unit: String,
    /// Role of the signal in the model.
    pub kind: SignalKind,
}

/// Maximum length of a signal name or unit, in bytes.
pub const MAX_LABEL_BYTES: usize = 256;

/// Characters that a name or unit must not contain, because the CSV header
/// uses them as separators (`,`, `[`, `]`) or would need quoting (`"`).
const RESERVED_CHARS: [char; 4] = [',', '"', '[', ']'];

impl SignalInfo {
    /// Creates a signal description.
    pub fn new(name: impl Into<String>, unit: impl Into<String>, kind: SignalKind) -> Self {
        SignalInfo {
            name: name.into(),
            unit: unit.into(),
            kind,
        }
    }

    /// Checks that the name and unit can be written to CSV and `.pwf` headers
    /// and read back unchanged.
    ///
    /// The name must be non-empty. Name and unit must be at most
    /// [`MAX_LABEL_BYTES`] bytes, contain no control characters and none of
    /// `,` `"` `[` `]`, and have no leading or trailing whitespace.
    pub fn validate(&self) -> Result<(), InvalidLabel> {
        if self.name.is_empty() {
            return Err(InvalidLabel {
                field: "name",
                value: self.name.clone(),
                reason: "is empty",
            });
        }
        check_label("name", &self.name)?;
        check_label("unit", &self.unit)
    }
}

fn check_label(field: &'static str, value: &str) -> Result<(), InvalidLabel> {
    let reason = if value.len() > MAX_LABEL_BYTES {
        Some("is longer than 256 bytes")
    } else if value.chars().any(char::is_control) {
        Some("contains a control character")
    } else if value.contains(RESERVED_CHARS) {
        Some("contains one of the reserved characters , \" [ ]")
    } else if value.trim() != value {
        Some("has leading or trailing whitespace")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(InvalidLabel {
            field,
            value: value.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Error for a signal name or unit that [`SignalInfo::validate`] rejects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid signal {field} {value:?}: it {reason}")]
pub struct InvalidLabel {
    /// `"name"` or `"unit"`.
    pub field: &'static str,
    /// The rejected text.
    pub value: String,
    /// Description of the problem.
    pub reason: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_accepts_plain_labels() {
        let info = SignalInfo::new("v_out", "V", SignalKind::Output);
        assert_eq!(info.validate(), Ok(()));
        let dimensionless = SignalInfo::new("duty", "", SignalKind::Gate);
        assert_eq!(dimensionless.validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_bad_labels() {
        let cases = [
            ("", "V", "name"),
            ("a,b", "V", "name"),
            ("v[1]", "V", "name"),
            (" v", "V", "name"),
            ("v\n", "V", "name"),
            ("v", "V\"", "unit"),
            ("v", " V", "unit"),
        ];
        for (name, unit, field) in cases {
            let error = SignalInfo::new(name, unit, SignalKind::State)
                .validate()
                .expect_err(name);
            assert_eq!(error.field, field, "name {name:?} unit {unit:?}");
        }
        let long = "x".repeat(MAX_LABEL_BYTES + 1);
        assert!(
            SignalInfo::new(long, "V", SignalKind::State)
                .validate()
                .is_err()
        );
    }

    #[test]
    fn kind_serializes_lowercase() {
        let json = serde_json::to_string(&SignalKind::Gate).unwrap();
        assert_eq!(json, "\"gate\"");
        assert_eq!(SignalKind::Derived.as_str(), "derived");
    }
}
