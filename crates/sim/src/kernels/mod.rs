//! Converter kernels: parameterised netlist templates with their gate drive, control
//! and summary.
//!
//! A kernel turns validated parameters into a SPICE netlist (the same text ngspice
//! reads, with open-loop gate sources), a [`PwmDrive`](modulator::PwmDrive) with the
//! chosen control law, and a [`ReportSpec`] that tells the summary which signals are
//! the ports, the inductors and the load.

pub mod bidirectional;
pub mod buck_boost;
pub mod control;
pub mod interleaved;
pub mod modulator;
pub mod params;
pub mod positions;
pub mod stage;

use crate::calc::number;
use serde::Serialize;

use crate::circuit::Circuit;
use crate::engine::RunOptions;
use crate::models::ModelKernel;
use crate::netlist::parse_netlist;
use modulator::PwmDrive;
use params::{DesignError, ParamSpec, Params};

/// What a kernel is and which parameters it takes.
#[derive(Debug, Clone, Serialize)]
pub struct KernelInfo {
    /// Key used in design files, e.g. `boost`.
    pub name: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// `[parameters]` section.
    pub parameters: Vec<ParamSpec>,
    /// `[control]` section.
    pub control: Vec<ParamSpec>,
    /// `[simulation]` section.
    pub simulation: Vec<ParamSpec>,
}

/// A port of the converter for the power and efficiency summary.
#[derive(Debug, Clone, Serialize)]
pub struct Port {
    /// Port name in the summary, e.g. `input`.
    pub name: String,
    /// Signal of the port voltage, e.g. `v(in)`.
    pub voltage: String,
    /// Signal of the port current.
    pub current: String,
    /// Sign that makes the current signal positive in the nominal power direction
    /// (into the converter at the input, out of it at the outputs).
    pub current_sign: f64,
    /// Elements whose window energies make the port power, each with a sign: the
    /// energy of a source is what it delivers, of any other element what it absorbs,
    /// and the sign turns it into power in the nominal direction.
    pub elements: Vec<(String, f64)>,
}

/// Which signals the summary reads.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSpec {
    /// Ports; the first is the input, the others outputs, in the design's nominal
    /// power direction.
    pub ports: Vec<Port>,
    /// Inductor current signals, one per phase.
    pub inductor_currents: Vec<String>,
    /// Voltage that closed-loop control regulates, with its reference.
    pub regulated: Option<(String, f64)>,
    /// Output voltage signal for ripple.
    pub output_voltage: String,
    /// Time of the first scheduled disturbance (a load step); the start-up metrics end
    /// there, so a later load transient does not count as start-up overshoot.
    pub transient_until: Option<f64>,
    /// Semiconductor positions, for loss calculation.
    pub positions: Vec<positions::SwitchPosition>,
}

/// Everything needed to run a design.
pub struct Prepared {
    /// SPICE text of the circuit with open-loop gate sources.
    pub netlist_text: String,
    /// The checked circuit.
    pub circuit: Circuit,
    /// Gate drive and controller.
    pub drive: PwmDrive,
    /// Switching period [s].
    pub period: f64,
    /// Run options.
    pub options: RunOptions,
    /// Summary specification.
    pub report: ReportSpec,
}

/// A converter template.
pub trait Kernel: Sync {
    /// Name, summary and parameter tables.
    fn info(&self) -> KernelInfo;

    /// Builds the circuit, drive and options from validated sections.
    ///
    /// # Errors
    /// [`DesignError`] naming the parameter at fault.
    fn prepare(
        &self,
        parameters: &Params,
        control: &Params,
        simulation: &Params,
    ) -> Result<Prepared, DesignError>;
}

/// A circuit kernel (netlist template on the switched engine) or a model kernel
/// (own state equations).
#[derive(Clone, Copy)]
pub enum KernelRef {
    /// A netlist template.
    Circuit(&'static dyn Kernel),
    /// A state-space model.
    Model(&'static dyn ModelKernel),
}

impl KernelRef {
    /// Name, summary and parameter tables.
    pub fn info(&self) -> KernelInfo {
        match self {
            KernelRef::Circuit(k) => k.info(),
            KernelRef::Model(k) => k.info(),
        }
    }
}

/// Every kernel, in the order `pelab sim list` shows them.
pub fn registry() -> Vec<KernelRef> {
    vec![
        KernelRef::Circuit(&buck_boost::BUCK),
        KernelRef::Circuit(&buck_boost::BOOST),
        KernelRef::Circuit(&bidirectional::BIDIRECTIONAL),
        KernelRef::Circuit(&interleaved::INTERLEAVED_BOOST),
        KernelRef::Model(&crate::models::pmsm::PMSM_DRIVE),
        KernelRef::Model(&crate::models::grid_tie::GRID_TIE),
        KernelRef::Model(&crate::models::llc::LLC),
        KernelRef::Model(&crate::models::drive_cycle::DRIVE_CYCLE),
        KernelRef::Model(&crate::models::pv::PV_MPPT),
    ]
}

/// Finds a kernel by name.
pub fn find(name: &str) -> Option<KernelRef> {
    registry().into_iter().find(|k| k.info().name == name)
}

/// Resolves the simulation section into run options for switching period `period`.
///
/// # Errors
/// [`DesignError`] when the output step cannot resolve the switching period or the
/// sample budget is exceeded.
pub fn run_options(simulation: &Params, period: f64) -> Result<(RunOptions, f64), DesignError> {
    let t_stop = simulation.number("t_stop");
    // Twenty samples per period are the least that resolves duty, deadtime aside.
    let max_step = period / 20.0;
    let output_step = simulation
        .optional_number("output_step")
        .unwrap_or(period / 200.0);
    if output_step > max_step {
        return Err(simulation.error(
            "output_step",
            format!(
                "invalid value {}; expected at most {} s (1/20 of the switching period) \
                 so that every switching interval is resolved",
                number(output_step),
                number(max_step)
            ),
        ));
    }
    let record_from = simulation.number("record_from");
    if record_from >= t_stop {
        return Err(simulation.error(
            "record_from",
            format!(
                "invalid value {}; expected less than t_stop = {} s",
                number(record_from),
                number(t_stop)
            ),
        ));
    }
    let periods = (t_stop / period).floor();
    if periods < 1.0 {
        return Err(simulation.error(
            "t_stop",
            format!(
                "invalid value {}; expected at least one switching period ({} s)",
                number(t_stop),
                number(period)
            ),
        ));
    }
    let default_window = (t_stop - (0.2 * periods).ceil().max(1.0) * period).max(0.0);
    let steady_from = simulation
        .optional_number("steady_state_from")
        .unwrap_or(default_window);
    if steady_from >= t_stop {
        return Err(simulation.error(
            "steady_state_from",
            format!(
                "invalid value {}; expected less than t_stop = {} s",
                number(steady_from),
                number(t_stop)
            ),
        ));
    }
    let mut options = RunOptions::new(t_stop, output_step);
    options.record_from = record_from;
    options.max_samples = simulation.integer("max_samples");
    options.window_from = steady_from;
    options
        .validate()
        .map_err(|e| DesignError::new("simulation", e.to_string()))?;
    Ok((options, steady_from))
}

/// Parses kernel-generated netlist text and builds the circuit.
///
/// # Errors
/// A [`DesignError`] when the generated netlist is rejected, which points at a
/// parameter combination the template cannot express.
pub fn build_circuit(text: &str) -> Result<Circuit, DesignError> {
    let netlist = parse_netlist(text)
        .map_err(|e| DesignError::new("parameters", format!("generated netlist rejected: {e}")))?;
    Circuit::from_netlist(&netlist)
        .map_err(|e| DesignError::new("parameters", format!("generated circuit rejected: {e}")))
}
