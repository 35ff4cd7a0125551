//! Discrete PI controller with output limits, anti-windup and bumpless transfer.
//!
//! # Control law and discretisation
//!
//! The continuous law is `u(t) = kp·e(t) + ki·∫e dt`. The integral part is kept in
//! output units, `x = ki·∫e dt`, and discretised with forward Euler:
//!
//! ```text
//! v[k]   = u_ff[k] + kp·e[k] + x[k]          unsaturated output
//! u[k]   = clamp(v[k], u_min, u_max)         output
//! x[k+1] = x[k] + ts·ki·e[k] + (anti-windup term)
//! ```
//!
//! Forward Euler is used because the output of sample `k` depends only on the state
//! stored at sample `k−1`. The output is therefore ready right after the ADC reading,
//! and the saturation of the same sample feeds the anti-windup term without an
//! algebraic loop. The usual objection to forward Euler, that it can map a stable
//! continuous pole outside the unit circle, does not apply: the PI has a single pole at
//! `s = 0`, which every method maps to `z = 1`. Compared with Tustin, the integral path
//! lags by half a sample, a phase error of `ω·ts/2` in that path only. With the PI zero
//! `ki/kp` placed well below the crossover frequency, as usual, this is negligible.
//!
//! # Anti-windup
//!
//! - [`AntiWindup::Clamping`] (conditional integration): the integrator stops while the
//!   output is saturated and the error drives it further into saturation.
//! - [`AntiWindup::BackCalculation`]: the integrator gets the extra input
//!   `kb·(u − v)`, which pulls `v` back to the limit with the time constant `1/kb`.
//!
//! # Bumpless transfer
//!
//! [`Pi::track`] and [`Pi::reset_to_output`] set `x = u_ext − u_ff − kp·e`, so that the
//! next [`Pi::update`] with the same error starts at `u_ext`, to within rounding.

use crate::error::{
    ConfigError, Expected, Status, check_limits, check_non_negative, check_positive,
};

/// Anti-windup method of a [`Pi`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AntiWindup {
    /// No anti-windup: the integrator keeps integrating while the output is saturated.
    None,
    /// Conditional integration: the integrator stops while `v > u_max` and `e > 0`, or
    /// while `v < u_min` and `e < 0`.
    Clamping,
    /// Back-calculation with gain `kb` [1/s]: the integrator input becomes
    /// `ki·e + kb·(u − v)`.
    ///
    /// Accepted range `0 < kb ≤ 1/ts`. At `kb = 1/ts` the back-calculation removes the
    /// whole excess `v − u` in one sample, and larger values would overshoot or
    /// oscillate. `kb = ki/kp`, a tracking time equal to the integral time, is a common
    /// starting point.
    BackCalculation {
        /// Back-calculation gain [1/s].
        kb: f64,
    },
}

/// Parameters of a [`Pi`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PiConfig {
    /// Proportional gain [output unit / error unit], finite and ≥ 0.
    pub kp: f64,
    /// Integral gain [output unit / (error unit · s)], finite and ≥ 0.
    pub ki: f64,
    /// Sample time \[s\], finite and > 0.
    pub ts: f64,
    /// Lower output limit [output unit], finite.
    pub u_min: f64,
    /// Upper output limit [output unit], finite and > `u_min`.
    pub u_max: f64,
    /// Anti-windup method.
    pub anti_windup: AntiWindup,
}

/// Discrete PI controller state.
///
/// See the [module documentation](self) for the equations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pi {
    kp: f64,
    ki: f64,
    ts: f64,
    u_min: f64,
    u_max: f64,
    anti_windup: AntiWindup,
    /// Integral part `x = ki·∫e dt` [output unit].
    integral: f64,
    /// Last output [output unit].
    output: f64,
    status: Status,
}

impl Pi {
    /// Creates a PI controller with a zero integral part.
    ///
    /// Until the first update, [`Pi::output`] returns `clamp(0, u_min, u_max)`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the first field out of range: `kp` or `ki`
    /// negative or not finite, `ts` not > 0, `u_min`/`u_max` not finite or
    /// `u_max ≤ u_min`, or `kb` outside `(0, 1/ts]`.
    pub fn new(config: PiConfig) -> Result<Self, ConfigError> {
        let kp = check_non_negative("kp", config.kp)?;
        let ki = check_non_negative("ki", config.ki)?;
        let ts = check_positive("ts", config.ts)?;
        check_limits("u_min", config.u_min, "u_max", config.u_max)?;
        if let AntiWindup::BackCalculation { kb } = config.anti_windup {
            let max = 1.0 / ts;
            if !(kb.is_finite() && kb > 0.0 && kb <= max) {
                return Err(ConfigError::new("kb", kb, Expected::PositiveAtMost { max }));
            }
        }
        Ok(Self {
            kp,
            ki,
            ts,
            u_min: config.u_min,
            u_max: config.u_max,
            anti_windup: config.anti_windup,
            integral: 0.0,
            output: 0.0_f64.clamp(config.u_min, config.u_max),
            status: Status::Unsaturated,
        })
    }

    /// Computes the output `u = clamp(kp·e + x, u_min, u_max)` and advances the
    /// integral part `x` by one sample.
    ///
    /// `e` is the error, reference minus measurement, in error units. A NaN or infinite
    /// `e` leaves the state unchanged, returns the previous output and sets
    /// [`Status::InvalidInput`].
    pub fn update(&mut self, e: f64) -> f64 {
        self.step(e, 0.0, self.u_min, self.u_max)
    }

    /// Computes `u = clamp(u_ff + kp·e + x, u_min, u_max)` and advances `x` by one sample.
    ///
    /// The feedforward `u_ff` [output unit] is added before the limits, so that the
    /// anti-windup acts on the saturation of the total output. A NaN or infinite `e` or
    /// `u_ff` leaves the state unchanged, returns the previous output and sets
    /// [`Status::InvalidInput`].
    pub fn update_with_feedforward(&mut self, e: f64, u_ff: f64) -> f64 {
        self.step(e, u_ff, self.u_min, self.u_max)
    }

    /// Runs one sample in tracking mode while an external source drives the plant.
    ///
    /// Sets `x = clamp(u_ext, u_min, u_max) − kp·e`, so that a following
    /// [`Pi::update`] with the same `e` returns the clamped `u_ext` to within rounding,
    /// and returns that clamped value. Call it every sample while another controller or
    /// a manual setting is active. A NaN or infinite `e` or `u_ext` leaves the state
    /// unchanged, returns the previous output and sets [`Status::InvalidInput`].
    pub fn track(&mut self, e: f64, u_ext: f64) -> f64 {
        self.track_with_feedforward(e, 0.0, u_ext)
    }

    /// Runs one sample in tracking mode with the feedforward `u_ff` of
    /// [`Pi::update_with_feedforward`].
    ///
    /// Sets `x = clamp(u_ext, u_min, u_max) − u_ff − kp·e` and returns the clamped
    /// `u_ext`. Non-finite inputs are handled as in [`Pi::track`].
    pub fn track_with_feedforward(&mut self, e: f64, u_ff: f64, u_ext: f64) -> f64 {
        self.track_limited(e, u_ff, u_ext, self.u_min, self.u_max)
    }

    /// Sets the integral part for a bumpless start at the output `u` [output unit].
    ///
    /// Pass the error `e` that the next [`Pi::update`] will see. With `e = 0` the next
    /// output jumps by `kp·e_next` from `u`. Equivalent to one call of [`Pi::track`].
    pub fn reset_to_output(&mut self, u: f64, e: f64) {
        self.track(e, u);
    }

    /// Resets the integral part to zero and the output to `clamp(0, u_min, u_max)`.
    pub fn reset(&mut self) {
        self.integral = 0.0;
        self.output = 0.0_f64.clamp(self.u_min, self.u_max);
        self.status = Status::Unsaturated;
    }

    /// Changes the output limits. The integral part is kept.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless both limits are finite and `u_max > u_min`. The
    /// previous limits stay in force on error.
    pub fn set_limits(&mut self, u_min: f64, u_max: f64) -> Result<(), ConfigError> {
        check_limits("u_min", u_min, "u_max", u_max)?;
        self.u_min = u_min;
        self.u_max = u_max;
        Ok(())
    }

    /// Returns the output of the last update [output unit].
    pub const fn output(&self) -> f64 {
        self.output
    }

    /// Returns the integral part `x = ki·∫e dt` [output unit].
    pub const fn integral(&self) -> f64 {
        self.integral
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> Status {
        self.status
    }

    /// Returns the proportional gain `kp`.
    pub const fn kp(&self) -> f64 {
        self.kp
    }

    /// Returns the integral gain `ki`.
    pub const fn ki(&self) -> f64 {
        self.ki
    }

    /// Returns the sample time `ts` \[s\].
    pub const fn ts(&self) -> f64 {
        self.ts
    }

    /// Returns the output limits `(u_min, u_max)`.
    pub const fn limits(&self) -> (f64, f64) {
        (self.u_min, self.u_max)
    }

    /// Marks the current sample as rejected and returns the held output.
    pub(crate) fn reject_input(&mut self) -> f64 {
        self.status = Status::InvalidInput;
        self.output
    }

    /// Runs one sample with the limits `[lo, hi]`, which the caller guarantees to be
    /// ordered (`lo ≤ hi`, either may be infinite).
    pub(crate) fn step(&mut self, e: f64, u_ff: f64, lo: f64, hi: f64) -> f64 {
        if !(e.is_finite() && u_ff.is_finite()) {
            return self.reject_input();
        }

        // kp·e may overflow to ±inf for huge finite e. The clamp still gives a finite
        // output, and an integrator update that overflows is dropped below.
        let v = u_ff + self.kp * e + self.integral;
        // A comparison chain instead of f64::clamp, which panics when lo > hi.
        let u = if v > hi {
            hi
        } else if v < lo {
            lo
        } else {
            v
        };
        self.status = if v > hi {
            Status::SaturatedHigh
        } else if v < lo {
            Status::SaturatedLow
        } else {
            Status::Unsaturated
        };

        let increment = match self.anti_windup {
            AntiWindup::None => self.ts * self.ki * e,
            AntiWindup::Clamping => {
                let pushes_further = (v > hi && e > 0.0) || (v < lo && e < 0.0);
                if pushes_further {
                    0.0
                } else {
                    self.ts * self.ki * e
                }
            }
            AntiWindup::BackCalculation { kb } => self.ts * (self.ki * e + kb * (u - v)),
        };
        let next = self.integral + increment;
        if next.is_finite() {
            self.integral = next;
        }

        self.output = u;
        u
    }

    /// Runs one tracking sample with the limits `[lo, hi]`.
    pub(crate) fn track_limited(&mut self, e: f64, u_ff: f64, u_ext: f64, lo: f64, hi: f64) -> f64 {
        if !(e.is_finite() && u_ff.is_finite() && u_ext.is_finite()) {
            return self.reject_input();
        }
        let u = if u_ext > hi {
            hi
        } else if u_ext < lo {
            lo
        } else {
            u_ext
        };
        let integral = u - u_ff - self.kp * e;
        // An overflow of kp·e would make the integral infinite, so fall back to the
        // value that is bumpless for e = 0.
        self.integral = if integral.is_finite() {
            integral
        } else {
            u - u_ff
        };
        self.status = if u_ext > hi {
            Status::SaturatedHigh
        } else if u_ext < lo {
            Status::SaturatedLow
        } else {
            Status::Unsaturated
        };
        self.output = u;
        u
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PiConfig {
        PiConfig {
            kp: 2.0,
            ki: 100.0,
            ts: 1e-3,
            u_min: -10.0,
            u_max: 10.0,
            anti_windup: AntiWindup::Clamping,
        }
    }

    #[test]
    fn rejects_negative_kp() {
        let err = Pi::new(PiConfig {
            kp: -1.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "kp");
        assert_eq!(err.value, -1.0);
    }

    #[test]
    fn rejects_swapped_limits() {
        let err = Pi::new(PiConfig {
            u_min: 1.0,
            u_max: 0.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "u_max");
    }

    #[test]
    fn rejects_kb_above_sample_rate() {
        let err = Pi::new(PiConfig {
            anti_windup: AntiWindup::BackCalculation { kb: 2000.0 },
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "kb");
        assert_eq!(err.expected, Expected::PositiveAtMost { max: 1000.0 });
    }

    #[test]
    fn nan_error_holds_output() {
        let mut pi = Pi::new(config()).unwrap();
        let u = pi.update(1.0);
        let x = pi.integral();
        assert_eq!(pi.update(f64::NAN), u);
        assert_eq!(pi.integral(), x);
        assert_eq!(pi.status(), Status::InvalidInput);
    }
}
