//! Switching-frequency command: open loop, or the output-voltage loop of
//! [`pelab_control::llc`] with a soft-start ramp on its reference.
//!
//! The controller samples every `t_s` the mean of `v_out` since its previous sample
//! (an averaging ADC, which keeps the output ripple from aliasing into the loop) and
//! computes a new frequency. The half-bridge loads it at the start of the next
//! switching period, as a PWM timer with a shadow period register does. In open loop the frequency falls linearly from
//! `f_max` to `f_sw` over the soft-start time, then stays at `f_sw`.

use pelab_control::llc::{LlcFrequencyConfig, LlcFrequencyControl};
use pelab_control::pi::AntiWindup;
use pelab_control::softstart::{RampLimiter, RampRate};

use crate::kernels::params::{DesignError, Params};

/// Frequency command of the run.
pub enum FrequencyCommand {
    /// Fixed frequency after a linear soft-start sweep from `f_max`.
    OpenLoop {
        /// Final switching frequency [Hz].
        f_sw: f64,
        /// Start frequency [Hz].
        f_max: f64,
        /// Sweep duration [s]; 0 starts at `f_sw`.
        t_soft_start: f64,
    },
    /// PI control of `v_out` by frequency.
    ClosedLoop {
        /// The controller from `pelab-control`.
        controller: LlcFrequencyControl,
        /// Reference ramp, absent without soft-start.
        ramp: Option<RampLimiter>,
        /// Output-voltage reference [V].
        v_ref: f64,
        /// Sample time [s].
        ts: f64,
        /// Samples taken so far; the next is due at `samples·ts`.
        samples: u64,
    },
}

impl FrequencyCommand {
    /// Builds the command from `[control]`, starting from output voltage `v_out0` [V].
    ///
    /// # Errors
    /// [`DesignError`] naming the `control` field at fault.
    pub fn from_params(control: &Params, v_out0: f64) -> Result<Self, DesignError> {
        let f_min = control.number("f_min");
        let f_max = control.number("f_max");
        if f_max <= f_min {
            return Err(control.error(
                "f_max",
                format!("invalid value {f_max}; expected more than control.f_min = {f_min} Hz"),
            ));
        }
        let t_soft_start = control.number("t_soft_start");

        if control.text("mode") == "open_loop" {
            let Some(f_sw) = control.optional_number("f_sw") else {
                return Err(control.error(
                    "f_sw",
                    "missing; open-loop mode needs the switching frequency [Hz]",
                ));
            };
            if !(f_min..=f_max).contains(&f_sw) {
                return Err(control.error(
                    "f_sw",
                    format!(
                        "invalid value {f_sw}; expected a frequency from control.f_min = {f_min} Hz to control.f_max = {f_max} Hz"
                    ),
                ));
            }
            return Ok(FrequencyCommand::OpenLoop {
                f_sw,
                f_max,
                t_soft_start,
            });
        }

        let Some(v_ref) = control.optional_number("v_ref") else {
            return Err(control.error(
                "v_ref",
                "missing; closed-loop mode needs the output-voltage reference [V]",
            ));
        };
        let gain = |name: &str| {
            control.optional_number(name).ok_or_else(|| {
                control.error(
                    name,
                    "missing; closed-loop mode needs both loop gains, kp [Hz/V] and ki [Hz/(V·s)]",
                )
            })
        };
        let kp = gain("kp")?;
        let ki = gain("ki")?;
        let ts = control.number("ts");
        let controller = LlcFrequencyControl::new(LlcFrequencyConfig {
            kp,
            ki,
            ts,
            f_min,
            f_max,
            anti_windup: AntiWindup::Clamping,
        })
        .map_err(|e| control.error(e.field, e.to_string()))?;
        let ramp = if t_soft_start > 0.0 {
            let ramp = RampLimiter::new(RampRate::Duration(t_soft_start), ts, v_out0)
                .map_err(|e| control.error("t_soft_start", e.to_string()))?;
            Some(ramp)
        } else {
            None
        };
        Ok(FrequencyCommand::ClosedLoop {
            controller,
            ramp,
            v_ref,
            ts,
            samples: 0,
        })
    }

    /// Frequency for a period starting at `t` [s].
    pub fn frequency(&self, t: f64) -> f64 {
        match self {
            FrequencyCommand::OpenLoop {
                f_sw,
                f_max,
                t_soft_start,
            } => {
                if *t_soft_start > 0.0 && t < *t_soft_start {
                    f_max + (f_sw - f_max) * t / t_soft_start
                } else {
                    *f_sw
                }
            }
            FrequencyCommand::ClosedLoop { controller, .. } => controller.frequency(),
        }
    }

    /// Time of the next controller sample [s], infinity in open loop.
    pub fn next_sample(&self) -> f64 {
        match self {
            FrequencyCommand::OpenLoop { .. } => f64::INFINITY,
            FrequencyCommand::ClosedLoop { ts, samples, .. } => *samples as f64 * *ts,
        }
    }

    /// Runs the controller sample due now, with the measured output `v_out` [V].
    pub fn sample(&mut self, v_out: f64) {
        if let FrequencyCommand::ClosedLoop {
            controller,
            ramp,
            v_ref,
            samples,
            ..
        } = self
        {
            let reference = match ramp {
                Some(ramp) => ramp.update(*v_ref),
                None => *v_ref,
            };
            controller.update(reference, v_out);
            *samples += 1;
        }
    }

    /// Output-voltage reference [V], when closed loop.
    pub fn v_ref(&self) -> Option<f64> {
        match self {
            FrequencyCommand::OpenLoop { .. } => None,
            FrequencyCommand::ClosedLoop { v_ref, .. } => Some(*v_ref),
        }
    }
}
