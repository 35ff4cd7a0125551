//! The switched piecewise-linear engine.
//!
//! A circuit with `k` switches and diodes is a set of linear models
//! `dx/dt = A_σ x + B_σ u`, one per configuration `σ`. Between two events the
//! configuration is fixed and, with the inputs held at their value at the middle of the
//! step, the state advances exactly:
//!
//! ```text
//! x(t + h) = Φ_σ(h) x(t) + Γ_σ(h) u,   Φ = e^{A h},   Γ = ∫₀ʰ e^{A s} ds · B
//! ```
//!
//! (see [`pelab_linalg::discretize_zoh`]). There is no truncation error for DC
//! sources; for PULSE and PWL sources every corner ends a step, so the held midpoint
//! value is the exact average of a linear piece. Steps end at
//!
//! - output samples (a uniform grid of step `output_step`),
//! - gate edges, known ahead from PWM carriers or gate sources,
//! - controller sampling instants and source breakpoints,
//! - diode commutations: after each step the engine checks every diode
//!   (a conducting diode whose current has turned negative, a blocking diode whose
//!   voltage exceeds `Vfwd`) and, when one is violated, locates the first crossing by
//!   Illinois root finding on the exact solution `x(τ) = Φ(τ) x + Γ(τ) u`.
//!
//! After every event the diode states are made consistent with the circuit by flipping
//! the most violated diode until none is violated, so a switch turning off hands its
//! current to the freewheeling diode at the same instant, and DCM arises by itself.
//!
//! Limitations: a diode that commutes twice within one output step is seen only when it
//! ends the step in a violated state, so `output_step` should stay well below the
//! fastest commutation interval (the converter kernels enforce `T_sw / 20`). Circuits
//! with saturating inductors or self-heating resistors run on the ODE path in
//! `nonlinear`.

mod cache;
pub mod energy;
pub mod gates;
mod linear;
mod nonlinear;
mod plan;

pub use cache::CacheStats;
pub use energy::{ElementEnergy, EnergyBalance, stored_energy};
pub use gates::{GateControl, Measurements, NetlistGates};

use serde::Serialize;

use plan::{OutputPlan, Quantity};

use crate::circuit::Circuit;
use crate::sources::{PulseDefaults, value_at};

/// Most grid steps a run may take, recorded or not: at a few million steps per second
/// this bounds a run to about ten minutes.
pub const MAX_GRID_STEPS: f64 = 2e9;

/// Default budget of recorded samples per run.
pub const DEFAULT_MAX_SAMPLES: usize = 20_000_000;

/// Settings of one run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// End time [s].
    pub t_stop: f64,
    /// Output step: the spacing of recorded samples and the longest engine step [s].
    pub output_step: f64,
    /// Time from which samples are recorded [s].
    pub record_from: f64,
    /// Largest number of samples the run may record.
    pub max_samples: usize,
    /// Probe names to record; empty records [`default_probes`].
    pub probes: Vec<String>,
    /// Rise and fall time of PULSE sources that leave them out [s] (SPICE uses the
    /// `.tran` step).
    pub pulse_edge_default: f64,
    /// Whether to integrate the energy balance.
    pub energy: bool,
    /// Start of the window over which per-element energies are also integrated [s]
    /// (typically the steady state).
    pub window_from: f64,
    /// Whether to record, at every switching event, the samples just before and just
    /// after it (with equal times) besides the uniform output grid.
    pub record_events: bool,
}

impl RunOptions {
    /// Options with defaults for everything but the end time and output step.
    pub fn new(t_stop: f64, output_step: f64) -> Self {
        Self {
            t_stop,
            output_step,
            record_from: 0.0,
            max_samples: DEFAULT_MAX_SAMPLES,
            probes: Vec::new(),
            pulse_edge_default: 0.0,
            energy: true,
            window_from: 0.0,
            record_events: true,
        }
    }

    /// Number of samples the run will record.
    pub fn sample_count(&self) -> usize {
        let first = (self.record_from / self.output_step).ceil();
        let last = (self.t_stop / self.output_step * (1.0 + 4.0 * f64::EPSILON)).floor();
        if last < first {
            0
        } else {
            (last - first + 1.0).min(usize::MAX as f64) as usize
        }
    }

    /// Checks the options.
    ///
    /// # Errors
    /// [`SimError::InvalidOption`] naming the option, its value and the accepted range.
    pub fn validate(&self) -> Result<(), SimError> {
        let invalid = |field: &str, value: f64, range: &str| SimError::InvalidOption {
            field: field.to_string(),
            value: value.to_string(),
            expected: range.to_string(),
        };
        if !(self.t_stop.is_finite() && self.t_stop > 0.0) {
            return Err(invalid(
                "t_stop",
                self.t_stop,
                "a finite time greater than 0 s",
            ));
        }
        if !(self.output_step.is_finite() && self.output_step > 0.0) {
            return Err(invalid(
                "output_step",
                self.output_step,
                "a finite time greater than 0 s",
            ));
        }
        if self.output_step > self.t_stop {
            return Err(invalid(
                "output_step",
                self.output_step,
                &format!("at most t_stop = {} s", self.t_stop),
            ));
        }
        if !(self.record_from.is_finite()
            && self.record_from >= 0.0
            && self.record_from < self.t_stop)
        {
            return Err(invalid(
                "record_from",
                self.record_from,
                &format!("0 s up to (not including) t_stop = {} s", self.t_stop),
            ));
        }
        if !(self.window_from.is_finite()
            && self.window_from >= 0.0
            && self.window_from < self.t_stop)
        {
            return Err(invalid(
                "window_from",
                self.window_from,
                &format!("0 s up to (not including) t_stop = {} s", self.t_stop),
            ));
        }
        if !(self.pulse_edge_default.is_finite() && self.pulse_edge_default >= 0.0) {
            return Err(invalid(
                "pulse_edge_default",
                self.pulse_edge_default,
                "a finite time of at least 0 s",
            ));
        }
        let steps = self.t_stop / self.output_step;
        if steps > MAX_GRID_STEPS {
            return Err(invalid(
                "output_step",
                self.output_step,
                &format!(
                    "at least t_stop / {MAX_GRID_STEPS:e} = {:e} s: the engine steps on the output \
                     grid from t = 0 even before record_from, and {steps:.3e} steps would take hours",
                    self.t_stop / MAX_GRID_STEPS
                ),
            ));
        }
        let samples = (self.t_stop - self.record_from) / self.output_step;
        if samples >= self.max_samples as f64 {
            return Err(SimError::SampleBudget {
                requested: samples.ceil(),
                max_samples: self.max_samples,
            });
        }
        Ok(())
    }
}

/// Where recorded samples go, one call per output sample.
pub trait SampleSink {
    /// Receives the recorded signals before the first sample.
    ///
    /// # Errors
    /// A message when the sink cannot record these signals; the run stops with it.
    fn begin(&mut self, _signals: &[SignalSpec]) -> Result<(), String> {
        Ok(())
    }

    /// Stores the values of every recorded signal at time `t` [s].
    ///
    /// # Errors
    /// A message when the sink cannot take more samples; the run stops with it.
    fn push(&mut self, t: f64, values: &[f64]) -> Result<(), String>;
}

/// A recorded signal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalSpec {
    /// Name, e.g. `i(L1)`, `v(out)`, `duty`.
    pub name: String,
    /// Unit symbol.
    pub unit: String,
}

/// Counters of a run, for reports and regression tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct RunStats {
    /// Engine steps taken (state updates).
    pub steps: usize,
    /// Recorded samples.
    pub samples: usize,
    /// Gate edges processed.
    pub gate_edges: usize,
    /// Controller sampling instants.
    pub control_instants: usize,
    /// Diode commutations located inside a step.
    pub located_events: usize,
    /// Diode state changes, including those at gate edges.
    pub diode_commutations: usize,
    /// Configuration and exponential cache counters.
    pub cache: CacheStats,
    /// Steps taken by the ODE solver on the nonlinear path.
    pub ode_steps: usize,
}

/// What a run returns besides the samples it pushed.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    /// Recorded signals, in the order of the pushed values.
    pub signals: Vec<SignalSpec>,
    /// Counters.
    pub stats: RunStats,
    /// Energy balance (zero when not requested).
    pub energy: EnergyBalance,
    /// Energy of each source, resistive element and controlled source between
    /// `window_from` and `t_stop` (empty when energy is not requested).
    pub window_energy: Vec<ElementEnergy>,
    /// State names.
    pub state_names: Vec<String>,
    /// State at `t_stop`.
    pub final_state: Vec<f64>,
    /// Whether the nonlinear ODE path ran.
    pub nonlinear: bool,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// An option is out of range.
    #[error("invalid {field}: {value}; expected {expected}")]
    InvalidOption {
        /// Option name.
        field: String,
        /// Value given.
        value: String,
        /// Accepted range.
        expected: String,
    },
    /// The run would record more samples than allowed.
    #[error(
        "the run would record about {requested} samples, more than the budget of {max_samples}; \
         increase the output step (simulation.output_step, or the .tran step of a netlist), \
         start recording later (simulation.record_from, or the .tran start), or raise the \
         budget (simulation.max_samples, or pelab sim run --max-samples)"
    )]
    SampleBudget {
        /// Samples the options imply.
        requested: f64,
        /// The budget.
        max_samples: usize,
    },
    /// A probe name that is not in the circuit.
    #[error("unknown signal '{name}'; available signals include: {available}")]
    UnknownSignal {
        /// The name asked for.
        name: String,
        /// A sample of valid names.
        available: String,
    },
    /// A configuration's equations are singular.
    #[error(transparent)]
    Singular(#[from] crate::circuit::mna::SingularCircuit),
    /// The diodes found no consistent state.
    #[error(
        "at t = {t:e} s no consistent conduction state was found for diodes {diodes}; the circuit may force current into a blocking diode"
    )]
    Inconsistent {
        /// Time [s].
        t: f64,
        /// Diodes that kept toggling.
        diodes: String,
    },
    /// The state left the finite numbers.
    #[error(
        "the simulation diverged at t = {t:e} s (state {state} is {value}); the circuit is unstable or a controller gain is far too high"
    )]
    Diverged {
        /// Time [s].
        t: f64,
        /// Name of the first non-finite or huge state.
        state: String,
        /// Its value.
        value: f64,
    },
    /// The sink refused a sample.
    #[error("recording failed: {0}")]
    Sink(String),
    /// The ODE path failed.
    #[error("nonlinear solver failed: {0}")]
    Ode(String),
}

/// States beyond this magnitude count as diverged: a power stage never reaches
/// 10¹² A or V, while a mistuned loop does within a few periods.
pub(crate) const DIVERGENCE_LIMIT: f64 = 1e12;

/// Consecutive diode events shorter than 10⁻⁹ output steps after which the engine
/// gives up: such chattering means no consistent conduction state exists.
pub(crate) const MAX_TINY_EVENTS: usize = 1000;

/// Probes recorded when the caller names none: node voltages, inductor currents,
/// capacitor voltages, source, switch and diode currents, and gate states.
pub fn default_probes(circuit: &Circuit) -> Vec<String> {
    use crate::circuit::BranchKind as K;
    let mut names: Vec<String> = circuit
        .nodes
        .iter()
        .skip(1)
        .map(|n| format!("v({n})"))
        .collect();
    for branch in &circuit.branches {
        match branch.kind {
            K::Inductor { .. }
            | K::VoltageSource { .. }
            | K::CurrentSource { .. }
            | K::Switch { .. }
            | K::Diode { .. } => names.push(format!("i({})", branch.name)),
            K::Capacitor { .. } => names.push(format!("vd({})", branch.name)),
            _ => {}
        }
    }
    names.extend(circuit.switches.iter().map(|s| format!("gate({})", s.name)));
    names.extend(
        circuit
            .states
            .iter()
            .filter(|s| s.name.starts_with("temp("))
            .map(|s| s.name.clone()),
    );
    names
}

/// Runs `circuit` with gates from `gates`, pushing samples into `sink`.
///
/// `progress` is called now and then with the fraction of simulated time done.
///
/// # Errors
/// [`SimError`] for bad options, unknown probes, singular or inconsistent
/// configurations, divergence, or a sink that refuses samples.
pub fn run(
    circuit: &Circuit,
    gates: &mut dyn GateControl,
    options: &RunOptions,
    sink: &mut dyn SampleSink,
    progress: &mut dyn FnMut(f64),
) -> Result<RunReport, SimError> {
    options.validate()?;
    if circuit.is_nonlinear() {
        return nonlinear::run(circuit, gates, options, sink, progress);
    }
    let mut engine = linear::Engine::new(circuit, gates, options)?;
    engine.run(sink, progress)?;
    Ok(engine.report())
}

/// Resolves probe names into quantities.
pub(crate) fn resolve_probes(
    circuit: &Circuit,
    names: &[String],
    plan: &mut OutputPlan,
) -> Result<(Vec<Quantity>, Vec<SignalSpec>), SimError> {
    let available = circuit.available_probes();
    let mut quantities = Vec::new();
    let mut specs = Vec::new();
    for name in names {
        let Some(probe) = available.iter().find(|p| p.name.eq_ignore_ascii_case(name)) else {
            let sample: Vec<&str> = available.iter().take(12).map(|p| p.name.as_str()).collect();
            return Err(SimError::UnknownSignal {
                name: name.clone(),
                available: sample.join(", "),
            });
        };
        quantities.push(plan.quantity(probe.kind));
        specs.push(SignalSpec {
            name: probe.name.clone(),
            unit: probe.unit.to_string(),
        });
    }
    Ok((quantities, specs))
}

/// Input vector at time `t`: source values followed by the constant 1.
pub(crate) fn inputs_at(circuit: &Circuit, t: f64, defaults: PulseDefaults, u: &mut [f64]) {
    for (value, source) in u.iter_mut().zip(&circuit.sources) {
        *value = value_at(&source.waveform, t, defaults);
    }
    if let Some(last) = u.last_mut() {
        *last = 1.0;
    }
}

/// Scale of the circuit's voltages [V], for the diode tolerances.
pub(crate) fn voltage_scale(circuit: &Circuit) -> f64 {
    use crate::netlist::Waveform;
    circuit
        .sources
        .iter()
        .map(|s| match &s.waveform {
            Waveform::Dc(v) => v.abs(),
            Waveform::Pulse(p) => p.v1.abs().max(p.v2.abs()),
            Waveform::Sine(s) => s.offset.abs() + s.amplitude.abs(),
            Waveform::Pwl(points) => points.iter().fold(0.0_f64, |m, p| m.max(p.1.abs())),
        })
        .fold(1.0, f64::max)
}

/// Violation of a diode beyond the consistency tolerance, in volts; positive means the
/// diode must change state.
///
/// `violation` is the diode's row of [`crate::circuit::ConfigModel::diode_violation`]
/// applied to `[x; u]`: a current for a conducting diode, a voltage for a blocking one.
/// `tolerance_v` is `10⁻⁹` of the circuit's voltage scale, far below any physical
/// voltage but above the round-off of the state update. Currents are converted to
/// volts through `max(Ron, 1 Ω)`: through `Ron` alone, a diode of 1 µΩ would tolerate
/// tens of milliamperes of reverse current, enough to make it chatter.
pub(crate) fn diode_excess(ron: f64, on: bool, violation: f64, tolerance_v: f64) -> f64 {
    if on {
        violation * ron.max(CURRENT_TOLERANCE_RESISTANCE) - tolerance_v
    } else {
        violation - tolerance_v
    }
}

/// Resistance [Ω] that turns the voltage tolerance into the current tolerance of a
/// conducting diode with a smaller on-resistance.
const CURRENT_TOLERANCE_RESISTANCE: f64 = 1.0;
