//! Diode model: a standalone diode, or the body or antiparallel diode of a transistor.

use crate::curve::{CurveFamily, Lookup};
use crate::diagnostics::Finding;
use crate::loss::{Edge, SwitchModel};

use super::{EnergyTable, Ratings, ThermalData};

/// A diode from datasheet curves.
#[derive(Debug, Clone, PartialEq)]
pub struct Diode {
    /// Part name (for a transistor's diode, the transistor's name).
    pub name: String,
    /// Ratings: blocking voltage, currents and maximum Tj.
    pub ratings: Ratings,
    /// Forward voltage (V) versus forward current (A), over Tj (°C).
    pub forward: Option<CurveFamily>,
    /// Gate-source voltage at which a MOSFET body diode was characterised, V. `None`
    /// for a diode without a gate (standalone or antiparallel to an IGBT).
    pub gate_bias_v: Option<f64>,
    /// Reverse-recovery energy Err over current and Tj.
    pub recovery: Option<EnergyTable>,
    /// Reverse-recovery charge from the datasheet, C.
    pub q_rr_c: Option<f64>,
    /// Whether the part has no reverse-recovery charge at all (GaN third-quadrant
    /// conduction, Schottky diodes): then Err is zero, not a gap.
    pub recovery_free: bool,
    /// Gate resistance of the commutating switch for Err scaling, Ω; `None` uses the
    /// datasheet value.
    pub r_g_ohm: Option<f64>,
    /// Junction-to-case thermal data of the diode.
    pub thermal: ThermalData,
    /// Import findings for this diode.
    pub findings: Vec<Finding>,
}

impl Diode {
    /// Forward voltage Vf (V) at forward current `i` (A) and `tj` (°C).
    pub fn forward_voltage_at(&self, i: f64, tj: f64) -> Option<Lookup> {
        self.forward.as_ref().map(|f| f.eval(i.abs(), tj))
    }

    /// Reverse-recovery energy (J) at current `i` (A), voltage `v` (V) and `tj` (°C),
    /// scaled like [`EnergyTable::energy`] to `v` and to [`Diode::r_g_ohm`]. Zero for
    /// recovery-free parts. `None` without an Err curve or when the scaling is
    /// rejected (see [`EnergyTable::energy`] for why).
    pub fn recovery_energy_at(&self, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        if self.recovery_free {
            return Some(Lookup {
                value: 0.0,
                clamp: crate::curve::Clamp::Inside,
                parameter_clamp: crate::curve::Clamp::Inside,
            });
        }
        self.recovery.as_ref()?.energy(i, v, tj, self.r_g_ohm).ok()
    }
}

impl SwitchModel for Diode {
    fn name(&self) -> &str {
        &self.name
    }

    /// Always `None`: a diode cannot be gated on.
    fn forward_voltage(&self, _i: f64, _tj: f64) -> Option<Lookup> {
        None
    }

    /// Returns the forward voltage Vf. The gate flag has no effect on a diode.
    fn reverse_voltage(&self, i: f64, tj: f64, _gate_on: bool) -> Option<Lookup> {
        self.forward_voltage_at(i, tj)
    }

    /// Always `None`: a diode has no controlled switching transition.
    fn switching_energy(&self, _edge: Edge, _i: f64, _v: f64, _tj: f64) -> Option<Lookup> {
        None
    }

    fn recovery_energy(&self, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        self.recovery_energy_at(i, v, tj)
    }

    /// Always `None`: the diode's junction capacitance is not modelled.
    fn coss_energy(&self, _v: f64) -> Option<f64> {
        None
    }
}
