//! Switching and recovery energies over current and junction temperature, with
//! scaling to the operating voltage and gate resistance.

use serde::{Deserialize, Serialize};

use crate::curve::{Curve, CurveFamily, Lookup};

use super::merge_flags;

/// Error from scaling an energy to a requested operating point.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScalingError {
    /// The datasheet has no energy-versus-gate-resistance curve for this energy.
    #[error(
        "{energy}: the data have no energy-versus-gate-resistance curve, so the energy \
         cannot be scaled from {r_g_ref_ohm:?} Ω to {r_g_ohm} Ω; use the datasheet \
         gate resistance or add a graph_r_e curve"
    )]
    NoGateResistanceCurve {
        /// Energy name (`e_on`, `e_off`, `e_rr`).
        energy: String,
        /// Gate resistance of the datasheet energy curves, if known.
        r_g_ref_ohm: Option<f64>,
        /// Requested gate resistance.
        r_g_ohm: f64,
    },
    /// The gate resistance of the datasheet energy curves is not in the data.
    #[error("{energy}: the data do not give the gate resistance of the energy curves")]
    NoReferenceResistance {
        /// Energy name.
        energy: String,
    },
    /// A requested value is outside its accepted range.
    #[error("invalid {name} = {value}: expected {expected}")]
    InvalidValue {
        /// Parameter name with unit.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Accepted range in words.
        expected: &'static str,
    },
    /// The energy-versus-gate-resistance curve is zero or negative at the datasheet
    /// gate resistance, so the ratio is undefined.
    #[error("{energy}: the gate-resistance curve gives {value} J at {r_g_ref_ohm} Ω")]
    NonPositiveReference {
        /// Energy name.
        energy: String,
        /// Datasheet gate resistance.
        r_g_ref_ohm: f64,
        /// Energy read there.
        value: f64,
    },
}

/// Energy versus gate resistance, used only as a ratio `E(Rg) / E(Rg_ref)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GateResistanceScaling {
    /// Energy (J) versus external gate resistance (Ω), over Tj (°C).
    pub energy_vs_r_g: CurveFamily,
    /// Current at which the curve was measured (A), if the data give it.
    pub current_a: Option<f64>,
    /// Blocking voltage of the measurement, V.
    pub v_supply_v: Option<f64>,
}

/// One energy (Eon, Eoff or Err) as a family of `E(I)` curves over Tj, measured at one
/// supply voltage and one gate resistance.
#[derive(Debug, Clone, PartialEq)]
pub struct EnergyTable {
    /// Energy name for messages (`switch.e_on`, `switch.e_off`, `diode.e_rr`).
    pub label: String,
    /// Energy (J) versus current (A), over Tj (°C).
    pub energy: CurveFamily,
    /// Supply voltage of the datasheet measurement, V.
    pub v_ref_v: f64,
    /// External gate resistance of the datasheet measurement, Ω.
    pub r_g_ref_ohm: Option<f64>,
    /// Gate voltage of the measurement as the file gives it (`v_g`), V: the on-state
    /// drive for Eon and Err, and for Eoff either the off-state bias or the on-state
    /// drive, depending on the file.
    pub v_g_v: Option<f64>,
    /// Off-state gate bias of the measurement (`v_g_off`), V, when the file gives it.
    pub v_g_off_v: Option<f64>,
    /// Energy versus gate resistance, when the datasheet has it.
    pub gate_resistance: Option<GateResistanceScaling>,
    /// Exponent `k` of the voltage scaling `E(V) = E(V_ref) · (V / V_ref)^k`.
    pub voltage_exponent: f64,
    /// Exponent fitted to two datasheet curves at different voltages and the same Tj,
    /// when the data have them. Informative only: [`EnergyTable::voltage_exponent`]
    /// stays at its default until the caller sets it.
    pub fitted_voltage_exponent: Option<f64>,
}

impl EnergyTable {
    /// Default voltage exponent: energy proportional to the blocking voltage.
    ///
    /// During a hard-switched transition the current and voltage overlap for a time
    /// set mostly by the gate drive. With the overlap time fixed, the energy
    /// `∫ v·i dt` grows linearly with the blocking voltage, which gives `k = 1`. Real
    /// parts deviate because the Miller charge and Coss depend on the voltage, so
    /// the importer fits `k` from two datasheet voltages when a file has them
    /// ([`EnergyTable::fitted_voltage_exponent`]).
    pub const DEFAULT_VOLTAGE_EXPONENT: f64 = 1.0;

    /// Energy (J) at current `i` (A), blocking voltage `v` (V) and junction temperature
    /// `tj` (°C), with the external gate resistance `r_g_ohm` (`None`: the datasheet
    /// value).
    ///
    /// `E = E_ds(i, Tj) · (v / V_ref)^k · E_rg(Rg, Tj) / E_rg(Rg_ref, Tj)`, where
    /// `E_ds` is the datasheet family, `k` is [`EnergyTable::voltage_exponent`] and
    /// `E_rg` is the energy-versus-gate-resistance curve. The ratio form assumes that
    /// the gate resistance scales the energy by the same factor at every current,
    /// which is how datasheets present the `E(Rg)` curve (at one current only).
    ///
    /// # Errors
    /// [`ScalingError`] for a negative or non-finite voltage or resistance, and when a
    /// gate resistance other than the datasheet value is requested but the data have
    /// no `E(Rg)` curve. Nothing is extrapolated from a missing curve.
    pub fn energy(
        &self,
        i: f64,
        v: f64,
        tj: f64,
        r_g_ohm: Option<f64>,
    ) -> Result<Lookup, ScalingError> {
        if !(v.is_finite() && v >= 0.0) {
            return Err(ScalingError::InvalidValue {
                name: "blocking voltage [V]",
                value: v,
                expected: "a finite value ≥ 0",
            });
        }
        let base = self.energy.eval(i.abs(), tj);
        let ratio = v / self.v_ref_v;
        // The default linear law skips `powf`, which dominates a lookup otherwise.
        let voltage_factor = if self.voltage_exponent == 1.0 {
            ratio
        } else {
            ratio.powf(self.voltage_exponent)
        };
        let (resistance_factor, flags) = match r_g_ohm {
            None => (1.0, None),
            Some(r_g) => self.gate_resistance_ratio(r_g, tj)?,
        };
        let mut lookup = Lookup {
            value: base.value.max(0.0) * voltage_factor * resistance_factor,
            ..base
        };
        if let Some(flags) = flags {
            lookup = merge_flags(lookup, &flags);
        }
        Ok(lookup)
    }

    /// Ratio `E_rg(r_g, Tj) / E_rg(Rg_ref, Tj)` and the flags of its lookups.
    ///
    /// # Errors
    /// As [`EnergyTable::energy`].
    pub fn gate_resistance_ratio(
        &self,
        r_g_ohm: f64,
        tj: f64,
    ) -> Result<(f64, Option<Lookup>), ScalingError> {
        if !(r_g_ohm.is_finite() && r_g_ohm >= 0.0) {
            return Err(ScalingError::InvalidValue {
                name: "gate resistance [Ω]",
                value: r_g_ohm,
                expected: "a finite value ≥ 0",
            });
        }
        if self.r_g_ref_ohm == Some(r_g_ohm) {
            return Ok((1.0, None));
        }
        let Some(scaling) = &self.gate_resistance else {
            return Err(ScalingError::NoGateResistanceCurve {
                energy: self.label.clone(),
                r_g_ref_ohm: self.r_g_ref_ohm,
                r_g_ohm,
            });
        };
        let Some(r_g_ref) = self.r_g_ref_ohm else {
            return Err(ScalingError::NoReferenceResistance {
                energy: self.label.clone(),
            });
        };
        let reference = scaling.energy_vs_r_g.eval(r_g_ref, tj);
        if !(reference.value > 0.0) {
            return Err(ScalingError::NonPositiveReference {
                energy: self.label.clone(),
                r_g_ref_ohm: r_g_ref,
                value: reference.value,
            });
        }
        let at = scaling.energy_vs_r_g.eval(r_g_ohm, tj);
        let ratio = at.value.max(0.0) / reference.value;
        Ok((ratio, Some(merge_flags(at, &reference))))
    }
}

/// Fits the exponent `k` of `E ∝ V^k` to two energy curves measured at the voltages
/// `v_low < v_high` and the same Tj and gate resistance.
///
/// `k = ln(E_high / E_low) / ln(v_high / v_low)`, averaged over eight currents spread
/// over the current range both curves cover (excluding its lowest tenth, where the
/// digitised energies are small and their relative error large). Returns `None` when
/// the curves do not overlap, the voltages are equal or an energy is not positive.
pub fn fit_voltage_exponent(low: &Curve, v_low: f64, high: &Curve, v_high: f64) -> Option<f64> {
    if !(v_low > 0.0 && v_high > v_low) {
        return None;
    }
    let start = low.x_range().0.max(high.x_range().0);
    let end = low.x_range().1.min(high.x_range().1);
    if !(end > start) {
        return None;
    }
    let span = end - start;
    let mut sum = 0.0;
    let samples = 8;
    for n in 0..samples {
        let i = start + span * (0.1 + 0.9 * f64::from(n) / f64::from(samples - 1));
        let (e_low, e_high) = (low.value(i), high.value(i));
        if !(e_low > 0.0 && e_high > 0.0) {
            return None;
        }
        sum += (e_high / e_low).ln() / (v_high / v_low).ln();
    }
    Some(sum / f64::from(samples))
}

/// Summary of an energy table for reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyTableSummary {
    /// Supply voltage of the datasheet curves, V.
    pub v_ref_v: f64,
    /// Gate resistance of the datasheet curves, Ω.
    pub r_g_ref_ohm: Option<f64>,
    /// Junction temperatures of the curves, °C.
    pub t_j_c: Vec<f64>,
    /// Whether an energy-versus-gate-resistance curve allows scaling to another Rg.
    pub r_g_scaling: bool,
}

impl From<&EnergyTable> for EnergyTableSummary {
    fn from(table: &EnergyTable) -> Self {
        Self {
            v_ref_v: table.v_ref_v,
            r_g_ref_ohm: table.r_g_ref_ohm,
            t_j_c: table.energy.parameters().to_vec(),
            r_g_scaling: table.gate_resistance.is_some(),
        }
    }
}
