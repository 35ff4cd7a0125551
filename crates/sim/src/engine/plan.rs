//! Which linear quantities the engine evaluates, and how signals are made from them.
//!
//! Every recorded probe, controller measurement and energy term is either a linear
//! function of `[x; u]` in the present configuration (a node voltage, a branch voltage,
//! a branch current), a product of two such functions (a branch power), or a
//! switch/diode state. [`OutputPlan`] deduplicates the linear rows so a configuration
//! computes each only once.

use std::collections::HashMap;

use pelab_linalg::Matrix;

use crate::circuit::{BranchKind, Circuit, ConfigModel, ProbeKind};

/// A linear function of `[x; u]` whose coefficients depend on the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum RowSpec {
    Node(usize),
    BranchVoltage(usize),
    BranchCurrent(usize),
    State(usize),
}

/// How one output value is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Quantity {
    Row(usize),
    Product(usize, usize),
    Gate(usize),
    DiodeOn(usize),
}

#[derive(Debug, Default)]
pub(crate) struct OutputPlan {
    rows: Vec<RowSpec>,
    index: HashMap<RowSpec, usize>,
}

impl OutputPlan {
    pub(crate) fn row(&mut self, spec: RowSpec) -> usize {
        if let Some(&i) = self.index.get(&spec) {
            return i;
        }
        self.rows.push(spec);
        self.index.insert(spec, self.rows.len() - 1);
        self.rows.len() - 1
    }

    pub(crate) fn quantity(&mut self, kind: ProbeKind) -> Quantity {
        match kind {
            ProbeKind::NodeVoltage(n) => Quantity::Row(self.row(RowSpec::Node(n))),
            ProbeKind::BranchCurrent(b) => Quantity::Row(self.row(RowSpec::BranchCurrent(b))),
            ProbeKind::BranchVoltage(b) => Quantity::Row(self.row(RowSpec::BranchVoltage(b))),
            ProbeKind::BranchPower(b) => Quantity::Product(
                self.row(RowSpec::BranchVoltage(b)),
                self.row(RowSpec::BranchCurrent(b)),
            ),
            ProbeKind::Gate(s) => Quantity::Gate(s),
            ProbeKind::DiodeOn(d) => Quantity::DiodeOn(d),
            ProbeKind::State(i) => Quantity::Row(self.row(RowSpec::State(i))),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// For each planned row, the column of `[x; u]` it equals in every configuration,
    /// if any: a state, a capacitor's voltage, an inductor's current or a current
    /// source's value. The engine reads these directly instead of forming a dot
    /// product with a unit row; the value is bit-for-bit the same.
    pub(crate) fn direct_columns(&self, circuit: &Circuit) -> Vec<Option<usize>> {
        let n = circuit.state_count();
        self.rows
            .iter()
            .map(|spec| match *spec {
                RowSpec::State(i) => Some(i),
                RowSpec::BranchVoltage(b) => match circuit.branches[b].kind {
                    BranchKind::Capacitor { state, .. } => Some(state),
                    _ => None,
                },
                RowSpec::BranchCurrent(b) => match circuit.branches[b].kind {
                    BranchKind::Inductor { state, .. } => Some(state),
                    BranchKind::CurrentSource { input } => Some(n + input),
                    _ => None,
                },
                RowSpec::Node(_) => None,
            })
            .collect()
    }

    /// Coefficient rows of every planned quantity in configuration `model`.
    pub(crate) fn rows_for(&self, circuit: &Circuit, model: &ConfigModel) -> Matrix {
        let columns = model.solution.cols();
        let mut out = Matrix::zeros(self.rows.len(), columns);
        for (i, spec) in self.rows.iter().enumerate() {
            let row = match *spec {
                RowSpec::Node(n) => circuit.node_voltage_row(&model.solution, n),
                RowSpec::BranchVoltage(b) => match circuit.branches[b].kind {
                    // A capacitor's voltage is its state; reading it directly avoids
                    // the round-off of the MNA solution.
                    BranchKind::Capacitor { state, .. } => unit_row(columns, state),
                    _ => circuit.voltage_row(&model.solution, b),
                },
                RowSpec::State(i) => unit_row(columns, i),
                RowSpec::BranchCurrent(b) => circuit.current_row(
                    &model.solution,
                    b,
                    model.mask,
                    model.resistances.as_deref(),
                ),
            };
            out.row_mut(i).copy_from_slice(&row);
        }
        out
    }
}

fn unit_row(columns: usize, index: usize) -> Vec<f64> {
    let mut row = vec![0.0; columns];
    row[index] = 1.0;
    row
}

/// Evaluates `quantities` from already computed row values and the configuration mask.
pub(crate) fn evaluate(
    quantities: &[Quantity],
    row_values: &[f64],
    mask: u64,
    switch_count: usize,
    out: &mut [f64],
) {
    for (q, o) in quantities.iter().zip(out.iter_mut()) {
        *o = match *q {
            Quantity::Row(i) => row_values[i],
            Quantity::Product(a, b) => row_values[a] * row_values[b],
            Quantity::Gate(s) => f64::from(u8::from(mask & (1 << s) != 0)),
            Quantity::DiodeOn(d) => f64::from(u8::from(mask & (1 << (switch_count + d)) != 0)),
        };
    }
}
