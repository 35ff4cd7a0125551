//! Speed controller: PI from the speed error to the torque reference.

use crate::error::{ConfigError, Expected, Status, check_positive};
use crate::pi::{AntiWindup, Pi, PiConfig};

/// Parameters of a [`SpeedController`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedLoopConfig {
    /// Proportional gain [N·m/(rad/s)], ≥ 0.
    pub kp: f64,
    /// Integral gain [N·m/rad], ≥ 0.
    pub ki: f64,
    /// Sample time \[s\], > 0.
    pub ts: f64,
    /// Torque limit [N·m], > 0. The output stays in `[−torque_max, torque_max]`.
    pub torque_max: f64,
    /// Anti-windup method of the PI.
    pub anti_windup: AntiWindup,
}

/// Speed PI: `T_ref = clamp(kp·e + ki·∫e dt, −T_max, T_max)` with `e = ω_ref − ω`.
///
/// The output is a torque reference for [`super::ReferenceGenerator`]. To produce the
/// q-current reference of a surface-mounted machine directly, divide `kp`, `ki` and
/// `torque_max` by the torque constant `1.5·p·λ` [N·m/A]; the output is then in
/// amperes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SpeedController {
    pi: Pi,
}

impl SpeedController {
    /// Creates a speed controller with a zero integrator.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming `torque_max` unless it is > 0, or the PI field
    /// out of range (`kp`, `ki`, `ts`, `kb`, see [`Pi::new`]).
    pub fn new(config: SpeedLoopConfig) -> Result<Self, ConfigError> {
        let torque_max = check_positive("torque_max", config.torque_max)?;
        let pi = Pi::new(PiConfig {
            kp: config.kp,
            ki: config.ki,
            ts: config.ts,
            u_min: -torque_max,
            u_max: torque_max,
            anti_windup: config.anti_windup,
        })?;
        Ok(Self { pi })
    }

    /// Computes the torque reference [N·m] for the speed reference `omega_ref` and the
    /// measured speed `omega` (both in the same unit, rad/s mechanical or electrical,
    /// matching the gains) and advances the integrator.
    ///
    /// A NaN or infinite input keeps the previous output and state and sets
    /// [`Status::InvalidInput`].
    pub fn update(&mut self, omega_ref: f64, omega: f64) -> f64 {
        if !(omega_ref.is_finite() && omega.is_finite()) {
            return self.pi.reject_input();
        }
        self.pi.update(omega_ref - omega)
    }

    /// Changes the torque limit to `±torque_max` [N·m], for example to follow a
    /// thermal derating. The integrator is kept.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming `torque_max` unless it is > 0. The previous
    /// limit stays in force on error.
    pub fn set_torque_max(&mut self, torque_max: f64) -> Result<(), ConfigError> {
        if !(torque_max.is_finite() && torque_max > 0.0) {
            return Err(ConfigError::new(
                "torque_max",
                torque_max,
                Expected::Positive,
            ));
        }
        self.pi.set_limits(-torque_max, torque_max)
    }

    /// Returns the torque reference of the last update [N·m].
    pub const fn torque(&self) -> f64 {
        self.pi.output()
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> Status {
        self.pi.status()
    }

    /// Resets the integrator to zero.
    pub fn reset(&mut self) {
        self.pi.reset();
    }

    /// Returns the PI state, for inspection.
    pub const fn pi(&self) -> &Pi {
        &self.pi
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SpeedLoopConfig {
        SpeedLoopConfig {
            kp: 0.5,
            ki: 10.0,
            ts: 1e-3,
            torque_max: 2.0,
            anti_windup: AntiWindup::Clamping,
        }
    }

    #[test]
    fn output_clamped_to_torque_limit() {
        let mut c = SpeedController::new(config()).unwrap();
        assert_eq!(c.update(100.0, 0.0), 2.0);
        assert_eq!(c.status(), Status::SaturatedHigh);
        assert_eq!(c.update(-100.0, 0.0), -2.0);
    }

    #[test]
    fn small_error_gives_pi_output() {
        let mut c = SpeedController::new(config()).unwrap();
        // First sample: kp·e = 0.5; second: kp·e + ki·ts·e = 0.5 + 0.01.
        assert!((c.update(1.0, 0.0) - 0.5).abs() < 1e-15);
        assert!((c.update(1.0, 0.0) - 0.51).abs() < 1e-15);
    }

    #[test]
    fn rejects_nan_torque_max() {
        let err = SpeedController::new(SpeedLoopConfig {
            torque_max: f64::NAN,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "torque_max");
        let mut c = SpeedController::new(config()).unwrap();
        assert_eq!(c.set_torque_max(-1.0).unwrap_err().field, "torque_max");
    }

    #[test]
    fn nan_speed_holds_output() {
        let mut c = SpeedController::new(config()).unwrap();
        let t = c.update(1.0, 0.0);
        assert_eq!(c.update(f64::NAN, 0.0), t);
        assert_eq!(c.status(), Status::InvalidInput);
    }
}
