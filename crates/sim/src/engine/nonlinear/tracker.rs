//! Recording, energy and measurement integrals of a nonlinear run.

use std::collections::HashMap;

use pelab_linalg::Matrix;
use pelab_ode::Output;

use super::super::energy::EnergyTerms;
use super::super::plan::{OutputPlan, Quantity, evaluate};
use super::super::{EnergyBalance, GateControl, RunStats, SampleSink, SimError};
use super::system::CircuitOde;
use crate::circuit::Circuit;

/// Evaluation of recorded signals, powers and measurements at one instant.
pub(super) struct Signals<'a> {
    pub(super) circuit: &'a Circuit,
    pub(super) plan: OutputPlan,
    pub(super) recorded: Vec<Quantity>,
    pub(super) measured: Vec<Quantity>,
    pub(super) energy: EnergyTerms,
    pub(super) row_cache: HashMap<u64, Matrix>,
    pub(super) thermal: bool,
    pub(super) row_values: Vec<f64>,
}

impl<'a> Signals<'a> {
    pub(super) fn rows(&mut self, ode: &mut CircuitOde<'_>, x: &[f64]) -> Result<(), SimError> {
        let mask = ode.mask;
        let xu = ode.xu.clone();
        let circuit = self.circuit;
        let rows = if self.thermal {
            let model = ode.model(x)?;
            self.plan.rows_for(circuit, model)
        } else {
            if !self.row_cache.contains_key(&mask) {
                let model = ode.model(x)?;
                let rows = self.plan.rows_for(circuit, model);
                self.row_cache.insert(mask, rows);
            }
            self.row_cache
                .get(&mask)
                .cloned()
                .unwrap_or_else(|| unreachable!("inserted above"))
        };
        self.row_values.resize(self.plan.len(), 0.0);
        for (r, v) in self.row_values.iter_mut().enumerate() {
            *v = rows.row(r).iter().zip(&xu).map(|(a, b)| a * b).sum();
        }
        Ok(())
    }
}

/// Sink of the integrator: collects the states at the sample times of one interval.
pub(super) struct Recording {
    pub(super) next_sample: f64,
    pub(super) segment_end: f64,
    pub(super) h_out: f64,
    pub(super) sample_index: f64,
    pub(super) pending: Vec<(f64, Vec<f64>)>,
}

impl Output for Recording {
    fn next_time(&mut self) -> Option<f64> {
        (self.next_sample < self.segment_end).then_some(self.next_sample)
    }

    fn record(&mut self, t: f64, x: &[f64]) {
        self.pending.push((t, x.to_vec()));
        self.sample_index += 1.0;
        self.next_sample = self.sample_index * self.h_out;
    }
}

/// Energy and measurement integrals and sample recording of a nonlinear run.
pub(super) struct Tracker<'a> {
    pub(super) signals: Signals<'a>,
    pub(super) window_from: f64,
    pub(super) controller_count: usize,
    pub(super) balance: EnergyBalance,
    pub(super) measure_integral: Vec<f64>,
    /// Previous evaluation point within the present configuration: (t, powers, measured).
    pub(super) previous: Option<(f64, Vec<f64>, Vec<f64>)>,
    pub(super) values: Vec<f64>,
    pub(super) stats: RunStats,
}

impl Tracker<'_> {
    /// Evaluates powers and measurements at `(t, x)` in the present configuration,
    /// integrates them from the previous point, and records a sample into `sink`
    /// when given.
    pub(super) fn visit(
        &mut self,
        t: f64,
        x: &[f64],
        ode: &mut CircuitOde<'_>,
        sink: Option<&mut dyn SampleSink>,
        gates: &dyn GateControl,
    ) -> Result<(), SimError> {
        ode.set_xu(t, x);
        self.signals.rows(ode, x)?;
        let switch_count = self.signals.circuit.switches.len();
        let signals = &self.signals;
        let mut powers = vec![0.0; signals.energy.quantities.len()];
        evaluate(
            &signals.energy.quantities,
            &signals.row_values,
            ode.mask,
            switch_count,
            &mut powers,
        );
        let mut measured = vec![0.0; signals.measured.len()];
        evaluate(
            &signals.measured,
            &signals.row_values,
            ode.mask,
            switch_count,
            &mut measured,
        );
        if let Some((t_prev, p_prev, m_prev)) = self.previous.as_ref() {
            let h = t - t_prev;
            if h > 0.0 {
                let in_window = *t_prev >= self.window_from;
                self.signals
                    .energy
                    .accumulate(p_prev, &powers, h, in_window, &mut self.balance);
                for ((acc, a), b) in self.measure_integral.iter_mut().zip(m_prev).zip(&measured) {
                    *acc += 0.5 * h * (a + b);
                }
            }
        }
        self.previous = Some((t, powers, measured));
        if let Some(sink) = sink {
            let probe_count = self.signals.recorded.len();
            evaluate(
                &self.signals.recorded,
                &self.signals.row_values,
                ode.mask,
                switch_count,
                &mut self.values[..probe_count],
            );
            if self.controller_count > 0 {
                gates.record(&mut self.values[probe_count..]);
            }
            sink.push(t, &self.values).map_err(SimError::Sink)?;
            self.stats.samples += 1;
        }
        Ok(())
    }

    /// Starts a new configuration: the next interval integrates from its first point.
    pub(super) fn restart(&mut self) {
        self.previous = None;
    }
}
