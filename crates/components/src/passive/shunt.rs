//! Current-sense shunt resistor with a linear temperature coefficient.

use serde::{Deserialize, Serialize};

use super::{PassiveError, check, check_positive, check_temperature};

/// Largest temperature coefficient magnitude accepted, in ppm/K.
pub const MAX_TEMPCO_PPM_PER_K: f64 = 10_000.0;

/// Shunt `R(T) = R_ref (1 + TCR·10⁻⁶ (T − T_ref))`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shunt {
    /// Resistance at `reference_c`, in Ω.
    pub resistance_ohm: f64,
    /// Temperature coefficient of resistance (TCR) in ppm/K.
    pub tempco_ppm_per_k: f64,
    /// Reference temperature in °C, usually 25.
    pub reference_c: f64,
    /// Rated power in W at the data sheet's rating temperature.
    pub power_rating_w: f64,
}

/// A shunt at one operating point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShuntOperatingPoint {
    /// Resistance at the operating temperature, in Ω.
    pub resistance_ohm: f64,
    /// Change from the reference resistance, in ppm.
    pub drift_ppm: f64,
    /// `I_rms² R(T)` in W.
    pub loss_w: f64,
    /// The loss exceeds `power_rating_w`. The rating is not derated for temperature
    /// here, so compare with the data sheet's derating curve above its knee.
    pub over_rating: bool,
}

impl Shunt {
    /// Checks every field.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for `resistance_ohm ≤ 0`, `|tempco| >`
    /// [`MAX_TEMPCO_PPM_PER_K`], an invalid reference temperature or
    /// `power_rating_w ≤ 0`.
    pub fn validate(&self) -> Result<(), PassiveError> {
        check_positive("resistance_ohm", self.resistance_ohm)?;
        check(
            "tempco_ppm_per_k",
            self.tempco_ppm_per_k,
            |t| t.abs() <= MAX_TEMPCO_PPM_PER_K,
            "-10000 to 10000 ppm/K",
        )?;
        check_temperature("reference_c", self.reference_c)?;
        check_positive("power_rating_w", self.power_rating_w)?;
        Ok(())
    }

    /// Computes resistance, drift and loss for rms current `current_rms_a` at
    /// `temperature_c`.
    ///
    /// # Errors
    /// [`PassiveError::InvalidParameter`] for invalid fields, a negative or
    /// non-finite current, or a temperature where the linear law gives `R ≤ 0`.
    pub fn operating_point(
        &self,
        current_rms_a: f64,
        temperature_c: f64,
    ) -> Result<ShuntOperatingPoint, PassiveError> {
        self.validate()?;
        check(
            "current_rms_a",
            current_rms_a,
            |i| i >= 0.0,
            "a finite value ≥ 0",
        )?;
        check_temperature("temperature_c", temperature_c)?;
        let drift_ppm = self.tempco_ppm_per_k * (temperature_c - self.reference_c);
        let resistance_ohm = self.resistance_ohm * (1.0 + drift_ppm * 1e-6);
        check(
            "temperature_c",
            temperature_c,
            |_| resistance_ohm > 0.0,
            "a temperature where the linear TCR law keeps R > 0",
        )?;
        let loss_w = current_rms_a * current_rms_a * resistance_ohm;
        Ok(ShuntOperatingPoint {
            resistance_ohm,
            drift_ppm,
            loss_w,
            over_rating: loss_w > self.power_rating_w,
        })
    }
}
