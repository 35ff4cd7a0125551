//! Soft-start: a ramp limiter for references.
//!
//! The limiter moves its output toward a target at a bounded rate, so that a
//! converter's voltage or current reference rises gradually after enable. Start it from
//! the measured output voltage with [`RampLimiter::reset`] to avoid an initial
//! discharge, or from zero.

use crate::error::{ConfigError, Expected, check_finite, check_positive};

/// Rate limit of a [`RampLimiter`]: slew rate or ramp duration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RampRate {
    /// Maximum slew rate [unit/s], for example V/s. Each sample moves the output by at
    /// most `slew_rate·ts`.
    SlewRate(f64),
    /// Ramp duration \[s\]: every change of target is reached after
    /// `n = ceil(duration/ts)` samples, whatever its size. The slope is set again from
    /// the current output each time the target changes.
    Duration(f64),
}

/// Status of a [`RampLimiter`] after its last update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RampStatus {
    /// The output equals the target.
    #[default]
    Settled,
    /// The output is moving toward the target.
    Ramping,
    /// The target was NaN or infinite, so the output was kept.
    InvalidInput,
}

/// Reference ramp limiter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RampLimiter {
    rate: RampRate,
    ts: f64,
    /// Samples per ramp in [`RampRate::Duration`] mode, at least 1.
    ramp_samples: u32,
    output: f64,
    target: f64,
    /// Output and sample count at the start of the current fixed-duration ramp.
    ramp_start: f64,
    ramp_elapsed: u32,
    status: RampStatus,
}

impl RampLimiter {
    /// Creates a ramp limiter with the sample time `ts` \[s\] whose output and target start
    /// at `initial`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `ts` and the slew rate or duration are finite
    /// and > 0, the duration spans at most `u32::MAX` samples, and `initial` is finite.
    pub fn new(rate: RampRate, ts: f64, initial: f64) -> Result<Self, ConfigError> {
        let ts = check_positive("ts", ts)?;
        let ramp_samples = match rate {
            RampRate::SlewRate(slew_rate) => {
                check_positive("slew_rate", slew_rate)?;
                1
            }
            RampRate::Duration(duration) => {
                check_positive("duration", duration)?;
                samples_for(duration, ts).ok_or(ConfigError::new(
                    "duration",
                    duration,
                    Expected::Within {
                        min: 0.0,
                        max: ts * u32::MAX as f64,
                    },
                ))?
            }
        };
        let initial = check_finite("initial", initial)?;
        Ok(Self {
            rate,
            ts,
            ramp_samples,
            output: initial,
            target: initial,
            ramp_start: initial,
            ramp_elapsed: ramp_samples,
            status: RampStatus::Settled,
        })
    }

    /// Moves the output one sample toward `target` and returns it.
    ///
    /// - Slew-rate mode: `y[k] = y[k−1] + clamp(target − y[k−1], −s·ts, s·ts)`, with `s`
    ///   the slew rate.
    /// - Duration mode: when `target` differs from the previous target, a ramp starts
    ///   from the current output `y0`. Sample `j` of `n` returns
    ///   `y0 + (target − y0)·j/n`, and sample `n` returns `target` exactly.
    ///
    /// A NaN or infinite `target` keeps the output and sets [`RampStatus::InvalidInput`].
    pub fn update(&mut self, target: f64) -> f64 {
        if !target.is_finite() {
            self.status = RampStatus::InvalidInput;
            return self.output;
        }
        match self.rate {
            RampRate::SlewRate(slew_rate) => {
                let max_step = slew_rate * self.ts;
                let difference = target - self.output;
                self.output = if difference.abs() <= max_step {
                    target
                } else {
                    self.output + difference.clamp(-max_step, max_step)
                };
            }
            RampRate::Duration(_) => {
                if target != self.target {
                    self.ramp_start = self.output;
                    self.ramp_elapsed = 0;
                }
                if self.ramp_elapsed < self.ramp_samples {
                    self.ramp_elapsed += 1;
                }
                self.output = if self.ramp_elapsed >= self.ramp_samples {
                    target
                } else {
                    let fraction = self.ramp_elapsed as f64 / self.ramp_samples as f64;
                    self.ramp_start + (target - self.ramp_start) * fraction
                };
            }
        }
        self.target = target;
        self.status = if self.output == target {
            RampStatus::Settled
        } else {
            RampStatus::Ramping
        };
        self.output
    }

    /// Sets the output and the target to `value`, for example the measured output
    /// voltage at enable, so that the next ramp starts there.
    ///
    /// A NaN or infinite `value` leaves the state unchanged and sets
    /// [`RampStatus::InvalidInput`].
    pub fn reset(&mut self, value: f64) {
        if !value.is_finite() {
            self.status = RampStatus::InvalidInput;
            return;
        }
        self.output = value;
        self.target = value;
        self.ramp_start = value;
        self.ramp_elapsed = self.ramp_samples;
        self.status = RampStatus::Settled;
    }

    /// Returns the output of the last update.
    pub const fn output(&self) -> f64 {
        self.output
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> RampStatus {
        self.status
    }

    /// Returns whether the output equals the last valid target.
    pub fn is_settled(&self) -> bool {
        self.output == self.target
    }
}

/// Returns `ceil(duration/ts)`, at least 1, or `None` above `u32::MAX`.
///
/// A relative tolerance of 1e-9 keeps a quotient such as `0.01/1e-5 = 1000.0000000000001`
/// at 1000 samples.
pub(crate) fn samples_for(duration: f64, ts: f64) -> Option<u32> {
    let samples = libm::ceil(duration / ts * (1.0 - 1e-9));
    if samples > u32::MAX as f64 {
        None
    } else if samples < 1.0 {
        Some(1)
    } else {
        Some(samples as u32)
    }
}
