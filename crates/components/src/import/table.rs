//! Reading the tables of an imported file into validated curves, with findings.

use serde_json::Value;

use super::{ImportError, MAX_POINTS, describe};
use crate::curve::Curve;
use crate::diagnostics::Finding;

/// The part being imported and the findings so far.
pub(crate) struct Context {
    pub part: String,
    pub findings: Vec<Finding>,
}

impl Context {
    pub fn warn(&mut self, path: &str, message: impl Into<String>) {
        self.findings
            .push(Finding::warning(&self.part, path, message));
    }

    pub fn error(&mut self, path: &str, message: impl Into<String>) {
        self.findings
            .push(Finding::error(&self.part, path, message));
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }
}

/// Replaces the bare tokens `NaN`, `Infinity` and `-Infinity` outside strings by
/// `null`, so that files written by Python's `json` module parse. The nulls then
/// become non-finite points that the curve cleaning drops with a finding. Returns
/// the text and the number of replacements.
pub(crate) fn replace_non_finite_tokens(text: &str) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut count = 0;
    let mut in_string = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '"' {
            in_string = true;
        }
        let token = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|t| rest.starts_with(t));
        if let Some(token) = token {
            out.push_str("null");
            count += 1;
            rest = &rest[token.len()..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    (out, count)
}

/// Reads an optional number: `None` for a missing field or `null`.
pub(crate) fn number(object: &Value, key: &str, path: &str) -> Result<Option<f64>, ImportError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(other) => Err(ImportError::WrongType {
            path: join(path, key),
            expected: "a number or null",
            found: describe(other),
        }),
    }
}

/// Reads an optional string: `None` for a missing field or `null`.
pub(crate) fn text(object: &Value, key: &str, path: &str) -> Result<Option<String>, ImportError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ImportError::WrongType {
            path: join(path, key),
            expected: "a string or null",
            found: describe(other),
        }),
    }
}

/// Reads an optional array of entries: empty for a missing field or `null`.
pub(crate) fn entries<'a>(
    object: &'a Value,
    key: &str,
    path: &str,
) -> Result<&'a [Value], ImportError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) if a.len() > MAX_POINTS => Err(ImportError::TooLarge {
            path: join(path, key),
            len: a.len(),
            max: MAX_POINTS,
        }),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(ImportError::WrongType {
            path: join(path, key),
            expected: "an array or null",
            found: describe(other),
        }),
    }
}

/// Joins a field path and a key: `switch` and `e_on` give `switch.e_on`.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Reads a table given as two rows `[[x...], [y...]]`, as `[[x, y], ...]` pairs, or
/// as either of those encoded in a JSON string. `null` entries become NaN. A table of
/// exactly two entries of two numbers each is read as two rows, the layout the LEA
/// database writes.
///
/// # Errors
/// [`ImportError`] for a wrong type anywhere in the table or more than
/// [`MAX_POINTS`] points.
pub(crate) fn read_points(
    value: &Value,
    path: &str,
    context: &mut Context,
) -> Result<Option<Vec<(f64, f64)>>, ImportError> {
    let parsed;
    let value = match value {
        Value::Null => return Ok(None),
        Value::String(s) => {
            let (clean, _) = replace_non_finite_tokens(s);
            parsed = serde_json::from_str::<Value>(&clean).map_err(|_| ImportError::WrongType {
                path: path.to_owned(),
                expected: "a table of numbers",
                found: describe(value),
            })?;
            context.warn(
                path,
                "table stored as a JSON string; parsed from the string",
            );
            &parsed
        }
        other => other,
    };
    let Value::Array(rows) = value else {
        return Err(ImportError::WrongType {
            path: path.to_owned(),
            expected: "a table of numbers",
            found: describe(value),
        });
    };
    if rows.len() > MAX_POINTS {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            len: rows.len(),
            max: MAX_POINTS,
        });
    }
    let two_rows = rows.len() == 2 && rows.iter().all(Value::is_array);
    let is_pair = |v: &Value| v.as_array().is_some_and(|a| a.len() == 2);
    if two_rows {
        let x = read_row(&rows[0], &format!("{path}[0]"))?;
        let y = read_row(&rows[1], &format!("{path}[1]"))?;
        if x.len() != y.len() {
            context.error(
                path,
                format!(
                    "the x row has {} values but the y row has {}; curve left out",
                    x.len(),
                    y.len()
                ),
            );
            return Ok(Some(Vec::new()));
        }
        return Ok(Some(x.into_iter().zip(y).collect()));
    }
    if rows.iter().all(is_pair) {
        let mut points = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let pair = read_row(row, &format!("{path}[{index}]"))?;
            points.push((pair[0], pair[1]));
        }
        return Ok(Some(points));
    }
    Err(ImportError::WrongType {
        path: path.to_owned(),
        expected: "two rows [[x...], [y...]] or a list of [x, y] pairs",
        found: describe(value),
    })
}

fn read_row(value: &Value, path: &str) -> Result<Vec<f64>, ImportError> {
    let Value::Array(items) = value else {
        return Err(ImportError::WrongType {
            path: path.to_owned(),
            expected: "an array of numbers",
            found: describe(value),
        });
    };
    if items.len() > MAX_POINTS {
        return Err(ImportError::TooLarge {
            path: path.to_owned(),
            len: items.len(),
            max: MAX_POINTS,
        });
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| match item {
            Value::Number(n) => Ok(n.as_f64().unwrap_or(f64::NAN)),
            Value::Null => Ok(f64::NAN),
            other => Err(ImportError::WrongType {
                path: format!("{path}[{index}]"),
                expected: "a number",
                found: describe(other),
            }),
        })
        .collect()
}

/// Drops non-finite points (error findings), sorts by x when needed (a warning) and
/// drops repeated x values (a warning per point), then builds the curve. Returns
/// `None`, with an error finding, when fewer than two points remain.
pub(crate) fn clean_curve(
    points: Vec<(f64, f64)>,
    path: &str,
    context: &mut Context,
) -> Option<Curve> {
    let points = clean_points(points, path, context)?;
    finish(points, path, context)
}

fn clean_points(
    points: Vec<(f64, f64)>,
    path: &str,
    context: &mut Context,
) -> Option<Vec<(f64, f64)>> {
    let mut kept = Vec::with_capacity(points.len());
    for (index, (x, y)) in points.into_iter().enumerate() {
        if x.is_finite() && y.is_finite() {
            kept.push((x, y));
        } else {
            context.push(
                Finding::error(
                    &context.part,
                    path,
                    format!("point ({x}, {y}) is not finite; point dropped"),
                )
                .at_point(index),
            );
        }
    }
    if let Some(index) = kept.windows(2).position(|w| w[1].0 < w[0].0) {
        context.push(
            Finding::warning(
                &context.part,
                path,
                "x decreases here; points sorted by x".to_owned(),
            )
            .at_point(index + 1),
        );
        kept.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let mut unique: Vec<(f64, f64)> = Vec::with_capacity(kept.len());
    for (index, point) in kept.into_iter().enumerate() {
        if unique.last().is_some_and(|last| last.0 == point.0) {
            context.push(
                Finding::warning(
                    &context.part,
                    path,
                    format!("x = {} repeats; the later point is dropped", point.0),
                )
                .at_point(index),
            );
        } else {
            unique.push(point);
        }
    }
    Some(unique)
}

fn finish(points: Vec<(f64, f64)>, path: &str, context: &mut Context) -> Option<Curve> {
    if points.len() < 2 {
        context.error(
            path,
            format!(
                "{} usable point(s); a curve needs at least 2; curve left out",
                points.len()
            ),
        );
        return None;
    }
    match Curve::from_points(&points) {
        Ok(curve) => Some(curve),
        Err(e) => {
            context.error(path, format!("curve {e}; curve left out"));
            None
        }
    }
}

/// Builds a conduction curve `V(I)` from a datasheet output characteristic given as
/// current versus voltage.
///
/// The file's table is `I(V)`. The model needs `V(I)`, so after cleaning by voltage
/// the axes are swapped. A diode or IGBT characteristic starts with a run of zero
/// current up to its knee. Only the last point of that run is kept, so `V(0)` is the
/// knee voltage. A curve given entirely in the third quadrant (both values ≤ 0) is
/// mirrored into the first with a warning. Any later point whose current does not
/// rise is dropped with a warning, since `V(I)` must be a function.
pub(crate) fn conduction_curve(
    points: Vec<(f64, f64)>,
    path: &str,
    context: &mut Context,
) -> Option<Curve> {
    let mut points = points;
    let negative = points.iter().any(|p| p.0 < 0.0 || p.1 < 0.0);
    let all_third_quadrant = points.iter().all(|p| p.0 <= 0.0 && p.1 <= 0.0);
    if negative && all_third_quadrant {
        context.warn(
            path,
            "curve given in the third quadrant; mirrored to positive V and I",
        );
        points = points.into_iter().map(|(v, i)| (-v, -i)).collect();
    }
    let by_voltage = clean_points(points, path, context)?;
    let mut inverted: Vec<(f64, f64)> = Vec::with_capacity(by_voltage.len());
    for (index, (v, i)) in by_voltage.into_iter().enumerate() {
        if i < 0.0 || v < 0.0 {
            context.push(
                Finding::warning(
                    &context.part,
                    path,
                    format!(
                        "point (V = {v}, I = {i}) is outside the first quadrant; point dropped"
                    ),
                )
                .at_point(index),
            );
            continue;
        }
        match inverted.last_mut() {
            // Still on the zero-current run below the knee: move the knee point up.
            Some(last) if i == 0.0 && last.0 == 0.0 => last.1 = v,
            Some(last) if i <= last.0 => context.push(
                Finding::warning(
                    &context.part,
                    path,
                    format!(
                        "current {i} A does not rise above {} A with voltage; point dropped",
                        last.0
                    ),
                )
                .at_point(index),
            ),
            _ => inverted.push((i, v)),
        }
    }
    finish(inverted, path, context)
}
