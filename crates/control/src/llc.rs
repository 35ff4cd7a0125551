//! Output-voltage control of an LLC resonant converter by switching frequency.
//!
//! Above resonance the LLC tank's voltage gain falls as the switching frequency
//! rises, so the controller lowers the frequency to raise the output. A PI on the
//! voltage error `e = V_ref − V_out` \[V\] gives a frequency reduction `u` \[Hz\] in
//! `[0, f_max − f_min]`, and
//!
//! ```text
//! f_sw = f_max − u.
//! ```
//!
//! The integral starts at zero, so a converter starts at `f_max`, where the gain is
//! lowest and the inrush smallest, and the loop walks the frequency down. The PI's
//! anti-windup stops the integral while `f_sw` sits at a limit. The controller
//! assumes operation in the region where the gain falls with frequency (at or above
//! the peak-gain frequency); below it the sign of the plant reverses, so `f_min` must
//! stay above the peak-gain frequency at the heaviest load.

use crate::error::{ConfigError, Expected, Status};
use crate::pi::{AntiWindup, Pi, PiConfig};

/// Settings of an LLC frequency controller.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LlcFrequencyConfig {
    /// Proportional gain [Hz/V], at least 0.
    pub kp: f64,
    /// Integral gain [Hz/(V·s)], at least 0.
    pub ki: f64,
    /// Sample time \[s\], positive.
    pub ts: f64,
    /// Lowest switching frequency \[Hz\], positive; keep it above the peak-gain frequency.
    pub f_min: f64,
    /// Highest switching frequency and start frequency \[Hz\], above `f_min`.
    pub f_max: f64,
    /// Anti-windup of the PI.
    pub anti_windup: AntiWindup,
}

/// PI control of the switching frequency of an LLC converter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LlcFrequencyControl {
    pi: Pi,
    f_max: f64,
    frequency: f64,
}

impl LlcFrequencyControl {
    /// Validates `config` and starts at `f_max`.
    ///
    /// # Errors
    /// [`ConfigError`] naming `f_min`, `f_max` or a PI field.
    pub fn new(config: LlcFrequencyConfig) -> Result<Self, ConfigError> {
        if !(config.f_min.is_finite() && config.f_min > 0.0) {
            return Err(ConfigError::new("f_min", config.f_min, Expected::Positive));
        }
        if !(config.f_max.is_finite() && config.f_max > config.f_min) {
            return Err(ConfigError::new(
                "f_max",
                config.f_max,
                Expected::GreaterThan {
                    field: "f_min",
                    value: config.f_min,
                },
            ));
        }
        let pi = Pi::new(PiConfig {
            kp: config.kp,
            ki: config.ki,
            ts: config.ts,
            u_min: 0.0,
            u_max: config.f_max - config.f_min,
            anti_windup: config.anti_windup,
        })?;
        Ok(Self {
            pi,
            f_max: config.f_max,
            frequency: config.f_max,
        })
    }

    /// Runs one sample with reference `v_ref` and measurement `v_out` \[V\] and returns
    /// the switching frequency \[Hz\]. A non-finite input keeps the previous frequency
    /// and sets [`Status::InvalidInput`].
    pub fn update(&mut self, v_ref: f64, v_out: f64) -> f64 {
        let reduction = self.pi.update(v_ref - v_out);
        if self.pi.status() != Status::InvalidInput {
            self.frequency = self.f_max - reduction;
        }
        self.frequency
    }

    /// Returns the last switching frequency \[Hz\].
    pub fn frequency(&self) -> f64 {
        self.frequency
    }

    /// Status of the last update: saturated at `f_min` or `f_max`, or invalid input.
    pub fn status(&self) -> Status {
        self.pi.status()
    }

    /// Returns to `f_max` with a zero integral (a restart).
    pub fn reset(&mut self) {
        self.pi.reset();
        self.frequency = self.f_max;
    }
}
