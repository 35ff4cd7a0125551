//! The `llc` model kernel: parameter tables and design checks.

use crate::kernels::KernelInfo;
use crate::kernels::params::Params;
use crate::kernels::params::{DesignError, ParamKind, ParamSpec, Value};
use crate::kernels::stage::{optional, simulation_specs};
use crate::models::{MAX_PERIODS, ModelInputs, ModelKernel, ModelRun};

use super::control::FrequencyCommand;
use super::fha::Fha;
use super::plant::{Rectifier, Tank};
use super::run::{LlcRun, SweepPlan};

/// Highest switching frequency accepted [Hz].
pub const F_SW_LIMIT: f64 = 10e6;

/// Output-grid points per period at `f_max` by default.
const DEFAULT_POINTS_PER_PERIOD: f64 = 100.0;

/// Minimum output-grid points per period at `f_max`. The grid is also the longest
/// integration step, and coarser steps could step over a commutation pair.
const MIN_POINTS_PER_PERIOD: f64 = 20.0;

/// The LLC resonant half-bridge kernel.
pub struct LlcKernel;

/// The registered instance.
pub static LLC: LlcKernel = LlcKernel;

fn parameter_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("v_in", "V", None, 1e5, "input voltage V_in"),
        ParamSpec::positive(
            "l_r",
            "H",
            None,
            1.0,
            "series resonant inductance L_r, transformer leakage included",
        ),
        ParamSpec::positive("c_r", "F", None, 1.0, "series resonant capacitance C_r"),
        ParamSpec::positive("l_m", "H", None, 10.0, "magnetising inductance L_m"),
        ParamSpec::positive(
            "n",
            "1",
            None,
            1e3,
            "turns ratio n, primary to one secondary winding",
        ),
        ParamSpec::positive(
            "c_oss",
            "F",
            None,
            1e-6,
            "output capacitance of one switch; the switch node sees 2·c_oss",
        ),
        ParamSpec::positive("t_dead", "s", None, 1e-3, "deadtime between the two gates"),
        ParamSpec::choice(
            "rectifier",
            &["full_bridge", "centre_tapped"],
            "full_bridge",
            "output rectifier: four diodes, or two on an n:1:1 centre-tapped secondary",
        ),
        ParamSpec::number(
            "v_f",
            "V",
            Some(0.0),
            0.0,
            10.0,
            "threshold voltage of one rectifier diode",
        ),
        ParamSpec::number(
            "r_d",
            "Ω",
            Some(0.0),
            0.0,
            10.0,
            "slope resistance of one rectifier diode",
        ),
        ParamSpec::positive("c_o", "F", None, 10.0, "output capacitance C_o"),
        ParamSpec::number(
            "r_c",
            "Ω",
            Some(0.0),
            0.0,
            10.0,
            "ESR of the output capacitor",
        ),
        ParamSpec::positive("r_load", "Ω", None, 1e9, "design load resistance"),
        ParamSpec {
            name: "r_load_steps",
            unit: "Ω",
            kind: ParamKind::Schedule {
                min: 1e-6,
                max: 1e9,
            },
            default: Some(Value::Schedule(Vec::new())),
            description: "load steps as [time_s, resistance_Ω] pairs; each applies from its time",
            optional: false,
        },
        ParamSpec::number("v_out0", "V", Some(0.0), 0.0, 1e5, "initial output voltage"),
    ]
}

fn control_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "mode",
            &["closed_loop", "open_loop"],
            "closed_loop",
            "closed_loop: PI sets the frequency from the output-voltage error; open_loop: fixed f_sw",
        ),
        optional(ParamSpec::positive(
            "f_sw",
            "Hz",
            None,
            F_SW_LIMIT,
            "open-loop switching frequency, within [f_min, f_max]",
        )),
        optional(ParamSpec::positive(
            "v_ref",
            "V",
            None,
            1e5,
            "output-voltage reference (closed loop)",
        )),
        ParamSpec::positive(
            "f_min",
            "Hz",
            None,
            F_SW_LIMIT,
            "lowest switching frequency; keep it above the peak-gain frequency",
        ),
        ParamSpec::positive(
            "f_max",
            "Hz",
            None,
            F_SW_LIMIT,
            "highest switching frequency, where the converter starts",
        ),
        optional(ParamSpec::number(
            "kp",
            "Hz/V",
            None,
            0.0,
            1e12,
            "proportional gain of the voltage loop (closed loop), frequency reduction per volt of error",
        )),
        optional(ParamSpec::number(
            "ki",
            "Hz/(V·s)",
            None,
            0.0,
            1e15,
            "integral gain of the voltage loop (closed loop)",
        )),
        ParamSpec::positive(
            "ts",
            "s",
            Some(10e-6),
            1.0,
            "sample time of the voltage loop",
        ),
        ParamSpec::number(
            "t_soft_start",
            "s",
            Some(1e-3),
            0.0,
            10.0,
            "soft-start time: reference ramp (closed loop) or frequency sweep from f_max (open loop)",
        ),
    ]
}

fn sim_specs() -> Vec<ParamSpec> {
    let mut specs = simulation_specs();
    if let Some(step) = specs.iter_mut().find(|s| s.name == "output_step") {
        step.description = "output step and longest integration step (default: 1/(100·f_max))";
    }
    if let Some(from) = specs.iter_mut().find(|s| s.name == "steady_state_from") {
        from.description =
            "start of the window for the steady-state metrics (default: last 20 % of the run)";
    }
    specs.extend([
        ParamSpec::integer(
            "gain_points",
            Some(9),
            0,
            200,
            "frequencies of the simulated gain curve at the design load (0: no curve)",
        ),
        optional(ParamSpec::positive(
            "gain_f_min",
            "Hz",
            None,
            F_SW_LIMIT,
            "lowest frequency of the gain curve (default: control.f_min)",
        )),
        optional(ParamSpec::positive(
            "gain_f_max",
            "Hz",
            None,
            F_SW_LIMIT,
            "highest frequency of the gain curve (default: control.f_max)",
        )),
        ParamSpec {
            name: "zvs_loads",
            unit: "1",
            kind: ParamKind::NumberList {
                min: 1e-3,
                max: 10.0,
                min_len: 0,
                max_len: 20,
            },
            default: Some(Value::List(vec![0.1, 0.5, 1.0])),
            description: "loads of the ZVS map as fractions of the design load power (R = r_load/fraction)",
            optional: false,
        },
        ParamSpec::integer(
            "zvs_points",
            Some(4),
            0,
            50,
            "frequencies of the ZVS map from f_min to f_max (0: no map)",
        ),
    ]);
    specs
}

impl ModelKernel for LlcKernel {
    fn info(&self) -> KernelInfo {
        KernelInfo {
            name: "llc",
            summary: "LLC resonant half-bridge with frequency control, ZVS detection, gain curve and ZVS map",
            parameters: parameter_specs(),
            control: control_specs(),
            simulation: sim_specs(),
        }
    }

    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError> {
        let p = inputs.parameters;
        let c = inputs.control;
        let s = inputs.simulation;

        let rectifier = match p.text("rectifier") {
            "centre_tapped" => Rectifier::CentreTapped,
            _ => Rectifier::FullBridge,
        };
        let diodes = rectifier.diodes_in_path();
        let tank = Tank {
            v_in: p.number("v_in"),
            lr: p.number("l_r"),
            cr: p.number("c_r"),
            lm: p.number("l_m"),
            n: p.number("n"),
            c_sw: 2.0 * p.number("c_oss"),
            v_f: diodes * p.number("v_f"),
            r_d: diodes * p.number("r_d"),
            co: p.number("c_o"),
            r_c: p.number("r_c"),
        };
        let r_load = p.number("r_load");
        let load_steps = p.schedule("r_load_steps").to_vec();
        let v_out0 = p.number("v_out0");

        let command = FrequencyCommand::from_params(c, v_out0)?;
        let f_min = c.number("f_min");
        let f_max = c.number("f_max");

        let t_dead = p.number("t_dead");
        let half_period = 0.5 / f_max;
        if t_dead >= half_period {
            return Err(p.error(
                "t_dead",
                format!(
                    "invalid value {t_dead}; expected less than half the shortest switching period, 1/(2·control.f_max) = {half_period:e} s"
                ),
            ));
        }

        let t_stop = s.number("t_stop");
        let output_step = s
            .optional_number("output_step")
            .unwrap_or(1.0 / (DEFAULT_POINTS_PER_PERIOD * f_max));
        let max_step = 1.0 / (MIN_POINTS_PER_PERIOD * f_max);
        if output_step > max_step {
            return Err(s.error(
                "output_step",
                format!(
                    "invalid value {output_step}; expected at most {max_step:e} s, 1/20 of the shortest switching period, so that no commutation is stepped over"
                ),
            ));
        }
        let record_from = s.number("record_from");
        if record_from >= t_stop {
            return Err(s.error(
                "record_from",
                format!(
                    "invalid value {record_from}; expected less than simulation.t_stop = {t_stop} s"
                ),
            ));
        }
        let steady_from = s
            .optional_number("steady_state_from")
            .unwrap_or(0.8 * t_stop);
        if steady_from >= t_stop {
            return Err(s.error(
                "steady_state_from",
                format!(
                    "invalid value {steady_from}; expected less than simulation.t_stop = {t_stop} s"
                ),
            ));
        }
        if t_stop < 1.0 / f_min {
            return Err(s.error(
                "t_stop",
                format!("invalid value {t_stop}; expected at least one switching period at control.f_min, {:e} s", 1.0 / f_min),
            ));
        }

        check_work(s, t_stop, output_step, f_max)?;

        let gain_f_min = s.optional_number("gain_f_min").unwrap_or(f_min);
        let gain_f_max = s.optional_number("gain_f_max").unwrap_or(f_max);
        if gain_f_max < gain_f_min {
            return Err(s.error(
                "gain_f_max",
                format!("invalid value {gain_f_max}; expected at least simulation.gain_f_min = {gain_f_min} Hz"),
            ));
        }
        let gain_max_step = 1.0 / (2.0 * gain_f_max);
        if t_dead >= gain_max_step {
            return Err(p.error(
                "t_dead",
                format!(
                    "invalid value {t_dead}; expected less than half the shortest period of the gain curve, 1/(2·simulation.gain_f_max) = {gain_max_step:e} s"
                ),
            ));
        }
        let sweeps = SweepPlan {
            gain_frequencies: spaced(gain_f_min, gain_f_max, s.integer("gain_points")),
            zvs_loads: s.list("zvs_loads").to_vec(),
            zvs_frequencies: spaced(f_min, f_max, s.integer("zvs_points")),
        };

        check_loop_gain(c, &tank, r_load, &load_steps, &command, f_min, f_max)?;
        let mut warnings = design_warnings(&tank, r_load, &load_steps, &command, f_min, f_max);
        if !inputs.devices.is_empty() {
            // NOTE: the switches are ideal; datasheet losses need a loss model of the
            // resonant turn-off current, which this kernel does not have yet.
            warnings.push(
                "[devices] is ignored by the llc kernel: its switches and diodes are ideal, so no datasheet losses or junction temperatures are computed".into(),
            );
        }
        Ok(Box::new(LlcRun {
            tank,
            t_dead,
            r_load,
            load_steps,
            v_out0,
            command,
            t_stop,
            output_step,
            record_from,
            steady_from,
            sweeps,
            warnings,
        }))
    }
}

/// Rejects a run of more than [`MAX_PERIODS`] switching periods at `f_max`, which
/// bounds the periods because the run never switches faster.
/// Also rejects more output-grid points than [`DEFAULT_POINTS_PER_PERIOD`] per such
/// period, because every grid point is an integration stop, recorded or not.
fn check_work(s: &Params, t_stop: f64, output_step: f64, f_max: f64) -> Result<(), DesignError> {
    let periods = t_stop * f_max;
    if periods > MAX_PERIODS {
        let largest = MAX_PERIODS / f_max;
        return Err(s.error(
            "t_stop",
            format!(
                "invalid value {t_stop}; the run would step through about {periods:.3e} switching periods at control.f_max = {f_max} Hz, more than the {MAX_PERIODS:e} a run may take; expected at most {largest:e} s"
            ),
        ));
    }
    let points = t_stop / output_step;
    let max_points = MAX_PERIODS * DEFAULT_POINTS_PER_PERIOD;
    if points > max_points {
        return Err(s.error(
            "output_step",
            format!(
                "invalid value {output_step}; with simulation.t_stop = {t_stop} s the run would take {points:.3e} grid steps, more than the {max_points:e} a run may take; expected at least {:e} s",
                t_stop / max_points
            ),
        ));
    }
    Ok(())
}

/// Largest accepted `kp·G_0`, the proportional loop gain at DC. See [`check_loop_gain`].
const MAX_PROPORTIONAL_LOOP_GAIN: f64 = 1.0;

/// Rejects voltage-loop gains for which the sampled loop is unstable.
///
/// Model: near its operating point the converter is taken as a static gain
/// `G_0 = −dV_out/df = −(V_in/(2n))·dM/df` [V/Hz] from the first-harmonic
/// approximation ([`Fha`]), at the frequency where `M` equals the gain the reference
/// needs, `n·(v_ref + V_F)/(V_in/2)`, for each load of the design. The controller
/// `f[k] = f[k−1] − kp·(e[k] − e[k−1]) − ki·ts·e[k]` acts on the output one sample
/// later, `v[k+1] = −G_0·f[k]`, which gives the characteristic polynomial
///
/// ```text
/// z² + (a − 1)·z + (b − a) = 0,   a = kp·G_0,  b = ki·ts·G_0
/// ```
///
/// Jury's conditions for both roots inside the unit circle are `b > 0`,
/// `a < 1 + b/2` and `b < 1 + a`. The check rejects `a > MAX_PROPORTIONAL_LOOP_GAIN + b/2`
/// and `b > 1 + a`.
///
/// Limits: the model ignores the output filter (`C_o` with the load) and the tank's
/// own settling. The bound is therefore necessary, not sufficient: `kp = 5000` in
/// the example passes it and still oscillates, which the run's limit-cycle check reports.
fn check_loop_gain(
    c: &Params,
    tank: &Tank,
    r_load: f64,
    load_steps: &[(f64, f64)],
    command: &FrequencyCommand,
    f_min: f64,
    f_max: f64,
) -> Result<(), DesignError> {
    let FrequencyCommand::ClosedLoop { v_ref, ts, .. } = command else {
        return Ok(());
    };
    let (kp, ki) = (
        c.optional_number("kp").unwrap_or(0.0),
        c.optional_number("ki").unwrap_or(0.0),
    );
    let gain_needed = tank.n * (v_ref + tank.v_f) / (0.5 * tank.v_in);
    let loads = std::iter::once(r_load).chain(load_steps.iter().map(|(_, r)| *r));
    for r in loads {
        let fha = Fha::new(tank, r);
        let Some(f_op) = fha.frequency_for_gain(gain_needed, f_min, f_max) else {
            continue;
        };
        let g0 = -0.5 * tank.v_in / tank.n * fha.slope(f_op);
        if g0.is_nan() || g0 <= 0.0 {
            continue;
        }
        let (a, b) = (kp * g0, ki * ts * g0);
        if a > MAX_PROPORTIONAL_LOOP_GAIN + 0.5 * b {
            return Err(c.error(
                "kp",
                format!(
                    "invalid value {kp} Hz/V; the plant gain at the operating point ({f_op:.0} Hz, load {r} Ω, first-harmonic approximation) is {g0:.3e} V/Hz, so kp·G_0 = {a:.3} and the sampled loop is unstable; expected at most {:.4e} Hz/V",
                    (MAX_PROPORTIONAL_LOOP_GAIN + 0.5 * b) / g0
                ),
            ));
        }
        if b > 1.0 + a {
            return Err(c.error(
                "ki",
                format!(
                    "invalid value {ki} Hz/(V·s); the plant gain at the operating point ({f_op:.0} Hz, load {r} Ω, first-harmonic approximation) is {g0:.3e} V/Hz, so ki·ts·G_0 = {b:.3} and the sampled loop is unstable; expected at most {:.4e} Hz/(V·s)",
                    (1.0 + a) / (ts * g0)
                ),
            ));
        }
    }
    Ok(())
}

/// `count` frequencies evenly spaced from `lo` to `hi` [Hz] (one point: `lo`).
fn spaced(lo: f64, hi: f64, count: usize) -> Vec<f64> {
    match count {
        0 => Vec::new(),
        1 => vec![lo],
        _ => (0..count)
            .map(|i| lo + (hi - lo) * i as f64 / (count - 1) as f64)
            .collect(),
    }
}

/// Warnings known before the run: a reference the FHA gain range cannot reach, and a
/// frequency range that extends below the peak-gain frequency, where the loop's sign
/// reverses.
fn design_warnings(
    tank: &Tank,
    r_load: f64,
    load_steps: &[(f64, f64)],
    command: &FrequencyCommand,
    f_min: f64,
    f_max: f64,
) -> Vec<String> {
    let mut warnings = Vec::new();
    let Some(v_ref) = command.v_ref() else {
        return warnings;
    };
    let gain_needed = tank.n * (v_ref + tank.v_f) / (0.5 * tank.v_in);
    let loads = std::iter::once(r_load).chain(load_steps.iter().map(|(_, r)| *r));
    for r in loads {
        let fha = Fha::new(tank, r);
        let (lo, hi) = fha.gain_range(f_min, f_max);
        if gain_needed > hi || gain_needed < lo {
            warnings.push(format!(
                "control.v_ref = {v_ref} V needs a tank gain of {gain_needed:.4} at load {r} Ω, outside the range {lo:.4} to {hi:.4} that the first-harmonic approximation gives for {f_min} Hz to {f_max} Hz; the output will not reach the reference (change n, the tank, or the frequency limits)"
            ));
        }
        let (f_peak, _) = fha.peak();
        if f_min < f_peak {
            warnings.push(format!(
                "control.f_min = {f_min} Hz is below the peak-gain frequency {f_peak:.0} Hz (first-harmonic approximation) at load {r} Ω; below it the gain rises with frequency, the voltage loop's sign reverses and ZVS is lost"
            ));
        }
    }
    warnings
}
