//! A netlist resolved into indexed nodes, states, inputs and switching devices.
//!
//! [`Circuit::from_netlist`] checks the topology and splits the netlist in two: the
//! *power circuit* (everything that carries current) and the *gate network* (the
//! voltage sources that only drive switch control terminals). The power circuit becomes
//! one linear state-space model per switch configuration through [`mna`]; the gate
//! network becomes a set of edge times known ahead of the simulation.
//!
//! States are inductor currents [A] followed by capacitor voltages [V] and, in
//! nonlinear circuits, resistor temperatures [°C]. Inputs are the independent source
//! values [V or A] followed by a constant `1` that carries diode forward voltages.

mod build;
mod gate_network;
mod inductance;
pub mod mna;
mod topology;

pub use build::CircuitError;
pub use mna::{ConfigModel, Probe, ProbeKind};

use crate::netlist::{Saturation, SelfHeating, Waveform};

/// Index of the ground node.
pub const GROUND: usize = 0;

/// A checked, indexed circuit.
#[derive(Debug, Clone)]
pub struct Circuit {
    /// Title from the netlist.
    pub title: String,
    /// Node names; index 0 is ground.
    pub nodes: Vec<String>,
    /// Power-circuit branches.
    pub branches: Vec<Branch>,
    /// State variables in order.
    pub states: Vec<StateVar>,
    /// Independent power sources in input order (the constant input follows them).
    pub sources: Vec<SourceInput>,
    /// Controlled switches (`S` elements), in netlist order.
    pub switches: Vec<SwitchDevice>,
    /// Diodes, in netlist order.
    pub diodes: Vec<DiodeDevice>,
    /// Inductance matrix with mutual terms, `n_L × n_L` row-major [H].
    pub inductance_matrix: Vec<f64>,
    /// Inverse of the inductance matrix, `n_L × n_L` row-major [1/H].
    pub inverse_inductance: Vec<f64>,
    /// Initial state values.
    pub initial_state: Vec<f64>,
    /// Number of MNA unknowns: node voltages (without ground) plus branch currents.
    pub mna_size: usize,
}

/// State variable.
#[derive(Debug, Clone, PartialEq)]
pub struct StateVar {
    /// Signal name, e.g. `i(L1)` or `vd(C1)`.
    pub name: String,
    /// Unit symbol.
    pub unit: &'static str,
    /// Index of the branch the state belongs to.
    pub branch: usize,
}

/// Independent source feeding the power circuit.
#[derive(Debug, Clone)]
pub struct SourceInput {
    /// Element name.
    pub name: String,
    /// Branch index.
    pub branch: usize,
    /// Time function.
    pub waveform: Waveform,
    /// Whether it is a voltage source (else a current source).
    pub is_voltage: bool,
}

/// A voltage-controlled switch with its gate drive.
#[derive(Debug, Clone)]
pub struct SwitchDevice {
    /// Element name.
    pub name: String,
    /// Branch index.
    pub branch: usize,
    /// On-resistance [Ω].
    pub ron: f64,
    /// Off-resistance [Ω].
    pub roff: f64,
    /// Gate drive from the netlist's gate network.
    pub gate: GateDrive,
}

/// A piecewise-linear diode.
#[derive(Debug, Clone)]
pub struct DiodeDevice {
    /// Element name.
    pub name: String,
    /// Branch index.
    pub branch: usize,
    /// On-resistance [Ω].
    pub ron: f64,
    /// Off-resistance [Ω].
    pub roff: f64,
    /// Forward voltage [V].
    pub vfwd: f64,
}

/// Control voltage of a switch as a signed sum of gate-source waveforms, compared with
/// a threshold.
#[derive(Debug, Clone)]
pub struct GateDrive {
    /// `v_control(t) = Σ sign · waveform(t)`.
    pub terms: Vec<(f64, Waveform)>,
    /// Threshold [V].
    pub vt: f64,
    /// Hysteresis [V].
    pub vh: f64,
}

/// One power-circuit branch between two nodes.
#[derive(Debug, Clone)]
pub struct Branch {
    /// Element name.
    pub name: String,
    /// Positive node index.
    pub n_pos: usize,
    /// Negative node index.
    pub n_neg: usize,
    /// What the branch is.
    pub kind: BranchKind,
}

/// Branch types after resolution. Indices refer to the circuit's vectors.
#[derive(Debug, Clone)]
pub enum BranchKind {
    /// Resistor with its resistance at the operating temperature [Ω].
    Resistor {
        /// Resistance at the operating (or initial) temperature [Ω].
        resistance: f64,
        /// Temperature model, when the resistor has one.
        thermal: Option<ResistorTemperature>,
    },
    /// Inductor whose current is state `state`.
    Inductor {
        /// State index.
        state: usize,
        /// Index among the inductors (row of the inductance matrix).
        inductor: usize,
        /// Inductance at zero current [H].
        inductance: f64,
        /// Soft saturation, when present.
        saturation: Option<Saturation>,
    },
    /// Capacitor whose voltage is state `state`; its current is MNA unknown `current`.
    Capacitor {
        /// State index.
        state: usize,
        /// MNA unknown carrying the capacitor current.
        current: usize,
        /// Capacitance [F].
        capacitance: f64,
    },
    /// Independent voltage source.
    VoltageSource {
        /// Input index.
        input: usize,
        /// MNA unknown carrying the source current.
        current: usize,
    },
    /// Independent current source.
    CurrentSource {
        /// Input index.
        input: usize,
    },
    /// Controlled switch number `index`.
    Switch {
        /// Index into [`Circuit::switches`].
        index: usize,
    },
    /// Diode number `index`.
    Diode {
        /// Index into [`Circuit::diodes`].
        index: usize,
    },
    /// VCVS with MNA unknown `current`.
    Vcvs {
        /// Controlling positive node.
        control_pos: usize,
        /// Controlling negative node.
        control_neg: usize,
        /// Gain [V/V].
        gain: f64,
        /// MNA unknown carrying the output current.
        current: usize,
    },
    /// CCCS controlled by the current of MNA unknown `sense`.
    Cccs {
        /// MNA unknown of the sensing voltage source.
        sense: usize,
        /// Gain [A/A].
        gain: f64,
    },
    /// VCCS.
    Vccs {
        /// Controlling positive node.
        control_pos: usize,
        /// Controlling negative node.
        control_neg: usize,
        /// Transconductance [S].
        gain: f64,
    },
    /// CCVS with MNA unknown `current`, controlled by MNA unknown `sense`.
    Ccvs {
        /// MNA unknown of the sensing voltage source.
        sense: usize,
        /// Transresistance [Ω].
        gain: f64,
        /// MNA unknown carrying the output current.
        current: usize,
    },
}

/// Temperature model of a resistor.
#[derive(Debug, Clone)]
pub struct ResistorTemperature {
    /// Resistance at `tnom` [Ω].
    pub r_nominal: f64,
    /// Linear coefficient [1/K].
    pub tc1: f64,
    /// Quadratic coefficient [1/K²].
    pub tc2: f64,
    /// Reference temperature [°C].
    pub tnom: f64,
    /// Self-heating and the index of its temperature state.
    pub self_heating: Option<(SelfHeating, usize)>,
}

impl ResistorTemperature {
    /// Resistance at temperature `t` [°C]: `R₀ (1 + tc1 ΔT + tc2 ΔT²)`, floored at
    /// 1 % of `R₀` so a large negative coefficient cannot drive it to zero.
    pub fn resistance_at(&self, t: f64) -> f64 {
        let dt = t - self.tnom;
        let factor = 1.0 + self.tc1 * dt + self.tc2 * dt * dt;
        self.r_nominal * factor.max(0.01)
    }
}

impl Circuit {
    /// Number of states.
    pub fn state_count(&self) -> usize {
        self.states.len()
    }

    /// Number of inputs, including the trailing constant.
    pub fn input_count(&self) -> usize {
        self.sources.len() + 1
    }

    /// Number of inductors.
    pub fn inductor_count(&self) -> usize {
        self.branches
            .iter()
            .filter(|b| matches!(b.kind, BranchKind::Inductor { .. }))
            .count()
    }

    /// Whether any element needs the nonlinear (ODE) path: a saturating inductor or a
    /// self-heating resistor.
    pub fn is_nonlinear(&self) -> bool {
        self.branches.iter().any(|b| match &b.kind {
            BranchKind::Inductor { saturation, .. } => saturation.is_some(),
            BranchKind::Resistor { thermal, .. } => {
                thermal.as_ref().is_some_and(|t| t.self_heating.is_some())
            }
            _ => false,
        })
    }

    /// Number of switching devices (switches then diodes) in a configuration mask.
    pub fn device_count(&self) -> usize {
        self.switches.len() + self.diodes.len()
    }

    /// Bit of switch `index` in a configuration mask.
    pub fn switch_bit(&self, index: usize) -> u64 {
        1 << index
    }

    /// Bit of diode `index` in a configuration mask.
    pub fn diode_bit(&self, index: usize) -> u64 {
        1 << (self.switches.len() + index)
    }

    /// Finds a node by name (case-insensitive; `gnd` is ground).
    pub fn node_index(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        if lower == "0" || lower == "gnd" {
            return Some(GROUND);
        }
        self.nodes.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// Finds a branch by element name (case-insensitive).
    pub fn branch_index(&self, name: &str) -> Option<usize> {
        self.branches
            .iter()
            .position(|b| b.name.eq_ignore_ascii_case(name))
    }

    /// Finds a switch by element name (case-insensitive).
    pub fn switch_index(&self, name: &str) -> Option<usize> {
        self.switches
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name))
    }
}
