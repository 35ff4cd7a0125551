//! Inner current loop: PI on the inductor current error with duty feedforward.

use super::{Converter, Measurements};
use crate::error::{ConfigError, Expected, Status, check_within};
use crate::pi::{AntiWindup, Pi, PiConfig};

/// Parameters of a [`CurrentController`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurrentLoopConfig {
    /// Converter topology, which selects the feedforward.
    pub converter: Converter,
    /// Proportional gain [1/A], ≥ 0. The plant gain from duty to `di_l/dt` is
    /// about `v_in/L` (buck, half-bridge) or `v_out/L` (boost), so
    /// `kp ≈ ω_c·L/v` places the crossover at `ω_c` [rad/s].
    pub kp: f64,
    /// Integral gain [1/(A·s)], ≥ 0.
    pub ki: f64,
    /// Sample time \[s\], > 0.
    pub ts: f64,
    /// Lowest duty, in `[0, 1)`.
    pub d_min: f64,
    /// Highest duty, in `(d_min, 1]`.
    pub d_max: f64,
    /// Anti-windup method of the PI.
    pub anti_windup: AntiWindup,
    /// Whether to add the steady-state duty of [`Converter::feedforward_duty`] to the PI
    /// output.
    pub feedforward: bool,
}

/// Inner current controller: `d = clamp(d_ff + kp·e + x, d_min, d_max)` with
/// `e = i_ref − i_l`.
///
/// The feedforward `d_ff` makes the PI correct only the deviation from the lossless
/// steady state. The integrator then holds only the loss-related offset, so the loop
/// settles faster after steps of the port voltages, and the reference may change sign
/// (current-only mode of the half-bridge) without a large integrator swing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurrentController {
    converter: Converter,
    feedforward: bool,
    pi: Pi,
}

impl CurrentController {
    /// Creates a current controller.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] for gains, `ts` or anti-windup gain out of range (see
    /// [`Pi::new`]), or unless `0 ≤ d_min < d_max ≤ 1`.
    pub fn new(config: CurrentLoopConfig) -> Result<Self, ConfigError> {
        check_within("d_min", config.d_min, 0.0, 1.0)?;
        check_within("d_max", config.d_max, 0.0, 1.0)?;
        let pi = Pi::new(PiConfig {
            kp: config.kp,
            ki: config.ki,
            ts: config.ts,
            u_min: config.d_min,
            u_max: config.d_max,
            anti_windup: config.anti_windup,
        })
        .map_err(|err| rename_limits(err, "d_min", "d_max"))?;
        Ok(Self {
            converter: config.converter,
            feedforward: config.feedforward,
            pi,
        })
    }

    /// Computes the duty for the current reference `i_ref` \[A\] and returns it.
    ///
    /// `d = clamp(d_ff + kp·(i_ref − i_l) + x, d_min, d_max)`, then the integrator
    /// advances (forward Euler, see [`crate::pi`]). `d_ff` is 0 without feedforward, and
    /// also when the feedforward is undefined (a port voltage ≤ 0, see
    /// [`Converter::feedforward_duty`]). `i_ref` may have either sign.
    ///
    /// A NaN or infinite `i_ref` or measurement keeps the previous duty and state and
    /// sets [`Status::InvalidInput`].
    pub fn update(&mut self, i_ref: f64, m: &Measurements) -> f64 {
        if !(i_ref.is_finite() && m.is_finite()) {
            return self.pi.reject_input();
        }
        let (d_min, d_max) = self.pi.limits();
        self.pi
            .step(i_ref - m.i_l, self.feedforward_duty(m), d_min, d_max)
    }

    /// Sets the integrator for a bumpless start at the duty `duty`, for example the
    /// duty of an open-loop start-up or of another controller, and returns `duty`
    /// clamped to `[d_min, d_max]`.
    ///
    /// A following [`CurrentController::update`] with the same `i_ref` and measurements
    /// returns that clamped duty to within rounding. Non-finite inputs hold the state and set
    /// [`Status::InvalidInput`].
    pub fn track(&mut self, duty: f64, i_ref: f64, m: &Measurements) -> f64 {
        if !(i_ref.is_finite() && m.is_finite()) {
            return self.pi.reject_input();
        }
        let (d_min, d_max) = self.pi.limits();
        self.pi
            .track_limited(i_ref - m.i_l, self.feedforward_duty(m), duty, d_min, d_max)
    }

    /// Resets the integrator to zero.
    pub fn reset(&mut self) {
        self.pi.reset();
    }

    /// Returns the duty of the last update.
    pub const fn duty(&self) -> f64 {
        self.pi.output()
    }

    /// Returns the status of the last update.
    pub const fn status(&self) -> Status {
        self.pi.status()
    }

    /// Returns the converter topology.
    pub const fn converter(&self) -> Converter {
        self.converter
    }

    /// Returns the PI state, for inspection.
    pub const fn pi(&self) -> &Pi {
        &self.pi
    }

    /// Returns the feedforward duty used for `m`, or 0 when feedforward is off or
    /// undefined.
    fn feedforward_duty(&self, m: &Measurements) -> f64 {
        if self.feedforward {
            self.converter.feedforward_duty(m).unwrap_or(0.0)
        } else {
            0.0
        }
    }
}

/// Renames the generic PI limit fields in `err` to the caller's field names.
pub(super) fn rename_limits(
    mut err: ConfigError,
    min_field: &'static str,
    max_field: &'static str,
) -> ConfigError {
    err.field = match err.field {
        "u_min" => min_field,
        "u_max" => max_field,
        other => other,
    };
    if let Expected::GreaterThan { field, value } = err.expected {
        let field = if field == "u_min" { min_field } else { field };
        err.expected = Expected::GreaterThan { field, value };
    }
    err
}
