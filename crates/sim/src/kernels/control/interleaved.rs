//! Interleaved boost control: one voltage loop, a current loop per phase, phase shedding.

use pelab_control::dcdc::{
    Converter, CurrentController, CurrentLoopConfig, Measurements as PortMeasurements,
};
use pelab_control::pi::{AntiWindup, Pi, PiConfig};
use pelab_control::shedding::{PhaseShedder, SheddingConfig, SheddingStep};
use pelab_control::softstart::{RampLimiter, RampRate};

use super::{LoopGains, Sampling, config_error};
use crate::engine::Measurements;
use crate::kernels::modulator::{ChannelCommand, DutyController};
use crate::kernels::params::{DesignError, Params};

/// Phase shedder for 2 to 4 phases (`STEPS = phases − 1`).
enum Shedder {
    Two(PhaseShedder<1>),
    Three(PhaseShedder<2>),
    Four(PhaseShedder<3>),
}

impl Shedder {
    fn new(
        phases: usize,
        up: &[f64],
        hysteresis: f64,
        min_dwell: f64,
        ts: f64,
    ) -> Result<Self, pelab_control::ConfigError> {
        fn steps<const N: usize>(up: &[f64], hysteresis: f64) -> [SheddingStep; N] {
            core::array::from_fn(|k| SheddingStep {
                up: up[k],
                down: up[k] - hysteresis,
            })
        }
        Ok(match phases {
            2 => Shedder::Two(PhaseShedder::new(
                SheddingConfig {
                    steps: steps::<1>(up, hysteresis),
                    min_dwell,
                    ts,
                },
                1,
            )?),
            3 => Shedder::Three(PhaseShedder::new(
                SheddingConfig {
                    steps: steps::<2>(up, hysteresis),
                    min_dwell,
                    ts,
                },
                1,
            )?),
            _ => Shedder::Four(PhaseShedder::new(
                SheddingConfig {
                    steps: steps::<3>(up, hysteresis),
                    min_dwell,
                    ts,
                },
                1,
            )?),
        })
    }

    fn update(&mut self, load: f64) -> usize {
        match self {
            Shedder::Two(s) => s.update(load),
            Shedder::Three(s) => s.update(load),
            Shedder::Four(s) => s.update(load),
        }
    }
}

/// Control of an interleaved boost: open loop or average current mode with one
/// voltage loop and one current loop per phase, with optional phase shedding.
pub struct InterleavedControl {
    phases: usize,
    voltage: Option<(Pi, bool)>,
    currents: Vec<CurrentController>,
    reference: RampLimiter,
    v_ref: f64,
    open_loop_duty: f64,
    shedder: Option<Shedder>,
    active: usize,
    sampling: Sampling,
    probes: Vec<String>,
    duties: Vec<f64>,
    i_ref_total: f64,
    initial_duty: f64,
}

/// Settings of [`InterleavedControl`].
pub struct InterleavedSettings {
    /// Number of phases.
    pub phases: usize,
    /// Closed loop with this law (`false` linear, `true` V²), or open loop when `None`.
    pub law: Option<bool>,
    /// Loop gains.
    pub gains: LoopGains,
    /// Switching period [s].
    pub period: f64,
    /// Output voltage reference [V].
    pub v_ref: f64,
    /// Reference at the start (for soft-start) [V].
    pub v_start: f64,
    /// Duty of the first period in closed loop.
    pub initial_duty: f64,
    /// Total inductor current limit [A].
    pub i_max: f64,
    /// Phase shedding: per-step total-current thresholds [A] to add phase `k + 2`, the
    /// hysteresis [A] and the minimum dwell time [s]; `None` runs all phases.
    pub shedding: Option<(Vec<f64>, f64, f64)>,
    /// Probe names: input voltage, output voltage, then each phase current.
    pub probes: Vec<String>,
}

impl InterleavedControl {
    /// Builds the controller.
    ///
    /// # Errors
    /// A [`DesignError`] naming the rejected controller setting.
    pub fn new(control: &Params, s: InterleavedSettings) -> Result<Self, DesignError> {
        let anti_windup = AntiWindup::Clamping;
        let voltage = match s.law {
            None => None,
            Some(squared) => {
                let (u_min, u_max) = if squared {
                    (0.0, s.i_max * s.v_ref)
                } else {
                    (0.0, s.i_max)
                };
                let pi = Pi::new(PiConfig {
                    kp: s.gains.kp_v,
                    ki: s.gains.ki_v,
                    ts: s.period,
                    u_min,
                    u_max,
                    anti_windup,
                })
                .map_err(|e| config_error(control, e))?;
                Some((pi, squared))
            }
        };
        let mut currents = Vec::with_capacity(s.phases);
        for _ in 0..s.phases {
            currents.push(
                CurrentController::new(CurrentLoopConfig {
                    converter: Converter::Boost,
                    kp: s.gains.kp_i,
                    ki: s.gains.ki_i,
                    ts: s.period,
                    d_min: control.number("d_min"),
                    d_max: control.number("d_max"),
                    anti_windup,
                    feedforward: true,
                })
                .map_err(|e| config_error(control, e))?,
            );
        }
        let soft_start = control.number("soft_start");
        let (rate, start) = match (s.law, soft_start > 0.0) {
            (Some(_), true) => (RampRate::Duration(soft_start), s.v_start),
            (None, true) => (RampRate::Duration(soft_start), 0.0),
            (Some(_), false) => (RampRate::Duration(s.period), s.v_ref),
            (None, false) => (RampRate::Duration(s.period), control.number("duty")),
        };
        let reference =
            RampLimiter::new(rate, s.period, start).map_err(|e| config_error(control, e))?;
        let shedder = match &s.shedding {
            Some((up, hysteresis, dwell)) => Some(
                Shedder::new(s.phases, up, *hysteresis, *dwell, s.period)
                    .map_err(|e| config_error(control, e))?,
            ),
            None => None,
        };
        let active = if shedder.is_some() { 1 } else { s.phases };
        Ok(Self {
            phases: s.phases,
            voltage,
            currents,
            reference,
            v_ref: s.v_ref,
            open_loop_duty: control.number("duty"),
            shedder,
            active,
            sampling: Sampling::from_params(control),
            probes: s.probes,
            duties: vec![0.0; s.phases],
            i_ref_total: 0.0,
            initial_duty: s.initial_duty,
        })
    }

    /// Phase offset of phase `k` when `active` phases run: `k / active` periods.
    fn phase_of(k: usize, active: usize) -> f64 {
        pelab_control::pwm::interleaved_phase(k, active)
    }

    /// The first period's commands.
    pub fn initial_commands(&self) -> Vec<ChannelCommand> {
        (0..self.phases)
            .map(|k| ChannelCommand {
                duty: if self.voltage.is_none() {
                    self.reference.output()
                } else {
                    self.initial_duty
                },
                phase: Self::phase_of(k, self.active),
                enabled: k < self.active,
            })
            .collect()
    }
}

impl DutyController for InterleavedControl {
    fn measured_signals(&self) -> Vec<String> {
        self.probes.clone()
    }

    fn update(&mut self, _t: f64, m: &Measurements<'_>, commands: &mut [ChannelCommand]) {
        let values = self.sampling.pick(m);
        let (v_in, v_out) = (values[0], values[1]);
        let phase_currents = &values[2..];
        let total: f64 = phase_currents.iter().sum();

        if let Some(shedder) = &mut self.shedder {
            let wanted = shedder.update(total);
            if wanted != self.active {
                // Phases that restart begin from the feedforward duty without a jump.
                self.active = wanted;
            }
        }

        match &mut self.voltage {
            None => {
                let duty = self.reference.update(self.open_loop_duty);
                for k in 0..self.phases {
                    self.duties[k] = if k < self.active { duty } else { 0.0 };
                }
            }
            Some((pi, squared)) => {
                let v_ref = self.reference.update(self.v_ref);
                let output = if *squared {
                    pi.update(v_ref * v_ref.abs() - v_out * v_out.abs())
                } else {
                    pi.update(v_ref - v_out)
                };
                self.i_ref_total = if *squared {
                    output / v_in.max(1.0)
                } else {
                    output
                };
                let per_phase = self.i_ref_total / self.active as f64;
                let loops = self
                    .currents
                    .iter_mut()
                    .zip(phase_currents)
                    .zip(self.duties.iter_mut());
                for (k, ((current_loop, &i_l), duty)) in loops.enumerate() {
                    let ports = PortMeasurements { v_in, v_out, i_l };
                    *duty = if k < self.active {
                        current_loop.update(per_phase, &ports)
                    } else {
                        current_loop.reset();
                        0.0
                    };
                }
            }
        }
        for (k, c) in commands.iter_mut().enumerate() {
            c.duty = self.duties[k];
            c.enabled = k < self.active;
            c.phase = Self::phase_of(k, self.active);
        }
    }

    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        let mut signals: Vec<(String, &'static str)> = (0..self.phases)
            .map(|k| (format!("duty{}", k + 1), "1"))
            .collect();
        signals.push(("active_phases".to_string(), "1"));
        signals.push(("i_ref".to_string(), "A"));
        signals.push(("v_ref".to_string(), "V"));
        signals
    }

    fn record(&self, out: &mut [f64]) {
        out[..self.phases].copy_from_slice(&self.duties);
        out[self.phases] = self.active as f64;
        out[self.phases + 1] = self.i_ref_total;
        out[self.phases + 2] = if self.voltage.is_some() {
            self.reference.output()
        } else {
            0.0
        };
    }
}
