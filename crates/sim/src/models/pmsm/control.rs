//! Field-oriented control of the drive, wired from the `pelab_control` blocks as
//! firmware runs them: sample, compute, and apply the duties one sample later.
//!
//! At each sample `k` (once per PWM period at the carrier valley, or twice, also at
//! the peak) the controller reads `i_d`, `i_q` (an ideal position sensor and current
//! sensors), `ω_m` and `v_dc`, and computes:
//!
//! 1. speed mode: `T_ref = SpeedController(ω_ref − ω_m)`, with `kp = J·ω_s` and
//!    `ki = J·ω_s²/4` (the PI zero a quarter of the crossover `ω_s` below it); torque
//!    mode: `T_ref` from its schedule;
//! 2. `(i_d,ref, i_q,ref) = ReferenceGenerator(T_ref, ω_e, m_fw·v_dc/√3)`: MTPA below
//!    base speed, field weakening and MTPV above, within `i_max`;
//! 3. `(v_d, v_q) = DqCurrentController(...)` with cross-coupling and back-EMF
//!    feed-forward, `kp = ω_c·L`, `ki = ω_c·R_s`;
//! 4. the phase references at the angle `θ_e + 1.5·ω_e·T_s`, the middle of the
//!    interval in which the duties will act, and the duties by `modulate_phases`.
//!
//! The duties take effect at sample `k + 1`: the one-sample computation delay of
//! firmware that starts the ADC at the carrier extreme and writes the compare
//! registers with shadow loading.

use pelab_control::foc::{
    CurrentLoopConfig, Decoupling, DqCurrentController, MotorParams, ReferenceGenerator,
    ReferenceLimit, SpeedController, SpeedLoopConfig,
};
use pelab_control::pi::AntiWindup;
use pelab_control::svpwm::{ModulationStatus, ZeroSequence, modulate_phases};
use pelab_control::transforms::{AlphaBeta, inverse_clarke, inverse_park};

use crate::kernels::params::schedule_value;

/// Outer loop and its reference.
#[derive(Debug, Clone, PartialEq)]
pub enum ControlMode {
    /// Torque reference [N·m] as `(time [s], value)` steps.
    Torque(Vec<(f64, f64)>),
    /// Speed reference [rad/s mechanical] as `(time [s], value)` steps.
    Speed(Vec<(f64, f64)>),
}

/// Settings of [`Foc`].
#[derive(Debug, Clone, PartialEq)]
pub struct FocConfig {
    /// Machine parameters for gains, feed-forward and references.
    pub motor: MotorParams,
    /// Sample period `T_s` [s].
    pub ts: f64,
    /// Current-loop bandwidth `ω_c` [rad/s].
    pub current_bandwidth: f64,
    /// Speed-loop bandwidth `ω_s` [rad/s].
    pub speed_bandwidth: f64,
    /// Inertia for the speed-loop gains [kg·m²].
    pub inertia: f64,
    /// Peak phase current limit `i_max` [A].
    pub i_max: f64,
    /// Fraction `m_fw` of the linear voltage limit `v_dc/√3` given to the reference
    /// generator, leaving the rest for `R_s·i` and the current loop's transients.
    pub fw_margin: f64,
    /// Zero-sequence injection.
    pub modulation: ZeroSequence,
    /// Outer loop.
    pub mode: ControlMode,
}

/// One sample's measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    /// Time [s].
    pub t: f64,
    /// d-axis current [A].
    pub i_d: f64,
    /// q-axis current [A].
    pub i_q: f64,
    /// Mechanical speed [rad/s].
    pub omega_m: f64,
    /// Electrical angle [rad].
    pub theta_e: f64,
    /// Link voltage [V].
    pub v_dc: f64,
}

/// One sample's output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Command {
    /// Phase duties a, b, c, each in [0, 1].
    pub duties: [f64; 3],
    /// d-axis current reference [A].
    pub i_d_ref: f64,
    /// q-axis current reference [A].
    pub i_q_ref: f64,
    /// Torque reference after the limits [N·m].
    pub torque_ref: f64,
    /// Commanded d-axis voltage [V].
    pub v_d_ref: f64,
    /// Commanded q-axis voltage [V].
    pub v_q_ref: f64,
    /// Modulation status of the phase references.
    pub modulation: ModulationStatus,
    /// Limit that shaped the current reference.
    pub limit: ReferenceLimit,
}

/// The FOC state machine.
#[derive(Debug, Clone)]
pub struct Foc {
    config: FocConfig,
    current: DqCurrentController,
    speed: Option<SpeedController>,
    references: ReferenceGenerator,
}

/// A rejected controller setting: the control field at fault and the message.
#[derive(Debug, Clone, PartialEq)]
pub struct FocError {
    /// Field of the `[control]` section.
    pub field: &'static str,
    /// Reason for the rejection, with the accepted range.
    pub message: String,
}

impl Foc {
    /// Builds the controllers.
    ///
    /// # Errors
    /// [`FocError`] naming `current_bandwidth` above `0.2/T_s` rad/s (the limit of
    /// `DqCurrentController`, where the forward-Euler PI with one sample of delay
    /// still gives the designed first order), `speed_bandwidth` above a fifth of the
    /// current-loop bandwidth, or `i_max`.
    pub fn new(config: FocConfig) -> Result<Self, FocError> {
        let current = DqCurrentController::new(CurrentLoopConfig {
            motor: config.motor,
            bandwidth: config.current_bandwidth,
            ts: config.ts,
            anti_windup: AntiWindup::Clamping,
            decoupling: Decoupling::Cross,
        })
        .map_err(|_| FocError {
            field: "current_bandwidth",
            message: format!(
                "invalid value {} Hz; expected a value in (0, {:.1}] Hz for this design: the sampled current loop stays stable up to 0.2/(2π·T_s), with control sample period T_s = {:.3e} s (1/f_sw divided by the samples per period set by control.sampling)",
                // The design gave Hz; undo the rounding of the 2π round trip.
                (config.current_bandwidth / std::f64::consts::TAU * 1e9).round() / 1e9,
                0.2 / config.ts / std::f64::consts::TAU,
                config.ts
            ),
        })?;
        let references =
            ReferenceGenerator::new(config.motor, config.i_max).map_err(|e| FocError {
                field: "i_max",
                message: format!(
                    "invalid value {}; expected a number greater than 0 A ({e})",
                    config.i_max
                ),
            })?;
        let speed = match config.mode {
            ControlMode::Torque(_) => None,
            ControlMode::Speed(_) => {
                if config.speed_bandwidth > 0.2 * config.current_bandwidth {
                    return Err(FocError {
                        field: "speed_bandwidth",
                        message: format!(
                            "invalid value {:.1} Hz; expected at most {:.1} Hz, a fifth of the current-loop bandwidth, so the loops stay separated",
                            config.speed_bandwidth / std::f64::consts::TAU,
                            0.2 * config.current_bandwidth / std::f64::consts::TAU
                        ),
                    });
                }
                let omega_s = config.speed_bandwidth;
                let torque_max = config.motor.torque(
                    pelab_control::foc::mtpa_d_current(&config.motor, config.i_max),
                    (config.i_max.powi(2)
                        - pelab_control::foc::mtpa_d_current(&config.motor, config.i_max).powi(2))
                    .max(0.0)
                    .sqrt(),
                );
                let controller = SpeedController::new(SpeedLoopConfig {
                    kp: config.inertia * omega_s,
                    ki: 0.25 * config.inertia * omega_s * omega_s,
                    ts: config.ts,
                    torque_max,
                    anti_windup: AntiWindup::Clamping,
                })
                .map_err(|e| FocError {
                    field: "speed_bandwidth",
                    message: format!("invalid speed-loop setting: {e}"),
                })?;
                Some(controller)
            }
        };
        Ok(Self {
            config,
            current,
            speed,
            references,
        })
    }

    /// Runs one sample and returns the duties for the next interval.
    pub fn sample(&mut self, m: &Measurement) -> Command {
        let c = &self.config;
        let p = f64::from(c.motor.pole_pairs());
        let omega_e = p * m.omega_m;

        let torque_request = match (&c.mode, self.speed.as_mut()) {
            (ControlMode::Speed(schedule), Some(speed)) => {
                let omega_ref = schedule_value(schedule, m.t, 0.0);
                speed.update(omega_ref, m.omega_m)
            }
            (ControlMode::Torque(schedule), _) | (ControlMode::Speed(schedule), None) => {
                schedule_value(schedule, m.t, 0.0)
            }
        };
        let v_limit = c.fw_margin * m.v_dc.max(0.0) / 3f64.sqrt();
        let reference = self.references.update(torque_request, omega_e, v_limit);

        let v = self
            .current
            .update(reference.i_d, reference.i_q, m.i_d, m.i_q, omega_e, m.v_dc);

        // The duties act from the next sample for one sample period: their mean
        // angle is 1.5 periods ahead.
        let theta = m.theta_e + 1.5 * omega_e * c.ts;
        let alpha_beta = inverse_park(
            pelab_control::transforms::Dq {
                d: v.v_d,
                q: v.v_q,
                zero: 0.0,
            },
            theta,
        );
        let abc = inverse_clarke(AlphaBeta {
            alpha: alpha_beta.alpha,
            beta: alpha_beta.beta,
            zero: 0.0,
        });
        let duties = modulate_phases(c.modulation, [abc.a, abc.b, abc.c], m.v_dc);
        Command {
            duties: duties.duties,
            i_d_ref: reference.i_d,
            i_q_ref: reference.i_q,
            torque_ref: reference.torque,
            v_d_ref: v.v_d,
            v_q_ref: v.v_q,
            modulation: duties.status,
            limit: reference.limit,
        }
    }
}
