//! Inductor current control of the bidirectional half-bridge with a reference schedule.

use pelab_control::dcdc::{
    Converter, CurrentController, CurrentLoopConfig, Measurements as PortMeasurements,
};
use pelab_control::pi::AntiWindup;
use pelab_control::softstart::{RampLimiter, RampRate};

use super::{LoopGains, Sampling, config_error};
use crate::engine::Measurements;
use crate::kernels::modulator::{ChannelCommand, DutyController};
use crate::kernels::params::{DesignError, Params, schedule_value};

/// Inductor current control of a bidirectional half-bridge, with a reference schedule.
pub struct CurrentControl {
    controller: CurrentController,
    schedule: Vec<(f64, f64)>,
    i_initial: f64,
    ramp: RampLimiter,
    sampling: Sampling,
    probes: [String; 3],
    duty: f64,
}

impl CurrentControl {
    /// Builds the controller; the reference follows `schedule` (time [s], current [A])
    /// after `i_initial`, through a ramp of `soft_start`.
    ///
    /// # Errors
    /// A [`DesignError`] naming the rejected controller setting.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        control: &Params,
        gains: LoopGains,
        period: f64,
        i_initial: f64,
        schedule: Vec<(f64, f64)>,
        probes: [String; 3],
    ) -> Result<Self, DesignError> {
        let controller = CurrentController::new(CurrentLoopConfig {
            converter: Converter::HalfBridge,
            kp: gains.kp_i,
            ki: gains.ki_i,
            ts: period,
            d_min: control.number("d_min"),
            d_max: control.number("d_max"),
            anti_windup: AntiWindup::Clamping,
            feedforward: true,
        })
        .map_err(|e| config_error(control, e))?;
        let soft_start = control.number("soft_start");
        let rate = if soft_start > 0.0 {
            RampRate::Duration(soft_start)
        } else {
            RampRate::Duration(period)
        };
        let ramp = RampLimiter::new(rate, period, 0.0).map_err(|e| config_error(control, e))?;
        Ok(Self {
            controller,
            schedule,
            i_initial,
            ramp,
            sampling: Sampling::from_params(control),
            probes,
            duty: 0.0,
        })
    }
}

impl DutyController for CurrentControl {
    fn measured_signals(&self) -> Vec<String> {
        self.probes.to_vec()
    }

    fn update(&mut self, t: f64, m: &Measurements<'_>, commands: &mut [ChannelCommand]) {
        let values = self.sampling.pick(m);
        let ports = PortMeasurements {
            v_in: values[0],
            v_out: values[1],
            i_l: values[2],
        };
        let target = schedule_value(&self.schedule, t, self.i_initial);
        let i_ref = self.ramp.update(target);
        self.duty = self.controller.update(i_ref, &ports);
        for c in commands {
            c.duty = self.duty;
        }
    }

    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        vec![("duty".to_string(), "1"), ("i_ref".to_string(), "A")]
    }

    fn record(&self, out: &mut [f64]) {
        out[0] = self.duty;
        out[1] = self.ramp.output();
    }
}
