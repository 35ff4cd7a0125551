//! Energy bookkeeping: what the sources deliver, what resistive parts dissipate, and
//! what the reactive parts store.
//!
//! By Tellegen's theorem the absorbed powers of all branches sum to zero at every
//! instant, so over a run
//!
//! ```text
//! E_delivered = E_dissipated + E_controlled + ΔE_stored
//! ```
//!
//! The engine integrates the powers with the trapezoidal rule over its own steps and
//! takes `ΔE_stored` exactly from the states, so the residual of this balance measures
//! the accuracy of the stepping and the event location.

use serde::Serialize;

use super::plan::{OutputPlan, Quantity};
use crate::circuit::{BranchKind, Circuit, ProbeKind};

/// Energy balance of a run [J].
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EnergyBalance {
    /// Net energy delivered by independent sources.
    pub delivered: f64,
    /// Energy handled by the sources, `Σ ∫ |p_k| dt`: the scale of the balance when
    /// one source feeds another (a battery charged from a DC link nets almost zero).
    pub throughput: f64,
    /// Energy dissipated in resistors, switches and diodes (including `Vfwd · i`).
    pub dissipated: f64,
    /// Energy absorbed by controlled sources (zero for an ideal transformer pair).
    pub controlled: f64,
    /// Stored energy at the start (inductors and capacitors).
    pub stored_initial: f64,
    /// Stored energy at the end.
    pub stored_final: f64,
    /// Stored energy at the start of the metrics window (`window_from`).
    pub stored_window_start: f64,
}

impl EnergyBalance {
    /// `E_delivered − E_dissipated − E_controlled − ΔE_stored`.
    pub fn residual(&self) -> f64 {
        self.delivered
            - self.dissipated
            - self.controlled
            - (self.stored_final - self.stored_initial)
    }

    /// Residual relative to the largest term of the balance, the source throughput
    /// included.
    pub fn relative_residual(&self) -> f64 {
        let scale = self
            .throughput
            .max(self.delivered.abs())
            .max(self.dissipated.abs())
            .max((self.stored_final - self.stored_initial).abs())
            .max(f64::MIN_POSITIVE);
        self.residual().abs() / scale
    }
}

/// Energy of one element over the metrics window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementEnergy {
    /// Element name.
    pub name: String,
    /// `source` (energy delivered), `dissipative` or `controlled` (energy absorbed).
    pub role: &'static str,
    /// Energy [J]: delivered for sources, absorbed otherwise.
    pub energy: f64,
}

/// Quantities whose integrals make up the balance.
pub(crate) struct EnergyTerms {
    pub(crate) quantities: Vec<Quantity>,
    /// Weight of each quantity in (delivered, dissipated, controlled).
    pub(crate) weights: Vec<(f64, f64, f64)>,
    /// Branch of each quantity.
    branches: Vec<usize>,
    /// Energy of each quantity inside the window, with the sign of its role.
    window: Vec<f64>,
}

impl EnergyTerms {
    pub(crate) fn new(circuit: &Circuit, plan: &mut OutputPlan) -> Self {
        let mut quantities = Vec::new();
        let mut weights = Vec::new();
        let mut branches = Vec::new();
        for (index, branch) in circuit.branches.iter().enumerate() {
            let weight = match branch.kind {
                BranchKind::VoltageSource { .. } | BranchKind::CurrentSource { .. } => {
                    (-1.0, 0.0, 0.0)
                }
                BranchKind::Resistor { .. }
                | BranchKind::Switch { .. }
                | BranchKind::Diode { .. } => (0.0, 1.0, 0.0),
                BranchKind::Vcvs { .. }
                | BranchKind::Cccs { .. }
                | BranchKind::Vccs { .. }
                | BranchKind::Ccvs { .. } => (0.0, 0.0, 1.0),
                BranchKind::Inductor { .. } | BranchKind::Capacitor { .. } => continue,
            };
            quantities.push(plan.quantity(ProbeKind::BranchPower(index)));
            weights.push(weight);
            branches.push(index);
        }
        let window = vec![0.0; quantities.len()];
        Self {
            quantities,
            weights,
            branches,
            window,
        }
    }

    /// Per-element energies over the window.
    pub(crate) fn window_energies(&self, circuit: &Circuit) -> Vec<ElementEnergy> {
        self.branches
            .iter()
            .zip(&self.weights)
            .zip(&self.window)
            .map(|((&b, &(wd, wl, _)), &energy)| ElementEnergy {
                name: circuit.branches[b].name.clone(),
                role: if wd != 0.0 {
                    "source"
                } else if wl != 0.0 {
                    "dissipative"
                } else {
                    "controlled"
                },
                energy,
            })
            .collect()
    }

    /// Adds the integral of each term over a step of length `h` to `balance`, and to
    /// the window energies when `in_window`, from the powers at the step's ends
    /// (trapezoidal rule).
    pub(crate) fn accumulate(
        &mut self,
        start: &[f64],
        end: &[f64],
        h: f64,
        in_window: bool,
        balance: &mut EnergyBalance,
    ) {
        let integrals: Vec<f64> = start
            .iter()
            .zip(end)
            .map(|(s, e)| 0.5 * h * (s + e))
            .collect();
        let absolute: Vec<f64> = start
            .iter()
            .zip(end)
            .map(|(s, e)| 0.5 * h * (s.abs() + e.abs()))
            .collect();
        self.add_integrals(&integrals, &absolute, in_window, balance);
    }

    /// Adds integrated energies, one per term, and their absolute values (for the
    /// throughput) to `balance`, and to the window energies when `in_window`.
    pub(crate) fn add_integrals(
        &mut self,
        integrals: &[f64],
        absolute: &[f64],
        in_window: bool,
        balance: &mut EnergyBalance,
    ) {
        for (k, (wd, wl, wc)) in self.weights.iter().enumerate() {
            let energy = integrals[k];
            if *wd != 0.0 {
                balance.throughput += absolute[k];
            }
            balance.delivered += wd * energy;
            balance.dissipated += wl * energy;
            balance.controlled += wc * energy;
            if in_window {
                self.window[k] += (wd + wl + wc) * energy;
            }
        }
    }
}

/// Energy stored in inductors (`½ iᵀ L i`, with mutual terms) and capacitors (`½ C v²`).
///
/// A saturating inductor stores `∫ i L_d(i) di`, which for the soft-saturation law
/// `L_d = L_sat + (L₀ − L_sat)/(1 + (i/I_sat)²)` is
/// `½ L_sat i² + ½ (L₀ − L_sat) I_sat² ln(1 + (i/I_sat)²)`.
pub fn stored_energy(circuit: &Circuit, x: &[f64]) -> f64 {
    let inductor_count = circuit.inductor_count();
    let mut currents = vec![0.0; inductor_count];
    let mut inductances = vec![0.0; inductor_count];
    let mut energy = 0.0;
    for branch in &circuit.branches {
        match &branch.kind {
            BranchKind::Inductor {
                state,
                inductor,
                inductance,
                saturation,
            } => {
                let i = x[*state];
                if let Some(s) = saturation {
                    let ratio = i / s.i_sat;
                    energy += 0.5 * s.l_sat * i * i
                        + 0.5
                            * (inductance - s.l_sat)
                            * s.i_sat
                            * s.i_sat
                            * (1.0 + ratio * ratio).ln();
                } else {
                    currents[*inductor] = i;
                    inductances[*inductor] = *inductance;
                }
            }
            BranchKind::Capacitor {
                state, capacitance, ..
            } => energy += 0.5 * capacitance * x[*state] * x[*state],
            _ => {}
        }
    }
    let l = &circuit.inductance_matrix;
    for a in 0..inductor_count {
        for b in 0..inductor_count {
            energy += 0.5 * currents[a] * l[a * inductor_count + b] * currents[b];
        }
    }
    energy
}
