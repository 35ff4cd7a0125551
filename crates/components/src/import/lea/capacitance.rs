//! Output capacitance and gate charge of a LEA file.

use serde_json::Value;

use super::super::table::{Context, clean_curve, entries, number, read_points};
use super::super::{ImportError, describe};
use super::{CAPACITANCE_BOUNDS_F, GATE_VOLTAGE_LIMIT_V};
use crate::diagnostics::Finding;
use crate::semiconductor::{GateCharge, OutputCapacitance};

pub(crate) fn output_capacitance(
    root: &Value,
    context: &mut Context,
) -> Result<Option<OutputCapacitance>, ImportError> {
    let list = entries(root, "c_oss", "")?;
    // Prefer the curve at 25 °C, the temperature datasheets use.
    let chosen = list.iter().enumerate().min_by(|a, b| {
        let ta = a.1.get("t_j").and_then(Value::as_f64).unwrap_or(f64::MAX);
        let tb = b.1.get("t_j").and_then(Value::as_f64).unwrap_or(f64::MAX);
        (ta - 25.0).abs().total_cmp(&(tb - 25.0).abs())
    });
    let Some((index, entry)) = chosen else {
        context.warn("c_oss", "gap: no Coss curve; Qoss and Eoss unavailable");
        return Ok(None);
    };
    let path = format!("c_oss[{index}].graph_v_c");
    let table = entry.get("graph_v_c").cloned().unwrap_or(Value::Null);
    let Some(points) = read_points(&table, &path, context)? else {
        context.warn(&path, "gap: no table; Qoss and Eoss unavailable");
        return Ok(None);
    };
    let Some(coss) = clean_curve(points, &path, context) else {
        return Ok(None);
    };
    let (low, high) = CAPACITANCE_BOUNDS_F;
    let (c_min, c_max) = coss.y_range();
    if !(c_min >= low && c_max <= high) {
        context.warn(
            &path,
            format!("Coss spans {c_min:.3e} to {c_max:.3e} F, outside {low} to {high} F; check the units"),
        );
    }
    let v_first = coss.x_range().0;
    if v_first > 0.0 {
        context.warn(
            &path,
            format!("Coss starts at {v_first} V; Qoss and Eoss count from there, not from 0 V"),
        );
    }
    let t_j = number(entry, "t_j", &format!("c_oss[{index}]"))?.unwrap_or(25.0);
    let eoss_table = root.get("graph_v_ecoss").cloned().unwrap_or(Value::Null);
    let datasheet_eoss = match read_points(&eoss_table, "graph_v_ecoss", context)? {
        Some(points) => clean_curve(points, "graph_v_ecoss", context)
            .and_then(|eoss| plausible_eoss(eoss, c_max, context)),
        None => None,
    };
    let effective = |key: &str| -> Result<Option<(f64, f64)>, ImportError> {
        match root.get(key) {
            Some(v @ Value::Object(_)) => {
                let c = number(v, "c_o", key)?;
                let v_ds = number(v, "v_ds", key)?;
                Ok(c.zip(v_ds))
            }
            None | Some(Value::Null) => Ok(None),
            Some(other) => Err(ImportError::WrongType {
                path: key.to_owned(),
                expected: "an object or null",
                found: describe(other),
            }),
        }
    };
    Ok(Some(OutputCapacitance {
        coss,
        t_j_c: t_j,
        datasheet_eoss,
        c_o_er_f: effective("c_oss_er")?,
        c_o_tr_f: effective("c_oss_tr")?,
    }))
}

/// Keeps the datasheet Eoss curve unless its value at the highest voltage exceeds
/// ten times `C_max · V² / 2`, with `C_max` the largest Coss. The stored energy
/// cannot physically exceed `C_max · V² / 2`. Digitised curves miss that bound near
/// 0 V, where a small offset of the plot is a large relative error, so only the
/// last point is checked. A factor of ten still catches unit mistakes, because µJ
/// given as J is a factor of 10⁶.
fn plausible_eoss(
    eoss: crate::curve::Curve,
    c_max: f64,
    context: &mut Context,
) -> Option<crate::curve::Curve> {
    let index = eoss.x().len() - 1;
    let (v, e) = (eoss.x()[index], eoss.y()[index]);
    let bound = 10.0 * 0.5 * c_max * v * v;
    if e <= bound {
        return Some(eoss);
    }
    context.push(
        Finding::error(
            &context.part,
            "graph_v_ecoss",
            format!(
                "Eoss {e:.3e} J at {v} V exceeds 10 · Coss_max · V² / 2 = {bound:.3e} J; \
                 check the units; curve left out"
            ),
        )
        .at_point(index),
    );
    None
}

pub(crate) fn gate_charge(
    switch: &Value,
    context: &mut Context,
) -> Result<Vec<GateCharge>, ImportError> {
    let list = entries(switch, "charge_curve", "switch")?;
    let mut curves = Vec::new();
    for (index, entry) in list.iter().enumerate() {
        let entry_path = format!("switch.charge_curve[{index}]");
        let path = format!("{entry_path}.graph_q_v");
        let table = entry.get("graph_q_v").cloned().unwrap_or(Value::Null);
        let Some(mut points) = read_points(&table, &path, context)? else {
            context.error(&path, "no table; curve left out");
            continue;
        };
        // A gate charge is nanocoulombs to microcoulombs and a gate voltage a few
        // volts: a first row of volts and a second of coulombs means swapped rows.
        let max_abs = |f: fn(&(f64, f64)) -> f64| {
            points
                .iter()
                .map(f)
                .filter(|v| v.is_finite())
                .fold(0.0_f64, |m, v| m.max(v.abs()))
        };
        if max_abs(|p| p.0) > 1e-3 && max_abs(|p| p.1) < 1e-3 {
            context.warn(
                &path,
                "rows look swapped (volts then coulombs); swapped back",
            );
            points = points.into_iter().map(|(a, b)| (b, a)).collect();
        }
        let Some(curve) = clean_curve(points, &path, context) else {
            continue;
        };
        let (v_min, v_max) = curve.y_range();
        if v_min < -GATE_VOLTAGE_LIMIT_V || v_max > GATE_VOLTAGE_LIMIT_V {
            context.error(
                &path,
                format!(
                    "gate voltage spans {v_min} to {v_max} V, beyond ±{GATE_VOLTAGE_LIMIT_V} V; \
                     not a gate-charge curve; left out"
                ),
            );
            continue;
        }
        curves.push(GateCharge {
            curve,
            i_channel_a: number(entry, "i_channel", &entry_path)?,
            v_supply_v: number(entry, "v_supply", &entry_path)?,
            t_j_c: number(entry, "t_j", &entry_path)?,
        });
    }
    if curves.is_empty() {
        context.warn(
            "switch.charge_curve",
            "gap: no usable gate-charge curve; Qg and transition estimates unavailable",
        );
    }
    Ok(curves)
}
