//! Resolution of a [`Netlist`] into a [`Circuit`].

use std::collections::{HashMap, HashSet};

use super::gate_network::gate_drive;
use super::inductance::inductance_matrices;
use super::topology::{Edge, find_cut_set, find_loop};
use super::{
    Branch, BranchKind, Circuit, DiodeDevice, GROUND, GateDrive, ResistorTemperature, SourceInput,
    StateVar, SwitchDevice,
};
use crate::netlist::{ElementKind, ModelKind, Netlist, Waveform};

/// Largest number of switches plus diodes: configurations are 64-bit masks.
pub const MAX_SWITCHING_DEVICES: usize = 64;

/// Why a netlist cannot be simulated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CircuitError {
    /// A problem with one element.
    #[error("{element} (line {line}): {message}")]
    Element {
        /// Element name.
        element: String,
        /// 1-based netlist line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Voltage-defined branches form a loop.
    #[error(
        "voltage sources and capacitors form a loop: {}. Their voltages are not independent; \
         add a series resistance (e.g. an ESR) or merge parallel capacitors",
        elements.join(", ")
    )]
    VoltageLoop {
        /// Elements on the loop.
        elements: Vec<String>,
    },
    /// Current-defined branches form a cut-set.
    #[error(
        "inductors and current sources form a cut-set at node(s) {}: {}. Their currents are \
         not independent; merge series inductors or add a resistive path from those nodes",
        nodes.join(", "),
        elements.join(", ")
    )]
    CurrentCutSet {
        /// Nodes isolated by the cut.
        nodes: Vec<String>,
        /// Elements crossing it.
        elements: Vec<String>,
    },
    /// Nodes with no connection to ground at all.
    #[error(
        "node(s) {} have no connection to ground: their voltages are undetermined; connect \
         that part of the circuit to the rest (a large resistor to ground will do)",
        nodes.join(", ")
    )]
    Floating {
        /// The unconnected nodes.
        nodes: Vec<String>,
    },
    /// A problem with the circuit as a whole.
    #[error("{0}")]
    Circuit(String),
}

pub(crate) fn element_error(
    element: &str,
    line: usize,
    message: impl Into<String>,
) -> CircuitError {
    CircuitError::Element {
        element: element.to_string(),
        line,
        message: message.into(),
    }
}

/// The `.model` card named `model`, or an error on element `name`.
fn model_card<'n>(
    netlist: &'n Netlist,
    name: &str,
    line: usize,
    model: &str,
) -> Result<&'n crate::netlist::Model, CircuitError> {
    netlist
        .model(model)
        .ok_or_else(|| element_error(name, line, format!("model '{model}' is not defined")))
}

pub(crate) fn is_ground(name: &str) -> bool {
    name == "0" || name.eq_ignore_ascii_case("gnd")
}

/// Node names an element's power terminals (and sensed nodes) use.
fn power_terminals(kind: &ElementKind) -> Vec<&str> {
    match kind {
        ElementKind::Resistor { n_pos, n_neg, .. }
        | ElementKind::Inductor { n_pos, n_neg, .. }
        | ElementKind::Capacitor { n_pos, n_neg, .. }
        | ElementKind::CurrentSource { n_pos, n_neg, .. }
        | ElementKind::Switch { n_pos, n_neg, .. }
        | ElementKind::Cccs { n_pos, n_neg, .. }
        | ElementKind::Ccvs { n_pos, n_neg, .. } => vec![n_pos, n_neg],
        ElementKind::Diode { anode, cathode, .. } => vec![anode, cathode],
        ElementKind::Vcvs {
            n_pos,
            n_neg,
            control_pos,
            control_neg,
            ..
        }
        | ElementKind::Vccs {
            n_pos,
            n_neg,
            control_pos,
            control_neg,
            ..
        } => vec![n_pos, n_neg, control_pos, control_neg],
        ElementKind::VoltageSource { .. } | ElementKind::Coupling { .. } => vec![],
    }
}

impl Circuit {
    /// Checks and indexes a netlist.
    ///
    /// # Errors
    /// [`CircuitError`] naming the element, the loop or the cut-set at fault.
    pub fn from_netlist(netlist: &Netlist) -> Result<Circuit, CircuitError> {
        Builder::new(netlist).build()
    }
}

struct Builder<'a> {
    netlist: &'a Netlist,
    nodes: Vec<String>,
    node_map: HashMap<String, usize>,
}

impl<'a> Builder<'a> {
    fn new(netlist: &'a Netlist) -> Self {
        Self {
            netlist,
            nodes: vec!["0".to_string()],
            node_map: HashMap::new(),
        }
    }

    fn node(&mut self, name: &str) -> usize {
        if is_ground(name) {
            return GROUND;
        }
        let key = name.to_ascii_lowercase();
        if let Some(&index) = self.node_map.get(&key) {
            return index;
        }
        let index = self.nodes.len();
        self.nodes.push(name.to_string());
        self.node_map.insert(key, index);
        index
    }

    fn existing_node(&self, name: &str) -> Option<usize> {
        if is_ground(name) {
            return Some(GROUND);
        }
        self.node_map.get(&name.to_ascii_lowercase()).copied()
    }

    fn build(mut self) -> Result<Circuit, CircuitError> {
        let netlist = self.netlist;
        if netlist.elements.is_empty() {
            return Err(CircuitError::Circuit("the netlist has no elements".into()));
        }

        // Power nodes are those touched by anything but a voltage source.
        let mut power_nodes: HashSet<String> = HashSet::new();
        for element in &netlist.elements {
            for node in power_terminals(&element.kind) {
                if !is_ground(node) {
                    power_nodes.insert(node.to_ascii_lowercase());
                }
            }
        }
        let mut control_nodes: HashSet<String> = HashSet::new();
        for element in &netlist.elements {
            if let ElementKind::Switch {
                control_pos,
                control_neg,
                ..
            } = &element.kind
            {
                for node in [control_pos, control_neg] {
                    if !is_ground(node) && !power_nodes.contains(&node.to_ascii_lowercase()) {
                        control_nodes.insert(node.to_ascii_lowercase());
                    }
                }
            }
        }

        // A voltage source touching a pure control node belongs to the gate network.
        let mut gate_sources: Vec<(&str, &str, &Waveform, &str, usize)> = Vec::new();
        let mut is_gate_source: HashSet<&str> = HashSet::new();
        for element in &netlist.elements {
            if let ElementKind::VoltageSource {
                n_pos,
                n_neg,
                waveform,
            } = &element.kind
            {
                let touches_control = [n_pos, n_neg]
                    .iter()
                    .any(|n| control_nodes.contains(&n.to_ascii_lowercase()));
                if touches_control {
                    gate_sources.push((n_pos, n_neg, waveform, &element.name, element.line));
                    is_gate_source.insert(element.name.as_str());
                } else {
                    for node in [n_pos, n_neg] {
                        if !is_ground(node) {
                            power_nodes.insert(node.to_ascii_lowercase());
                        }
                    }
                }
            }
        }

        // Index power nodes in order of first appearance.
        for element in &netlist.elements {
            if is_gate_source.contains(element.name.as_str()) {
                continue;
            }
            match &element.kind {
                ElementKind::VoltageSource { n_pos, n_neg, .. } => {
                    self.node(n_pos);
                    self.node(n_neg);
                }
                kind => {
                    for node in power_terminals(kind) {
                        self.node(node);
                    }
                }
            }
        }

        let mut branches: Vec<Branch> = Vec::new();
        let mut states: Vec<StateVar> = Vec::new();
        let mut sources: Vec<SourceInput> = Vec::new();
        let mut switches: Vec<SwitchDevice> = Vec::new();
        let mut diodes: Vec<DiodeDevice> = Vec::new();
        let mut inductances: Vec<f64> = Vec::new();
        let mut initial_state: Vec<f64> = Vec::new();
        let mut thermal_resistors: Vec<usize> = Vec::new();
        let mut extra_currents = 0usize;
        let node_unknowns = self.nodes.len() - 1;
        let mut capacitor_branches: Vec<usize> = Vec::new();
        let mut voltage_source_unknown: HashMap<String, usize> = HashMap::new();

        // First pass: branch skeletons. Inductors get the first state indices.
        for element in &netlist.elements {
            if is_gate_source.contains(element.name.as_str()) {
                continue;
            }
            let name = element.name.clone();
            let line = element.line;
            let (n_pos, n_neg, kind) = match &element.kind {
                ElementKind::Resistor {
                    n_pos,
                    n_neg,
                    resistance,
                    thermal,
                } => {
                    let temperature = thermal.as_ref().map(|t| ResistorTemperature {
                        r_nominal: *resistance,
                        tc1: t.tc1,
                        tc2: t.tc2,
                        tnom: t.tnom,
                        self_heating: t.self_heating.clone().map(|h| (h, usize::MAX)),
                    });
                    let operating = match (&temperature, thermal) {
                        (Some(model), Some(t)) => {
                            let start = t.self_heating.as_ref().map_or(t.temperature, |h| h.tamb);
                            model.resistance_at(start)
                        }
                        _ => *resistance,
                    };
                    if !(operating > 0.0) || !operating.is_finite() {
                        return Err(element_error(
                            &name,
                            line,
                            format!(
                                "resistance at the operating temperature is {operating} Ω; it must be positive"
                            ),
                        ));
                    }
                    if temperature
                        .as_ref()
                        .is_some_and(|t| t.self_heating.is_some())
                    {
                        thermal_resistors.push(branches.len());
                    }
                    (
                        n_pos,
                        n_neg,
                        BranchKind::Resistor {
                            resistance: operating,
                            thermal: temperature,
                        },
                    )
                }
                ElementKind::Inductor {
                    n_pos,
                    n_neg,
                    inductance,
                    initial_current,
                    saturation,
                } => {
                    let state = states.len();
                    states.push(StateVar {
                        name: format!("i({name})"),
                        unit: "A",
                        branch: branches.len(),
                    });
                    initial_state.push(initial_current.unwrap_or(0.0));
                    let inductor = inductances.len();
                    inductances.push(*inductance);
                    (
                        n_pos,
                        n_neg,
                        BranchKind::Inductor {
                            state,
                            inductor,
                            inductance: *inductance,
                            saturation: saturation.clone(),
                        },
                    )
                }
                ElementKind::Capacitor {
                    n_pos,
                    n_neg,
                    capacitance,
                    ..
                } => {
                    capacitor_branches.push(branches.len());
                    let current = node_unknowns + extra_currents;
                    extra_currents += 1;
                    (
                        n_pos,
                        n_neg,
                        BranchKind::Capacitor {
                            state: usize::MAX,
                            current,
                            capacitance: *capacitance,
                        },
                    )
                }
                ElementKind::VoltageSource {
                    n_pos,
                    n_neg,
                    waveform,
                } => {
                    let input = sources.len();
                    sources.push(SourceInput {
                        name: name.clone(),
                        branch: branches.len(),
                        waveform: waveform.clone(),
                        is_voltage: true,
                    });
                    let current = node_unknowns + extra_currents;
                    extra_currents += 1;
                    voltage_source_unknown.insert(name.to_ascii_lowercase(), current);
                    (n_pos, n_neg, BranchKind::VoltageSource { input, current })
                }
                ElementKind::CurrentSource {
                    n_pos,
                    n_neg,
                    waveform,
                } => {
                    let input = sources.len();
                    sources.push(SourceInput {
                        name: name.clone(),
                        branch: branches.len(),
                        waveform: waveform.clone(),
                        is_voltage: false,
                    });
                    (n_pos, n_neg, BranchKind::CurrentSource { input })
                }
                ElementKind::Switch {
                    n_pos,
                    n_neg,
                    control_pos,
                    control_neg,
                    model,
                } => {
                    let card = model_card(netlist, &name, line, model)?;
                    let ModelKind::Switch(sw) = &card.kind else {
                        return Err(element_error(
                            &name,
                            line,
                            format!("model '{model}' is not an SW model"),
                        ));
                    };
                    let gate = gate_drive(
                        &name,
                        line,
                        control_pos,
                        control_neg,
                        &gate_sources,
                        &power_nodes,
                    )?;
                    let index = switches.len();
                    switches.push(SwitchDevice {
                        name: name.clone(),
                        branch: branches.len(),
                        ron: sw.ron,
                        roff: sw.roff,
                        gate: GateDrive {
                            vt: sw.vt,
                            vh: sw.vh,
                            ..gate
                        },
                    });
                    (n_pos, n_neg, BranchKind::Switch { index })
                }
                ElementKind::Diode {
                    anode,
                    cathode,
                    model,
                } => {
                    let card = model_card(netlist, &name, line, model)?;
                    let ModelKind::Diode(d) = &card.kind else {
                        return Err(element_error(
                            &name,
                            line,
                            format!("model '{model}' is not a SIDIODE model"),
                        ));
                    };
                    let index = diodes.len();
                    diodes.push(DiodeDevice {
                        name: name.clone(),
                        branch: branches.len(),
                        ron: d.ron,
                        roff: d.roff,
                        vfwd: d.vfwd,
                    });
                    (anode, cathode, BranchKind::Diode { index })
                }
                ElementKind::Vcvs {
                    n_pos,
                    n_neg,
                    control_pos,
                    control_neg,
                    gain,
                } => {
                    let current = node_unknowns + extra_currents;
                    extra_currents += 1;
                    (
                        n_pos,
                        n_neg,
                        BranchKind::Vcvs {
                            control_pos: self.node(control_pos),
                            control_neg: self.node(control_neg),
                            gain: *gain,
                            current,
                        },
                    )
                }
                ElementKind::Vccs {
                    n_pos,
                    n_neg,
                    control_pos,
                    control_neg,
                    gain,
                } => (
                    n_pos,
                    n_neg,
                    BranchKind::Vccs {
                        control_pos: self.node(control_pos),
                        control_neg: self.node(control_neg),
                        gain: *gain,
                    },
                ),
                ElementKind::Cccs {
                    n_pos, n_neg, gain, ..
                } => (
                    n_pos,
                    n_neg,
                    BranchKind::Cccs {
                        sense: usize::MAX,
                        gain: *gain,
                    },
                ),
                ElementKind::Ccvs {
                    n_pos, n_neg, gain, ..
                } => {
                    let current = node_unknowns + extra_currents;
                    extra_currents += 1;
                    (
                        n_pos,
                        n_neg,
                        BranchKind::Ccvs {
                            sense: usize::MAX,
                            gain: *gain,
                            current,
                        },
                    )
                }
                ElementKind::Coupling { .. } => continue,
            };
            let n_pos = self.node(n_pos);
            let n_neg = self.node(n_neg);
            branches.push(Branch {
                name,
                n_pos,
                n_neg,
                kind,
            });
        }

        if switches.len() + diodes.len() > MAX_SWITCHING_DEVICES {
            return Err(CircuitError::Circuit(format!(
                "the circuit has {} switches and diodes; at most {MAX_SWITCHING_DEVICES} are supported",
                switches.len() + diodes.len()
            )));
        }

        // Current-controlled sources refer to a power voltage source by name.
        for (branch, element) in branches.iter_mut().zip(
            netlist
                .elements
                .iter()
                .filter(|e| !is_gate_source.contains(e.name.as_str()))
                .filter(|e| !matches!(e.kind, ElementKind::Coupling { .. })),
        ) {
            let sense_name = match &element.kind {
                ElementKind::Cccs { sense, .. } | ElementKind::Ccvs { sense, .. } => sense,
                _ => continue,
            };
            let Some(&unknown) = voltage_source_unknown.get(&sense_name.to_ascii_lowercase())
            else {
                return Err(element_error(
                    &element.name,
                    element.line,
                    format!(
                        "controlling source '{sense_name}' is not a voltage source of the power circuit"
                    ),
                ));
            };
            match &mut branch.kind {
                BranchKind::Cccs { sense, .. } | BranchKind::Ccvs { sense, .. } => *sense = unknown,
                _ => {}
            }
        }

        // Capacitor states follow the inductor states.
        for &b in &capacitor_branches {
            let state = states.len();
            let name = branches[b].name.clone();
            states.push(StateVar {
                name: format!("vd({name})"),
                unit: "V",
                branch: b,
            });
            if let BranchKind::Capacitor { state: s, .. } = &mut branches[b].kind {
                *s = state;
            }
            let element = netlist.element(&name);
            let ic = match element.map(|e| &e.kind) {
                Some(ElementKind::Capacitor {
                    initial_voltage, ..
                }) => *initial_voltage,
                _ => None,
            };
            initial_state.push(ic.unwrap_or(0.0));
        }

        // Temperature states of self-heating resistors come last.
        for &b in &thermal_resistors {
            let state = states.len();
            let name = branches[b].name.clone();
            if let BranchKind::Resistor {
                thermal: Some(t), ..
            } = &mut branches[b].kind
                && let Some((heating, index)) = &mut t.self_heating
            {
                *index = state;
                initial_state.push(heating.tamb);
            }
            states.push(StateVar {
                name: format!("temp({name})"),
                unit: "°C",
                branch: b,
            });
        }

        self.apply_node_initial_conditions(&branches, &mut initial_state)?;
        let (inductance_matrix, inverse_inductance) =
            inductance_matrices(netlist, &branches, &inductances)?;
        self.check_topology(&branches)?;

        Ok(Circuit {
            title: netlist.title.clone(),
            nodes: self.nodes,
            branches,
            states,
            sources,
            switches,
            diodes,
            inductance_matrix,
            inverse_inductance,
            initial_state,
            mna_size: node_unknowns + extra_currents,
        })
    }

    /// Maps `.ic V(node)=value` onto the capacitor between that node and ground.
    fn apply_node_initial_conditions(
        &self,
        branches: &[Branch],
        initial_state: &mut [f64],
    ) -> Result<(), CircuitError> {
        for (node_name, value) in &self.netlist.initial_conditions {
            let Some(node) = self.existing_node(node_name) else {
                return Err(CircuitError::Circuit(format!(
                    ".ic V({node_name}): node '{node_name}' is not in the power circuit"
                )));
            };
            let capacitor = branches.iter().find_map(|b| match b.kind {
                BranchKind::Capacitor { state, .. } if b.n_pos == node && b.n_neg == GROUND => {
                    Some((state, 1.0))
                }
                BranchKind::Capacitor { state, .. } if b.n_neg == node && b.n_pos == GROUND => {
                    Some((state, -1.0))
                }
                _ => None,
            });
            let Some((state, sign)) = capacitor else {
                return Err(CircuitError::Circuit(format!(
                    ".ic V({node_name}): pelab sets initial conditions on capacitor voltages, \
                     and no capacitor connects '{node_name}' to ground; use ic= on the capacitor instead"
                )));
            };
            initial_state[state] = sign * value;
        }
        Ok(())
    }

    fn check_topology(&self, branches: &[Branch]) -> Result<(), CircuitError> {
        let node_count = self.nodes.len();
        let mut voltage_defined: Vec<Edge<'_>> = Vec::new();
        let mut connecting: Vec<(usize, usize)> = Vec::new();
        let mut cutting: Vec<Edge<'_>> = Vec::new();
        for b in branches {
            let edge = (b.n_pos, b.n_neg, b.name.as_str());
            match b.kind {
                BranchKind::VoltageSource { .. }
                | BranchKind::Capacitor { .. }
                | BranchKind::Vcvs { .. }
                | BranchKind::Ccvs { .. } => {
                    voltage_defined.push(edge);
                    connecting.push((b.n_pos, b.n_neg));
                }
                BranchKind::Resistor { .. }
                | BranchKind::Switch { .. }
                | BranchKind::Diode { .. } => {
                    connecting.push((b.n_pos, b.n_neg));
                }
                BranchKind::Inductor { .. }
                | BranchKind::CurrentSource { .. }
                | BranchKind::Cccs { .. }
                | BranchKind::Vccs { .. } => cutting.push(edge),
            }
        }
        if let Some(elements) = find_loop(node_count, &voltage_defined) {
            return Err(CircuitError::VoltageLoop { elements });
        }
        if let Some((nodes, elements)) = find_cut_set(node_count, &connecting, &cutting) {
            let nodes = nodes.iter().map(|&n| self.nodes[n].clone()).collect();
            if elements.is_empty() {
                return Err(CircuitError::Floating { nodes });
            }
            return Err(CircuitError::CurrentCutSet { nodes, elements });
        }
        Ok(())
    }
}
