//! Netlists: a documented subset of SPICE that both pelab and ngspice read.
//!
//! The format is described in `docs/netlist.md`. In short: the first line is the
//! title, `*` starts a comment line, `;` an end-of-line comment, `+` continues the
//! previous line, names and keywords are case-insensitive, and node `0` (or `gnd`)
//! is ground.
//!
//! | element | syntax |
//! | --- | --- |
//! | resistor | `Rname n+ n- value [tc1=…] [tc2=…] [tnom=…] [rth=… cth=… tamb=…]` |
//! | inductor | `Lname n+ n- value [ic=…] [isat=… lsat=…]` |
//! | capacitor | `Cname n+ n- value [ic=…]` |
//! | coupling | `Kname Lname1 Lname2 k` |
//! | voltage source | `Vname n+ n- [DC] value` or `PULSE(…)`, `SIN(…)`, `PWL(…)` |
//! | current source | `Iname n+ n- …`, same waveforms |
//! | switch | `Sname n+ n- nc+ nc- model` with `.model name SW(Ron Roff Vt Vh)` |
//! | diode | `Dname anode cathode model` (or `Aname …`, ngspice's form) with `.model name SIDIODE(Ron Roff Vfwd)` |
//! | VCVS, CCCS, VCCS, CCVS | `E`, `F`, `G`, `H` as in SPICE |
//!
//! The `rth`/`cth`/`tamb` and `isat`/`lsat` parameters are pelab extensions that make
//! an element nonlinear; ngspice does not read them.

mod directives;
mod number;
mod parse;
mod waveform;
mod write;

pub use number::{format_spice_number, parse_spice_number};
pub use parse::parse_netlist;
pub use write::{write_netlist, write_netlist_ngspice};

use std::fmt;

/// A parsed netlist, before any topology check.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Netlist {
    /// The first line of the file.
    pub title: String,
    /// Circuit elements in file order.
    pub elements: Vec<Element>,
    /// `.model` cards.
    pub models: Vec<Model>,
    /// The `.tran` analysis, when present.
    pub tran: Option<Tran>,
    /// `.ic V(node)=value` initial node voltages [V].
    pub initial_conditions: Vec<(String, f64)>,
    /// Signals named by `.save` lines (e.g. `v(out)`, `i(L1)`), to record instead of
    /// the default set; empty when there are none or `.save all`.
    pub saves: Vec<String>,
    /// Lines pelab read but ignored (e.g. `.options`), with their line numbers.
    pub ignored: Vec<(usize, String)>,
}

/// One element line.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Element name as written, e.g. `L1`; matched case-insensitively.
    pub name: String,
    /// 1-based line number of the element's first line, for error messages.
    pub line: usize,
    /// What the element is and how it connects.
    pub kind: ElementKind,
}

/// Element types and their connections and values.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementKind {
    /// Linear resistor, optionally temperature dependent.
    Resistor {
        /// Positive node.
        n_pos: String,
        /// Negative node.
        n_neg: String,
        /// Resistance at `tnom` [Ω].
        resistance: f64,
        /// Temperature behaviour; `None` for a constant resistor.
        thermal: Option<ResistorThermal>,
    },
    /// Inductor, optionally saturating.
    Inductor {
        /// Positive node (current flows from here through the inductor).
        n_pos: String,
        /// Negative node.
        n_neg: String,
        /// Small-signal inductance at zero current [H].
        inductance: f64,
        /// Initial current [A].
        initial_current: Option<f64>,
        /// Soft saturation; `None` for a linear inductor.
        saturation: Option<Saturation>,
    },
    /// Capacitor.
    Capacitor {
        /// Positive node.
        n_pos: String,
        /// Negative node.
        n_neg: String,
        /// Capacitance [F].
        capacitance: f64,
        /// Initial voltage [V].
        initial_voltage: Option<f64>,
    },
    /// Magnetic coupling between two inductors.
    Coupling {
        /// First inductor's name.
        inductor_a: String,
        /// Second inductor's name.
        inductor_b: String,
        /// Coupling coefficient `k`, `0 < |k| < 1`.
        k: f64,
    },
    /// Independent voltage source; the branch current flows from `n_pos` through the
    /// source to `n_neg`, as in SPICE.
    VoltageSource {
        /// Positive node.
        n_pos: String,
        /// Negative node.
        n_neg: String,
        /// Source waveform [V].
        waveform: Waveform,
    },
    /// Independent current source; the current flows from `n_pos` through the source
    /// to `n_neg`, as in SPICE.
    CurrentSource {
        /// Positive node.
        n_pos: String,
        /// Negative node.
        n_neg: String,
        /// Source waveform [A].
        waveform: Waveform,
    },
    /// Voltage-controlled switch.
    Switch {
        /// Positive node of the switched path.
        n_pos: String,
        /// Negative node of the switched path.
        n_neg: String,
        /// Positive control node (a gate signal).
        control_pos: String,
        /// Negative control node.
        control_neg: String,
        /// Name of an `SW` model card.
        model: String,
    },
    /// Piecewise-linear diode.
    Diode {
        /// Anode.
        anode: String,
        /// Cathode.
        cathode: String,
        /// Name of a `SIDIODE` model card.
        model: String,
    },
    /// Voltage-controlled voltage source: `v(n+, n−) = gain · v(nc+, nc−)`.
    Vcvs {
        /// Positive output node.
        n_pos: String,
        /// Negative output node.
        n_neg: String,
        /// Positive controlling node.
        control_pos: String,
        /// Negative controlling node.
        control_neg: String,
        /// Voltage gain [V/V].
        gain: f64,
    },
    /// Current-controlled current source: `i = gain · i(vsense)`.
    Cccs {
        /// Positive output node.
        n_pos: String,
        /// Negative output node.
        n_neg: String,
        /// Name of the voltage source whose current controls this one.
        sense: String,
        /// Current gain [A/A].
        gain: f64,
    },
    /// Voltage-controlled current source: `i = gm · v(nc+, nc−)`.
    Vccs {
        /// Positive output node.
        n_pos: String,
        /// Negative output node.
        n_neg: String,
        /// Positive controlling node.
        control_pos: String,
        /// Negative controlling node.
        control_neg: String,
        /// Transconductance [S].
        gain: f64,
    },
    /// Current-controlled voltage source: `v = r · i(vsense)`.
    Ccvs {
        /// Positive output node.
        n_pos: String,
        /// Negative output node.
        n_neg: String,
        /// Name of the voltage source whose current controls this one.
        sense: String,
        /// Transresistance [Ω].
        gain: f64,
    },
}

/// Temperature dependence of a resistor.
///
/// `R(T) = R₀ (1 + tc1 (T − tnom) + tc2 (T − tnom)²)`. With `rth` and `cth` the
/// resistor heats itself: `cth dT/dt = i² R(T) − (T − tamb) / rth`, which makes
/// the circuit nonlinear.
#[derive(Debug, Clone, PartialEq)]
pub struct ResistorThermal {
    /// Linear temperature coefficient [1/K].
    pub tc1: f64,
    /// Quadratic temperature coefficient [1/K²].
    pub tc2: f64,
    /// Temperature at which the resistance is `R₀` [°C].
    pub tnom: f64,
    /// Operating temperature when there is no self-heating [°C].
    pub temperature: f64,
    /// Self-heating; `None` keeps the resistor at `temperature`.
    pub self_heating: Option<SelfHeating>,
}

/// First-order thermal model of a self-heating resistor.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfHeating {
    /// Thermal resistance to ambient [K/W].
    pub rth: f64,
    /// Thermal capacitance [J/K].
    pub cth: f64,
    /// Ambient temperature, also the initial temperature [°C].
    pub tamb: f64,
}

/// Soft saturation of an inductor.
///
/// The differential inductance falls with current as
/// `L_d(i) = L_sat + (L₀ − L_sat) / (1 + (i / I_sat)²)`, so at `i = I_sat` it lies
/// halfway between `L₀` and `L_sat`. This is the gradual roll-off of powder cores
/// (MPP, Sendust) under DC bias.
#[derive(Debug, Clone, PartialEq)]
pub struct Saturation {
    /// Current at which the inductance has fallen halfway [A].
    pub i_sat: f64,
    /// Inductance deep in saturation [H].
    pub l_sat: f64,
}

/// Time function of an independent source.
#[derive(Debug, Clone, PartialEq)]
pub enum Waveform {
    /// Constant value.
    Dc(f64),
    /// SPICE `PULSE(v1 v2 td tr tf pw per)`.
    Pulse(Pulse),
    /// SPICE `SIN(vo va freq td theta phase)`.
    Sine(Sine),
    /// SPICE `PWL(t1 v1 t2 v2 …)`: linear between points, constant outside.
    Pwl(Vec<(f64, f64)>),
}

/// Trapezoidal pulse train. Times in s.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulse {
    /// Initial value.
    pub v1: f64,
    /// Pulsed value.
    pub v2: f64,
    /// Delay before the first rising edge [s].
    pub delay: f64,
    /// Rise time [s]; `None` takes the SPICE default (the `.tran` step).
    pub rise: Option<f64>,
    /// Fall time [s]; `None` takes the SPICE default (the `.tran` step).
    pub fall: Option<f64>,
    /// Width at `v2` [s]; `None` means the whole run.
    pub width: Option<f64>,
    /// Period [s]; `None` means a single pulse.
    pub period: Option<f64>,
}

/// Damped sine `vo + va e^{−θ(t−td)} sin(2π f (t − td) + φ)` for `t ≥ td`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sine {
    /// Offset.
    pub offset: f64,
    /// Amplitude.
    pub amplitude: f64,
    /// Frequency [Hz].
    pub frequency: f64,
    /// Delay [s].
    pub delay: f64,
    /// Damping factor θ [1/s].
    pub damping: f64,
    /// Phase [degrees], as in SPICE.
    pub phase_deg: f64,
}

/// `.model` card.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Model name.
    pub name: String,
    /// 1-based line number.
    pub line: usize,
    /// Model parameters.
    pub kind: ModelKind,
}

/// Model types pelab understands.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelKind {
    /// Voltage-controlled switch (`SW`).
    Switch(SwitchModel),
    /// Piecewise-linear diode (`SIDIODE`).
    Diode(DiodeModel),
}

/// Ideal switch with on- and off-resistance.
#[derive(Debug, Clone, PartialEq)]
pub struct SwitchModel {
    /// On-resistance [Ω].
    pub ron: f64,
    /// Off-resistance [Ω].
    pub roff: f64,
    /// Control threshold [V].
    pub vt: f64,
    /// Control hysteresis [V]; the switch closes above `vt + vh`, opens below `vt − vh`.
    pub vh: f64,
}

/// Piecewise-linear diode: `Ron` in series with `Vfwd` when conducting, `Roff` when
/// blocking.
#[derive(Debug, Clone, PartialEq)]
pub struct DiodeModel {
    /// On-resistance [Ω].
    pub ron: f64,
    /// Off-resistance [Ω].
    pub roff: f64,
    /// Forward voltage [V].
    pub vfwd: f64,
}

/// `.tran tstep tstop [tstart [tmax]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tran {
    /// Output step [s].
    pub step: f64,
    /// End time [s].
    pub stop: f64,
    /// Time from which output is kept [s].
    pub start: f64,
    /// Maximum internal step [s], if given.
    pub max_step: Option<f64>,
}

/// An error in a netlist, with the line it was found on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct NetlistError {
    /// 1-based line number, 0 when the error concerns the whole file.
    pub line: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for NetlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "netlist: {}", self.message)
        } else {
            write!(f, "netlist line {}: {}", self.line, self.message)
        }
    }
}

impl Netlist {
    /// Finds a model card by name, ignoring case.
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(name))
    }

    /// Finds an element by name, ignoring case.
    pub fn element(&self, name: &str) -> Option<&Element> {
        self.elements
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }
}
