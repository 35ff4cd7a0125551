//! A switch described by a handful of datasheet numbers instead of curves.
//!
//! Early in a design, or for a part without digitised curves, engineers work from the
//! first page of a datasheet: Rds_on (or V_CE0 and r_CE), its temperature rise, and
//! Eon, Eoff and Err at one test point. [`LinearSwitch`] turns those numbers into a
//! [`SwitchModel`] with the usual first-order scaling:
//!
//! - on-state voltage `v = V_0(Tj) + r(Tj) · i`, with `V_0` and `r` linear in Tj;
//! - switching and recovery energies proportional to current and to voltage,
//!   `E(i, v, Tj) = E_ref · (i / I_ref) · (v / V_ref) · (1 + k_E (Tj − Tj_ref))`.
//!
//! The energy scaling is the linear law used by the application notes of most module
//! vendors. Real parts deviate from it at low current, where the curves of
//! [`crate::curve`] are better. The model is also what the textbook closed-form loss
//! formulas assume, which is why the tests use it to check the calculators.

use crate::curve::{Clamp, Lookup};
use crate::loss::device::{Edge, SwitchModel};
use serde::{Deserialize, Serialize};

/// A switch position with linear conduction and switching laws. All fields are SI:
/// V, Ω, A, J, °C and 1/K.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearSwitch {
    /// Name used in reports.
    pub name: String,
    /// Forward threshold voltage `V_0` at `tj_ref_c` [V]: 0 for a MOSFET, about
    /// 0.7–1 V for an IGBT.
    #[serde(default)]
    pub v0_v: f64,
    /// Forward slope resistance `r` at `tj_ref_c` [Ω]: Rds_on for a MOSFET.
    pub r_ohm: f64,
    /// Relative change of `r` per kelvin [1/K]; about 0.004–0.008 for SiC and Si
    /// MOSFETs.
    #[serde(default)]
    pub r_tempco_per_k: f64,
    /// Change of `V_0` per kelvin [V/K]; negative for IGBTs (about −1 mV/K).
    #[serde(default)]
    pub v0_tempco_v_per_k: f64,
    /// Reverse path (body diode or antiparallel diode) threshold voltage [V].
    pub diode_v0_v: f64,
    /// Reverse path slope resistance [Ω].
    pub diode_r_ohm: f64,
    /// Whether the channel conducts reverse current with the gate on (MOSFETs and
    /// GaN HEMTs: synchronous rectification). False for IGBTs.
    #[serde(default)]
    pub reverse_channel: bool,
    /// Turn-on energy at the reference point [J].
    pub e_on_j: f64,
    /// Turn-off energy at the reference point [J].
    pub e_off_j: f64,
    /// Reverse-recovery energy of the reverse path at the reference point [J].
    #[serde(default)]
    pub e_rr_j: f64,
    /// Reference current of the energies [A].
    pub i_ref_a: f64,
    /// Reference voltage of the energies [V].
    pub v_ref_v: f64,
    /// Relative change of all energies per kelvin [1/K].
    #[serde(default)]
    pub e_tempco_per_k: f64,
    /// Output capacitance, taken as constant [F]; 0 when unknown.
    #[serde(default)]
    pub c_oss_f: f64,
    /// Temperature at which the values above hold [°C].
    #[serde(default = "default_tj_ref")]
    pub tj_ref_c: f64,
    /// Junction-to-case Foster resistances [K/W]; empty when unknown.
    #[serde(default)]
    pub foster_r_k_per_w: Vec<f64>,
    /// Junction-to-case Foster time constants [s], one per resistance.
    #[serde(default)]
    pub foster_tau_s: Vec<f64>,
}

fn default_tj_ref() -> f64 {
    25.0
}

/// A field of [`LinearSwitch`] out of its accepted range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} must be {requirement}, got {value}")]
pub struct LinearSwitchError {
    /// Field name.
    pub field: &'static str,
    /// The accepted range, in words.
    pub requirement: &'static str,
    /// The rejected value.
    pub value: f64,
}

impl LinearSwitch {
    /// Checks every field: finite, resistances and energies non-negative, reference
    /// current and voltage positive.
    ///
    /// # Errors
    /// The first field out of range.
    pub fn validate(&self) -> Result<(), LinearSwitchError> {
        let non_negative = [
            ("v0_v", self.v0_v),
            ("r_ohm", self.r_ohm),
            ("diode_v0_v", self.diode_v0_v),
            ("diode_r_ohm", self.diode_r_ohm),
            ("e_on_j", self.e_on_j),
            ("e_off_j", self.e_off_j),
            ("e_rr_j", self.e_rr_j),
            ("c_oss_f", self.c_oss_f),
        ];
        for (field, value) in non_negative {
            if !(value.is_finite() && value >= 0.0) {
                return Err(LinearSwitchError {
                    field,
                    requirement: "finite and at least 0",
                    value,
                });
            }
        }
        for (field, value) in [("i_ref_a", self.i_ref_a), ("v_ref_v", self.v_ref_v)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(LinearSwitchError {
                    field,
                    requirement: "finite and positive",
                    value,
                });
            }
        }
        let tempcos = [
            ("r_tempco_per_k", self.r_tempco_per_k),
            ("e_tempco_per_k", self.e_tempco_per_k),
        ];
        for (field, value) in tempcos {
            if !(value.is_finite() && value.abs() <= 0.05) {
                return Err(LinearSwitchError {
                    field,
                    requirement: "finite and within ±0.05 per kelvin",
                    value,
                });
            }
        }
        if !(self.v0_tempco_v_per_k.is_finite() && self.v0_tempco_v_per_k.abs() <= 0.05) {
            return Err(LinearSwitchError {
                field: "v0_tempco_v_per_k",
                requirement: "finite and within ±0.05 V/K",
                value: self.v0_tempco_v_per_k,
            });
        }
        if !(self.tj_ref_c.is_finite() && (-273.15..=500.0).contains(&self.tj_ref_c)) {
            return Err(LinearSwitchError {
                field: "tj_ref_c",
                requirement: "between −273.15 and 500 °C",
                value: self.tj_ref_c,
            });
        }
        if self.foster_r_k_per_w.len() != self.foster_tau_s.len() {
            return Err(LinearSwitchError {
                field: "foster_tau_s",
                requirement: "as long as foster_r_k_per_w; length given as the value",
                value: self.foster_tau_s.len() as f64,
            });
        }
        let foster = [
            ("foster_r_k_per_w", &self.foster_r_k_per_w),
            ("foster_tau_s", &self.foster_tau_s),
        ];
        for (field, values) in foster {
            if let Some(&value) = values.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                return Err(LinearSwitchError {
                    field,
                    requirement: "finite and positive in every element",
                    value,
                });
            }
        }
        Ok(())
    }

    fn energy_scale(&self, i: f64, v: f64, tj: f64) -> f64 {
        let thermal = (1.0 + self.e_tempco_per_k * (tj - self.tj_ref_c)).max(0.0);
        (i / self.i_ref_a) * (v / self.v_ref_v) * thermal
    }
}

fn exact(value: f64) -> Option<Lookup> {
    Some(Lookup {
        value,
        clamp: Clamp::Inside,
        parameter_clamp: Clamp::Inside,
    })
}

impl SwitchModel for LinearSwitch {
    fn name(&self) -> &str {
        &self.name
    }

    fn forward_voltage(&self, i: f64, tj: f64) -> Option<Lookup> {
        let dt = tj - self.tj_ref_c;
        let v0 = (self.v0_v + self.v0_tempco_v_per_k * dt).max(0.0);
        let r = self.r_ohm * (1.0 + self.r_tempco_per_k * dt).max(0.0);
        exact(v0 + r * i)
    }

    fn reverse_voltage(&self, i: f64, tj: f64, gate_on: bool) -> Option<Lookup> {
        let diode = self.diode_v0_v + self.diode_r_ohm * i;
        if gate_on && self.reverse_channel {
            // The channel and the body diode share the current; below the diode's
            // threshold the channel carries it all.
            let channel = self.forward_voltage(i, tj)?.value;
            exact(channel.min(diode))
        } else {
            exact(diode)
        }
    }

    fn switching_energy(&self, edge: Edge, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        let reference = match edge {
            Edge::TurnOn => self.e_on_j,
            Edge::TurnOff => self.e_off_j,
        };
        exact(reference * self.energy_scale(i, v, tj))
    }

    fn recovery_energy(&self, i: f64, v: f64, tj: f64) -> Option<Lookup> {
        exact(self.e_rr_j * self.energy_scale(i, v, tj))
    }

    fn coss_energy(&self, v: f64) -> Option<f64> {
        (self.c_oss_f > 0.0).then_some(0.5 * self.c_oss_f * v * v)
    }

    fn thermal_foster(&self) -> Option<Vec<(f64, f64)>> {
        let pairs: Vec<(f64, f64)> = self
            .foster_r_k_per_w
            .iter()
            .copied()
            .zip(self.foster_tau_s.iter().copied())
            .collect();
        (!pairs.is_empty()).then_some(pairs)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A 1200 V SiC MOSFET described by first-page numbers.
    pub(crate) fn sic_mosfet() -> LinearSwitch {
        LinearSwitch {
            name: "test SiC".into(),
            v0_v: 0.0,
            r_ohm: 0.016,
            r_tempco_per_k: 0.005,
            v0_tempco_v_per_k: 0.0,
            diode_v0_v: 3.0,
            diode_r_ohm: 0.02,
            reverse_channel: true,
            e_on_j: 1.0e-3,
            e_off_j: 0.5e-3,
            e_rr_j: 0.1e-3,
            i_ref_a: 100.0,
            v_ref_v: 800.0,
            e_tempco_per_k: 0.002,
            c_oss_f: 200e-12,
            tj_ref_c: 25.0,
            foster_r_k_per_w: vec![0.05, 0.15],
            foster_tau_s: vec![1e-3, 2e-2],
        }
    }

    #[test]
    fn forward_voltage_follows_temperature() {
        let s = sic_mosfet();
        let v25 = s.forward_voltage(100.0, 25.0).unwrap().value;
        let v125 = s.forward_voltage(100.0, 125.0).unwrap().value;
        assert!((v25 - 1.6).abs() < 1e-12);
        assert!((v125 - 1.6 * 1.5).abs() < 1e-12);
    }

    #[test]
    fn channel_takes_reverse_current_below_diode_knee() {
        let s = sic_mosfet();
        let on = s.reverse_voltage(50.0, 25.0, true).unwrap().value;
        let off = s.reverse_voltage(50.0, 25.0, false).unwrap().value;
        assert!((on - 0.8).abs() < 1e-12);
        assert!((off - 4.0).abs() < 1e-12);
    }

    #[test]
    fn energies_scale_with_current_voltage_and_temperature() {
        let s = sic_mosfet();
        let e = s
            .switching_energy(Edge::TurnOn, 50.0, 400.0, 125.0)
            .unwrap()
            .value;
        assert!((e - 1.0e-3 * 0.5 * 0.5 * 1.2).abs() < 1e-15);
    }

    #[test]
    fn validation_names_the_field() {
        let mut s = sic_mosfet();
        s.r_ohm = f64::NAN;
        let message = s.validate().unwrap_err().to_string();
        assert_eq!(message, "r_ohm must be finite and at least 0, got NaN");
        let mut s = sic_mosfet();
        s.i_ref_a = 0.0;
        assert!(s.validate().unwrap_err().to_string().starts_with("i_ref_a"));
    }
}
