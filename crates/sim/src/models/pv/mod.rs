//! `pv_mppt`: a PV array of CEC modules on a boost converter with MPPT, over one day
//! of TMY3 weather or the EN 50530-style dynamic ramps.
//!
//! - [`weather`]: the TMY3 reader and the interpolation of hourly values.
//! - [`sun`]: sun position and the transposition to the module plane.
//! - [`temperature`]: the SAPM cell temperature.
//! - [`string`]: the array of CEC modules and its fast single-diode solvers.
//! - [`converter`]: the averaged boost and its cascaded voltage and current loops.
//! - [`profile`]: the day and ramp profiles.
//! - [`simulate`]: the run loop, energies and results; `period` simulates one MPPT
//!   period.
//! - `specs`: the parameter tables.
//!
//! The CEC table (5 MB) and the Greensboro TMY3 year (1.7 MB) are embedded in the
//! binary, so a design that names a module runs without any file beside it. The
//! parameters `module_file` and `weather_file` read other tables in the same layout.
//! Embedding costs 7 MB of binary size and avoids a path that depends on where the
//! binary runs (a server worker has no checkout).
//!
//! # Limitations
//!
//! - Identical modules, no mismatch, partial shading or bypass diodes.
//! - POA irradiance goes straight into the CEC model: no angle-of-incidence or
//!   spectral losses and no soiling, so energies are upper bounds of a real yield.
//! - The cell temperature follows irradiance without the module's thermal lag.
//! - The boost is averaged in continuous conduction with an ideal bus (see
//!   [`converter`]).

pub mod converter;
mod period;
pub mod profile;
pub mod simulate;
mod specs;
pub mod string;
pub mod sun;
pub mod temperature;
pub mod weather;

use pelab_control::mppt::{MpptAlgorithm, MpptConfig, MpptStep};

use crate::kernels::KernelInfo;
use crate::kernels::params::{DesignError, Params, Value};
use crate::models::{ModelInputs, ModelKernel, ModelRun};
use converter::{Boost, CascadeConfig};
use profile::{
    DayProfile, LOW_MEDIUM_LEVELS, LOW_MEDIUM_SLOPES, MEDIUM_HIGH_LEVELS, MEDIUM_HIGH_SLOPES,
    Profile, RampProfile, worst_case_v_oc,
};
use simulate::{Bin, PvRun};
use specs::{control_specs, parameter_specs, simulation_specs};
use string::PvArray;
use sun::{Plane, SkyModel};
use weather::{EMBEDDED_TMY3, parse_tmy3};

/// The `pv_mppt` kernel.
pub struct PvMpptKernel;

/// The registered instance.
pub static PV_MPPT: PvMpptKernel = PvMpptKernel;

/// Seconds in a day.
const DAY_S: f64 = 86_400.0;
/// Minimum control periods per MPPT period, so that the perturbation transient
/// settles before the next measurement.
const MIN_CONTROL_PER_MPPT: f64 = 20.0;
/// Maximum current-loop crossover as a fraction of the control rate. Above it the
/// sampling delay costs more than 30° of phase margin.
const MAX_CURRENT_BANDWIDTH_RATIO: f64 = 0.1;
/// Minimum ratio of current- to voltage-loop crossover for the cascade to separate.
const MIN_CASCADE_SEPARATION: f64 = 4.0;
/// Samples a run records by default.
const DEFAULT_SAMPLES: f64 = 20_000.0;

/// Returns the optional text parameter `name`, if set.
fn optional_text<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    match params.values().get(name) {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    }
}

impl ModelKernel for PvMpptKernel {
    fn info(&self) -> KernelInfo {
        KernelInfo {
            name: "pv_mppt",
            summary: "PV array of CEC modules on an averaged boost with MPPT, over a TMY3 day or EN 50530-style ramps",
            parameters: parameter_specs(),
            control: control_specs(),
            simulation: simulation_specs(),
        }
    }

    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError> {
        Ok(Box::new(build_run(inputs)?))
    }
}

/// Finds the module and wires the array.
fn build_array(p: &Params) -> Result<PvArray, DesignError> {
    let owned;
    let database = match optional_text(p, "module_file") {
        Some(path) => {
            owned = string::read_database(path).map_err(|e| p.error("module_file", e))?;
            &owned
        }
        None => string::embedded_database().map_err(|e| p.error("module", e))?,
    };
    let name = p.text("module");
    let module =
        match database.find(name) {
            Ok(m) => m.clone(),
            Err(_) => {
                let closest = string::closest_names(database, name);
                return Err(p.error(
                "module",
                format!(
                    "no module named \"{name}\" in the CEC table ({} modules); closest names: {}",
                    database.modules.len(),
                    closest.iter().map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
                ),
            ));
            }
        };
    Ok(PvArray {
        module,
        series: p.integer("modules_series") as u32,
        parallel: p.integer("strings_parallel") as u32,
    })
}

/// Builds the profile and its result bins.
fn build_profile(p: &Params) -> Result<(Profile, Vec<Bin>, f64), DesignError> {
    if p.text("profile") == "en50530_ramps" {
        let mut sequences: Vec<((f64, f64), &[f64])> = Vec::new();
        if p.text("ramp_set") != "medium_high" {
            sequences.push((LOW_MEDIUM_LEVELS, &LOW_MEDIUM_SLOPES));
        }
        if p.text("ramp_set") != "low_medium" {
            sequences.push((MEDIUM_HIGH_LEVELS, &MEDIUM_HIGH_SLOPES));
        }
        let ramps = RampProfile::new(
            &sequences,
            p.number("ramp_dwell"),
            p.integer("ramp_cycles"),
            p.number("ramp_temp_cell"),
        );
        let bins = ramps
            .groups
            .iter()
            .map(|g| Bin {
                start: g.start,
                end: g.end,
                label: vec![g.low, g.high, g.slope, g.end - g.start],
            })
            .collect();
        let duration = ramps.duration();
        return Ok((Profile::Ramps(ramps), bins, duration));
    }

    let weather = match optional_text(p, "weather_file") {
        Some(path) => {
            let bytes = std::fs::read(path)
                .map_err(|e| p.error("weather_file", format!("cannot read {path:?}: {e}")))?;
            parse_tmy3(&bytes).map_err(|e| p.error("weather_file", format!("{path:?}: {e}")))?
        }
        None => parse_tmy3(EMBEDDED_TMY3.as_bytes())
            .map_err(|e| p.error("weather_file", e.to_string()))?,
    };
    let day = p.integer("day") as u32;
    let window = weather.day_window(day).map_err(|e| p.error("day", e))?;
    let sky = if p.text("sky_model") == "isotropic" {
        SkyModel::Isotropic
    } else {
        SkyModel::HayDavies
    };
    let temperature = temperature::mounting(p.text("mounting")).ok_or_else(|| {
        p.error(
            "mounting",
            format!("invalid value \"{}\"", p.text("mounting")),
        )
    })?;
    let bins = (0..24)
        .map(|h| Bin {
            start: h as f64 * 3600.0,
            end: (h + 1) as f64 * 3600.0,
            label: vec![h as f64 + 1.0],
        })
        .collect();
    let profile = DayProfile {
        window,
        plane: Plane {
            tilt_deg: p.number("tilt"),
            azimuth_deg: p.number("azimuth"),
            albedo: p.number("albedo"),
            sky,
        },
        temperature,
        latitude_deg: weather.station.latitude_deg,
        longitude_deg: weather.station.longitude_deg,
        time_zone_hours: weather.station.time_zone_hours,
        day_of_year: day,
    };
    Ok((Profile::Day(Box::new(profile)), bins, DAY_S))
}

/// Largest accepted MPPT step as a fraction of the string's open-circuit voltage at STC.
/// There the dither-loss bound 0.625·|P''|·ΔV²/P_mp reaches about 18 % for the example
/// string at 800 W/m² (an estimate, because the quadratic model of P(V) no longer holds).
pub const MAX_STEP_FRACTION: f64 = 0.1;

/// MPPT step, as a fraction of `V_oc` at STC, above which the build warns.
/// The same bound gives about 0.7 % loss there for the example string at 800 W/m².
pub const WARN_STEP_FRACTION: f64 = 0.02;

/// Rejects a fixed step (or a variable step's `step_max`) above [`MAX_STEP_FRACTION`]
/// of the string's `V_oc` at STC, and returns a warning above [`WARN_STEP_FRACTION`].
fn check_step(
    c: &Params,
    step: &MpptStep,
    v_oc_stc: f64,
    series: u32,
) -> Result<Option<String>, DesignError> {
    let (field, value) = match step {
        MpptStep::Fixed(size) => ("step_size", *size),
        MpptStep::Variable { step_max, .. } => ("step_max", *step_max),
    };
    let limit = MAX_STEP_FRACTION * v_oc_stc;
    if value > limit {
        return Err(c.error(
            field,
            format!(
                "invalid value {value} V; expected more than 0 and at most {limit:.1} V, {:.0} % of the string's open-circuit voltage at STC ({v_oc_stc:.1} V, {series} modules in series)",
                100.0 * MAX_STEP_FRACTION
            ),
        ));
    }
    let warn = WARN_STEP_FRACTION * v_oc_stc;
    Ok((value > warn).then(|| {
        format!(
            "control.{field} = {value} V is more than {:.0} % of the string's open-circuit voltage at STC ({warn:.1} V of {v_oc_stc:.1} V); the MPPT dither around the maximum power point will cost noticeable energy (steps of 0.2 % to 1 % of V_oc are usual)",
            100.0 * WARN_STEP_FRACTION
        )
    }))
}

/// Checks a `pv_mppt` design and builds the run, which tests can adjust before
/// running (a constant profile, other result bins).
///
/// # Errors
/// [`DesignError`] naming the field at fault, the value and the accepted range.
pub fn build_run(inputs: &ModelInputs<'_>) -> Result<PvRun, DesignError> {
    let (p, c, s) = (inputs.parameters, inputs.control, inputs.simulation);
    let array = build_array(p)?;
    let boost = Boost {
        l: p.number("l"),
        r_l: p.number("r_l"),
        c: p.number("c_in"),
        v_bus: p.number("v_bus"),
    };
    let stc = array.at(1000.0, 25.0).ok_or_else(|| {
        p.error(
            "module",
            "the module's parameters give no I-V curve at 1000 W/m² and 25 °C",
        )
    })?;
    let v_oc_stc = stc.v_oc();
    if v_oc_stc >= boost.v_bus {
        return Err(p.error(
            "v_bus",
            format!(
                "invalid value {}; expected more than the array open-circuit voltage at STC, {v_oc_stc:.1} V \
                 ({} modules in series), because a boost only steps up",
                boost.v_bus,
                array.series
            ),
        ));
    }

    // Inner loops: sampled at f_ctrl, crossovers separated from each other and from
    // the sampling rate, or the cascade oscillates.
    let f_ctrl = c.number("f_ctrl");
    let bandwidth_current = c.number("bandwidth_current");
    let bandwidth_voltage = c.number("bandwidth_voltage");
    if bandwidth_current > MAX_CURRENT_BANDWIDTH_RATIO * f_ctrl {
        return Err(c.error(
            "bandwidth_current",
            format!(
                "invalid value {bandwidth_current} Hz; expected at most {} Hz (a tenth of f_ctrl) for a stable sampled loop",
                MAX_CURRENT_BANDWIDTH_RATIO * f_ctrl
            ),
        ));
    }
    if bandwidth_voltage * MIN_CASCADE_SEPARATION > bandwidth_current {
        return Err(c.error(
            "bandwidth_voltage",
            format!(
                "invalid value {bandwidth_voltage} Hz; expected at most {} Hz (a quarter of bandwidth_current) so the cascade separates",
                bandwidth_current / MIN_CASCADE_SEPARATION
            ),
        ));
    }
    let mppt_period = 1.0 / c.number("mppt_rate");
    let control_period = 1.0 / f_ctrl;
    if mppt_period < MIN_CONTROL_PER_MPPT * control_period {
        return Err(c.error(
            "mppt_rate",
            format!(
                "invalid value {}; expected at most {} Hz (f_ctrl/20) so each perturbation settles before the next",
                c.number("mppt_rate"),
                f_ctrl / MIN_CONTROL_PER_MPPT
            ),
        ));
    }
    let step = match c.text("step") {
        "variable" => {
            let (step_min, step_max) = (c.number("step_min"), c.number("step_max"));
            if step_max <= step_min {
                return Err(c.error(
                    "step_max",
                    format!("invalid value {step_max}; expected more than step_min = {step_min} V"),
                ));
            }
            MpptStep::Variable {
                k: c.number("step_gain"),
                step_min,
                step_max,
            }
        }
        _ => MpptStep::Fixed(c.number("step_size")),
    };
    let step_warning = check_step(c, &step, v_oc_stc, array.series)?;
    let v_max = (1.2 * v_oc_stc).min(0.95 * boost.v_bus);
    let mppt = MpptConfig {
        algorithm: if c.text("algorithm") == "inccond" {
            MpptAlgorithm::IncrementalConductance
        } else {
            MpptAlgorithm::PerturbObserve
        },
        step,
        v_min: 0.2 * v_oc_stc,
        v_max,
        v_initial: 0.8 * v_oc_stc.min(v_max),
    };
    pelab_control::mppt::Mppt::new(mppt).map_err(|e| c.error("step", e.to_string()))?;
    let i_max = 1.5 * stc.i_sc();
    let cascade = CascadeConfig {
        period: control_period,
        bandwidth_current,
        bandwidth_voltage,
        i_max,
    };
    converter::Cascade::new(&boost, &cascade).map_err(|e| c.error("bandwidth_current", e))?;

    // Largest array conductance, near open circuit in the cold: about I_L/a.
    let cold = array.at(1200.0, -20.0).unwrap_or(stc);
    let g_max = (cold.i_l / cold.a).min(if cold.r_s > 0.0 {
        1.0 / cold.r_s
    } else {
        f64::INFINITY
    });
    let substeps = boost.substeps(control_period, g_max);

    let (profile, bins, default_stop) = build_profile(p)?;
    let is_day_profile = matches!(profile, Profile::Day(_));
    let t_start = s.number("t_start");
    let t_stop = s.optional_number("t_stop").unwrap_or(default_stop);
    if is_day_profile && t_stop > DAY_S {
        return Err(s.error(
            "t_stop",
            format!("invalid value {t_stop}; expected at most {DAY_S} s, the end of the day"),
        ));
    }
    if t_start >= t_stop {
        return Err(s.error(
            "t_start",
            format!("invalid value {t_start}; expected less than t_stop = {t_stop} s"),
        ));
    }
    let output_step = s
        .optional_number("output_step")
        .unwrap_or(((t_stop - t_start) / DEFAULT_SAMPLES).max(control_period));

    let mut warnings: Vec<String> = step_warning.into_iter().collect();
    if let Some(v_oc_cold) = worst_case_v_oc(&array)
        && v_oc_cold >= boost.v_bus
    {
        warnings.push(format!(
            "at −10 °C the open-circuit voltage reaches {v_oc_cold:.0} V, above v_bus"
        ));
    }
    let is_day = matches!(profile, Profile::Day(_));
    let mpp = stc.max_power_point();
    let summary = format!(
        "{} × {} {} ({:.0} W at STC, {:.0} V at MPP), {} profile {:.0} s, MPPT {:.3} s, control {:.0} µs × {} RK4 substeps{}",
        array.series,
        array.parallel,
        array.module.name,
        mpp.p,
        mpp.v,
        if is_day { "tmy3_day" } else { "en50530_ramps" },
        t_stop - t_start,
        mppt_period,
        control_period * 1e6,
        substeps,
        warnings
            .iter()
            .map(|w| format!("; warning: {w}"))
            .collect::<String>()
    );
    let bin_table = if is_day {
        (
            "hourly_energy",
            "available and harvested energy and MPPT efficiency per hour (hour ending, local standard time)",
            vec![
                ("hour", "h"),
                ("energy_available", "J"),
                ("energy_harvested", "J"),
                ("mppt_efficiency", "%"),
            ],
        )
    } else {
        (
            "ramp_efficiency",
            "dynamic MPPT efficiency per EN 50530-style slope group (dwell, ramps up and down)",
            vec![
                ("g_low", "W/m²"),
                ("g_high", "W/m²"),
                ("slope", "W/m²/s"),
                ("duration", "s"),
                ("energy_available", "J"),
                ("energy_harvested", "J"),
                ("mppt_efficiency", "%"),
            ],
        )
    };
    Ok(PvRun {
        array,
        boost,
        cascade,
        mppt,
        mppt_period,
        substeps,
        profile,
        t_start,
        t_stop,
        output_step,
        i_sc_stc: stc.i_sc(),
        skip_settled: s.text("method") == "skip_settled",
        settle_tolerance: s.number("settle_tolerance"),
        v_start_fraction: c.number("v_start"),
        bins,
        bin_table,
        summary,
        warnings,
    })
}
