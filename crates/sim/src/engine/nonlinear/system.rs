//! The circuit in one configuration as an [`OdeSystem`].

use std::collections::HashMap;

use pelab_ode::{EventDirection, OdeSystem};

use super::super::{RunStats, SimError, diode_excess, inputs_at, voltage_scale};
use crate::circuit::{BranchKind, Circuit, ConfigModel};
use crate::sources::PulseDefaults;

/// The circuit in one configuration as an ODE system.
pub(super) struct CircuitOde<'a> {
    pub(super) circuit: &'a Circuit,
    pub(super) defaults: PulseDefaults,
    pub(super) mask: u64,
    pub(super) tolerance_v: f64,
    pub(super) thermal: bool,
    /// Models of configurations when no resistor depends on temperature.
    pub(super) models: HashMap<u64, ConfigModel>,
    /// Last model built with temperature-dependent resistances.
    pub(super) current: Option<ConfigModel>,
    pub(super) resistances: Vec<f64>,
    pub(super) u: Vec<f64>,
    pub(super) xu: Vec<f64>,
    /// First failure inside a callback, reported after the integrator returns.
    pub(super) failure: Option<SimError>,
    pub(super) rhs_evaluations: usize,
}

impl<'a> CircuitOde<'a> {
    pub(super) fn new(circuit: &'a Circuit, defaults: PulseDefaults) -> Self {
        let thermal = circuit.branches.iter().any(|b| {
            matches!(&b.kind, BranchKind::Resistor { thermal: Some(t), .. } if t.self_heating.is_some())
        });
        let resistances = circuit
            .branches
            .iter()
            .map(|b| match b.kind {
                BranchKind::Resistor { resistance, .. } => resistance,
                _ => 0.0,
            })
            .collect();
        Self {
            circuit,
            defaults,
            mask: 0,
            tolerance_v: 1e-9 * voltage_scale(circuit),
            thermal,
            models: HashMap::new(),
            current: None,
            resistances,
            u: vec![0.0; circuit.input_count()],
            xu: vec![0.0; circuit.state_count() + circuit.input_count()],
            failure: None,
            rhs_evaluations: 0,
        }
    }

    /// Updates the temperature-dependent resistances from the temperature states.
    pub(super) fn update_resistances(&mut self, x: &[f64]) {
        for (index, branch) in self.circuit.branches.iter().enumerate() {
            if let BranchKind::Resistor {
                thermal: Some(model),
                ..
            } = &branch.kind
                && let Some((_, state)) = &model.self_heating
            {
                self.resistances[index] = model.resistance_at(x[*state]);
            }
        }
    }

    /// Builds or fetches the model of the present configuration for state `x`.
    pub(super) fn model(&mut self, x: &[f64]) -> Result<&ConfigModel, SimError> {
        if self.thermal {
            self.update_resistances(x);
            let model = self
                .circuit
                .config_model_with(self.mask, Some(&self.resistances))?;
            self.current = Some(model);
            return Ok(self
                .current
                .as_ref()
                .unwrap_or_else(|| unreachable!("set above")));
        }
        if !self.models.contains_key(&self.mask) {
            let model = self.circuit.config_model(self.mask)?;
            self.models.insert(self.mask, model);
        }
        Ok(self
            .models
            .get(&self.mask)
            .unwrap_or_else(|| unreachable!("inserted above")))
    }

    pub(super) fn set_xu(&mut self, t: f64, x: &[f64]) {
        inputs_at(self.circuit, t, self.defaults, &mut self.u);
        let n = x.len();
        self.xu[..n].copy_from_slice(x);
        self.xu[n..].copy_from_slice(&self.u);
    }

    pub(super) fn derivative(
        &mut self,
        t: f64,
        x: &[f64],
        dxdt: &mut [f64],
    ) -> Result<(), SimError> {
        self.set_xu(t, x);
        let n = x.len();
        let xu = self.xu.clone();
        let circuit = self.circuit;
        let model = self.model(x)?;
        model.a.mul_vec_into(&xu[..n], dxdt);
        for (r, d) in dxdt.iter_mut().enumerate() {
            *d += model
                .b
                .row(r)
                .iter()
                .zip(&xu[n..])
                .map(|(b, u)| b * u)
                .sum::<f64>();
        }
        let solution = model.solution.clone();
        for (index, branch) in circuit.branches.iter().enumerate() {
            match &branch.kind {
                BranchKind::Inductor {
                    state,
                    inductance,
                    saturation: Some(s),
                    ..
                } => {
                    let ratio = x[*state] / s.i_sat;
                    let l_d = s.l_sat + (inductance - s.l_sat) / (1.0 + ratio * ratio);
                    dxdt[*state] *= inductance / l_d;
                }
                BranchKind::Resistor {
                    thermal: Some(model),
                    ..
                } => {
                    if let Some((heating, state)) = &model.self_heating {
                        let v: f64 = circuit
                            .voltage_row(&solution, index)
                            .iter()
                            .zip(&xu)
                            .map(|(a, b)| a * b)
                            .sum();
                        let power = v * v / self.resistances[index];
                        let loss_to_ambient = (x[*state] - heating.tamb) / heating.rth;
                        dxdt[*state] = (power - loss_to_ambient) / heating.cth;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Tolerance-adjusted violation of each diode [V]; positive means inconsistent.
    pub(super) fn violations(
        &mut self,
        t: f64,
        x: &[f64],
        out: &mut [f64],
    ) -> Result<(), SimError> {
        self.set_xu(t, x);
        let xu = self.xu.clone();
        let mask = self.mask;
        let circuit = self.circuit;
        let tolerance_v = self.tolerance_v;
        let model = self.model(x)?;
        for (d, device) in circuit.diodes.iter().enumerate() {
            let violation: f64 = model
                .diode_violation
                .row(d)
                .iter()
                .zip(&xu)
                .map(|(a, b)| a * b)
                .sum();
            let on = mask & circuit.diode_bit(d) != 0;
            out[d] = diode_excess(device.ron, on, violation, tolerance_v);
        }
        Ok(())
    }

    /// Flips the most violated diode until none is violated at `(t, x)`.
    pub(super) fn settle(
        &mut self,
        t: f64,
        x: &[f64],
        stats: &mut RunStats,
    ) -> Result<(), SimError> {
        let count = self.circuit.diodes.len();
        let mut g = vec![0.0; count];
        for _ in 0..4 * count + 4 {
            self.violations(t, x, &mut g)?;
            let worst = g
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0.0)
                .max_by(|a, b| a.1.total_cmp(b.1));
            let Some((d, _)) = worst else {
                return Ok(());
            };
            self.mask ^= self.circuit.diode_bit(d);
            stats.diode_commutations += 1;
        }
        Err(SimError::Inconsistent {
            t,
            diodes: self
                .circuit
                .diodes
                .iter()
                .map(|d| d.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    pub(super) fn fail(&mut self, error: SimError) {
        if self.failure.is_none() {
            self.failure = Some(error);
        }
    }
}

impl OdeSystem for CircuitOde<'_> {
    fn dim(&self) -> usize {
        self.circuit.state_count()
    }

    fn rhs(&mut self, t: f64, x: &[f64], dxdt: &mut [f64]) {
        self.rhs_evaluations += 1;
        if let Err(e) = self.derivative(t, x, dxdt) {
            self.fail(e);
            dxdt.fill(f64::NAN);
        }
    }

    fn event_count(&self) -> usize {
        self.circuit.diodes.len()
    }

    fn events(&mut self, t: f64, x: &[f64], g: &mut [f64]) {
        if let Err(e) = self.violations(t, x, g) {
            self.fail(e);
            g.fill(f64::NAN);
        }
    }

    fn event_direction(&self, _index: usize) -> EventDirection {
        EventDirection::Rising
    }
}
