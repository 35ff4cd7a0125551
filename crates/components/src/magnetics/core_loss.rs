//! Core loss from Steinmetz parameters: the classical Steinmetz equation for
//! sinusoidal flux and the improved generalized Steinmetz equation (iGSE) for any
//! periodic flux waveform.
//!
//! The material coefficients come from the user: pelab ships no material table.
//! Data sheets often quote `k` for `Pv` in kW/m³ or mW/cm³ with `f` in kHz and `B̂`
//! in mT. Convert it to W/m³ with `f` in Hz and `B̂` in T before use:
//! `k_SI = k_sheet · (P unit in W/m³) / ((f unit in Hz)^α · (B unit in T)^β)`.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use super::flux_loops::decompose;
use super::{MagneticsError, check, check_positive};

/// Largest flux waveform accepted, in samples per period.
pub const MAX_FLUX_SAMPLES: usize = 1_000_000;

/// Steinmetz coefficients `Pv = k f^α B̂^β` and the frequency range of the fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SteinmetzParams {
    /// `k` in W/m³ for `f` in Hz and `B̂` in T.
    pub k: f64,
    /// Frequency exponent `α`, accepted in (0, 4].
    pub alpha: f64,
    /// Flux-density exponent `β`, accepted in (0, 5].
    pub beta: f64,
    /// Lowest frequency of the fit in Hz.
    pub f_min_hz: f64,
    /// Highest frequency of the fit in Hz.
    pub f_max_hz: f64,
}

/// A core-loss density and whether it used the fit outside its frequency range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CoreLossDensity {
    /// Time-averaged loss per volume in W/m³.
    pub loss_density_w_per_m3: f64,
    /// The (fundamental) frequency lies outside `[f_min_hz, f_max_hz]`, where the
    /// coefficients were not fitted.
    pub outside_fit_range: bool,
}

impl SteinmetzParams {
    /// Builds validated parameters.
    ///
    /// # Errors
    /// As [`SteinmetzParams::validate`].
    pub fn new(
        k: f64,
        alpha: f64,
        beta: f64,
        f_min_hz: f64,
        f_max_hz: f64,
    ) -> Result<Self, MagneticsError> {
        let params = Self {
            k,
            alpha,
            beta,
            f_min_hz,
            f_max_hz,
        };
        params.validate("steinmetz")?;
        Ok(params)
    }

    /// Checks every field; `path` prefixes the field names in errors.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] when `k ≤ 0`, `α ∉ (0, 4]`, `β ∉ (0, 5]`,
    /// `f_min_hz ≤ 0` or `f_max_hz ≤ f_min_hz`, or any value is not finite.
    pub fn validate(&self, path: &str) -> Result<(), MagneticsError> {
        check_positive(&format!("{path}.k"), self.k)?;
        check(
            &format!("{path}.alpha"),
            self.alpha,
            |a| a > 0.0 && a <= 4.0,
            "0 < alpha ≤ 4",
        )?;
        check(
            &format!("{path}.beta"),
            self.beta,
            |b| b > 0.0 && b <= 5.0,
            "0 < beta ≤ 5",
        )?;
        check_positive(&format!("{path}.f_min_hz"), self.f_min_hz)?;
        let f_min = self.f_min_hz;
        check(
            &format!("{path}.f_max_hz"),
            self.f_max_hz,
            |f| f > f_min,
            "a value above f_min_hz",
        )?;
        Ok(())
    }

    fn outside(&self, frequency_hz: f64) -> bool {
        frequency_hz < self.f_min_hz || frequency_hz > self.f_max_hz
    }

    /// Computes the Steinmetz loss density `Pv = k f^α B̂^β` in W/m³ for sinusoidal flux
    /// of frequency `frequency_hz` and peak `b_peak_t` (C. P. Steinmetz, "On the law
    /// of hysteresis", 1892, extended with the frequency term used by ferrite makers).
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for `frequency_hz ≤ 0` or `b_peak_t < 0`.
    pub fn sinusoidal_loss(
        &self,
        frequency_hz: f64,
        b_peak_t: f64,
    ) -> Result<CoreLossDensity, MagneticsError> {
        check_positive("frequency_hz", frequency_hz)?;
        check("b_peak_t", b_peak_t, |b| b >= 0.0, "a finite value ≥ 0")?;
        Ok(CoreLossDensity {
            loss_density_w_per_m3: self.k
                * frequency_hz.powf(self.alpha)
                * b_peak_t.powf(self.beta),
            outside_fit_range: self.outside(frequency_hz),
        })
    }

    /// Computes the iGSE coefficient
    /// `kᵢ = k / ((2π)^(α−1) ∫₀^2π |cos θ|^α 2^(β−α) dθ)`
    /// (K. Venkatachalam, C. R. Sullivan, T. Abdallah, H. Tacca, "Accurate prediction
    /// of ferrite core loss with nonsinusoidal waveforms using only Steinmetz
    /// parameters", IEEE COMPEL 2002). The integral is [`cos_power_integral`].
    pub fn igse_coefficient(&self) -> f64 {
        let integral = cos_power_integral(self.alpha) * 2f64.powf(self.beta - self.alpha);
        self.k / ((2.0 * PI).powf(self.alpha - 1.0) * integral)
    }

    /// Computes the iGSE loss density in W/m³ of a periodic flux density waveform.
    ///
    /// `flux_t` contains `n ≥ 2` samples of `B` in T, equally spaced over one period
    /// `T = 1/frequency_hz`. The sample after the last is the first again, so do not
    /// repeat the first sample at the end. Between samples `B` is taken as linear, so
    /// each straight piece `j` contributes exactly `kᵢ |ΔBⱼ/Δtⱼ|^α (ΔB_loop)^(β−α) Δtⱼ`
    /// to `Pv = (1/T) ∫ kᵢ |dB/dt|^α (ΔB)^(β−α) dt`.
    ///
    /// `ΔB_loop` is the peak-to-peak flux density of the loop that contains the piece:
    /// minor loops are split off as in the iGSE paper ([`super::flux_loops`]). For a
    /// waveform without minor loops it is the peak-to-peak value of the whole period.
    ///
    /// # Errors
    /// [`MagneticsError::InvalidParameter`] for a frequency or sample that is not
    /// finite, and [`MagneticsError::SampleCount`] for fewer than 2 or more than
    /// [`MAX_FLUX_SAMPLES`] samples.
    pub fn igse_loss(
        &self,
        flux_t: &[f64],
        frequency_hz: f64,
    ) -> Result<CoreLossDensity, MagneticsError> {
        check_positive("frequency_hz", frequency_hz)?;
        let period_s = 1.0 / frequency_hz;
        let coefficient = self.igse_coefficient();
        let energy_sum: f64 = decompose(flux_t, period_s)?
            .iter()
            .map(|s| {
                let rate = s.delta_b_t.abs() / s.duration_s;
                rate.powf(self.alpha)
                    * s.loop_peak_to_peak_t.powf(self.beta - self.alpha)
                    * s.duration_s
            })
            .sum();
        Ok(CoreLossDensity {
            loss_density_w_per_m3: coefficient * energy_sum / period_s,
            outside_fit_range: self.outside(frequency_hz),
        })
    }
}

/// Computes `∫₀^2π |cos θ|^α dθ = 4 ∫₀^(π/2) sin^α u du` by composite Simpson's rule.
///
/// The closed form is `2√π Γ((α+1)/2) / Γ(α/2 + 1)`: 4 for `α = 1`, `π` for `α = 2`.
/// Near `u = 0` the integrand behaves as `u^α`, so the error falls as `h^(1+α)` for
/// non-integer `α`. With 20 000 intervals it is below 1e-8 relative for `α ≥ 0.5`.
pub fn cos_power_integral(alpha: f64) -> f64 {
    const INTERVALS: usize = 20_000;
    let h = (PI / 2.0) / INTERVALS as f64;
    let f = |u: f64| u.sin().powf(alpha);
    let mut sum = f(0.0) + f(PI / 2.0);
    for i in 1..INTERVALS {
        let weight = if i % 2 == 1 { 4.0 } else { 2.0 };
        sum += weight * f(i as f64 * h);
    }
    4.0 * sum * h / 3.0
}
