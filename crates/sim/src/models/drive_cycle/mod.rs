//! Quasi-static (averaged) drive-cycle model of a battery-electric vehicle: speed
//! trace, road load, PMSM operating point, inverter losses and junction temperature.
//!
//! At each step (10 ms by default) the kernel interpolates the cycle's speed, finds
//! the wheel force from the road load ([`vehicle`]), the motor torque and speed
//! through the gearbox, the dq operating point under the current and voltage limits
//! ([`machine`]), the inverter losses from the datasheet curves of the part named in
//! `[devices]` and the junction temperature ([`inverter`]). Electrical and thermal
//! transients faster than a step are not resolved: every quantity is the mean over a
//! fundamental period.
//!
//! The energy bookkeeping closes by construction and is checked at the end of the run:
//!
//! ```text
//! E_battery = E_wheel + E_friction brakes − E_unmet + E_gearbox + E_copper + E_inverter + E_aux
//! ```
//!
//! where `E_unmet` is the traction energy the drive could not deliver because the
//! demanded torque exceeded its envelope.
//!
//! # Limitations
//!
//! - Motor losses are copper losses only: no iron, friction or windage losses.
//! - The DC link is an ideal voltage source: no battery resistance or state of charge.
//! - Inverter losses are averaged over a fundamental period. At low electrical
//!   frequencies (hill start, creeping) one phase carries near-DC current, and the
//!   hottest junction runs hotter than this model shows.
//! - The loss map is fitted in the linear modulation range; operating points above it
//!   are clamped to its edge and counted in a warning.

pub mod cycle;
pub mod inverter;
pub mod machine;
mod report;
mod run;
mod trace_miss;
pub mod vehicle;

use std::path::Path;

use pelab_components::library::load_transistor;
use pelab_components::loss::{Modulation, SwitchModel};
use pelab_control::foc::MotorParams;

use crate::kernels::KernelInfo;
use crate::kernels::params::{DesignError, ParamSpec, Params, Value};
use crate::kernels::stage::optional;
use crate::models::{ModelInputs, ModelKernel, ModelRun};
use cycle::Cycle;
use inverter::Junction;
use machine::Machine;
use vehicle::Vehicle;

/// The `drive_cycle` kernel.
pub struct DriveCycleKernel;

/// The registered instance.
pub static DRIVE_CYCLE: DriveCycleKernel = DriveCycleKernel;

/// Names `[devices]` accepts for the one part used at all six positions: `all`, as
/// in `pmsm_drive`, and `S`, the name of earlier designs.
const DEVICE_POSITIONS: [&str; 2] = ["all", "S"];

/// Default step [s]: 10 ms resolves the 1 s cycle samples a hundred times over and
/// stays far below the smallest heatsink time constants.
const DEFAULT_STEP_S: f64 = 0.01;

fn parameter_specs() -> Vec<ParamSpec> {
    let mut cycles: Vec<&'static str> = cycle::BUILT_IN.to_vec();
    cycles.push("file");
    vec![
        ParamSpec::choice(
            "cycle",
            &cycles,
            "wltc_3b",
            "speed trace: a built-in cycle (EPA UDDS, HWFET, US06, WLTC class 3b) or \"file\" for cycle_file",
        ),
        optional(ParamSpec::text(
            "cycle_file",
            None,
            "CSV speed trace when cycle = \"file\": columns time_s and speed_mps, speed_kmh or speed_mph, optional grade",
        )),
        ParamSpec::positive("mass", "kg", Some(1800.0), 1e5, "vehicle test mass"),
        ParamSpec::number(
            "k_rot",
            "1",
            Some(1.05),
            1.0,
            2.0,
            "rotating-inertia factor: equivalent mass of the rotating parts over the mass, plus 1",
        ),
        ParamSpec::number(
            "c_d",
            "1",
            Some(0.28),
            0.0,
            2.0,
            "aerodynamic drag coefficient",
        ),
        ParamSpec::positive("frontal_area", "m²", Some(2.3), 20.0, "frontal area"),
        ParamSpec::number(
            "c_rr",
            "1",
            Some(0.009),
            0.0,
            0.1,
            "rolling-resistance coefficient",
        ),
        ParamSpec::positive("air_density", "kg/m³", Some(1.2), 2.0, "air density"),
        ParamSpec::number(
            "grade",
            "1",
            Some(0.0),
            -0.3,
            0.3,
            "road grade (rise over run) added to the cycle's own grade column",
        ),
        ParamSpec::positive("wheel_radius", "m", Some(0.33), 2.0, "dynamic wheel radius"),
        ParamSpec::positive(
            "gear_ratio",
            "1",
            Some(9.0),
            50.0,
            "gear ratio, motor speed over wheel speed",
        ),
        ParamSpec::positive(
            "gearbox_efficiency",
            "1",
            Some(0.97),
            1.0,
            "gearbox efficiency, the same in traction and braking",
        ),
        ParamSpec::number(
            "aux_power",
            "W",
            Some(300.0),
            0.0,
            20e3,
            "auxiliary load on the battery (low-voltage supply, climate control)",
        ),
        ParamSpec::number(
            "regen_share",
            "1",
            Some(0.9),
            0.0,
            1.0,
            "share of the braking force taken by the motor; the friction brakes take the rest",
        ),
        ParamSpec::number(
            "regen_power_max",
            "W",
            Some(80e3),
            0.0,
            1e6,
            "largest braking power the motor takes, at the wheel",
        ),
        ParamSpec::positive("l_d", "H", None, 1.0, "d-axis inductance"),
        ParamSpec::positive("l_q", "H", None, 1.0, "q-axis inductance (at least l_d)"),
        ParamSpec::positive("psi", "V·s", None, 10.0, "permanent-magnet flux linkage"),
        ParamSpec::number("r_s", "Ω", None, 0.0, 10.0, "stator phase resistance"),
        ParamSpec::integer("pole_pairs", None, 1, 50, "number of pole pairs"),
        ParamSpec::positive("i_max", "A", None, 1e4, "current limit, peak phase current"),
        ParamSpec::positive("v_dc", "V", None, 2000.0, "DC-link (battery) voltage"),
        ParamSpec::positive(
            "f_sw",
            "Hz",
            Some(10e3),
            1e6,
            "inverter switching frequency",
        ),
        ParamSpec::choice(
            "modulation",
            &["spwm", "svpwm"],
            "svpwm",
            "pulse-width modulation: sinusoidal (linear to m = 1) or space-vector (to m = 2/√3)",
        ),
        ParamSpec::number(
            "voltage_margin",
            "1",
            Some(0.95),
            0.5,
            1.0,
            "share of the linear-modulation voltage that field weakening may use, leaving room for the R_s·i drop",
        ),
        optional(ParamSpec::number(
            "tj_limit",
            "°C",
            None,
            -55.0,
            250.0,
            "junction temperature for the time-above-limit metric; default the part's Tj_max, else 150 °C",
        )),
    ]
}

fn simulation_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive(
            "step",
            "s",
            Some(DEFAULT_STEP_S),
            1.0,
            "time step of the quasi-static solution; the cycle is interpolated linearly to it",
        ),
        optional(ParamSpec::positive(
            "t_stop",
            "s",
            None,
            1e6,
            "end of the run from the cycle's first sample; default the whole cycle",
        )),
        optional(ParamSpec::positive(
            "output_step",
            "s",
            None,
            1e3,
            "interval of the recorded samples, a whole multiple of step; default step",
        )),
        optional(ParamSpec::integer(
            "max_samples",
            None,
            1,
            1_000_000_000,
            "most samples the run may record",
        )),
    ]
}

impl ModelKernel for DriveCycleKernel {
    fn info(&self) -> KernelInfo {
        KernelInfo {
            name: "drive_cycle",
            summary: "Electric-vehicle drive cycle (quasi-static): road load, PMSM operating point, inverter losses and Tj",
            parameters: parameter_specs(),
            control: Vec::new(),
            simulation: simulation_specs(),
        }
    }

    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError> {
        let p = inputs.parameters;
        let (cycle, cycle_name) = load_cycle(p)?;
        let vehicle = Vehicle {
            mass_kg: p.number("mass"),
            rotating_inertia_factor: p.number("k_rot"),
            drag_coefficient: p.number("c_d"),
            frontal_area_m2: p.number("frontal_area"),
            rolling_coefficient: p.number("c_rr"),
            air_density_kg_m3: p.number("air_density"),
            wheel_radius_m: p.number("wheel_radius"),
            gear_ratio: p.number("gear_ratio"),
            gearbox_efficiency: p.number("gearbox_efficiency"),
            regen_share: p.number("regen_share"),
            regen_power_max_w: p.number("regen_power_max"),
        };
        let machine = build_machine(p)?;
        let mut warnings = Vec::new();
        let part = resolve_part(inputs, &mut warnings)?;
        let junction = Junction::from_section(inputs.thermal, &part, &mut warnings)
            .map_err(|(field, message)| inputs.thermal.error(field, message))?;
        let tj_limit = p
            .optional_number("tj_limit")
            .or_else(|| part.ratings().tj_max_c)
            .unwrap_or(FALLBACK_TJ_LIMIT_C);
        let timing = run::Timing::from_section(inputs.simulation, &cycle)?;
        Ok(Box::new(run::DriveCycleRun {
            cycle,
            cycle_name,
            vehicle,
            grade_offset: p.number("grade"),
            aux_power_w: p.number("aux_power"),
            machine,
            part,
            v_dc: p.number("v_dc"),
            f_sw: p.number("f_sw"),
            modulation: modulation(p),
            junction,
            settled_start: inputs.thermal.text("start") == "settled",
            tj_limit_c: tj_limit,
            timing,
            build_warnings: warnings,
        }))
    }
}

/// Junction-temperature limit when neither `tj_limit` nor the part gives one [°C]:
/// the rating of most silicon power devices.
const FALLBACK_TJ_LIMIT_C: f64 = 150.0;

fn modulation(p: &Params) -> Modulation {
    if p.text("modulation") == "spwm" {
        Modulation::Spwm
    } else {
        Modulation::Svpwm
    }
}

/// Loads the built-in cycle or the user's file, with its display name.
fn load_cycle(p: &Params) -> Result<(Cycle, String), DesignError> {
    let choice = p.text("cycle");
    let file = match p.values().get("cycle_file") {
        Some(Value::Text(path)) => Some(path.clone()),
        _ => None,
    };
    if choice != "file" {
        if let Some(path) = file {
            return Err(p.error(
                "cycle_file",
                format!(
                    "\"{path}\" is given but cycle = \"{choice}\"; set cycle = \"file\" to use the file, or remove cycle_file"
                ),
            ));
        }
        let cycle = cycle::built_in(choice).map_err(|e| p.error("cycle", e.to_string()))?;
        return Ok((cycle, choice.to_string()));
    }
    let Some(path) = file else {
        return Err(p.error(
            "cycle_file",
            "missing; required when cycle = \"file\" (path of a CSV speed trace)",
        ));
    };
    let cycle = cycle::read_cycle_file(Path::new(&path))
        .map_err(|e| p.error("cycle_file", format!("{path}: {e}")))?;
    Ok((cycle, path))
}

/// Builds the machine, naming the design field that `pelab-control` rejects.
fn build_machine(p: &Params) -> Result<Machine, DesignError> {
    let l_d = p.number("l_d");
    let l_q = p.number("l_q");
    if l_d > l_q {
        return Err(p.error(
            "l_d",
            format!(
                "invalid value {l_d}; expected at most l_q = {l_q} H (machines with l_d > l_q are not supported)"
            ),
        ));
    }
    let pole_pairs = u32::try_from(p.integer("pole_pairs")).unwrap_or(u32::MAX);
    let motor =
        MotorParams::new(p.number("r_s"), l_d, l_q, p.number("psi"), pole_pairs).map_err(|e| {
            let field = match e.field {
                "lambda" => "psi",
                other => other,
            };
            p.error(field, e.to_string())
        })?;
    Machine::new(
        motor,
        p.number("i_max"),
        p.number("v_dc"),
        modulation(p),
        p.number("voltage_margin"),
    )
    .map_err(|(field, message)| p.error(field, message))
}

/// Resolves the part of `[devices]`, which names one part as `all` (or `S`), and
/// scales its switching energies to the gate resistances of `[gate_drive]` when both
/// are given. A part without `E(Rg)` curves keeps the datasheet's gate resistance, and
/// `warnings` records that.
fn resolve_part(
    inputs: &ModelInputs<'_>,
    warnings: &mut Vec<String>,
) -> Result<pelab_components::semiconductor::Transistor, DesignError> {
    for name in inputs.devices.keys() {
        if !DEVICE_POSITIONS
            .iter()
            .any(|p| name.eq_ignore_ascii_case(p))
        {
            return Err(DesignError::new(
                format!("devices.{name}"),
                format!(
                    "this kernel has no position {name}; it takes one part for all six inverter positions as all = \"PART\" (as pmsm_drive does; S = \"PART\" is accepted too)"
                ),
            ));
        }
    }
    if inputs.devices.len() > 1 {
        return Err(DesignError::new(
            "devices.all",
            "both all and S are given; expected one of them, naming the part at all six positions",
        ));
    }
    let Some((name, part)) = inputs.devices.iter().next() else {
        return Err(DesignError::new(
            "devices.all",
            "missing; name the library part used at all six inverter positions, e.g. all = \"CREE_CAB530M12BM3\"",
        ));
    };
    let transistor =
        load_transistor(part).map_err(|m| DesignError::new(format!("devices.{name}"), m))?;
    let gate = inputs.gate_drive;
    let (Some(r_on), Some(r_off)) = (
        gate.optional_number("r_g_on"),
        gate.optional_number("r_g_off"),
    ) else {
        return Ok(transistor);
    };
    let name = transistor.name.clone();
    match transistor.clone().with_gate_resistance(r_on, r_off) {
        Ok(scaled) => Ok(scaled),
        Err(e) => {
            warnings.push(format!(
                "{name}: switching energies stay at the datasheet's gate resistance ({e})"
            ));
            Ok(transistor)
        }
    }
}
