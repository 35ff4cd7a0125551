//! Design-file parameters of the PMSM drive and their translation into a run
//! configuration, with every check that can be made before the run.

use pelab_components::loss::SwitchModel;
use pelab_control::foc::MotorParams;
use pelab_control::svpwm::ZeroSequence;

use super::control::{ControlMode, FocConfig};
use super::machine::{Load, Machine, Plant};
use crate::kernels::params::{DesignError, ParamKind, ParamSpec, Params, Value};
use crate::kernels::stage::optional;
use crate::models::ModelInputs;
use crate::models::three_phase::{DcLink, InverterModel, LegParams};
use crate::semiconductors::resolve_with_gate_drive;

/// rad/s per rpm.
pub const RAD_PER_S_PER_RPM: f64 = std::f64::consts::TAU / 60.0;

/// Switch positions of the inverter: S1, S3, S5 upper (phases a, b, c), S2, S4, S6 lower.
pub const POSITIONS: [&str; 6] = ["S1", "S2", "S3", "S4", "S5", "S6"];

fn schedule(
    name: &'static str,
    unit: &'static str,
    max: f64,
    description: &'static str,
) -> ParamSpec {
    ParamSpec {
        name,
        unit,
        kind: ParamKind::Schedule { min: -max, max },
        default: Some(Value::Schedule(Vec::new())),
        description,
        optional: false,
    }
}

/// `[parameters]`: inverter, DC link, machine and load.
pub fn parameter_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "inverter_model",
            &["switching", "averaged"],
            "switching",
            "inverter fidelity: six switches with deadtime and exact PWM edges, or the per-period average with the deadtime voltage error",
        ),
        ParamSpec::choice(
            "modulation",
            &["svpwm", "dpwm0", "dpwm1", "dpwm2", "dpwm_min", "dpwm_max"],
            "svpwm",
            "zero-sequence injection: centred space vectors (min-max) or a discontinuous PWM variant",
        ),
        ParamSpec::positive("f_sw", "Hz", None, 1e6, "switching frequency"),
        ParamSpec::number("t_dead", "s", Some(0.0), 0.0, 1e-4, "deadtime of each leg"),
        ParamSpec::positive(
            "r_on",
            "Ω",
            Some(5e-3),
            10.0,
            "on-state resistance of each switch, both directions",
        ),
        ParamSpec::number(
            "v_f",
            "V",
            Some(1.0),
            0.0,
            10.0,
            "threshold voltage of each antiparallel diode",
        ),
        ParamSpec::number(
            "r_d",
            "Ω",
            Some(5e-3),
            0.0,
            10.0,
            "slope resistance of each antiparallel diode",
        ),
        ParamSpec::positive("v_dc", "V", None, 1e5, "DC source voltage"),
        ParamSpec::positive(
            "r_dc",
            "Ω",
            Some(10e-3),
            1e3,
            "DC source internal resistance",
        ),
        ParamSpec::number(
            "l_dc",
            "H",
            Some(0.0),
            0.0,
            1.0,
            "DC source inductance (0: none)",
        ),
        ParamSpec::positive("c_dc", "F", None, 10.0, "DC-link capacitance"),
        ParamSpec::number("r_esr", "Ω", Some(1e-3), 0.0, 10.0, "DC-link capacitor ESR"),
        ParamSpec::positive("r_s", "Ω", None, 100.0, "stator phase resistance"),
        ParamSpec::positive("l_d", "H", None, 10.0, "d-axis inductance"),
        ParamSpec::positive("l_q", "H", None, 10.0, "q-axis inductance (at least l_d)"),
        optional(ParamSpec::positive(
            "psi",
            "V·s",
            None,
            100.0,
            "magnet flux linkage, peak per phase (give psi or k_e)",
        )),
        optional(ParamSpec::positive(
            "k_e",
            "V·s/rad",
            None,
            1e3,
            "back-EMF constant: peak phase voltage per mechanical rad/s, p·psi (give psi or k_e)",
        )),
        ParamSpec::integer("pole_pairs", None, 1, 100, "pole pairs"),
        ParamSpec::positive("j", "kg·m²", None, 1e4, "inertia of rotor and load"),
        ParamSpec::number("b", "N·m·s/rad", Some(0.0), 0.0, 1e3, "viscous friction"),
        ParamSpec::number(
            "load_t0",
            "N·m",
            Some(0.0),
            -1e5,
            1e5,
            "constant load torque",
        ),
        ParamSpec::number(
            "load_k1",
            "N·m·s/rad",
            Some(0.0),
            -1e3,
            1e3,
            "load torque per mechanical rad/s",
        ),
        ParamSpec::number(
            "load_k2",
            "N·m·s²/rad²",
            Some(0.0),
            -1e3,
            1e3,
            "load torque per (rad/s)², applied as k2·ω·abs(ω) so it opposes motion both ways",
        ),
        schedule(
            "load_steps",
            "N·m",
            1e5,
            "added load torque as [time_s, torque_Nm] steps",
        ),
        ParamSpec::choice(
            "mechanics",
            &["free", "held"],
            "free",
            "rotor speed from the torque balance, or held at n0 by a dynamometer",
        ),
        ParamSpec::number("n0", "rpm", Some(0.0), -1e5, 1e5, "initial (or held) speed"),
        optional(ParamSpec::positive(
            "envelope_n_max",
            "rpm",
            None,
            1e6,
            "top speed of the torque-speed envelope (default: 4 × base speed)",
        )),
        ParamSpec::integer(
            "envelope_points",
            Some(41),
            2,
            10_000,
            "speeds in the torque-speed envelope",
        ),
    ]
}

/// `[control]`: FOC settings.
pub fn control_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "mode",
            &["torque", "speed"],
            "torque",
            "outer loop: torque reference or speed PI",
        ),
        schedule(
            "torque_ref",
            "N·m",
            1e6,
            "torque reference as [time_s, torque_Nm] steps (torque mode)",
        ),
        schedule(
            "speed_ref",
            "rpm",
            1e6,
            "speed reference as [time_s, rpm] steps (speed mode)",
        ),
        ParamSpec::positive(
            "current_bandwidth",
            "Hz",
            Some(300.0),
            1e6,
            "current-loop bandwidth f_c; gains kp = 2π·f_c·L, ki = 2π·f_c·R_s",
        ),
        ParamSpec::positive(
            "speed_bandwidth",
            "Hz",
            Some(10.0),
            1e5,
            "speed-loop crossover (speed mode)",
        ),
        ParamSpec::positive("i_max", "A", None, 1e6, "peak phase current limit"),
        ParamSpec::choice(
            "sampling",
            &["single", "double"],
            "single",
            "control samples per PWM period: at the carrier valley, or at valley and peak",
        ),
        ParamSpec::positive(
            "fw_margin",
            "1",
            Some(0.95),
            1.0,
            "fraction of v_dc/√3 the MTPA/field-weakening references may use",
        ),
    ]
}

/// `[simulation]`.
pub fn simulation_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::positive("t_stop", "s", None, 1e4, "simulated time"),
        optional(ParamSpec::positive(
            "output_step",
            "s",
            None,
            1e3,
            "recording interval (default: switching period / 10)",
        )),
        ParamSpec::number(
            "record_from",
            "s",
            Some(0.0),
            0.0,
            1e4,
            "time from which samples are recorded",
        ),
        optional(ParamSpec::number(
            "steady_state_from",
            "s",
            None,
            0.0,
            1e4,
            "start of the window for the steady-state metrics (default: last 20 % of the run)",
        )),
        ParamSpec::integer(
            "max_samples",
            Some(crate::engine::DEFAULT_MAX_SAMPLES as i64),
            1,
            1_000_000_000,
            "largest number of samples the run may record",
        ),
    ]
}

/// One inverter position with its library part.
pub struct PositionPart {
    /// Position name, `S1` to `S6`.
    pub position: &'static str,
    /// Part name as given.
    pub part: String,
    /// The part's loss model.
    pub model: Box<dyn SwitchModel>,
}

/// Everything a run needs, checked.
pub struct DriveConfig {
    /// Plant.
    pub plant: Plant,
    /// Controller settings.
    pub foc: FocConfig,
    /// Fidelity level.
    pub model: InverterModel,
    /// Control samples per PWM period, 1 or 2.
    pub samples_per_period: usize,
    /// Simulated time [s].
    pub t_stop: f64,
    /// Recording interval [s].
    pub output_step: f64,
    /// Start of recording [s].
    pub record_from: f64,
    /// Start of the metrics window [s].
    pub steady_from: f64,
    /// Initial mechanical speed [rad/s].
    pub omega0: f64,
    /// Envelope top speed [rpm], if given.
    pub envelope_n_max: Option<f64>,
    /// Envelope rows.
    pub envelope_points: usize,
    /// Parts at the positions named in `[devices]`.
    pub devices: Vec<PositionPart>,
    /// `[thermal]`.
    pub thermal: Params,
    /// Notes from part resolution.
    pub notes: Vec<String>,
}

impl DriveConfig {
    /// Reads and checks the design sections.
    ///
    /// # Errors
    /// [`DesignError`] naming the field, the value and the accepted range.
    pub fn from_inputs(inputs: &ModelInputs<'_>) -> Result<Self, DesignError> {
        let p = inputs.parameters;
        let c = inputs.control;
        let s = inputs.simulation;

        let pole_pairs = p.integer("pole_pairs");
        let psi = match (p.optional_number("psi"), p.optional_number("k_e")) {
            (Some(psi), None) => psi,
            (None, Some(k_e)) => k_e / pole_pairs as f64,
            (Some(psi), Some(k_e)) => {
                return Err(p.error(
                    "psi",
                    format!("psi = {psi} V·s and k_e = {k_e} V·s/rad are both given; expected one of them (k_e = pole_pairs·psi)"),
                ));
            }
            (None, None) => {
                return Err(p.error(
                    "psi",
                    "missing; expected the magnet flux linkage psi [V·s] or the back-EMF constant k_e [V·s/rad]",
                ));
            }
        };
        let (r_s, l_d, l_q) = (p.number("r_s"), p.number("l_d"), p.number("l_q"));
        if l_d > l_q {
            return Err(p.error(
                "l_d",
                format!("invalid value {l_d}; expected at most l_q = {l_q} H (interior or surface magnets; reluctance machines with l_d > l_q are not supported by the MTPA and field-weakening blocks)"),
            ));
        }
        let motor = MotorParams::new(r_s, l_d, l_q, psi, pole_pairs as u32)
            .map_err(|e| p.error("r_s", format!("invalid machine parameters: {e}")))?;

        let f_sw = p.number("f_sw");
        let period = 1.0 / f_sw;
        let t_dead = p.number("t_dead");
        if t_dead >= 0.25 * period {
            return Err(p.error(
                "t_dead",
                format!("invalid value {t_dead}; expected less than a quarter of the switching period ({} s)", 0.25 * period),
            ));
        }

        let t_stop = s.number("t_stop");
        if t_stop < period {
            return Err(s.error(
                "t_stop",
                format!(
                    "invalid value {t_stop}; expected at least one switching period ({period} s)"
                ),
            ));
        }
        let samples_per_period = if c.text("sampling") == "double" { 2 } else { 1 };
        let ts = period / samples_per_period as f64;
        let work = t_stop / ts;
        if work > crate::models::MAX_PERIODS {
            return Err(s.error(
                "t_stop",
                format!(
                    "invalid value {t_stop} s; the run would step through {work:.3e} control periods (t_stop·f_sw·samples per period), more than the work budget of {:.0e}; expected at most {:.4} s at f_sw = {f_sw} Hz with {samples_per_period} control sample(s) per period",
                    crate::models::MAX_PERIODS,
                    crate::models::MAX_PERIODS * ts
                ),
            ));
        }
        let output_step = s.optional_number("output_step").unwrap_or(period / 10.0);
        let record_from = s.number("record_from");
        if record_from >= t_stop {
            return Err(s.error(
                "record_from",
                format!("invalid value {record_from}; expected less than t_stop = {t_stop} s"),
            ));
        }
        let steady_from = s
            .optional_number("steady_state_from")
            .unwrap_or(0.8 * t_stop);
        if steady_from >= t_stop {
            return Err(s.error(
                "steady_state_from",
                format!("invalid value {steady_from}; expected less than t_stop = {t_stop} s"),
            ));
        }

        let mode = match c.text("mode") {
            "speed" => {
                let steps = c.schedule("speed_ref");
                if steps.is_empty() {
                    return Err(c.error(
                        "speed_ref",
                        "missing; expected [[time_s, rpm], ...] in speed mode",
                    ));
                }
                ControlMode::Speed(
                    steps
                        .iter()
                        .map(|&(t, n)| (t, n * RAD_PER_S_PER_RPM))
                        .collect(),
                )
            }
            _ => {
                let steps = c.schedule("torque_ref");
                if steps.is_empty() {
                    return Err(c.error(
                        "torque_ref",
                        "missing; expected [[time_s, torque_Nm], ...] in torque mode",
                    ));
                }
                ControlMode::Torque(steps.to_vec())
            }
        };
        let modulation = match p.text("modulation") {
            "dpwm0" => ZeroSequence::Dpwm0,
            "dpwm1" => ZeroSequence::Dpwm1,
            "dpwm2" => ZeroSequence::Dpwm2,
            "dpwm_min" => ZeroSequence::DpwmMin,
            "dpwm_max" => ZeroSequence::DpwmMax,
            _ => ZeroSequence::MinMax,
        };
        let foc = FocConfig {
            motor,
            ts,
            current_bandwidth: std::f64::consts::TAU * c.number("current_bandwidth"),
            speed_bandwidth: std::f64::consts::TAU * c.number("speed_bandwidth"),
            inertia: p.number("j"),
            i_max: c.number("i_max"),
            fw_margin: c.number("fw_margin"),
            modulation,
            mode,
        };

        let machine = Machine {
            r_s,
            l_d,
            l_q,
            psi,
            pole_pairs: pole_pairs as f64,
            j: p.number("j"),
            b: p.number("b"),
            load: Load {
                t0: p.number("load_t0"),
                k1: p.number("load_k1"),
                k2: p.number("load_k2"),
                steps: p.schedule("load_steps").to_vec(),
            },
            speed_held: p.text("mechanics") == "held",
        };
        let plant = Plant {
            machine,
            legs: LegParams {
                f_sw,
                t_dead,
                r_on: p.number("r_on"),
                v_f: p.number("v_f"),
                r_d: p.number("r_d"),
            },
            link: DcLink {
                v_source: p.number("v_dc"),
                r_source: p.number("r_dc"),
                l_source: p.number("l_dc"),
                c_dc: p.number("c_dc"),
                r_esr: p.number("r_esr"),
            },
        };
        let model = if p.text("inverter_model") == "averaged" {
            InverterModel::Averaged
        } else {
            InverterModel::Switching
        };

        let mut notes = Vec::new();
        let devices = resolve_parts(inputs, &mut notes)?;

        Ok(Self {
            plant,
            foc,
            model,
            samples_per_period,
            t_stop,
            output_step,
            record_from,
            steady_from,
            omega0: p.number("n0") * RAD_PER_S_PER_RPM,
            envelope_n_max: p.optional_number("envelope_n_max"),
            envelope_points: p.integer("envelope_points"),
            devices,
            thermal: inputs.thermal.clone(),
            notes,
        })
    }

    /// Switching period [s].
    pub fn period(&self) -> f64 {
        1.0 / self.plant.legs.f_sw
    }
}

/// Resolves `[devices]`: `S1` to `S6` each, or `all` for one part at every position.
fn resolve_parts(
    inputs: &ModelInputs<'_>,
    notes: &mut Vec<String>,
) -> Result<Vec<PositionPart>, DesignError> {
    let mut parts = Vec::new();
    let all = inputs
        .devices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("all"));
    for name in inputs.devices.keys() {
        let known = name.eq_ignore_ascii_case("all")
            || POSITIONS.iter().any(|p| p.eq_ignore_ascii_case(name));
        if !known {
            return Err(DesignError::new(
                format!("devices.{name}"),
                format!(
                    "this kernel has no position {name} (positions: all, {})",
                    POSITIONS.join(", ")
                ),
            ));
        }
    }
    for position in POSITIONS {
        let entry = inputs
            .devices
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(position))
            .or(all);
        if let Some((name, part)) = entry {
            let model = resolve_with_gate_drive(part, inputs.gate_drive, notes)
                .map_err(|m| DesignError::new(format!("devices.{name}"), m))?;
            parts.push(PositionPart {
                position,
                part: part.clone(),
                model,
            });
        }
    }
    Ok(parts)
}
