//! NTC thermistor, Beta model.

use serde::{Deserialize, Serialize};

use super::{PassiveError, check, check_positive, check_temperature};

/// Offset from °C to K.
const ZERO_C_IN_K: f64 = 273.15;

/// Accepted range of the Beta constant in K. Commercial NTCs lie within it.
pub const BETA_RANGE_K: (f64, f64) = (1000.0, 10000.0);

/// NTC thermistor `R(T) = R₀ exp(B (1/T − 1/T₀))`, temperatures in K, where `R₀` is
/// the resistance at the reference temperature `T₀` (usually 25 °C).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NtcBeta {
    /// Resistance at the reference temperature, in Ω.
    pub r_ref_ohm: f64,
    /// Beta constant `B` in K.
    pub beta_k: f64,
    /// Reference temperature `T₀` in °C.
    pub t_ref_c: f64,
}

impl NtcBeta {
    /// Builds a validated model.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for `r_ref_ohm ≤ 0`, `beta_k` outside
    /// [`BETA_RANGE_K`] or `t_ref_c` at or below absolute zero.
    pub fn new(r_ref_ohm: f64, beta_k: f64, t_ref_c: f64) -> Result<Self, PassiveError> {
        let model = Self {
            r_ref_ohm,
            beta_k,
            t_ref_c,
        };
        model.validate()?;
        Ok(model)
    }

    /// Checks every field.
    ///
    /// # Errors
    /// As [`NtcBeta::new`].
    pub fn validate(&self) -> Result<(), PassiveError> {
        check_positive("r_ref_ohm", self.r_ref_ohm)?;
        let (lo, hi) = BETA_RANGE_K;
        check(
            "beta_k",
            self.beta_k,
            |b| (lo..=hi).contains(&b),
            "1000 K ≤ beta_k ≤ 10000 K",
        )?;
        check_temperature("t_ref_c", self.t_ref_c)?;
        Ok(())
    }

    /// Computes the resistance in Ω at `temperature_c`.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for a temperature at or below absolute zero.
    pub fn resistance_ohm(&self, temperature_c: f64) -> Result<f64, PassiveError> {
        let t = check_temperature("temperature_c", temperature_c)? + ZERO_C_IN_K;
        let t0 = self.t_ref_c + ZERO_C_IN_K;
        Ok(self.r_ref_ohm * (self.beta_k * (1.0 / t - 1.0 / t0)).exp())
    }

    /// Computes the temperature in °C at which the resistance is `resistance_ohm`:
    /// `1/T = 1/T₀ + ln(R/R₀)/B`.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for `resistance_ohm ≤ 0`, or a resistance so
    /// low that `1/T ≤ 0` (no finite temperature gives it).
    pub fn temperature_c(&self, resistance_ohm: f64) -> Result<f64, PassiveError> {
        check_positive("resistance_ohm", resistance_ohm)?;
        let t0 = self.t_ref_c + ZERO_C_IN_K;
        let inverse = 1.0 / t0 + (resistance_ohm / self.r_ref_ohm).ln() / self.beta_k;
        let limit = self.r_ref_ohm * (-self.beta_k / t0).exp();
        check(
            "resistance_ohm",
            resistance_ohm,
            |_| inverse > 0.0,
            &format!("a value above {limit:e} Ω, the model's limit at infinite temperature"),
        )?;
        Ok(1.0 / inverse - ZERO_C_IN_K)
    }
}
