//! Foster thermal networks of a LEA file.

use serde_json::Value;

use super::super::ImportError;
use super::super::table::{Context, number};
use crate::semiconductor::ThermalData;

/// Largest accepted relative difference between `Σ R_i` and `r_th_total`.
pub const FOSTER_SUM_TOLERANCE: f64 = 0.05;

/// Reads `<path>.thermal_foster`.
///
/// `r_th_total = 0` means "not given" in the LEA files. For the body diode of a
/// MOSFET (`shares_die`) that is expected, because the diode is the transistor's own
/// die, and needs no finding.
pub(crate) fn foster(
    section: &Value,
    path: &str,
    shares_die: bool,
    context: &mut Context,
) -> Result<ThermalData, ImportError> {
    let foster_path = format!("{path}.thermal_foster");
    let Some(foster) = section.get("thermal_foster").filter(|v| !v.is_null()) else {
        if !shares_die {
            context.warn(&foster_path, "gap: no thermal data");
        }
        return Ok(ThermalData::default());
    };
    let total = number(foster, "r_th_total", &foster_path)?;
    let total = match total {
        Some(r) if r > 0.0 => Some(r),
        Some(r) if r < 0.0 => {
            context.error(
                &foster_path,
                format!("r_th_total = {r} K/W is negative; left out"),
            );
            None
        }
        _ => {
            if !shares_die {
                context.warn(&foster_path, "gap: r_th_total missing or 0");
            }
            None
        }
    };
    let r = vector(foster, "r_th_vector", &foster_path)?;
    let tau = vector(foster, "tau_vector", &foster_path)?;
    let c = vector(foster, "c_th_vector", &foster_path)?;
    let mut data = ThermalData {
        r_th_jc_k_per_w: total,
        ..ThermalData::default()
    };
    let Some(r) = r else {
        return Ok(data);
    };
    let tau = match (tau, &c) {
        (Some(tau), _) => tau,
        (None, Some(c)) if c.len() == r.len() => r.iter().zip(c).map(|(r, c)| r * c).collect(),
        _ => {
            context.warn(
                &foster_path,
                "r_th_vector without tau_vector or c_th_vector; left out",
            );
            return Ok(data);
        }
    };
    if tau.len() != r.len() {
        context.error(
            &foster_path,
            format!(
                "r_th_vector has {} entries but tau_vector has {}; Foster vectors left out",
                r.len(),
                tau.len()
            ),
        );
        return Ok(data);
    }
    if let Some(index) = r
        .iter()
        .chain(&tau)
        .position(|v| !(v.is_finite() && *v > 0.0))
    {
        context.error(
            &foster_path,
            format!("Foster entry {index} is not a positive finite number; vectors left out"),
        );
        return Ok(data);
    }
    if let Some(c) = &c {
        let consistent = c.len() == r.len()
            && r.iter()
                .zip(&tau)
                .zip(c)
                .all(|((r, tau), c)| ((tau / r) - c).abs() <= 0.05 * c.abs());
        let reciprocal = c.len() == r.len()
            && r.iter()
                .zip(&tau)
                .zip(c)
                .all(|((r, tau), c)| ((r / tau) - c).abs() <= 0.05 * c.abs());
        if !consistent {
            let detail = if reciprocal {
                " (it equals r_th_vector / tau_vector, the reciprocal of a capacity)"
            } else {
                ""
            };
            context.warn(
                &foster_path,
                format!(
                    "c_th_vector does not equal tau_vector / r_th_vector{detail}; tau_vector used"
                ),
            );
        }
    }
    let sum: f64 = r.iter().sum();
    match total {
        Some(total) if ((sum - total) / total).abs() > FOSTER_SUM_TOLERANCE => context.warn(
            &foster_path,
            format!(
                "Σ r_th_vector = {sum:.4} K/W differs from r_th_total = {total} K/W by more \
                 than 5 %"
            ),
        ),
        None => data.r_th_jc_k_per_w = Some(sum),
        _ => {}
    }
    data.foster_r_k_per_w = r;
    data.foster_tau_s = tau;
    Ok(data)
}

fn vector(object: &Value, key: &str, path: &str) -> Result<Option<Vec<f64>>, ImportError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, item) in items.iter().enumerate() {
                match item {
                    Value::Number(n) => out.push(n.as_f64().unwrap_or(f64::NAN)),
                    Value::Null => out.push(f64::NAN),
                    other => {
                        return Err(ImportError::WrongType {
                            path: format!("{path}.{key}[{index}]"),
                            expected: "a number",
                            found: super::super::describe(other),
                        });
                    }
                }
            }
            if out.len() > super::super::MAX_POINTS {
                return Err(ImportError::TooLarge {
                    path: format!("{path}.{key}"),
                    len: out.len(),
                    max: super::super::MAX_POINTS,
                });
            }
            Ok(Some(out))
        }
        Some(number @ Value::Number(_)) => Ok(number.as_f64().map(|v| vec![v])),
        Some(other) => Err(ImportError::WrongType {
            path: format!("{path}.{key}"),
            expected: "an array of numbers or null",
            found: super::super::describe(other),
        }),
    }
}
