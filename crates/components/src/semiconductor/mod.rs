//! Power semiconductor models built from datasheet curves.
//!
//! - [`Transistor`]: SiC and Si MOSFETs, GaN HEMTs and IGBTs with their conduction,
//!   switching, capacitance, gate-charge and thermal data.
//! - [`Diode`]: a standalone diode, or the body or antiparallel diode of a transistor.
//! - [`EnergyTable`]: switching or recovery energies over current and Tj, scaled to the
//!   operating voltage and gate resistance.
//! - [`OutputCapacitance`] and [`GateCharge`]: Coss with Qoss and Eoss, and the
//!   gate-charge curve with its Miller plateau.
//! - [`emi`]: voltage and current transition speeds estimated from the gate charge.
//! - [`TransistorSummary`]: key figures at standard operating points.
//!
//! Every model keeps the [`Finding`]s of its import, so a report can list the gaps
//! next to the numbers. A model with a missing curve loads, and the methods that need
//! the curve return `None`.

mod capacitance;
mod diode;
pub mod emi;
mod energy;
mod gate_charge;
mod summary;
mod transistor;

use serde::{Deserialize, Serialize};

use crate::curve::{Clamp, CurveFamily, Lookup};

pub use capacitance::OutputCapacitance;
pub use diode::Diode;
pub use energy::{
    EnergyTable, EnergyTableSummary, GateResistanceScaling, ScalingError, fit_voltage_exponent,
};
pub use gate_charge::{GateCharge, MillerPlateau};
pub use summary::{CossReading, EnergyReading, GateChargeReading, Reading, TransistorSummary};
pub use transistor::{ReversePath, Transistor};

/// Device technology, which decides how conduction and reverse conduction are modelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// Silicon-carbide MOSFET.
    SicMosfet,
    /// Silicon MOSFET (superjunction or planar).
    SiMosfet,
    /// Gallium-nitride high-electron-mobility transistor.
    GanHemt,
    /// Insulated-gate bipolar transistor (with an antiparallel diode in modules).
    Igbt,
}

impl DeviceKind {
    /// Short name used by the command line: `sic`, `si`, `gan` or `igbt`.
    pub fn short_name(self) -> &'static str {
        match self {
            DeviceKind::SicMosfet => "sic",
            DeviceKind::SiMosfet => "si",
            DeviceKind::GanHemt => "gan",
            DeviceKind::Igbt => "igbt",
        }
    }

    /// Parses a short name (`sic`, `si`, `gan`, `igbt`), ignoring case.
    pub fn from_short_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "sic" => Some(DeviceKind::SicMosfet),
            "si" => Some(DeviceKind::SiMosfet),
            "gan" => Some(DeviceKind::GanHemt),
            "igbt" => Some(DeviceKind::Igbt),
            _ => None,
        }
    }

    /// Returns whether the part conducts through a channel whose voltage is `i · Rds_on`.
    pub fn is_mosfet_like(self) -> bool {
        self != DeviceKind::Igbt
    }
}

/// Absolute maximum ratings from the datasheet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratings {
    /// Maximum blocking voltage (Vds or Vce), V.
    pub v_abs_max_v: f64,
    /// Maximum pulsed current, A.
    pub i_abs_max_a: Option<f64>,
    /// Continuous current rating, A.
    pub i_cont_a: Option<f64>,
    /// Maximum junction temperature, °C.
    pub t_j_max_c: Option<f64>,
}

/// Source of a model: the datasheet and the part's package.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatasheetInfo {
    /// Manufacturer name.
    pub manufacturer: Option<String>,
    /// Link to the datasheet.
    pub url: Option<String>,
    /// Datasheet date as printed (often only year and month).
    pub date: Option<String>,
    /// Datasheet version as printed.
    pub version: Option<String>,
    /// Package (TO-247, module housing, ...).
    pub housing: Option<String>,
}

/// Junction-to-case thermal data as plain vectors, for the thermal-network code.
///
/// The Foster network has one RC pair per entry: the thermal impedance after a power
/// step is `Z(t) = Σ R_i · (1 − exp(−t / τ_i))`, with `τ_i = R_i · C_i`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThermalData {
    /// Total junction-to-case resistance, K/W.
    pub r_th_jc_k_per_w: Option<f64>,
    /// Foster resistances R_i, K/W (same length as `tau_s`, or both empty).
    pub foster_r_k_per_w: Vec<f64>,
    /// Foster time constants τ_i, s.
    pub foster_tau_s: Vec<f64>,
}

impl ThermalData {
    /// Foster capacities `C_i = τ_i / R_i` in J/K; empty without a Foster network.
    pub fn foster_c_j_per_k(&self) -> Vec<f64> {
        self.foster_r_k_per_w
            .iter()
            .zip(&self.foster_tau_s)
            .map(|(r, tau)| tau / r)
            .collect()
    }

    /// Foster `(R_i, τ_i)` pairs.
    pub fn foster_pairs(&self) -> Vec<(f64, f64)> {
        self.foster_r_k_per_w
            .iter()
            .copied()
            .zip(self.foster_tau_s.iter().copied())
            .collect()
    }
}

/// Returns the worse of two clamp flags: a clamped side wins over [`Clamp::Inside`].
pub(crate) fn worse_clamp(a: Clamp, b: Clamp) -> Clamp {
    if a.is_clamped() { a } else { b }
}

/// Combines the flags of `other` into `lookup`, keeping `lookup`'s value.
pub(crate) fn merge_flags(mut lookup: Lookup, other: &Lookup) -> Lookup {
    lookup.clamp = worse_clamp(lookup.clamp, other.clamp);
    lookup.parameter_clamp = worse_clamp(lookup.parameter_clamp, other.parameter_clamp);
    lookup
}

/// Derivative `dy/dx` of a family at `(x, p)`, linear in `p` like [`CurveFamily::eval`]
/// and clamped to the nearest curve outside the parameter range.
pub(crate) fn family_derivative(family: &CurveFamily, x: f64, p: f64) -> f64 {
    let parameters = family.parameters();
    let curves = family.curves();
    let last = curves.len() - 1;
    if curves.len() == 1 || p.is_nan() || p <= parameters[0] {
        return curves[0].derivative(x);
    }
    if p >= parameters[last] {
        return curves[last].derivative(x);
    }
    let k = parameters.partition_point(|&v| v <= p) - 1;
    let w = (p - parameters[k]) / (parameters[k + 1] - parameters[k]);
    (1.0 - w) * curves[k].derivative(x) + w * curves[k + 1].derivative(x)
}
