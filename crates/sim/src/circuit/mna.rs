//! State-space models by modified nodal analysis (MNA) with state-variable extraction.
//!
//! For one switch configuration every switch and diode is a resistor (`Ron` or
//! `Roff`), a conducting diode adds its forward voltage as a Norton source
//! `−Vfwd/Ron`, each capacitor is replaced by a voltage source equal to its state
//! `v_C`, and each inductor by a current source equal to its state `i_L`. What remains
//! is a resistive network, solved by MNA:
//!
//! ```text
//! G z = K [x; u]
//! ```
//!
//! with `z` the node voltages (ground removed) followed by the branch currents of
//! voltage sources, capacitors, VCVS and CCVS; `x` the states; `u` the inputs with a
//! trailing constant 1. The solution map `S = G⁻¹ K` gives every node voltage and branch
//! current as a linear function of `[x; u]`, and from it
//!
//! ```text
//! dv_C/dt = i_C / C                     (i_C: the capacitor's branch current in z)
//! di_L/dt = L⁻¹ v_L                     (L: inductance matrix with mutual terms)
//! ```
//!
//! so `dx/dt = A x + B u` with `[A B]` read off those rows. `G` is regular exactly when
//! the circuit has no loop of voltage-defined branches and no cut-set of
//! current-defined branches, which [`Circuit::from_netlist`] checks beforehand.

use pelab_linalg::{Lu, Matrix};

use super::{BranchKind, Circuit, GROUND};

/// Linear model of one switch configuration.
#[derive(Debug, Clone)]
pub struct ConfigModel {
    /// Configuration mask: bit `i` for switch `i` on, bit `n_sw + j` for diode `j` on.
    pub mask: u64,
    /// State matrix `A`, `n × n`.
    pub a: Matrix,
    /// Input matrix `B`, `n × m`.
    pub b: Matrix,
    /// Solution map `S = G⁻¹ K`: MNA unknowns as functions of `[x; u]`.
    pub solution: Matrix,
    /// Row `j`: a function of `[x; u]` that is positive when diode `j`'s present state
    /// is inconsistent: `−i_D` for a conducting diode, `v_D − Vfwd` for a blocking one.
    pub diode_violation: Matrix,
    /// Resistor values by branch index when they differ from the netlist's (the
    /// temperature-dependent resistors of the nonlinear path).
    pub resistances: Option<Vec<f64>>,
}

/// Signals a run can record.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Signal name: `v(node)`, `i(X)`, `vd(X)`, `p(X)`, `gate(S)`, `on(D)`.
    pub name: String,
    /// Unit symbol.
    pub unit: &'static str,
    /// What it measures.
    pub kind: ProbeKind,
}

/// What a [`Probe`] measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// Voltage of a node to ground [V].
    NodeVoltage(usize),
    /// Current through a branch from its positive to its negative node [A].
    BranchCurrent(usize),
    /// Voltage across a branch, positive node minus negative node [V].
    BranchVoltage(usize),
    /// Power absorbed by a branch, `vd · i` [W]; negative for a source delivering power.
    BranchPower(usize),
    /// Gate state of a switch, 1 or 0.
    Gate(usize),
    /// Conduction state of a diode, 1 or 0.
    DiodeOn(usize),
    /// A state with no circuit quantity of its own: a resistor temperature [°C].
    State(usize),
}

/// A singular MNA matrix that the topology checks did not explain.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "the circuit equations are singular at {unknown} in switch configuration {mask:#b}; \
     check controlled sources and floating parts of the circuit"
)]
pub struct SingularCircuit {
    /// The MNA unknown without a usable pivot, e.g. `v(out)` or `i(V1)`.
    pub unknown: String,
    /// Configuration mask.
    pub mask: u64,
}

impl Circuit {
    /// Conductance of branch `index` in configuration `mask` [S], for resistive branches.
    pub fn branch_conductance(&self, index: usize, mask: u64, resistances: Option<&[f64]>) -> f64 {
        match &self.branches[index].kind {
            BranchKind::Resistor { resistance, .. } => {
                1.0 / resistances.map_or(*resistance, |r| r[index])
            }
            BranchKind::Switch { index: s } => {
                let device = &self.switches[*s];
                if mask & self.switch_bit(*s) != 0 {
                    1.0 / device.ron
                } else {
                    1.0 / device.roff
                }
            }
            BranchKind::Diode { index: d } => {
                let device = &self.diodes[*d];
                if mask & self.diode_bit(*d) != 0 {
                    1.0 / device.ron
                } else {
                    1.0 / device.roff
                }
            }
            _ => 0.0,
        }
    }

    /// Assembles `G` and `K` of `G z = K [x; u]` for configuration `mask`.
    ///
    /// `resistances`, when given, overrides resistor values by branch index (the
    /// nonlinear path passes temperature-dependent values).
    pub fn assemble(&self, mask: u64, resistances: Option<&[f64]>) -> (Matrix, Matrix) {
        let size = self.mna_size;
        let n = self.state_count();
        let columns = n + self.input_count();
        let constant = columns - 1;
        let mut g = Matrix::zeros(size, size);
        let mut k = Matrix::zeros(size, columns);
        // Node `i` (1-based) is MNA row/column `i − 1`; ground has none.
        let row = |node: usize| (node != GROUND).then(|| node - 1);

        let stamp_conductance = |g: &mut Matrix, a: usize, b: usize, value: f64| {
            if let Some(ra) = row(a) {
                g[(ra, ra)] += value;
            }
            if let Some(rb) = row(b) {
                g[(rb, rb)] += value;
            }
            if let (Some(ra), Some(rb)) = (row(a), row(b)) {
                g[(ra, rb)] -= value;
                g[(rb, ra)] -= value;
            }
        };
        // A current `coefficient · column` flowing from `a` through the branch to `b`
        // leaves node `a` and enters node `b`.
        let stamp_current =
            |k: &mut Matrix, a: usize, b: usize, column: usize, coefficient: f64| {
                if let Some(ra) = row(a) {
                    k[(ra, column)] -= coefficient;
                }
                if let Some(rb) = row(b) {
                    k[(rb, column)] += coefficient;
                }
            };
        // A voltage-defined branch with unknown current `j` from `a` to `b`:
        // KCL terms in the node rows and `v_a − v_b` on the left of its own row.
        let stamp_voltage_branch = |g: &mut Matrix, a: usize, b: usize, j: usize| {
            if let Some(ra) = row(a) {
                g[(ra, j)] += 1.0;
                g[(j, ra)] += 1.0;
            }
            if let Some(rb) = row(b) {
                g[(rb, j)] -= 1.0;
                g[(j, rb)] -= 1.0;
            }
        };

        for (index, branch) in self.branches.iter().enumerate() {
            let (a, b) = (branch.n_pos, branch.n_neg);
            match &branch.kind {
                BranchKind::Resistor { .. } | BranchKind::Switch { .. } => {
                    stamp_conductance(
                        &mut g,
                        a,
                        b,
                        self.branch_conductance(index, mask, resistances),
                    );
                }
                BranchKind::Diode { index: d } => {
                    stamp_conductance(&mut g, a, b, self.branch_conductance(index, mask, None));
                    if mask & self.diode_bit(*d) != 0 {
                        let device = &self.diodes[*d];
                        // i = (v − Vfwd)/Ron: a source of −Vfwd/Ron from anode to cathode.
                        stamp_current(&mut k, a, b, constant, -device.vfwd / device.ron);
                    }
                }
                BranchKind::Inductor { state, .. } => stamp_current(&mut k, a, b, *state, 1.0),
                BranchKind::CurrentSource { input } => stamp_current(&mut k, a, b, n + input, 1.0),
                BranchKind::Capacitor { state, current, .. } => {
                    stamp_voltage_branch(&mut g, a, b, *current);
                    k[(*current, *state)] = 1.0;
                }
                BranchKind::VoltageSource { input, current } => {
                    stamp_voltage_branch(&mut g, a, b, *current);
                    k[(*current, n + input)] = 1.0;
                }
                BranchKind::Vcvs {
                    control_pos,
                    control_neg,
                    gain,
                    current,
                } => {
                    stamp_voltage_branch(&mut g, a, b, *current);
                    if let Some(r) = row(*control_pos) {
                        g[(*current, r)] -= gain;
                    }
                    if let Some(r) = row(*control_neg) {
                        g[(*current, r)] += gain;
                    }
                }
                BranchKind::Ccvs {
                    sense,
                    gain,
                    current,
                } => {
                    stamp_voltage_branch(&mut g, a, b, *current);
                    g[(*current, *sense)] -= gain;
                }
                BranchKind::Cccs { sense, gain } => {
                    if let Some(ra) = row(a) {
                        g[(ra, *sense)] += gain;
                    }
                    if let Some(rb) = row(b) {
                        g[(rb, *sense)] -= gain;
                    }
                }
                BranchKind::Vccs {
                    control_pos,
                    control_neg,
                    gain,
                } => {
                    for (node, sign) in [(a, 1.0), (b, -1.0)] {
                        let Some(r) = row(node) else { continue };
                        if let Some(c) = row(*control_pos) {
                            g[(r, c)] += sign * gain;
                        }
                        if let Some(c) = row(*control_neg) {
                            g[(r, c)] -= sign * gain;
                        }
                    }
                }
            }
        }
        (g, k)
    }

    /// Name of MNA unknown `index`, for error messages.
    pub fn unknown_name(&self, index: usize) -> String {
        let node_unknowns = self.nodes.len() - 1;
        if index < node_unknowns {
            return format!("v({})", self.nodes[index + 1]);
        }
        for branch in &self.branches {
            let current = match branch.kind {
                BranchKind::Capacitor { current, .. }
                | BranchKind::VoltageSource { current, .. }
                | BranchKind::Vcvs { current, .. }
                | BranchKind::Ccvs { current, .. } => current,
                _ => continue,
            };
            if current == index {
                return format!("i({})", branch.name);
            }
        }
        format!("unknown {index}")
    }

    /// Builds the linear model of configuration `mask`.
    ///
    /// # Errors
    /// [`SingularCircuit`] when `G` cannot be factorised.
    pub fn config_model(&self, mask: u64) -> Result<ConfigModel, SingularCircuit> {
        self.config_model_with(mask, None)
    }

    /// Builds the linear model of configuration `mask` with resistor values
    /// `resistances` (by branch index) in place of the netlist's.
    ///
    /// # Errors
    /// [`SingularCircuit`] when `G` cannot be factorised.
    pub fn config_model_with(
        &self,
        mask: u64,
        resistances: Option<&[f64]>,
    ) -> Result<ConfigModel, SingularCircuit> {
        let (g, k) = self.assemble(mask, resistances);
        let lu = Lu::factor(&g).map_err(|e| SingularCircuit {
            unknown: self.unknown_name(e.column),
            mask,
        })?;
        let solution = lu.solve_matrix(&k);
        let n = self.state_count();
        let columns = solution.cols();

        let mut ab = Matrix::zeros(n, columns);
        let inductor_count = self.inductor_count();
        let mut inductor_voltages = Matrix::zeros(inductor_count, columns);
        for (index, branch) in self.branches.iter().enumerate() {
            match &branch.kind {
                BranchKind::Inductor { inductor, .. } => {
                    let v = self.voltage_row(&solution, index);
                    inductor_voltages.row_mut(*inductor).copy_from_slice(&v);
                }
                BranchKind::Capacitor {
                    state,
                    current,
                    capacitance,
                } => {
                    let target = ab.row_mut(*state);
                    for (t, s) in target.iter_mut().zip(solution.row(*current)) {
                        *t = s / capacitance;
                    }
                }
                _ => {}
            }
        }
        // di/dt = L⁻¹ v_L. Inductor states come first, in inductor order.
        for i in 0..inductor_count {
            let target = ab.row_mut(i);
            for j in 0..inductor_count {
                let coefficient = self.inverse_inductance[i * inductor_count + j];
                if coefficient == 0.0 {
                    continue;
                }
                for (t, v) in target.iter_mut().zip(inductor_voltages.row(j)) {
                    *t += coefficient * v;
                }
            }
        }

        let mut diode_violation = Matrix::zeros(self.diodes.len(), columns);
        for (d, device) in self.diodes.iter().enumerate() {
            let target = diode_violation.row_mut(d);
            if mask & self.diode_bit(d) != 0 {
                let current = self.current_row(&solution, device.branch, mask, resistances);
                for (t, c) in target.iter_mut().zip(&current) {
                    *t = -c;
                }
            } else {
                let voltage = self.voltage_row(&solution, device.branch);
                target.copy_from_slice(&voltage);
                target[columns - 1] -= device.vfwd;
            }
        }

        Ok(ConfigModel {
            mask,
            a: ab.block(0, 0, n, n),
            b: ab.block(0, n, n, columns - n),
            solution,
            diode_violation,
            resistances: resistances.map(<[f64]>::to_vec),
        })
    }

    /// Row of `[x; u]` coefficients giving the voltage of `node`.
    pub fn node_voltage_row(&self, solution: &Matrix, node: usize) -> Vec<f64> {
        if node == GROUND {
            vec![0.0; solution.cols()]
        } else {
            solution.row(node - 1).to_vec()
        }
    }

    /// Row giving the voltage across branch `index`, positive minus negative node.
    pub fn voltage_row(&self, solution: &Matrix, index: usize) -> Vec<f64> {
        let branch = &self.branches[index];
        let mut row = self.node_voltage_row(solution, branch.n_pos);
        let negative = self.node_voltage_row(solution, branch.n_neg);
        for (r, v) in row.iter_mut().zip(&negative) {
            *r -= v;
        }
        row
    }

    /// Row giving the current through branch `index` from its positive to its
    /// negative node, in configuration `mask`, with optional resistor overrides.
    pub fn current_row(
        &self,
        solution: &Matrix,
        index: usize,
        mask: u64,
        resistances: Option<&[f64]>,
    ) -> Vec<f64> {
        let columns = solution.cols();
        let n = self.state_count();
        let unit = |column: usize| {
            let mut row = vec![0.0; columns];
            row[column] = 1.0;
            row
        };
        let scaled = |mut row: Vec<f64>, factor: f64| {
            for r in &mut row {
                *r *= factor;
            }
            row
        };
        match &self.branches[index].kind {
            BranchKind::Resistor { .. } | BranchKind::Switch { .. } => scaled(
                self.voltage_row(solution, index),
                self.branch_conductance(index, mask, resistances),
            ),
            BranchKind::Diode { index: d } => {
                let conductance = self.branch_conductance(index, mask, None);
                let mut row = scaled(self.voltage_row(solution, index), conductance);
                if mask & self.diode_bit(*d) != 0 {
                    row[columns - 1] -= self.diodes[*d].vfwd * conductance;
                }
                row
            }
            BranchKind::Inductor { state, .. } => unit(*state),
            BranchKind::CurrentSource { input } => unit(n + input),
            BranchKind::Capacitor { current, .. }
            | BranchKind::VoltageSource { current, .. }
            | BranchKind::Vcvs { current, .. }
            | BranchKind::Ccvs { current, .. } => solution.row(*current).to_vec(),
            BranchKind::Cccs { sense, gain } => scaled(solution.row(*sense).to_vec(), *gain),
            BranchKind::Vccs {
                control_pos,
                control_neg,
                gain,
            } => {
                let mut row = self.node_voltage_row(solution, *control_pos);
                let negative = self.node_voltage_row(solution, *control_neg);
                for (r, v) in row.iter_mut().zip(&negative) {
                    *r = gain * (*r - v);
                }
                row
            }
        }
    }

    /// Every signal a run can record: node voltages, branch currents, voltages and
    /// powers, gate and diode states.
    pub fn available_probes(&self) -> Vec<Probe> {
        let mut probes = Vec::new();
        for (node, name) in self.nodes.iter().enumerate().skip(1) {
            probes.push(Probe {
                name: format!("v({name})"),
                unit: "V",
                kind: ProbeKind::NodeVoltage(node),
            });
        }
        for (index, branch) in self.branches.iter().enumerate() {
            let name = &branch.name;
            probes.push(Probe {
                name: format!("i({name})"),
                unit: "A",
                kind: ProbeKind::BranchCurrent(index),
            });
            probes.push(Probe {
                name: format!("vd({name})"),
                unit: "V",
                kind: ProbeKind::BranchVoltage(index),
            });
            probes.push(Probe {
                name: format!("p({name})"),
                unit: "W",
                kind: ProbeKind::BranchPower(index),
            });
        }
        for (index, switch) in self.switches.iter().enumerate() {
            probes.push(Probe {
                name: format!("gate({})", switch.name),
                unit: "1",
                kind: ProbeKind::Gate(index),
            });
        }
        for (index, diode) in self.diodes.iter().enumerate() {
            probes.push(Probe {
                name: format!("on({})", diode.name),
                unit: "1",
                kind: ProbeKind::DiodeOn(index),
            });
        }
        for (index, state) in self.states.iter().enumerate() {
            if state.name.starts_with("temp(") {
                probes.push(Probe {
                    name: state.name.clone(),
                    unit: state.unit,
                    kind: ProbeKind::State(index),
                });
            }
        }
        probes
    }

    /// Finds a probe by name (case-insensitive).
    pub fn probe(&self, name: &str) -> Option<Probe> {
        self.available_probes()
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}
