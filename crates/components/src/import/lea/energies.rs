//! Switching and recovery energies of a LEA file.

use serde_json::Value;

use super::super::ImportError;
use super::super::table::{Context, clean_curve, entries, number, read_points, text};
use super::entry_path;
use crate::curve::{Curve, CurveFamily};
use crate::semiconductor::{EnergyTable, GateResistanceScaling, fit_voltage_exponent};

/// Maximum plausible hard-switching transition time for the energy bound, s. An energy
/// above `V · I · 1 µs` at a point means a transition of more than 2 µs with linear
/// ramps, slower than any power device in the exchange switches, and more likely a
/// unit mistake (mJ given as J).
pub const ENERGY_BOUND_TIME_S: f64 = 1e-6;

struct EnergyEntry {
    path: String,
    v_supply: f64,
    v_g: Option<f64>,
    v_g_off: Option<f64>,
    t_j: f64,
    r_g: Option<f64>,
    i_x: Option<f64>,
    versus_current: Option<Curve>,
    versus_resistance: Option<Curve>,
}

fn read_entries(
    section: &Value,
    section_path: &str,
    key: &str,
    context: &mut Context,
) -> Result<Vec<EnergyEntry>, ImportError> {
    let mut out = Vec::new();
    for (index, entry) in entries(section, key, section_path)?.iter().enumerate() {
        let path = entry_path(section_path, key, index);
        let Some(v_supply) = number(entry, "v_supply", &path)? else {
            context.error(&path, "v_supply is missing; entry left out");
            continue;
        };
        let Some(t_j) = number(entry, "t_j", &path)? else {
            context.error(&path, "t_j is missing; entry left out");
            continue;
        };
        if !(v_supply > 0.0) {
            context.error(
                &path,
                format!("v_supply = {v_supply} V is not positive; entry left out"),
            );
            continue;
        }
        let dataset = text(entry, "dataset_type", &path)?;
        let mut read = |field: &str| -> Result<Option<Curve>, ImportError> {
            let table_path = format!("{path}.{field}");
            let table = entry.get(field).cloned().unwrap_or(Value::Null);
            Ok(match read_points(&table, &table_path, context)? {
                Some(points) => clean_curve(points, &table_path, context),
                None => None,
            })
        };
        let wants = |field: &str| dataset.as_deref().is_none_or(|d| d == field);
        let versus_current = if wants("graph_i_e") {
            read("graph_i_e")?
        } else {
            None
        };
        let versus_resistance = if wants("graph_r_e") {
            read("graph_r_e")?
        } else {
            None
        };
        out.push(EnergyEntry {
            path,
            v_supply,
            v_g: number(entry, "v_g", &entry_path(section_path, key, index))?,
            v_g_off: number(entry, "v_g_off", &entry_path(section_path, key, index))?,
            t_j,
            r_g: number(entry, "r_g", &entry_path(section_path, key, index))?,
            i_x: number(entry, "i_x", &entry_path(section_path, key, index))?,
            versus_current,
            versus_resistance,
        });
    }
    Ok(out)
}

/// Builds the energy table `key` (`e_on`, `e_off`, `e_rr`) of a section.
///
/// The curves over current form the family over Tj. When the file has curves at
/// several supply voltages, gate resistances or gate voltages, the set with the most
/// temperatures is used, and on a tie the one at the highest supply voltage. The
/// others serve only to fit the voltage exponent. When the datasheet list has no usable curve,
/// the measured list `<key>_meas` is used with a warning.
pub(crate) fn energy_table(
    section: &Value,
    section_path: &str,
    key: &str,
    context: &mut Context,
) -> Result<Option<EnergyTable>, ImportError> {
    let label = format!("{section_path}.{key}");
    let mut list = read_entries(section, section_path, key, context)?;
    if !list.iter().any(|e| e.versus_current.is_some()) {
        let measured_key = format!("{key}_meas");
        let measured = read_entries(section, section_path, &measured_key, context)?;
        if measured.iter().any(|e| e.versus_current.is_some()) {
            context.warn(
                &label,
                format!(
                    "no datasheet curve; using {section_path}.{measured_key} \
                     (double-pulse measurements by the file's author)"
                ),
            );
            list = measured;
        }
    }
    let current: Vec<&EnergyEntry> = list.iter().filter(|e| e.versus_current.is_some()).collect();
    if current.is_empty() {
        context.warn(
            &label,
            "gap: no energy-versus-current curve; energy unavailable",
        );
        return Ok(None);
    }
    for entry in &current {
        check_bound(entry, context);
    }

    // Group by measurement conditions and keep the group with the most temperatures.
    let same_set = |a: &EnergyEntry, b: &EnergyEntry| {
        a.v_supply == b.v_supply && a.r_g == b.r_g && a.v_g == b.v_g
    };
    let temperatures = |e: &EnergyEntry| {
        let mut t: Vec<f64> = current
            .iter()
            .filter(|o| same_set(o, e))
            .map(|o| o.t_j)
            .collect();
        t.sort_by(f64::total_cmp);
        t.dedup();
        t.len()
    };
    let Some(chosen) = current.iter().copied().max_by(|a, b| {
        temperatures(a)
            .cmp(&temperatures(b))
            .then(a.v_supply.total_cmp(&b.v_supply))
    }) else {
        return Ok(None);
    };
    let mut members: Vec<(f64, Curve)> = Vec::new();
    for entry in current.iter().filter(|e| same_set(e, chosen)) {
        if members.iter().any(|(t, _)| *t == entry.t_j) {
            context.warn(
                &entry.path,
                format!("a second curve at Tj = {} °C; left out", entry.t_j),
            );
            continue;
        }
        if let Some(curve) = &entry.versus_current {
            // Hard-switching energies rise with the switched current. A curve that
            // falls overall (the GS66506T turn-off measurements do) is kept, because
            // it is the data, but flagged so that a user checks it.
            let (first, last) = (curve.y()[0], curve.y()[curve.y().len() - 1]);
            if last < first {
                context.warn(
                    &entry.path,
                    format!(
                        "energy falls with current, from {first:.3e} J to {last:.3e} J over the curve; check it against the datasheet"
                    ),
                );
            }
            members.push((entry.t_j, curve.clone()));
        }
    }
    let Ok(energy) = CurveFamily::new(members) else {
        return Ok(None);
    };
    if chosen.r_g.is_none() {
        context.warn(
            &label,
            "r_g of the energy curves is missing; no gate-resistance scaling",
        );
    }

    Ok(Some(EnergyTable {
        label: label.clone(),
        energy,
        v_ref_v: chosen.v_supply,
        r_g_ref_ohm: chosen.r_g,
        v_g_v: chosen.v_g,
        v_g_off_v: chosen.v_g_off,
        gate_resistance: resistance_scaling(&list, chosen, &label, context),
        voltage_exponent: EnergyTable::DEFAULT_VOLTAGE_EXPONENT,
        fitted_voltage_exponent: fitted_exponent(&current, chosen),
    }))
}

/// Flags the first point of a curve whose energy exceeds `V · I · 1 µs`.
fn check_bound(entry: &EnergyEntry, context: &mut Context) {
    let Some(curve) = &entry.versus_current else {
        return;
    };
    let path = format!("{}.graph_i_e", entry.path);
    for (index, (&i, &e)) in curve.x().iter().zip(curve.y()).enumerate() {
        let bound = entry.v_supply * i.abs() * ENERGY_BOUND_TIME_S;
        if e > bound && i > 0.0 {
            context.push(
                crate::diagnostics::Finding::warning(
                    &context.part,
                    &path,
                    format!(
                        "energy {e:.3e} J at {i} A and {} V exceeds V·I·1 µs = {bound:.3e} J; \
                         check the units",
                        entry.v_supply
                    ),
                )
                .at_point(index),
            );
            return;
        }
        if e < 0.0 {
            context.push(
                crate::diagnostics::Finding::warning(
                    &context.part,
                    &path,
                    format!("negative energy {e:.3e} J; the model reads it as 0"),
                )
                .at_point(index),
            );
            return;
        }
    }
}

fn resistance_scaling(
    list: &[EnergyEntry],
    chosen: &EnergyEntry,
    label: &str,
    context: &mut Context,
) -> Option<GateResistanceScaling> {
    let with_curve: Vec<&EnergyEntry> = list
        .iter()
        .filter(|e| e.versus_resistance.is_some())
        .collect();
    if with_curve.is_empty() {
        context.warn(
            label,
            "gap: no energy-versus-gate-resistance curve; Rg scaling rejected",
        );
        return None;
    }
    // Prefer curves measured at the chosen supply voltage.
    let same_voltage: Vec<&EnergyEntry> = with_curve
        .iter()
        .copied()
        .filter(|e| e.v_supply == chosen.v_supply)
        .collect();
    let pool = if same_voltage.is_empty() {
        with_curve
    } else {
        same_voltage
    };
    let mut members: Vec<(f64, Curve)> = Vec::new();
    for entry in &pool {
        if members.iter().any(|(t, _)| *t == entry.t_j) {
            continue;
        }
        if let Some(curve) = &entry.versus_resistance {
            members.push((entry.t_j, curve.clone()));
        }
    }
    let first = pool.first()?;
    let family = CurveFamily::new(members).ok()?;
    if let Some(r_g) = chosen.r_g {
        let (low, high) = family.curves()[0].x_range();
        if r_g < low || r_g > high {
            context.warn(
                label,
                format!(
                    "the datasheet gate resistance {r_g} Ω lies outside the E(Rg) curve \
                     ({low} to {high} Ω); ratios use the clamped end value"
                ),
            );
        }
    }
    Some(GateResistanceScaling {
        energy_vs_r_g: family,
        current_a: first.i_x,
        v_supply_v: Some(first.v_supply),
    })
}

fn fitted_exponent(current: &[&EnergyEntry], chosen: &EnergyEntry) -> Option<f64> {
    let peers: Vec<&&EnergyEntry> = current
        .iter()
        .filter(|e| e.t_j == chosen.t_j && e.r_g == chosen.r_g && e.v_g == chosen.v_g)
        .collect();
    let low = peers
        .iter()
        .min_by(|a, b| a.v_supply.total_cmp(&b.v_supply))?;
    let high = peers
        .iter()
        .max_by(|a, b| a.v_supply.total_cmp(&b.v_supply))?;
    fit_voltage_exponent(
        low.versus_current.as_ref()?,
        low.v_supply,
        high.versus_current.as_ref()?,
        high.v_supply,
    )
}
