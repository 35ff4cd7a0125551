//! Synchronous-reference-frame phase-locked loop (SRF-PLL) for a three-phase grid.
//!
//! # Loop
//!
//! The inputs are the stationary-frame voltages `vα, vβ` of the amplitude-invariant
//! Clarke transform, so a balanced grid of phase amplitude `V` and angle `φ` gives
//! `vα = V·cos φ`, `vβ = V·sin φ`. Each sample `k` runs:
//!
//! ```text
//! vd     =  vα·cos θ[k] + vβ·sin θ[k]                 Park transform
//! vq     = −vα·sin θ[k] + vβ·cos θ[k]                 = V·sin(φ − θ)
//! |v|    = sqrt(vd² + vq²)                            amplitude [V]
//! e      = vq / max(|v|, amplitude_min)               ≈ φ − θ [rad] near lock
//! Δω     = PI(e), limited to the ROCOF and frequency window below
//! ω[k]   = ω_nom + Δω                                 [rad/s]
//! θ[k+1] = (θ[k] + ω[k]·ts) mod 2π
//! ```
//!
//! The PI is a [`crate::pi::Pi`] with clamping anti-windup. Its output limits move
//! every sample to the intersection of the frequency window
//! `[2π·f_min, 2π·f_max]` and the ROCOF window `ω[k−1] ± 2π·rocof_max·ts`, so that
//! `|ω[k] − ω[k−1]| ≤ 2π·rocof_max·ts` is true for every sample and the integrator stops
//! winding up while a limit is active.
//!
//! NOTE: a ROCOF limit far below the rate the loop requests turns it into a rate-limited
//! loop. With `rocof_max = 20` Hz/s and a 1 rad initial phase error, for example, the
//! frequency estimate swings by about ±2.4 Hz and decays over several seconds. Start
//! with a wide limit, or call [`Pll::reset`] near the grid angle, when the initial
//! error is large.
//!
//! # Normalisation
//!
//! Without normalisation the phase detector gain is `V` [V/rad], so the loop gains,
//! natural frequency and damping would change with the grid voltage. Dividing `vq` by
//! the measured amplitude makes the detector gain 1 rad/rad, and the small-signal loop
//! becomes
//!
//! ```text
//! Θ(s)/Φ(s) = (kp·s + ki) / (s² + kp·s + ki)
//! ```
//!
//! whatever `V`. Below `amplitude_min` the divisor stays at `amplitude_min`, which
//! lowers the loop gain as the voltage collapses instead of amplifying noise.
//! [`PllGains::from_natural_frequency`] designs `kp` and `ki` for this normalised loop.

use crate::error::{ConfigError, Expected, check_finite, check_non_negative, check_positive};
use crate::pi::{AntiWindup, Pi, PiConfig};
use crate::softstart::samples_for;

const TWO_PI: f64 = 2.0 * core::f64::consts::PI;

/// Proportional and integral gains of the normalised PLL loop filter.
///
/// `kp` is in (rad/s)/rad and `ki` in (rad/s²)/rad, because the normalised phase
/// detector output is a phase error in radians.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PllGains {
    /// Proportional gain [(rad/s)/rad].
    pub kp: f64,
    /// Integral gain [(rad/s²)/rad].
    pub ki: f64,
}

impl PllGains {
    /// Designs the gains for the natural frequency `omega_n` [rad/s] and the damping
    /// ratio `zeta` of the normalised loop.
    ///
    /// Matching `s² + kp·s + ki` to `s² + 2ζω_n·s + ω_n²` gives `kp = 2ζω_n` and
    /// `ki = ω_n²`. For a loop without normalisation, where the phase detector gain is
    /// the amplitude `V`, the same poles need `kp = 2ζω_n/V` and `ki = ω_n²/V`. The
    /// design assumes the continuous loop, which the discrete loop matches while
    /// `ω_n·ts ≪ 1`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `omega_n` and `zeta` are finite and > 0.
    pub fn from_natural_frequency(omega_n: f64, zeta: f64) -> Result<Self, ConfigError> {
        let omega_n = check_positive("omega_n", omega_n)?;
        let zeta = check_positive("zeta", zeta)?;
        Ok(Self {
            kp: 2.0 * zeta * omega_n,
            ki: omega_n * omega_n,
        })
    }

    /// Designs the gains for the −3 dB bandwidth `omega_3db` [rad/s] of the closed
    /// loop `Θ/Φ` and the damping ratio `zeta`.
    ///
    /// For `H(s) = (2ζω_n·s + ω_n²)/(s² + 2ζω_n·s + ω_n²)` the bandwidth is
    /// `ω_3dB = ω_n·sqrt(1 + 2ζ² + sqrt((1 + 2ζ²)² + 1))`, which gives `ω_n`, and then
    /// [`PllGains::from_natural_frequency`] applies. For `ζ = 1/√2`,
    /// `ω_3dB ≈ 2.06·ω_n`. A unit test checks `|H(jω_3dB)|² = 1/2`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless `omega_3db` and `zeta` are finite and > 0.
    pub fn from_bandwidth(omega_3db: f64, zeta: f64) -> Result<Self, ConfigError> {
        let omega_3db = check_positive("omega_3db", omega_3db)?;
        let zeta = check_positive("zeta", zeta)?;
        let a = 1.0 + 2.0 * zeta * zeta;
        let ratio = libm::sqrt(a + libm::sqrt(a * a + 1.0));
        Self::from_natural_frequency(omega_3db / ratio, zeta)
    }
}

/// Parameters of a [`Pll`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PllConfig {
    /// Loop filter gains of the normalised loop, finite and ≥ 0 each.
    pub gains: PllGains,
    /// Sample time \[s\], finite and > 0.
    pub ts: f64,
    /// Nominal grid frequency \[Hz\], inside `[f_min, f_max]`.
    pub f_nominal: f64,
    /// Lowest frequency estimate \[Hz\], finite and ≥ 0.
    pub f_min: f64,
    /// Highest frequency estimate \[Hz\], finite and > `f_min`.
    pub f_max: f64,
    /// Maximum rate of change of the frequency estimate [Hz/s], finite and > 0.
    pub rocof_max: f64,
    /// Amplitude below which the normalisation divides by this value instead of `|v|`
    /// \[V\], finite and > 0. Below it the PLL also reports no lock.
    pub amplitude_min: f64,
    /// Lock threshold on `|vq|/|v|`, which is `|sin(φ − θ)|` \[1\], in `(0, 1]`.
    pub lock_threshold: f64,
    /// Time that `|vq|/|v|` must stay below `lock_threshold` before the PLL reports
    /// lock \[s\], finite and ≥ 0. It is rounded up to whole samples, at least one.
    pub lock_time: f64,
}

/// Status of a [`Pll`] after its last update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PllStatus {
    /// The frequency estimate is inside its limits.
    #[default]
    Tracking,
    /// The ROCOF limit bounded the frequency change of this sample.
    RocofLimited,
    /// The frequency estimate is at `f_min` or `f_max`.
    FrequencyLimited,
    /// `vα` or `vβ` was NaN or infinite, so the PLL kept its state and outputs.
    InvalidInput,
}

/// Outputs of one [`Pll::update`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PllOutput {
    /// Angle estimate used for the Park transform of this sample \[rad\], in `[0, 2π)`.
    pub theta: f64,
    /// Frequency estimate \[Hz\].
    pub frequency: f64,
    /// d-axis voltage \[V\].
    pub vd: f64,
    /// q-axis voltage \[V\].
    pub vq: f64,
    /// Amplitude `sqrt(vd² + vq²)` \[V\].
    pub amplitude: f64,
    /// Whether `|vq|/|v| < lock_threshold` held for `lock_time` and `|v| ≥ amplitude_min`.
    pub locked: bool,
}

/// SRF-PLL state. See the [module documentation](self) for the equations.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pll {
    pi: Pi,
    ts: f64,
    omega_nominal: f64,
    omega_min: f64,
    omega_max: f64,
    /// Maximum frequency change per sample [rad/s].
    omega_step_max: f64,
    amplitude_min: f64,
    lock_threshold: f64,
    lock_samples: u32,
    /// Consecutive samples below the lock threshold, saturating at `lock_samples`.
    samples_in_band: u32,
    /// Angle for the Park transform of the next sample \[rad\].
    theta: f64,
    /// Frequency estimate of the last sample [rad/s].
    omega: f64,
    output: PllOutput,
    status: PllStatus,
}

impl Pll {
    /// Creates a PLL at the nominal frequency with the angle estimate 0.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the first field out of range, as listed on
    /// [`PllConfig`].
    pub fn new(config: PllConfig) -> Result<Self, ConfigError> {
        check_non_negative("kp", config.gains.kp)?;
        check_non_negative("ki", config.gains.ki)?;
        let ts = check_positive("ts", config.ts)?;
        let f_min = check_non_negative("f_min", config.f_min)?;
        check_finite("f_max", config.f_max)?;
        if config.f_max <= f_min {
            return Err(ConfigError::new(
                "f_max",
                config.f_max,
                Expected::GreaterThan {
                    field: "f_min",
                    value: f_min,
                },
            ));
        }
        let f_nominal = config.f_nominal;
        if !(f_nominal.is_finite() && f_nominal >= f_min && f_nominal <= config.f_max) {
            return Err(ConfigError::new(
                "f_nominal",
                f_nominal,
                Expected::Within {
                    min: f_min,
                    max: config.f_max,
                },
            ));
        }
        let rocof_max = check_positive("rocof_max", config.rocof_max)?;
        let amplitude_min = check_positive("amplitude_min", config.amplitude_min)?;
        let lock_threshold = config.lock_threshold;
        if !(lock_threshold.is_finite() && lock_threshold > 0.0 && lock_threshold <= 1.0) {
            return Err(ConfigError::new(
                "lock_threshold",
                lock_threshold,
                Expected::PositiveAtMost { max: 1.0 },
            ));
        }
        let lock_time = check_non_negative("lock_time", config.lock_time)?;
        let lock_samples = samples_for(lock_time, ts).ok_or(ConfigError::new(
            "lock_time",
            lock_time,
            Expected::Within {
                min: 0.0,
                max: ts * u32::MAX as f64,
            },
        ))?;

        let omega_nominal = TWO_PI * f_nominal;
        let omega_min = TWO_PI * f_min;
        let omega_max = TWO_PI * config.f_max;
        let pi = Pi::new(PiConfig {
            kp: config.gains.kp,
            ki: config.gains.ki,
            ts,
            u_min: omega_min - omega_nominal,
            u_max: omega_max - omega_nominal,
            anti_windup: AntiWindup::Clamping,
        })?;
        Ok(Self {
            pi,
            ts,
            omega_nominal,
            omega_min,
            omega_max,
            omega_step_max: TWO_PI * rocof_max * ts,
            amplitude_min,
            lock_threshold,
            lock_samples,
            samples_in_band: 0,
            theta: 0.0,
            omega: omega_nominal,
            output: PllOutput {
                frequency: f_nominal,
                ..PllOutput::default()
            },
            status: PllStatus::Tracking,
        })
    }

    /// Runs one sample with the Clarke-frame voltages `v_alpha`, `v_beta` \[V\] and
    /// returns the outputs.
    ///
    /// A NaN or infinite input, or one so large that the Park transform overflows,
    /// keeps the whole state, including the angle, returns the previous outputs and
    /// sets [`PllStatus::InvalidInput`].
    ///
    /// NOTE: the angle does not advance during rejected samples, so after `n` of them
    /// the estimate lags by `n·ω·ts` until the loop pulls it back.
    pub fn update(&mut self, v_alpha: f64, v_beta: f64) -> PllOutput {
        if !(v_alpha.is_finite() && v_beta.is_finite()) {
            self.status = PllStatus::InvalidInput;
            return self.output;
        }

        let theta = self.theta;
        let (sin_theta, cos_theta) = (libm::sin(theta), libm::cos(theta));
        let vd = v_alpha * cos_theta + v_beta * sin_theta;
        let vq = -v_alpha * sin_theta + v_beta * cos_theta;
        // hypot avoids overflow of vd² for huge finite inputs.
        let amplitude = libm::hypot(vd, vq);
        let error = vq / amplitude.max(self.amplitude_min);
        // Inputs near f64::MAX can overflow vd, vq or |v| and make the error NaN.
        if !(error.is_finite() && amplitude.is_finite()) {
            self.status = PllStatus::InvalidInput;
            return self.output;
        }

        // Intersection of the ROCOF window around the last estimate and the frequency
        // window. The last estimate lies in the frequency window, so lo ≤ hi.
        let lo = (self.omega - self.omega_step_max).max(self.omega_min);
        let hi = (self.omega + self.omega_step_max).min(self.omega_max);
        let delta = self
            .pi
            .step(error, 0.0, lo - self.omega_nominal, hi - self.omega_nominal);
        let omega = (self.omega_nominal + delta).clamp(self.omega_min, self.omega_max);

        self.status = if omega <= self.omega_min || omega >= self.omega_max {
            PllStatus::FrequencyLimited
        } else if self.pi.status().is_saturated() {
            PllStatus::RocofLimited
        } else {
            PllStatus::Tracking
        };

        let in_band = amplitude >= self.amplitude_min && libm::fabs(error) < self.lock_threshold;
        self.samples_in_band = if in_band {
            (self.samples_in_band + 1).min(self.lock_samples)
        } else {
            0
        };

        self.omega = omega;
        self.theta = wrap_angle(theta + omega * self.ts);
        self.output = PllOutput {
            theta,
            frequency: omega / TWO_PI,
            vd,
            vq,
            amplitude,
            locked: self.samples_in_band >= self.lock_samples,
        };
        self.output
    }

    /// Sets the angle estimate for the next sample to `theta` \[rad\] (wrapped to
    /// `[0, 2π)`) and the frequency estimate to `frequency` \[Hz\] (clamped to
    /// `[f_min, f_max]`), with a bumpless PI state and the lock counter cleared.
    ///
    /// A NaN or infinite argument leaves the state unchanged and sets
    /// [`PllStatus::InvalidInput`].
    pub fn reset(&mut self, theta: f64, frequency: f64) {
        if !(theta.is_finite() && frequency.is_finite()) {
            self.status = PllStatus::InvalidInput;
            return;
        }
        let omega = (TWO_PI * frequency).clamp(self.omega_min, self.omega_max);
        self.pi.reset_to_output(omega - self.omega_nominal, 0.0);
        self.omega = omega;
        self.theta = wrap_angle(theta);
        self.samples_in_band = 0;
        self.output.locked = false;
        self.output.frequency = omega / TWO_PI;
        self.status = PllStatus::Tracking;
    }

    /// Returns the outputs of the last valid update.
    pub const fn output(&self) -> PllOutput {
        self.output
    }

    /// Returns the angle estimate for the next sample, `θ + ω·ts` wrapped \[rad\].
    pub const fn theta_next(&self) -> f64 {
        self.theta
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> PllStatus {
        self.status
    }
}

/// Wraps `angle` \[rad\] to `[0, 2π)`.
fn wrap_angle(angle: f64) -> f64 {
    let wrapped = angle - TWO_PI * libm::floor(angle / TWO_PI);
    // Rounding can give exactly 2π for a tiny negative angle.
    if wrapped >= TWO_PI { 0.0 } else { wrapped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> PllConfig {
        PllConfig {
            gains: PllGains::from_natural_frequency(TWO_PI * 20.0, 0.707).unwrap(),
            ts: 1e-4,
            f_nominal: 50.0,
            f_min: 45.0,
            f_max: 55.0,
            rocof_max: 10.0,
            amplitude_min: 1.0,
            lock_threshold: 0.02,
            lock_time: 0.02,
        }
    }

    #[test]
    fn gains_match_polynomial() {
        let gains = PllGains::from_natural_frequency(100.0, 0.5).unwrap();
        assert_eq!(gains.kp, 100.0);
        assert_eq!(gains.ki, 10_000.0);
    }

    #[test]
    fn bandwidth_gives_minus_3db() {
        // |H(jω_3dB)|² must be 1/2 for H = (kp·s + ki)/(s² + kp·s + ki).
        let omega = 300.0;
        let gains = PllGains::from_bandwidth(omega, 0.707).unwrap();
        let num = gains.ki * gains.ki + (gains.kp * omega) * (gains.kp * omega);
        let re = gains.ki - omega * omega;
        let den = re * re + (gains.kp * omega) * (gains.kp * omega);
        // Only rounding separates the two, so 1e-12 is ample.
        assert!((num / den - 0.5).abs() < 1e-12, "{}", num / den);
    }

    #[test]
    fn rejects_bad_config() {
        let err = Pll::new(PllConfig {
            f_nominal: 60.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "f_nominal");
        let err = Pll::new(PllConfig {
            f_max: 40.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "f_max");
        let err = Pll::new(PllConfig {
            lock_threshold: 1.5,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "lock_threshold");
        let err = Pll::new(PllConfig {
            rocof_max: 0.0,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "rocof_max");
        let err = PllGains::from_natural_frequency(f64::NAN, 0.7).unwrap_err();
        assert_eq!(err.field, "omega_n");
    }

    #[test]
    fn wrap_angle_range() {
        assert_eq!(wrap_angle(0.0), 0.0);
        assert!((wrap_angle(-0.5) - (TWO_PI - 0.5)).abs() < 1e-15);
        assert!((wrap_angle(7.0) - (7.0 - TWO_PI)).abs() < 1e-15);
        assert_eq!(wrap_angle(-1e-300), 0.0);
    }

    #[test]
    fn park_of_aligned_input() {
        // At θ = 0 the Park transform is the identity: vd = vα, vq = vβ.
        let mut pll = Pll::new(config()).unwrap();
        let out = pll.update(3.0, 4.0);
        assert_eq!(out.theta, 0.0);
        assert_eq!(out.vd, 3.0);
        assert_eq!(out.vq, 4.0);
        assert_eq!(out.amplitude, 5.0);
        assert!(!out.locked);
    }

    #[test]
    fn reset_sets_angle_and_frequency() {
        let mut pll = Pll::new(config()).unwrap();
        pll.reset(-0.25, 51.0);
        assert!((pll.theta_next() - (TWO_PI - 0.25)).abs() < 1e-15);
        assert!((pll.output().frequency - 51.0).abs() < 1e-12);
        pll.reset(0.0, 70.0);
        // 2π·55/(2π) may differ from 55 in the last bit.
        assert!((pll.output().frequency - 55.0).abs() < 1e-12);
    }
}
