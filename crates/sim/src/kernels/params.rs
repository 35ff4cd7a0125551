//! Parameter specifications and validated parameter sets of the kernels.
//!
//! Each kernel describes its parameters once, as a table of [`ParamSpec`]: name, unit,
//! default, accepted range and meaning. The same table validates design files, fills
//! defaults, and feeds `pelab sim list`.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A design value before validation, as read from TOML or JSON.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    /// A number (integers are read as numbers too).
    Number(f64),
    /// A string.
    Text(String),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<RawValue>),
    /// Anything else (tables, dates).
    Other(String),
}

impl RawValue {
    /// Short description for error messages.
    fn describe(&self) -> String {
        match self {
            RawValue::Number(v) => crate::calc::number(*v),
            RawValue::Text(s) => format!("\"{s}\""),
            RawValue::Bool(b) => b.to_string(),
            RawValue::List(items) => format!("a list of {} items", items.len()),
            RawValue::Other(kind) => kind.clone(),
        }
    }
}

/// Accepted values of a parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamKind {
    /// A finite number in `[min, max]`, or `(min, max]` when `min_exclusive`.
    Number {
        /// Lower bound.
        min: f64,
        /// Whether the lower bound itself is excluded.
        min_exclusive: bool,
        /// Upper bound (inclusive).
        max: f64,
    },
    /// An integer in `[min, max]`.
    Integer {
        /// Lower bound.
        min: i64,
        /// Upper bound.
        max: i64,
    },
    /// One of the listed words.
    Choice {
        /// Accepted words.
        options: Vec<&'static str>,
    },
    /// `true` or `false`.
    Bool,
    /// A list of numbers, each in `[min, max]`.
    NumberList {
        /// Lower bound of each element.
        min: f64,
        /// Upper bound of each element.
        max: f64,
        /// Fewest elements.
        min_len: usize,
        /// Most elements.
        max_len: usize,
    },
    /// Free text of 1 to `max_len` printable characters (a part or module name).
    Text {
        /// Longest accepted text, in characters.
        max_len: usize,
    },
    /// A list of `[time, value]` pairs with increasing times (a schedule).
    Schedule {
        /// Lower bound of the values.
        min: f64,
        /// Upper bound of the values.
        max: f64,
    },
}

/// A validated value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// Number or integer.
    Number(f64),
    /// Choice.
    Text(String),
    /// Boolean.
    Bool(bool),
    /// Number list.
    List(Vec<f64>),
    /// Schedule of `(time, value)` pairs.
    Schedule(Vec<(f64, f64)>),
}

/// Description of one parameter.
#[derive(Debug, Clone, Serialize)]
pub struct ParamSpec {
    /// Key in the design file.
    pub name: &'static str,
    /// SI unit symbol, `1` for dimensionless, empty for words and flags.
    pub unit: &'static str,
    /// Accepted values.
    pub kind: ParamKind,
    /// Default; `None` makes the parameter required.
    pub default: Option<Value>,
    /// What the parameter sets.
    pub description: &'static str,
    /// Whether the parameter may be left out without a default (then
    /// [`Params::optional_number`] returns `None`).
    pub optional: bool,
}

impl ParamSpec {
    /// A number with bounds `[min, max]`.
    pub fn number(
        name: &'static str,
        unit: &'static str,
        default: Option<f64>,
        min: f64,
        max: f64,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            unit,
            kind: ParamKind::Number {
                min,
                min_exclusive: false,
                max,
            },
            default: default.map(Value::Number),
            description,
            optional: false,
        }
    }

    /// A number that must be greater than 0 and at most `max`.
    pub fn positive(
        name: &'static str,
        unit: &'static str,
        default: Option<f64>,
        max: f64,
        description: &'static str,
    ) -> Self {
        Self {
            kind: ParamKind::Number {
                min: 0.0,
                min_exclusive: true,
                max,
            },
            ..Self::number(name, unit, default, 0.0, max, description)
        }
    }

    /// One of several words.
    pub fn choice(
        name: &'static str,
        options: &[&'static str],
        default: &'static str,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            unit: "",
            kind: ParamKind::Choice {
                options: options.to_vec(),
            },
            default: Some(Value::Text(default.to_string())),
            description,
            optional: false,
        }
    }

    /// Free text such as a module or part name, required unless `default` is given.
    pub fn text(
        name: &'static str,
        default: Option<&'static str>,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            unit: "",
            kind: ParamKind::Text { max_len: 200 },
            default: default.map(|d| Value::Text(d.to_string())),
            description,
            optional: false,
        }
    }

    /// An integer in `[min, max]`.
    pub fn integer(
        name: &'static str,
        default: Option<i64>,
        min: i64,
        max: i64,
        description: &'static str,
    ) -> Self {
        Self {
            name,
            unit: "1",
            kind: ParamKind::Integer { min, max },
            default: default.map(|v| Value::Number(v as f64)),
            description,
            optional: false,
        }
    }

    /// Human-readable accepted range.
    pub fn range_text(&self) -> String {
        let unit = if self.unit.is_empty() || self.unit == "1" {
            String::new()
        } else {
            format!(" {}", self.unit)
        };
        match &self.kind {
            ParamKind::Number {
                min,
                min_exclusive,
                max,
            } => {
                let lower = if *min_exclusive {
                    "greater than"
                } else {
                    "at least"
                };
                if max.is_finite() {
                    format!("a number {lower} {min}{unit} and at most {max}{unit}")
                } else {
                    format!("a number {lower} {min}{unit}")
                }
            }
            ParamKind::Integer { min, max } => format!("an integer from {min} to {max}"),
            ParamKind::Choice { options } => format!("one of: {}", options.join(", ")),
            ParamKind::Bool => "true or false".to_string(),
            ParamKind::Text { max_len } => {
                format!("text of 1 to {max_len} printable characters")
            }
            ParamKind::NumberList {
                min,
                max,
                min_len,
                max_len,
            } => {
                format!("a list of {min_len} to {max_len} numbers, each from {min} to {max}{unit}")
            }
            ParamKind::Schedule { min, max } => format!(
                "a list of [time_s, value] pairs with increasing times and values from {min} to {max}{unit}"
            ),
        }
    }
}

/// A design error: the path of the field, what is wrong, and what is accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct DesignError {
    /// Dotted path, e.g. `parameters.l`.
    pub path: String,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl fmt::Display for DesignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

impl DesignError {
    /// Creates an error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Validated parameters with defaults filled in.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Params {
    section: String,
    values: BTreeMap<String, Value>,
}

impl Params {
    /// Validates `raw` against `specs`: unknown keys, missing required keys, wrong types
    /// and out-of-range values are errors naming `section.key`.
    ///
    /// # Errors
    /// The first [`DesignError`] found, in spec order after unknown keys.
    pub fn validate(
        section: &str,
        raw: &BTreeMap<String, RawValue>,
        specs: &[ParamSpec],
    ) -> Result<Params, DesignError> {
        for key in raw.keys() {
            if !specs.iter().any(|s| s.name == key) {
                let accepted: Vec<&str> = specs.iter().map(|s| s.name).collect();
                return Err(DesignError::new(
                    format!("{section}.{key}"),
                    format!("unknown parameter (accepted: {})", accepted.join(", ")),
                ));
            }
        }
        let mut values = BTreeMap::new();
        for spec in specs {
            let path = format!("{section}.{}", spec.name);
            let value = match raw.get(spec.name) {
                Some(raw_value) => {
                    check(spec, raw_value).map_err(|m| DesignError::new(&path, m))?
                }
                None => match &spec.default {
                    Some(v) => v.clone(),
                    None if spec.optional => continue,
                    None => {
                        return Err(DesignError::new(
                            path,
                            format!(
                                "missing required parameter: {} [{}]",
                                spec.description, spec.unit
                            ),
                        ));
                    }
                },
            };
            values.insert(spec.name.to_string(), value);
        }
        Ok(Params {
            section: section.to_string(),
            values,
        })
    }

    /// Section name, e.g. `parameters`.
    pub fn section(&self) -> &str {
        &self.section
    }

    /// All values, for reports.
    pub fn values(&self) -> &BTreeMap<String, Value> {
        &self.values
    }

    /// A number; 0 when the name is not a number parameter (a kernel bug, caught by
    /// the kernels' tests).
    pub fn number(&self, name: &str) -> f64 {
        match self.values.get(name) {
            Some(Value::Number(v)) => *v,
            _ => {
                debug_assert!(false, "parameter {name} is not a number");
                0.0
            }
        }
    }

    /// A number that may be absent.
    pub fn optional_number(&self, name: &str) -> Option<f64> {
        match self.values.get(name) {
            Some(Value::Number(v)) => Some(*v),
            _ => None,
        }
    }

    /// An integer parameter.
    pub fn integer(&self, name: &str) -> usize {
        self.number(name).max(0.0) as usize
    }

    /// A choice parameter.
    pub fn text(&self, name: &str) -> &str {
        match self.values.get(name) {
            Some(Value::Text(v)) => v,
            _ => {
                debug_assert!(false, "parameter {name} is not a choice");
                ""
            }
        }
    }

    /// A boolean parameter.
    pub fn flag(&self, name: &str) -> bool {
        matches!(self.values.get(name), Some(Value::Bool(true)))
    }

    /// A number-list parameter.
    pub fn list(&self, name: &str) -> &[f64] {
        match self.values.get(name) {
            Some(Value::List(v)) => v,
            _ => &[],
        }
    }

    /// A schedule parameter.
    pub fn schedule(&self, name: &str) -> &[(f64, f64)] {
        match self.values.get(name) {
            Some(Value::Schedule(v)) => v,
            _ => &[],
        }
    }

    /// Path of a parameter for error messages.
    pub fn path(&self, name: &str) -> String {
        format!("{}.{name}", self.section)
    }

    /// An error about parameter `name`.
    pub fn error(&self, name: &str, message: impl Into<String>) -> DesignError {
        DesignError::new(self.path(name), message)
    }
}

fn number_in(value: f64, min: f64, min_exclusive: bool, max: f64) -> bool {
    value.is_finite()
        && (if min_exclusive {
            value > min
        } else {
            value >= min
        })
        && value <= max
}

fn check(spec: &ParamSpec, raw: &RawValue) -> Result<Value, String> {
    let invalid = || {
        format!(
            "invalid value {}; expected {}",
            raw.describe(),
            spec.range_text()
        )
    };
    match (&spec.kind, raw) {
        (
            ParamKind::Number {
                min,
                min_exclusive,
                max,
            },
            RawValue::Number(v),
        ) => {
            if number_in(*v, *min, *min_exclusive, *max) {
                Ok(Value::Number(*v))
            } else {
                Err(invalid())
            }
        }
        (ParamKind::Integer { min, max }, RawValue::Number(v)) => {
            if v.fract() == 0.0 && *v >= *min as f64 && *v <= *max as f64 {
                Ok(Value::Number(*v))
            } else {
                Err(invalid())
            }
        }
        (ParamKind::Choice { options }, RawValue::Text(s)) => {
            if options.contains(&s.as_str()) {
                Ok(Value::Text(s.clone()))
            } else {
                Err(invalid())
            }
        }
        (ParamKind::Bool, RawValue::Bool(b)) => Ok(Value::Bool(*b)),
        (ParamKind::Text { max_len }, RawValue::Text(s)) => {
            let count = s.chars().count();
            if count >= 1 && count <= *max_len && !s.chars().any(char::is_control) {
                Ok(Value::Text(s.clone()))
            } else {
                Err(invalid())
            }
        }
        (
            ParamKind::NumberList {
                min,
                max,
                min_len,
                max_len,
            },
            RawValue::List(items),
        ) => {
            if items.len() < *min_len || items.len() > *max_len {
                return Err(invalid());
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                match item {
                    RawValue::Number(v) if number_in(*v, *min, false, *max) => out.push(*v),
                    other => {
                        return Err(format!(
                            "element {i} is {}; expected {}",
                            other.describe(),
                            spec.range_text()
                        ));
                    }
                }
            }
            Ok(Value::List(out))
        }
        (ParamKind::Schedule { min, max }, RawValue::List(items)) => {
            let mut out: Vec<(f64, f64)> = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let pair = match item {
                    RawValue::List(pair) if pair.len() == 2 => match (&pair[0], &pair[1]) {
                        (RawValue::Number(t), RawValue::Number(v)) => Some((*t, *v)),
                        _ => None,
                    },
                    _ => None,
                };
                let Some((t, v)) = pair else {
                    return Err(format!(
                        "element {i} is {}; expected {}",
                        item.describe(),
                        spec.range_text()
                    ));
                };
                if !(t.is_finite() && t >= 0.0 && number_in(v, *min, false, *max)) {
                    return Err(format!(
                        "element {i} is [{t}, {v}]; expected {}",
                        spec.range_text()
                    ));
                }
                if let Some(&(previous, _)) = out.last()
                    && t <= previous
                {
                    return Err(format!(
                        "element {i} has time {t} s, not after the previous {previous} s; expected {}",
                        spec.range_text()
                    ));
                }
                out.push((t, v));
            }
            Ok(Value::Schedule(out))
        }
        _ => Err(invalid()),
    }
}

/// Value of a schedule at time `t`: the value of the last entry at or before `t`, or
/// `initial` before the first one.
pub fn schedule_value(schedule: &[(f64, f64)], t: f64, initial: f64) -> f64 {
    schedule
        .iter()
        .take_while(|(time, _)| *time <= t)
        .last()
        .map_or(initial, |(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs() -> Vec<ParamSpec> {
        vec![
            ParamSpec::positive("l", "H", None, 1.0, "inductance"),
            ParamSpec::number("v", "V", Some(12.0), 0.0, 1e4, "voltage"),
            ParamSpec::choice("mode", &["a", "b"], "a", "mode"),
            ParamSpec::integer("phases", Some(2), 2, 4, "phase count"),
        ]
    }

    fn raw(pairs: &[(&str, RawValue)]) -> BTreeMap<String, RawValue> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn fills_defaults() {
        let p = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Number(1e-4))]),
            &specs(),
        )
        .unwrap();
        assert_eq!(p.number("v"), 12.0);
        assert_eq!(p.text("mode"), "a");
        assert_eq!(p.integer("phases"), 2);
    }

    #[test]
    fn names_field_value_and_range() {
        let err = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Number(-1e-6))]),
            &specs(),
        )
        .unwrap_err();
        assert_eq!(err.path, "parameters.l");
        // Small and large values are written in scientific notation.
        assert!(err.message.contains("invalid value -1e-6"), "{err}");
        assert!(err.message.contains("greater than 0 H"), "{err}");
    }

    #[test]
    fn huge_values_stay_short() {
        let err = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Number(1e300))]),
            &specs(),
        )
        .unwrap_err();
        assert!(err.message.contains("invalid value 1e300"), "{err}");
        assert!(err.message.len() < 120, "{err}");
    }

    #[test]
    fn rejects_nan_unknown_and_missing() {
        let err = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Number(f64::NAN))]),
            &specs(),
        )
        .unwrap_err();
        assert!(err.message.contains("NaN"), "{err}");
        let err = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Number(1e-4)), ("x", RawValue::Number(1.0))]),
            &specs(),
        )
        .unwrap_err();
        assert_eq!(err.path, "parameters.x");
        let err = Params::validate("parameters", &raw(&[]), &specs()).unwrap_err();
        assert!(err.message.contains("missing"), "{err}");
    }

    #[test]
    fn rejects_wrong_types() {
        let err = Params::validate(
            "parameters",
            &raw(&[("l", RawValue::Text("big".into()))]),
            &specs(),
        )
        .unwrap_err();
        assert!(err.message.contains("\"big\""), "{err}");
        let err = Params::validate(
            "parameters",
            &raw(&[
                ("l", RawValue::Number(1e-4)),
                ("phases", RawValue::Number(2.5)),
            ]),
            &specs(),
        )
        .unwrap_err();
        assert!(err.message.contains("integer"), "{err}");
    }

    #[test]
    fn schedule_lookup() {
        let s = [(1.0, 5.0), (2.0, 7.0)];
        assert_eq!(schedule_value(&s, 0.5, 3.0), 3.0);
        assert_eq!(schedule_value(&s, 1.0, 3.0), 5.0);
        assert_eq!(schedule_value(&s, 9.0, 3.0), 7.0);
    }
}
