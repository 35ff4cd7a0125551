//! Importer for the JSON files of the LEA transistor database (Paderborn University,
//! `transistordatabase` and its file exchange).
//!
//! The files hold datasheet-derived curves in SI units: output characteristics
//! (`switch.channel`, `diode.channel`), switching energies (`switch.e_on`, `e_off`,
//! `diode.e_rr`, each over current or gate resistance), capacitances, gate charge and
//! Foster thermal networks. Any field may be missing, null or empty. The importer
//! reads only the fields the models use and ignores the others (SOA, raw double-pulse
//! waveforms, linearised models), so it does not reject unknown fields.
//!
//! Checks and their findings are listed in `docs/components.md`; each check sits with
//! the code that reads the field.

use std::path::Path;

use serde_json::Value;

use super::table::{
    Context, conduction_curve, entries, join, number, read_points, replace_non_finite_tokens, text,
};
use super::{ImportError, MAX_FILE_BYTES, describe};
use crate::curve::CurveFamily;
use crate::diagnostics::Finding;
use crate::semiconductor::{DatasheetInfo, DeviceKind, Diode, Ratings, Transistor};

mod capacitance;
mod energies;
mod thermal;

/// Bounds of the on-state resistance `V/I` at the last point of a MOSFET channel
/// curve. Below 0.1 mΩ or above 10 Ω no discrete power MOSFET or module exists, so a
/// value outside suggests a unit mistake (mΩ given as Ω, mA as A).
pub const RDS_ON_BOUNDS_OHM: (f64, f64) = (1e-4, 10.0);

/// Bounds of output capacitance values, F: 0.1 pF to 1 mF.
pub const CAPACITANCE_BOUNDS_F: (f64, f64) = (1e-13, 1e-3);

/// Largest gate-source voltage magnitude on a gate-charge curve, V. Gate oxides of
/// power devices are rated at most a few tens of volts.
pub const GATE_VOLTAGE_LIMIT_V: f64 = 40.0;

/// A transistor read from a LEA file, with what the importer found.
#[derive(Debug, Clone)]
pub struct LeaImport {
    /// The model. It also keeps a copy of the findings.
    pub transistor: Transistor,
    /// Gaps, repairs and dropped data, in file order.
    pub findings: Vec<Finding>,
}

/// Reads and imports a LEA JSON file.
///
/// # Errors
/// [`ImportError`] when the file cannot be read, is larger than
/// [`MAX_FILE_BYTES`], or is not a LEA transistor file (see [`parse_str`]).
pub fn parse_file(path: &Path) -> Result<LeaImport, ImportError> {
    let io = |source| ImportError::Io {
        path: path.to_owned(),
        source,
    };
    let bytes = std::fs::metadata(path).map_err(io)?.len();
    if bytes > MAX_FILE_BYTES {
        return Err(ImportError::FileTooLarge {
            path: path.to_owned(),
            bytes,
            max: MAX_FILE_BYTES,
        });
    }
    let text = std::fs::read_to_string(path).map_err(io)?;
    parse_str(&text)
}

/// Imports a LEA transistor from JSON text.
///
/// Missing curves leave gaps with findings; nothing is invented.
///
/// # Errors
/// [`ImportError`] for text that is not JSON, a field of the wrong type (naming the
/// path and the value), an array longer than [`super::MAX_POINTS`], a missing `name`,
/// `type` or `v_abs_max`, or an unknown `type`.
pub fn parse_str(json: &str) -> Result<LeaImport, ImportError> {
    let (clean, replaced) = replace_non_finite_tokens(json);
    let root: Value = serde_json::from_str(&clean).map_err(|e| ImportError::NotJson {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    if !root.is_object() {
        return Err(ImportError::WrongType {
            path: "(top level)".to_owned(),
            expected: "an object",
            found: describe(&root),
        });
    }
    let name = text(&root, "name", "")?.ok_or(ImportError::Missing {
        path: "name".to_owned(),
        why: "the part needs a name",
    })?;
    if name.trim().is_empty() {
        return Err(ImportError::OutOfRange {
            path: "name".to_owned(),
            value: format!("{name:?}"),
            expected: "a non-empty part name",
        });
    }
    let mut context = Context {
        part: name.clone(),
        findings: Vec::new(),
    };
    if replaced > 0 {
        context.warn(
            "(file)",
            format!("{replaced} NaN or Infinity token(s) read as missing values"),
        );
    }
    let kind = device_kind(&root)?;
    let ratings = ratings(&root)?;
    let mut transistor = Transistor::new(&name, kind, ratings);
    transistor.datasheet = DatasheetInfo {
        manufacturer: text(&root, "manufacturer", "")?,
        url: text(&root, "datasheet_hyperlink", "")?,
        date: text(&root, "datasheet_date", "")?,
        version: text(&root, "datasheet_version", "")?,
        housing: text(&root, "housing_type", "")?,
    };
    transistor.r_g_int_ohm = number(&root, "r_g_int", "")?;

    let empty = Value::Null;
    let switch = section(&root, "switch")?.unwrap_or(&empty);
    let diode_section = section(&root, "diode")?.unwrap_or(&empty);

    let e_on = energies::energy_table(switch, "switch", "e_on", &mut context)?;
    let e_off = energies::energy_table(switch, "switch", "e_off", &mut context)?;
    let turn_on_gate = e_on.as_ref().and_then(|t| t.v_g_v);
    transistor.gate_off_v = e_off
        .as_ref()
        .and_then(|t| t.v_g_off_v.or(t.v_g_v.filter(|v| *v <= 0.0)));
    transistor.e_on = e_on;
    transistor.e_off = e_off;

    let rated_gate = rated_resistance_gate_voltage(switch, "switch")?;
    let preferred = [turn_on_gate, rated_gate];
    let (channel, gate_on) = channel_family(switch, kind, &preferred, &mut context)?;
    transistor.channel = channel;
    transistor.gate_on_v = gate_on;

    transistor.thermal = thermal::foster(switch, "switch", false, &mut context)?;
    transistor.coss = capacitance::output_capacitance(&root, &mut context)?;
    transistor.gate_charge = capacitance::gate_charge(switch, &mut context)?;

    let (reverse_channel, diode) = diode_model(diode_section, &transistor, gate_on, &mut context)?;
    transistor.reverse_channel = reverse_channel;
    let mut diode = diode;
    diode.findings = context
        .findings
        .iter()
        .filter(|f| f.curve.starts_with("diode"))
        .cloned()
        .collect();
    transistor.diode = Some(diode);

    transistor.findings = context.findings.clone();
    Ok(LeaImport {
        transistor,
        findings: context.findings,
    })
}

fn section<'a>(root: &'a Value, key: &str) -> Result<Option<&'a Value>, ImportError> {
    match root.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::Object(_)) => Ok(Some(v)),
        Some(other) => Err(ImportError::WrongType {
            path: key.to_owned(),
            expected: "an object or null",
            found: describe(other),
        }),
    }
}

fn device_kind(root: &Value) -> Result<DeviceKind, ImportError> {
    let kind = text(root, "type", "")?.ok_or(ImportError::Missing {
        path: "type".to_owned(),
        why: "the device type decides the conduction model",
    })?;
    match kind.to_ascii_lowercase().as_str() {
        "sic-mosfet" => Ok(DeviceKind::SicMosfet),
        "gan-transistor" | "gan-hemt" => Ok(DeviceKind::GanHemt),
        "igbt" => Ok(DeviceKind::Igbt),
        "mosfet" | "si-mosfet" => Ok(DeviceKind::SiMosfet),
        _ => Err(ImportError::OutOfRange {
            path: "type".to_owned(),
            value: kind,
            expected: "one of SiC-MOSFET, GaN-Transistor, IGBT, MOSFET",
        }),
    }
}

fn ratings(root: &Value) -> Result<Ratings, ImportError> {
    let v_abs_max = number(root, "v_abs_max", "")?.ok_or(ImportError::Missing {
        path: "v_abs_max".to_owned(),
        why: "the blocking-voltage rating is needed for plausibility checks",
    })?;
    if !(v_abs_max > 0.0 && v_abs_max < 1e6) {
        return Err(ImportError::OutOfRange {
            path: "v_abs_max".to_owned(),
            value: v_abs_max.to_string(),
            expected: "a voltage in V between 0 and 1e6",
        });
    }
    let positive = |key: &str| -> Result<Option<f64>, ImportError> {
        let value = number(root, key, "")?;
        match value {
            Some(v) if !(v > 0.0) => Err(ImportError::OutOfRange {
                path: key.to_owned(),
                value: v.to_string(),
                expected: "a current in A above 0",
            }),
            other => Ok(other),
        }
    };
    let t_j_max = match root.get("switch") {
        Some(switch @ Value::Object(_)) => number(switch, "t_j_max", "switch")?,
        _ => None,
    };
    Ok(Ratings {
        v_abs_max_v: v_abs_max,
        i_abs_max_a: positive("i_abs_max")?,
        i_cont_a: positive("i_cont")?,
        t_j_max_c: t_j_max,
    })
}

/// One output-characteristic entry of a `channel` list.
struct ChannelEntry {
    index: usize,
    t_j: f64,
    v_g: Option<f64>,
    table: Value,
}

fn channel_entries(
    section: &Value,
    path: &str,
    context: &mut Context,
) -> Result<Vec<ChannelEntry>, ImportError> {
    let mut out = Vec::new();
    for (index, entry) in entries(section, "channel", path)?.iter().enumerate() {
        let entry_path = format!("{path}.channel[{index}]");
        let Some(t_j) = number(entry, "t_j", &entry_path)? else {
            context.error(&entry_path, "t_j is missing; curve left out");
            continue;
        };
        out.push(ChannelEntry {
            index,
            t_j,
            v_g: number(entry, "v_g", &entry_path)?,
            table: entry.get("graph_v_i").cloned().unwrap_or(Value::Null),
        });
    }
    Ok(out)
}

/// Returns the gate voltage of the first `r_channel_th` entry, the condition of the
/// datasheet's headline Rds_on.
fn rated_resistance_gate_voltage(switch: &Value, path: &str) -> Result<Option<f64>, ImportError> {
    let list = entries(switch, "r_channel_th", path)?;
    match list.first() {
        Some(first) => number(first, "v_g", &format!("{path}.r_channel_th[0]")),
        None => Ok(None),
    }
}

/// Picks the gate voltage of the channel family: the one with curves at the most
/// temperatures. On a tie it takes the first of `preferred` that is among the tied
/// voltages (the turn-on gate voltage of the energy measurement, then that of the
/// rated Rds_on), else the highest.
fn nominal_gate_voltage(entries: &[ChannelEntry], preferred: &[Option<f64>]) -> Option<f64> {
    let mut voltages: Vec<f64> = entries.iter().filter_map(|e| e.v_g).collect();
    voltages.sort_by(f64::total_cmp);
    voltages.dedup();
    let count = |v: f64| entries.iter().filter(|e| e.v_g == Some(v)).count();
    let best = voltages.iter().map(|&v| count(v)).max()?;
    let tied: Vec<f64> = voltages.into_iter().filter(|&v| count(v) == best).collect();
    if let Some(on) = preferred.iter().flatten().find(|on| tied.contains(on)) {
        return Some(*on);
    }
    tied.last().copied()
}

fn channel_family(
    switch: &Value,
    kind: DeviceKind,
    preferred: &[Option<f64>],
    context: &mut Context,
) -> Result<(Option<CurveFamily>, Option<f64>), ImportError> {
    let all = channel_entries(switch, "switch", context)?;
    if all.is_empty() {
        context.warn(
            "switch.channel",
            "gap: no output characteristic; on-state voltage unavailable",
        );
        return Ok((None, None));
    }
    let gate = nominal_gate_voltage(&all, preferred);
    let mut members: Vec<(f64, crate::curve::Curve)> = Vec::new();
    for entry in all.iter().filter(|e| e.v_g == gate) {
        let path = format!("switch.channel[{}].graph_v_i", entry.index);
        let Some(points) = read_points(&entry.table, &path, context)? else {
            context.error(&path, "no table; curve left out");
            continue;
        };
        let Some(curve) = conduction_curve(points, &path, context) else {
            continue;
        };
        if members.iter().any(|(t, _)| *t == entry.t_j) {
            context.warn(
                &path,
                format!("a second curve at Tj = {} °C; left out", entry.t_j),
            );
            continue;
        }
        check_on_state(&curve, kind, &path, context);
        members.push((entry.t_j, curve));
    }
    let mut temperatures: Vec<f64> = all.iter().map(|e| e.t_j).collect();
    temperatures.sort_by(f64::total_cmp);
    temperatures.dedup();
    for t in temperatures {
        if !members.iter().any(|(tm, _)| *tm == t) {
            context.warn(
                "switch.channel",
                format!(
                    "gap: no usable curve at Tj = {t} °C for the gate voltage {gate:?} V; \
                     Tj between its neighbours is interpolated"
                ),
            );
        }
    }
    if members.is_empty() {
        return Ok((None, gate));
    }
    Ok((CurveFamily::new(members).ok(), gate))
}

/// Flags an implausible on-state characteristic at its highest current.
fn check_on_state(
    curve: &crate::curve::Curve,
    kind: DeviceKind,
    path: &str,
    context: &mut Context,
) {
    let (i_max, _) = (curve.x_range().1, ());
    let v = curve.value(i_max);
    if kind.is_mosfet_like() {
        let r = v / i_max;
        let (low, high) = RDS_ON_BOUNDS_OHM;
        if !(r >= low && r <= high) {
            context.warn(
                path,
                format!(
                    "V/I = {r:.3e} Ω at {i_max} A is outside {low} to {high} Ω; check the units"
                ),
            );
        }
    } else if !(v > 0.2 && v < 20.0) {
        context.warn(
            path,
            format!("Vce = {v} V at {i_max} A is outside 0.2 to 20 V; check the units"),
        );
    }
}

/// Builds the reverse path: the measured reverse curve with the gate on (MOSFETs) and
/// the diode (body diode at the off-state bias, GaN third quadrant, or an IGBT's
/// antiparallel diode).
fn diode_model(
    section: &Value,
    transistor: &Transistor,
    gate_on: Option<f64>,
    context: &mut Context,
) -> Result<(Option<CurveFamily>, Diode), ImportError> {
    let kind = transistor.kind;
    let all = channel_entries(section, "diode", context)?;
    let mosfet = kind.is_mosfet_like();
    let reverse_on: Vec<&ChannelEntry> = if mosfet {
        all.iter()
            .filter(|e| e.v_g.is_some() && e.v_g == gate_on)
            .collect()
    } else {
        Vec::new()
    };
    // Gate-off curve: the turn-off bias of the energy measurement when the file has
    // it, else the most negative bias, else curves without a gate voltage.
    let off_biases: Vec<f64> = all
        .iter()
        .filter_map(|e| e.v_g)
        .filter(|v| *v <= 0.0)
        .collect();
    let bias = match transistor.gate_off_v {
        Some(v) if off_biases.contains(&v) => Some(v),
        _ => off_biases.iter().copied().min_by(f64::total_cmp),
    };
    let forward: Vec<&ChannelEntry> = if mosfet && bias.is_some() {
        all.iter().filter(|e| e.v_g == bias).collect()
    } else {
        all.iter().filter(|e| e.v_g.is_none()).collect()
    };
    let reverse_channel = build_family(&reverse_on, context)?;
    let forward_family = build_family(&forward, context)?;
    if forward_family.is_none() {
        context.warn(
            "diode.channel",
            "gap: no usable diode (or third-quadrant) curve at the off-state gate bias; \
             reverse voltage with the gate off unavailable",
        );
    }
    if mosfet && reverse_channel.is_none() && transistor.channel.is_some() {
        context.warn(
            "diode.channel",
            "no reverse curve at the on-state gate voltage; reverse conduction with the \
             gate on uses the forward channel curve in parallel with the body diode",
        );
    }
    // A GaN HEMT conducts in reverse through its channel, without minority carriers,
    // so it has no reverse-recovery charge and its Err is zero, not a gap.
    let recovery_free = kind == DeviceKind::GanHemt;
    let has_e_rr = !entries(section, "e_rr", "diode")?.is_empty();
    let recovery = if recovery_free {
        if has_e_rr {
            context.warn(
                "diode.e_rr",
                "a GaN HEMT has no reverse-recovery charge; e_rr ignored",
            );
        }
        None
    } else {
        energies::energy_table(section, "diode", "e_rr", context)?
    };
    let thermal = thermal::foster(section, "diode", mosfet, context)?;
    let diode = Diode {
        name: transistor.name.clone(),
        ratings: Ratings {
            t_j_max_c: number(section, "t_j_max", "diode")?.or(transistor.ratings.t_j_max_c),
            ..transistor.ratings
        },
        forward: forward_family,
        gate_bias_v: if mosfet { bias } else { None },
        recovery,
        q_rr_c: None,
        recovery_free,
        r_g_ohm: None,
        thermal,
        findings: Vec::new(),
    };
    Ok((reverse_channel, diode))
}

fn build_family(
    list: &[&ChannelEntry],
    context: &mut Context,
) -> Result<Option<CurveFamily>, ImportError> {
    let mut members: Vec<(f64, crate::curve::Curve)> = Vec::new();
    for entry in list {
        let path = format!("diode.channel[{}].graph_v_i", entry.index);
        let Some(points) = read_points(&entry.table, &path, context)? else {
            context.error(&path, "no table; curve left out");
            continue;
        };
        let Some(curve) = conduction_curve(points, &path, context) else {
            continue;
        };
        if members.iter().any(|(t, _)| *t == entry.t_j) {
            context.warn(
                &path,
                format!("a second curve at Tj = {} °C; left out", entry.t_j),
            );
            continue;
        }
        members.push((entry.t_j, curve));
    }
    if members.is_empty() {
        return Ok(None);
    }
    Ok(CurveFamily::new(members).ok())
}

/// Formats the path of entry `index` of list `key` in `section`, for findings.
pub(crate) fn entry_path(section: &str, key: &str, index: usize) -> String {
    format!("{}[{index}]", join(section, key))
}
