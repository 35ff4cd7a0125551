//! Gate signals: the interface between the engine and whatever drives the switches.

use crate::circuit::Circuit;
use crate::sources::{PulseDefaults, value_at};

/// Values a controller reads at a sampling instant.
#[derive(Debug, Clone, Copy)]
pub struct Measurements<'a> {
    /// Instantaneous values at the sampling instant, in the order of
    /// [`GateControl::measured_signals`].
    pub instant: &'a [f64],
    /// Time averages over the interval since the previous sampling instant (the
    /// instantaneous value at the first one).
    pub average: &'a [f64],
}

/// Drives the switch gates of a circuit, and optionally closes a control loop.
///
/// The engine calls [`start`](Self::start) once, then advances to
/// [`next_edge`](Self::next_edge) or [`next_control_instant`](Self::next_control_instant)
/// (whichever is first) and calls [`control`](Self::control) and then
/// [`update`](Self::update) there. A gate mask has bit `i` set when switch `i` (in
/// netlist order) is on.
pub trait GateControl {
    /// Gate mask at the start time `t0`.
    fn start(&mut self, t0: f64) -> u64;

    /// Earliest time after the last [`update`](Self::update) at which a gate may
    /// change; infinity when none will.
    fn next_edge(&self) -> f64;

    /// Applies every edge at or before `t` and returns the gate mask after them.
    fn update(&mut self, t: f64) -> u64;

    /// Next sampling instant of the controller at or after the last one processed;
    /// infinity for open-loop gate drives.
    fn next_control_instant(&self) -> f64 {
        f64::INFINITY
    }

    /// Signal names (probe names such as `i(L1)` or `v(out)`) the controller reads.
    fn measured_signals(&self) -> Vec<String> {
        Vec::new()
    }

    /// Runs the controller at a sampling instant `t`.
    fn control(&mut self, _t: f64, _measurements: &Measurements<'_>) {}

    /// Names and units of the controller's own signals (duty, references, …).
    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        Vec::new()
    }

    /// Writes the current values of [`recorded_signals`](Self::recorded_signals).
    fn record(&self, _out: &mut [f64]) {}
}

/// Gates driven by the netlist's own gate sources (PULSE, PWL, DC).
pub struct NetlistGates {
    switches: Vec<SwitchGate>,
    defaults: PulseDefaults,
    t_limit: f64,
    /// Earliest pending edge of all switches, kept current by `start` and `update`.
    earliest: f64,
}

struct SwitchGate {
    terms: Vec<(f64, crate::netlist::Waveform)>,
    vt: f64,
    vh: f64,
    on: bool,
    next_edge: f64,
}

impl NetlistGates {
    /// Gate drives of every switch of `circuit`, evaluated up to `t_limit` [s].
    pub fn new(circuit: &Circuit, defaults: PulseDefaults, t_limit: f64) -> Self {
        let switches = circuit
            .switches
            .iter()
            .map(|s| SwitchGate {
                terms: s.gate.terms.clone(),
                vt: s.gate.vt,
                vh: s.gate.vh,
                on: false,
                next_edge: f64::INFINITY,
            })
            .collect();
        Self {
            switches,
            defaults,
            t_limit,
            earliest: f64::INFINITY,
        }
    }

    fn refresh_earliest(&mut self) {
        self.earliest = self
            .switches
            .iter()
            .map(|s| s.next_edge)
            .fold(f64::INFINITY, f64::min);
    }

    fn mask(&self) -> u64 {
        self.switches
            .iter()
            .enumerate()
            .filter(|(_, s)| s.on)
            .fold(0, |m, (i, _)| m | (1 << i))
    }
}

impl SwitchGate {
    fn control_voltage(&self, t: f64, defaults: PulseDefaults) -> f64 {
        self.terms
            .iter()
            .map(|(sign, w)| sign * value_at(w, t, defaults))
            .sum()
    }

    /// The level the control voltage must cross to leave the present state.
    fn level(&self) -> f64 {
        if self.on {
            self.vt - self.vh
        } else {
            self.vt + self.vh
        }
    }

    fn schedule(&mut self, t: f64, defaults: PulseDefaults, t_limit: f64) {
        self.next_edge =
            crate::sources::next_crossing(&self.terms, self.level(), t, t_limit, self.on, defaults)
                .unwrap_or(f64::INFINITY);
    }
}

impl GateControl for NetlistGates {
    fn start(&mut self, t0: f64) -> u64 {
        let (defaults, t_limit) = (self.defaults, self.t_limit);
        for s in &mut self.switches {
            s.on = s.control_voltage(t0, defaults) > s.vt;
            s.schedule(t0, defaults, t_limit);
        }
        self.refresh_earliest();
        self.mask()
    }

    fn next_edge(&self) -> f64 {
        self.earliest
    }

    fn update(&mut self, t: f64) -> u64 {
        let (defaults, t_limit) = (self.defaults, self.t_limit);
        if self.earliest > t {
            return self.mask();
        }
        for s in &mut self.switches {
            if s.next_edge <= t {
                s.on = !s.on;
                s.schedule(t, defaults, t_limit);
            }
        }
        self.refresh_earliest();
        self.mask()
    }
}
