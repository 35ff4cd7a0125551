//! Semiconductor positions of a kernel and their recorded traces.
//!
//! A position is one switch with its antiparallel (body) diode, or a diode alone. Loss
//! calculation needs, per position, the current in its forward direction, the voltage
//! it blocks and its gate, which this module assembles from the recorded signals:
//!
//! - a switch `S` from node `a` to node `b` with diode `DS` (anode `b`, cathode `a`):
//!   current `i(S) − i(DS)`, voltage `v(a) − v(b)`, gate `gate(S)`;
//! - a diode `D` alone (anode `b`, cathode `a`): current `−i(D)`, because a diode
//!   conducts in the position's reverse direction, voltage `v(a) − v(b)`, gate off.
//!
//! Node `0` is ground and is not recorded.

use pelab_waveform::Waveforms;
use serde::Serialize;

/// One switch position of a converter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SwitchPosition {
    /// Position name, the switch or diode name in the netlist (`S1`, `D1`).
    pub name: String,
    /// Node that forward current enters (drain, collector; a lone diode's cathode).
    pub node_a: String,
    /// Node that forward current leaves (source, emitter; a lone diode's anode).
    pub node_b: String,
    /// Switch element, `None` for a lone diode.
    pub switch: Option<String>,
    /// Antiparallel diode, or the lone diode.
    pub diode: Option<String>,
}

impl SwitchPosition {
    /// Creates the position of switch `name` from `node_a` to `node_b`, with its body
    /// diode `D{name}` when `body_diode`.
    pub fn switch(name: &str, node_a: &str, node_b: &str, body_diode: bool) -> Self {
        Self {
            name: name.into(),
            node_a: node_a.into(),
            node_b: node_b.into(),
            switch: Some(name.into()),
            diode: body_diode.then(|| format!("D{name}")),
        }
    }

    /// Creates the position of a lone diode `name` from `anode` to `cathode`.
    pub fn diode(name: &str, anode: &str, cathode: &str) -> Self {
        Self {
            name: name.into(),
            node_a: cathode.into(),
            node_b: anode.into(),
            switch: None,
            diode: Some(name.into()),
        }
    }

    /// Signals that must be recorded to rebuild the trace.
    pub fn probes(&self) -> Vec<String> {
        let mut probes = Vec::new();
        for node in [&self.node_a, &self.node_b] {
            if node != "0" {
                probes.push(format!("v({node})"));
            }
        }
        if let Some(switch) = &self.switch {
            probes.push(format!("i({switch})"));
            probes.push(format!("gate({switch})"));
        }
        if let Some(diode) = &self.diode {
            probes.push(format!("i({diode})"));
        }
        probes
    }

    /// Current, voltage and gate of the position, one value per recorded sample.
    ///
    /// # Errors
    /// The name of the first signal that was not recorded.
    pub fn trace(&self, waveforms: &Waveforms) -> Result<PositionTrace, String> {
        let n = waveforms.time().len();
        let signal = |name: String| -> Result<Vec<f64>, String> {
            waveforms
                .signal(&name)
                .map(<[f64]>::to_vec)
                .ok_or_else(|| format!("{name} was not recorded"))
        };
        let node = |node: &str| -> Result<Vec<f64>, String> {
            if node == "0" {
                Ok(vec![0.0; n])
            } else {
                signal(format!("v({node})"))
            }
        };
        let a = node(&self.node_a)?;
        let b = node(&self.node_b)?;
        let voltage = a.iter().zip(&b).map(|(a, b)| a - b).collect();

        let mut current = vec![0.0; n];
        let mut gate = vec![0.0; n];
        if let Some(switch) = &self.switch {
            current = signal(format!("i({switch})"))?;
            gate = signal(format!("gate({switch})"))?;
        }
        if let Some(diode) = &self.diode {
            let diode_current = signal(format!("i({diode})"))?;
            for (c, d) in current.iter_mut().zip(&diode_current) {
                *c -= d;
            }
        }
        Ok(PositionTrace {
            current,
            voltage,
            gate,
        })
    }
}

/// Signals of one position on the recorder's time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionTrace {
    /// Forward current [A].
    pub current: Vec<f64>,
    /// Blocking voltage [V].
    pub voltage: Vec<f64>,
    /// Gate, 1 on and 0 off.
    pub gate: Vec<f64>,
}
