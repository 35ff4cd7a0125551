//! Open-loop duty with an optional soft-start ramp.

use pelab_control::softstart::{RampLimiter, RampRate};

use super::config_error;
use crate::engine::Measurements;
use crate::kernels::modulator::{ChannelCommand, DutyController};
use crate::kernels::params::{DesignError, Params};

/// Open-loop duty with an optional linear ramp from 0.
pub struct OpenLoop {
    duty: f64,
    ramp: Option<RampLimiter>,
    phases: Vec<f64>,
    applied: f64,
}

impl OpenLoop {
    /// Open loop at `duty` on channels with the given phase offsets.
    ///
    /// # Errors
    /// A [`DesignError`] when the ramp cannot be built.
    pub fn new(control: &Params, period: f64, phases: Vec<f64>) -> Result<Self, DesignError> {
        let duty = control.number("duty");
        let soft_start = control.number("soft_start");
        let ramp = if soft_start > 0.0 {
            Some(
                RampLimiter::new(RampRate::Duration(soft_start), period, 0.0)
                    .map_err(|e| config_error(control, e))?,
            )
        } else {
            None
        };
        Ok(Self {
            duty,
            ramp,
            phases,
            applied: if soft_start > 0.0 { 0.0 } else { duty },
        })
    }

    /// The first period's commands.
    pub fn initial_commands(&self) -> Vec<ChannelCommand> {
        self.phases
            .iter()
            .map(|&phase| ChannelCommand {
                duty: self.applied,
                phase,
                enabled: true,
            })
            .collect()
    }
}

impl DutyController for OpenLoop {
    fn measured_signals(&self) -> Vec<String> {
        Vec::new()
    }

    fn update(&mut self, _t: f64, _m: &Measurements<'_>, commands: &mut [ChannelCommand]) {
        self.applied = match &mut self.ramp {
            Some(ramp) => ramp.update(self.duty),
            None => self.duty,
        };
        for c in commands {
            c.duty = self.applied;
        }
    }

    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        vec![("duty".to_string(), "1")]
    }

    fn record(&self, out: &mut [f64]) {
        out[0] = self.applied;
    }
}
