//! Peak current-mode control with slope compensation.
//!
//! In each switching period `T` the switch turns on at the start and turns off when
//! the inductor current, rising with slope `m₁` from its value `i₀` at turn-on, meets
//! the control current minus the compensation ramp, `i_c − m_a t`:
//!
//! ```text
//! i₀ + m₁ t_on = i_c − m_a t_on   ⇒   d = t_on / T = (i_c − i₀) / ((m₁ + m_a) T)
//! ```
//!
//! clamped to `[0, d_max]`. The current then falls with slope `m₂` (magnitudes, A/s)
//! for the rest of the period. A perturbation `δi₀` of the turn-on current propagates
//! to the next period as
//!
//! ```text
//! δi₀' = α δi₀,   α = −(m₂ − m_a) / (m₁ + m_a),
//! ```
//!
//! so the current loop is stable against subharmonic oscillation when `|α| < 1`. In
//! CCM `m₂ / m₁ = D / (1 − D)`, so without compensation (`m_a = 0`) it becomes unstable
//! above `D = 0.5`, and `m_a ≥ m₂ / 2` keeps it stable for every duty below 1.
//!
//! Slopes for the usual converters, with input `V_in`, output `V_out` and inductance
//! `L`: buck `m₁ = (V_in − V_out)/L`, `m₂ = V_out/L`; boost `m₁ = V_in/L`,
//! `m₂ = (V_out − V_in)/L`.

use crate::error::{ConfigError, Expected};

/// Fixed settings of a peak current-mode modulator.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakCurrentConfig {
    /// Switching period `T` \[s\].
    pub period: f64,
    /// Compensation ramp slope `m_a` \[A/s\], at least 0.
    pub ramp_slope: f64,
    /// Largest duty `d_max`, in (0, 1).
    pub d_max: f64,
}

/// The duty of one period and the perturbation ratio at that operating point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakCurrentDuty {
    /// Duty `d` in `[0, d_max]`.
    pub duty: f64,
    /// Whether `d_max` or 0 limited the duty.
    pub limited: bool,
    /// Perturbation ratio `α = −(m₂ − m_a)/(m₁ + m_a)`; the loop is stable for `|α| < 1`.
    pub perturbation_ratio: f64,
}

/// Peak current-mode modulator with a linear compensation ramp.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeakCurrentMode {
    config: PeakCurrentConfig,
}

impl PeakCurrentMode {
    /// Validates `config`.
    ///
    /// # Errors
    /// [`ConfigError`] naming `period`, `ramp_slope` or `d_max`.
    pub fn new(config: PeakCurrentConfig) -> Result<Self, ConfigError> {
        if !(config.period.is_finite() && config.period > 0.0) {
            return Err(ConfigError::new(
                "period",
                config.period,
                Expected::Positive,
            ));
        }
        if !(config.ramp_slope.is_finite() && config.ramp_slope >= 0.0) {
            return Err(ConfigError::new(
                "ramp_slope",
                config.ramp_slope,
                Expected::NonNegative,
            ));
        }
        if !(config.d_max.is_finite() && config.d_max > 0.0 && config.d_max < 1.0) {
            return Err(ConfigError::new(
                "d_max",
                config.d_max,
                Expected::Within { min: 0.0, max: 1.0 },
            ));
        }
        Ok(Self { config })
    }

    /// The configuration.
    pub fn config(&self) -> PeakCurrentConfig {
        self.config
    }

    /// Computes the duty for control current `i_c` \[A\], turn-on current `i_0` \[A\],
    /// rising slope `m_1` and falling slope `m_2` [A/s, magnitudes]. Returns `None`
    /// for a non-finite input or `m_1 + m_a ≤ 0`, where no crossing exists.
    pub fn duty(&self, i_c: f64, i_0: f64, m_1: f64, m_2: f64) -> Option<PeakCurrentDuty> {
        let m_a = self.config.ramp_slope;
        let rise = m_1 + m_a;
        if !(i_c.is_finite() && i_0.is_finite() && m_1.is_finite() && m_2.is_finite())
            || rise <= 0.0
        {
            return None;
        }
        let raw = (i_c - i_0) / (rise * self.config.period);
        let duty = raw.clamp(0.0, self.config.d_max);
        Some(PeakCurrentDuty {
            duty,
            limited: duty != raw,
            perturbation_ratio: -(m_2 - m_a) / rise,
        })
    }

    /// The smallest ramp slope `m_2 / 2` \[A/s\] that keeps the loop stable at every
    /// duty below 1, for falling slope `m_2`.
    pub fn minimum_stable_ramp(m_2: f64) -> f64 {
        0.5 * m_2
    }
}
