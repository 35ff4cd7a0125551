//! Datasheet-based semiconductor losses and junction temperatures of a design run.
//!
//! A design names a library part for each switch position in its `[devices]` section
//! and chooses in `[thermal]` how the junction temperatures are found:
//!
//! ```toml
//! [devices]
//! S1 = "CREE_C3M0016120K"
//! S2 = "CREE_C3M0016120K"
//!
//! [thermal]
//! model = "fixed"   # every junction at `tj`
//! tj = 100.0
//! ```
//!
//! The engine simulates the circuit with its own ideal switches (`r_on`, `v_f`). After
//! the run, each position's recorded current, blocking voltage and gate go through
//! the waveform loss calculator of `pelab-components`, which looks up every switching
//! event at its own current and voltage on the part's datasheet curves.

use std::collections::BTreeMap;

use pelab_components::library::load_transistor;

use pelab_components::loss::{
    CoupledPosition, DeviceLoss, SwitchModel, SwitchTrace, coupled_losses, trace_extremes,
    trace_losses,
};
use pelab_components::semiconductor::emi::{
    GateDrive, TransitionEstimate, switching_transition_estimate,
};
use pelab_components::thermal::{Coupling, Foster, HeatSource, Heatsink, Network, ThermalStack};
use pelab_waveform::Waveforms;
use serde::Serialize;

use crate::kernels::params::{DesignError, ParamSpec, Params};
use crate::kernels::positions::{PositionTrace, SwitchPosition};
use crate::kernels::stage::optional;

/// `[thermal]` section parameters.
pub fn thermal_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "model",
            &["fixed", "coupled"],
            "fixed",
            "junction temperatures: fixed at `tj`, or coupled to the losses through each part's Foster network, an interface and a shared heatsink",
        ),
        ParamSpec::number(
            "tj",
            "°C",
            Some(100.0),
            -55.0,
            250.0,
            "junction temperature of every device when the model is fixed",
        ),
        ParamSpec::choice(
            "start",
            &["ambient", "settled"],
            "ambient",
            "coupled model: thermal network at ambient at t = 0, or settled at the steady state of the window's mean losses (for the Tj of long operation in a short run)",
        ),
        ParamSpec::number(
            "t_ambient",
            "°C",
            Some(40.0),
            -55.0,
            150.0,
            "ambient (coolant) temperature of the coupled model",
        ),
        optional(ParamSpec::number(
            "r_th_cs",
            "K/W",
            None,
            0.0,
            100.0,
            "case-to-heatsink interface resistance of each device (coupled model)",
        )),
        optional(ParamSpec::positive(
            "r_th_ha",
            "K/W",
            None,
            100.0,
            "heatsink-to-ambient resistance shared by all devices (coupled model)",
        )),
        optional(ParamSpec::positive(
            "c_th_ha",
            "J/K",
            None,
            1e6,
            "heat capacity of the heatsink (coupled model); without it the heatsink is a pure resistance",
        )),
    ]
}

/// `[gate_drive]` section parameters, for the transition-speed estimates.
pub fn gate_drive_specs() -> Vec<ParamSpec> {
    vec![
        optional(ParamSpec::number(
            "r_g_on",
            "Ω",
            None,
            0.0,
            1e3,
            "external turn-on gate resistance",
        )),
        optional(ParamSpec::number(
            "r_g_off",
            "Ω",
            None,
            0.0,
            1e3,
            "external turn-off gate resistance",
        )),
        optional(ParamSpec::number(
            "v_on",
            "V",
            None,
            -30.0,
            30.0,
            "gate-drive on-voltage",
        )),
        optional(ParamSpec::number(
            "v_off",
            "V",
            None,
            -30.0,
            30.0,
            "gate-drive off-voltage (0 or negative)",
        )),
        optional(ParamSpec::number(
            "v_th",
            "V",
            None,
            -10.0,
            20.0,
            "gate threshold voltage from the datasheet, for the di/dt estimate",
        )),
    ]
}

/// Voltage and current slopes of one position's hard transitions, estimated from the
/// part's gate-charge curve and the gate drive, for a later conducted-EMI estimate.
#[derive(Debug, Clone, Serialize)]
pub struct TransitionSummary {
    /// Position name.
    pub position: String,
    /// Hard turn-ons and turn-offs in the window.
    pub hard_transitions: u64,
    /// Highest blocking voltage switched [V].
    pub v_switched_max_v: f64,
    /// Highest current switched [A].
    pub i_switched_max_a: f64,
    /// The gate-charge estimate at those values.
    pub estimate: TransitionEstimate,
}

/// A switch position with the part model the design chose for it.
pub type PositionDevice = (SwitchPosition, Box<dyn SwitchModel>);

/// Looks up a part by name; the message of an error names close matches.
pub type PartResolver<'a> = dyn Fn(&str) -> Result<Box<dyn SwitchModel>, String> + 'a;

/// Losses and junction temperatures of the semiconductors of one run.
#[derive(Debug, Clone, Serialize)]
pub struct SemiconductorReport {
    /// `fixed` or `coupled`.
    pub thermal_model: String,
    /// Losses per position over the steady-state window, in the kernel's order.
    pub devices: Vec<DeviceLoss>,
    /// Sum over the positions [W].
    pub total_w: f64,
    /// Junction temperature per position.
    pub junctions: Vec<Junction>,
    /// Voltages, currents and junction temperatures above the parts' datasheet
    /// ratings, over the whole run.
    pub rating_violations: Vec<String>,
    /// Transition speeds per switch position, when the design gives `[gate_drive]`.
    pub transitions: Vec<TransitionSummary>,
    /// Output power over output power plus the circuit's non-semiconductor losses
    /// plus the datasheet losses above, when the power flow is defined. The summary's
    /// own `efficiency` uses the circuit's ideal switches instead.
    pub efficiency_with_datasheet_losses: Option<f64>,
    /// Losses of the circuit's other elements (inductor DCR, capacitor ESR, and
    /// switches without a part) over the window [W].
    pub other_losses_w: f64,
    /// Lookups outside the datasheet range, missing curves.
    pub warnings: Vec<String>,
}

impl SemiconductorReport {
    /// Fills in the efficiency with datasheet losses from the summary's port powers and
    /// element losses. `positions` are the positions that have a part.
    pub fn attach_efficiency(
        &mut self,
        summary: &crate::summary::Summary,
        positions: &[&SwitchPosition],
    ) {
        let is_semiconductor = |element: &str| {
            positions.iter().any(|p| {
                p.switch
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(element))
                    || p.diode
                        .as_deref()
                        .is_some_and(|d| d.eq_ignore_ascii_case(element))
            })
        };
        let replaced: f64 = summary
            .losses
            .iter()
            .filter(|l| is_semiconductor(&l.element))
            .map(|l| l.power)
            .sum();
        self.other_losses_w = summary.loss_total - replaced;
        let delivered = match (summary.efficiency, summary.power_direction) {
            (Some(_), "forward") => summary.ports.iter().skip(1).map(|p| p.power).sum(),
            (Some(_), _) => summary.ports.first().map_or(0.0, |p| -p.power),
            (None, _) => 0.0,
        };
        self.efficiency_with_datasheet_losses =
            (delivered > 0.0).then(|| delivered / (delivered + self.other_losses_w + self.total_w));
    }
}

/// The junction temperature of one position.
#[derive(Debug, Clone, Serialize)]
pub struct Junction {
    /// Position name.
    pub position: String,
    /// Temperature at the end of the run [°C].
    pub tj_final_c: f64,
    /// Highest temperature during the run [°C].
    pub tj_max_c: f64,
    /// Times of the trajectory [s], at most 2000 points; empty for a fixed
    /// temperature.
    pub time_s: Vec<f64>,
    /// Temperatures of the trajectory [°C].
    pub tj_c: Vec<f64>,
    /// Coupled model: where Tj settles with the window's mean losses held [°C].
    pub tj_steady_state_c: Option<f64>,
}

/// Finds a part in the component library and, when `[gate_drive]` gives gate
/// resistances, scales its switching energies to them with the part's E(Rg) curves.
/// A part without those curves keeps the datasheet's gate resistance, and a note in
/// `notes` records that.
///
/// # Errors
/// A message naming the unknown part, or an invalid gate resistance.
pub fn resolve_with_gate_drive(
    name: &str,
    gate_drive: &Params,
    notes: &mut Vec<String>,
) -> Result<Box<dyn SwitchModel>, String> {
    let transistor = load_transistor(name)?;
    let (Some(r_on), Some(r_off)) = (
        gate_drive.optional_number("r_g_on"),
        gate_drive.optional_number("r_g_off"),
    ) else {
        return Ok(Box::new(transistor));
    };
    let fallback = transistor.clone();
    match transistor.with_gate_resistance(r_on, r_off) {
        Ok(scaled) => Ok(Box::new(scaled)),
        Err(e) => {
            notes.push(format!(
                "{}: switching energies stay at the datasheet's gate resistance ({e})",
                fallback.name
            ));
            Ok(Box::new(fallback))
        }
    }
}

/// Checks the `[devices]` entries against the kernel's positions and resolves the
/// parts.
///
/// # Errors
/// [`DesignError`] at `devices.NAME` for unknown positions and unknown parts.
pub fn resolve_devices(
    devices: &BTreeMap<String, String>,
    positions: &[SwitchPosition],
    resolve: &PartResolver<'_>,
) -> Result<Vec<PositionDevice>, DesignError> {
    for name in devices.keys() {
        if !positions.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = positions.iter().map(|p| p.name.as_str()).collect();
            return Err(DesignError::new(
                format!("devices.{name}"),
                format!(
                    "this kernel has no position {name} (positions: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    let mut resolved = Vec::new();
    for position in positions {
        let entry = devices
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&position.name));
        if let Some((name, part)) = entry {
            let model =
                resolve(part).map_err(|m| DesignError::new(format!("devices.{name}"), m))?;
            resolved.push((position.clone(), model));
        }
    }
    Ok(resolved)
}

/// Computes the report for the resolved devices over `[from, to]`, with coupled
/// junction temperatures advanced every `interval` seconds (one switching period).
///
/// # Errors
/// A message when a position's signals were not recorded, its trace is invalid, or
/// the coupled model lacks data.
#[allow(clippy::too_many_arguments)]
pub fn evaluate(
    devices: &[PositionDevice],
    parts: &BTreeMap<String, String>,
    thermal: &Params,
    gate_drive: &Params,
    waveforms: &Waveforms,
    from: f64,
    to: f64,
    interval: f64,
) -> Result<SemiconductorReport, String> {
    let t = waveforms.time();
    let traces = devices
        .iter()
        .map(|(position, _)| position.trace(waveforms))
        .collect::<Result<Vec<PositionTrace>, String>>()?;
    let switch_traces: Vec<SwitchTrace<'_>> = traces
        .iter()
        .map(|trace| SwitchTrace {
            t,
            current: &trace.current,
            voltage: &trace.voltage,
            gate: &trace.gate,
        })
        .collect();

    let mut warnings = Vec::new();
    let (losses, junctions) = if thermal.text("model") == "coupled" {
        coupled(
            devices,
            &switch_traces,
            thermal,
            from,
            to,
            interval,
            &mut warnings,
        )?
    } else {
        let tj = thermal.number("tj");
        let mut losses = Vec::new();
        let mut junctions = Vec::new();
        for ((position, model), trace) in devices.iter().zip(&switch_traces) {
            let loss = trace_losses(
                &position.name,
                model.as_ref(),
                trace,
                tj,
                Some((from, to)),
                None,
            )
            .map_err(|e| e.to_string())?;
            junctions.push(Junction {
                position: position.name.clone(),
                tj_final_c: tj,
                tj_max_c: tj,
                time_s: Vec::new(),
                tj_c: Vec::new(),
                tj_steady_state_c: None,
            });
            losses.push(loss);
        }
        (losses, junctions)
    };
    for loss in &losses {
        loss.push_warnings(&mut warnings);
    }
    let mut rating_violations = Vec::new();
    for (((position, model), trace), junction) in devices.iter().zip(&switch_traces).zip(&junctions)
    {
        let (v_max, i_max) = trace_extremes(trace, t.first().copied().unwrap_or(from), to);
        model.ratings().check(
            &format!("{} ({})", position.name, model.name()),
            v_max,
            i_max,
            junction.tj_max_c,
            &mut rating_violations,
        );
    }
    let transitions = match drive_from(gate_drive)? {
        Some(drive) => transition_summaries(
            devices,
            parts,
            &switch_traces,
            &losses,
            &drive,
            (from, to),
            &mut warnings,
        ),
        None => Vec::new(),
    };
    Ok(SemiconductorReport {
        thermal_model: thermal.text("model").to_string(),
        total_w: losses.iter().map(|l| l.total_w).sum(),
        devices: losses,
        junctions,
        transitions,
        rating_violations,
        efficiency_with_datasheet_losses: None,
        other_losses_w: 0.0,
        warnings,
    })
}

/// Reads the gate drive from `[gate_drive]`, or returns `None` when the section is empty.
///
/// # Errors
/// A message naming the first missing field when only some are given.
fn drive_from(section: &Params) -> Result<Option<(GateDrive, Option<f64>)>, String> {
    let fields = ["r_g_on", "r_g_off", "v_on", "v_off"];
    let given: Vec<Option<f64>> = fields.iter().map(|f| section.optional_number(f)).collect();
    if given.iter().all(Option::is_none) {
        return Ok(None);
    }
    let mut values = [0.0; 4];
    for ((field, value), slot) in fields.iter().zip(&given).zip(&mut values) {
        *slot = value.ok_or_else(|| {
            format!("gate_drive.{field} is missing; the transition estimate needs r_g_on, r_g_off, v_on and v_off")
        })?;
    }
    let drive = GateDrive {
        v_bus_v: 0.0,
        i_load_a: 0.0,
        r_g_on_ohm: values[0],
        r_g_off_ohm: values[1],
        v_drive_on_v: values[2],
        v_drive_off_v: values[3],
    };
    Ok(Some((drive, section.optional_number("v_th"))))
}

/// Estimates the slopes of each switch position at the highest voltage and current
/// it switched hard in the window.
fn transition_summaries(
    devices: &[PositionDevice],
    parts: &BTreeMap<String, String>,
    traces: &[SwitchTrace<'_>],
    losses: &[DeviceLoss],
    drive: &(GateDrive, Option<f64>),
    window: (f64, f64),
    warnings: &mut Vec<String>,
) -> Vec<TransitionSummary> {
    let mut summaries = Vec::new();
    for (((position, _), trace), loss) in devices.iter().zip(traces).zip(losses) {
        if position.switch.is_none() {
            continue;
        }
        let Some(part) = parts
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&position.name))
            .map(|(_, part)| part)
        else {
            continue;
        };
        // The estimate needs the concrete transistor (its gate-charge curve), which the
        // loss model hides behind `SwitchModel`, so the part is loaded once more here.
        let mut transistor = match load_transistor(part) {
            Ok(transistor) => transistor,
            Err(e) => {
                warnings.push(format!("{}: no transition estimate: {e}", position.name));
                continue;
            }
        };
        if drive.1.is_some() {
            transistor.gate_threshold_v = drive.1;
        }
        let (v_max, i_max) = hard_switched_extremes(trace, window);
        if v_max <= 0.0 {
            continue;
        }
        let gate_drive = GateDrive {
            v_bus_v: v_max,
            i_load_a: i_max,
            ..drive.0
        };
        match switching_transition_estimate(&transistor, &gate_drive) {
            Ok(estimate) => summaries.push(TransitionSummary {
                position: position.name.clone(),
                hard_transitions: loss.events.hard_turn_on + loss.events.hard_turn_off,
                v_switched_max_v: v_max,
                i_switched_max_a: i_max,
                estimate,
            }),
            Err(e) => warnings.push(format!("{}: no transition estimate: {e}", position.name)),
        }
    }
    summaries
}

/// Highest blocking voltage and forward current at the gate edges of a trace within
/// `window`: the voltage before a turn-on or after a turn-off, the current on the
/// conducting side.
fn hard_switched_extremes(trace: &SwitchTrace<'_>, (from, to): (f64, f64)) -> (f64, f64) {
    let (mut v_max, mut i_max) = (0.0f64, 0.0f64);
    for k in 0..trace.t.len().saturating_sub(1) {
        let t = trace.t[k + 1];
        if t < from || t >= to {
            continue;
        }
        let (g0, g1) = (trace.gate[k] > 0.5, trace.gate[k + 1] > 0.5);
        if !g0 && g1 {
            v_max = v_max.max(trace.voltage[k]);
            i_max = i_max.max(trace.current[k + 1]);
        } else if g0 && !g1 {
            v_max = v_max.max(trace.voltage[k + 1]);
            i_max = i_max.max(trace.current[k]);
        }
    }
    (v_max, i_max)
}

/// Time constant that stands for "no heat capacity" when a part's data give only
/// RthJC: a thousandth of a 1 MHz period, far below any thermal time constant.
const NO_CAPACITY_TAU_S: f64 = 1e-9;

/// Passes of the loss calculation after the first when `[thermal] start = "settled"`.
const SETTLE_ROUNDS: usize = 2;

/// Gap between the final and the settled Tj above which the report warns that Tj
/// has not settled [K].
const SETTLED_K: f64 = 1.0;

/// Most points kept of each junction-temperature trajectory in the report.
const MAX_TRAJECTORY_POINTS: usize = 2000;

/// Runs the coupled model: one heat source per position (its part's junction-to-case
/// Foster network and the interface), all on one heatsink.
///
/// NOTE: a position's forward and reverse losses both heat the part's switch
/// network. That is right for a MOSFET's body diode, which shares the die, and an
/// approximation for an IGBT module whose diode is a separate die.
fn coupled(
    devices: &[PositionDevice],
    traces: &[SwitchTrace<'_>],
    thermal: &Params,
    from: f64,
    to: f64,
    interval: f64,
    warnings: &mut Vec<String>,
) -> Result<(Vec<DeviceLoss>, Vec<Junction>), String> {
    let required = |name: &str| {
        thermal
            .optional_number(name)
            .ok_or_else(|| format!("thermal.{name} is required when thermal.model is \"coupled\""))
    };
    let r_th_ha = required("r_th_ha")?;
    let r_th_cs = thermal.optional_number("r_th_cs").unwrap_or(0.0);
    let heatsink = match thermal.optional_number("c_th_ha") {
        Some(c) => Heatsink::lumped(r_th_ha, c).map_err(|e| e.to_string())?,
        None => Heatsink::Resistive { r_k_per_w: r_th_ha },
    };
    let mut sources = Vec::new();
    for (position, model) in devices {
        let pairs = match (model.thermal_foster(), model.thermal_resistance_jc()) {
            (Some(pairs), _) => pairs,
            (None, Some(r_jc)) => {
                warnings.push(format!(
                    "{} ({}): the data give only RthJC = {r_jc} K/W and no Foster network, so the junction-to-case path has no heat capacity here (time constant {NO_CAPACITY_TAU_S:e} s) and Tj ripple within a period is underestimated",
                    position.name,
                    model.name()
                ));
                vec![(r_jc, NO_CAPACITY_TAU_S)]
            }
            (None, None) => {
                return Err(format!(
                    "part {} at {} has no junction-to-case thermal data, which the coupled model needs",
                    model.name(),
                    position.name
                ));
            }
        };
        let (r, tau): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let foster = Foster::from_r_tau(&r, &tau).map_err(|e| format!("{}: {e}", model.name()))?;
        sources.push(HeatSource {
            network: Network::Foster(foster),
            r_case_heatsink_k_per_w: r_th_cs,
        });
    }
    let stack = ThermalStack {
        sources,
        heatsink: Some(heatsink),
        coupling: Coupling::Cauer,
    };
    let model = stack.build().map_err(|e| e.to_string())?;
    for warning in model.warnings() {
        warnings.push(format!(
            "thermal model, {}: {}",
            warning.field, warning.message
        ));
    }
    let mut state = model
        .state(thermal.number("t_ambient"))
        .map_err(|e| e.to_string())?;
    let positions: Vec<CoupledPosition<'_>> = devices
        .iter()
        .zip(traces)
        .map(|((position, model), trace)| CoupledPosition {
            name: &position.name,
            model: model.as_ref(),
            trace: *trace,
        })
        .collect();
    let mut result = coupled_losses(&positions, &mut state, interval, Some((from, to)))
        .map_err(|e| e.to_string())?;
    if thermal.text("start") == "settled" {
        // Start every node where the window's mean losses would keep it, and run again.
        // A second round takes up the change of the losses with Tj.
        for _ in 0..SETTLE_ROUNDS {
            let mean_power: Vec<f64> = result.losses.iter().map(|l| l.total_w).collect();
            state = model
                .state(thermal.number("t_ambient"))
                .map_err(|e| e.to_string())?;
            state.advance(0.0, &mean_power);
            state.settle();
            result = coupled_losses(&positions, &mut state, interval, Some((from, to)))
                .map_err(|e| e.to_string())?;
        }
    }

    let mean_power: Vec<f64> = result.losses.iter().map(|l| l.total_w).collect();
    let steady = model
        .steady_state(&mean_power, thermal.number("t_ambient"))
        .map_err(|e| e.to_string())?;
    let stride = result.time_s.len().div_ceil(MAX_TRAJECTORY_POINTS).max(1);
    let junctions: Vec<Junction> = devices
        .iter()
        .zip(&result.tj_c)
        .zip(&steady.junction_c)
        .map(|(((position, _), series), &settled)| Junction {
            position: position.name.clone(),
            tj_final_c: series.last().copied().unwrap_or(f64::NAN),
            tj_max_c: series.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            time_s: result.time_s.iter().copied().step_by(stride).collect(),
            tj_c: series.iter().copied().step_by(stride).collect(),
            tj_steady_state_c: Some(settled),
        })
        .collect();
    let (_, slowest) = model.time_constant_range_s();
    let run = result.time_s.last().copied().unwrap_or(0.0) - traces[0].t[0];
    let unsettled = junctions
        .iter()
        .filter_map(|j| Some((j, j.tj_steady_state_c?)))
        .filter(|(j, settled)| (settled - j.tj_final_c).abs() > SETTLED_K)
        .map(|(j, settled)| {
            format!(
                "{} ends at {:.1} °C, settles at {settled:.1} °C",
                j.position, j.tj_final_c
            )
        })
        .collect::<Vec<_>>();
    if !unsettled.is_empty() {
        warnings.push(format!(
            "Tj has not settled: the run covers {run:.3e} s, the thermal network's slowest time constant is {slowest:.3e} s ({}); tj_steady_state_c gives the settled values with the window's mean losses held, and [thermal] start = \"settled\" starts the run there",
            unsettled.join("; ")
        ));
    }
    Ok((result.losses, junctions))
}
