//! Average-current-mode voltage control (linear or V² outer loop) of a buck or boost.

use pelab_control::dcdc::{
    AcmcController, Converter, CurrentLoopConfig, Measurements as PortMeasurements, VoltageLaw,
    VoltageLoopConfig,
};
use pelab_control::pi::AntiWindup;
use pelab_control::softstart::{RampLimiter, RampRate};

use super::{LoopGains, Sampling, config_error};
use crate::engine::Measurements;
use crate::kernels::modulator::{ChannelCommand, DutyController};
use crate::kernels::params::{DesignError, Params};

/// Average-current-mode voltage control of a single-phase buck or boost.
pub struct VoltageControl {
    controller: AcmcController,
    reference: RampLimiter,
    v_ref: f64,
    sampling: Sampling,
    probes: [String; 3],
    duty: f64,
}

impl VoltageControl {
    /// Builds the controller. `probes` are the input voltage, output voltage and
    /// inductor current signal names.
    ///
    /// # Errors
    /// A [`DesignError`] naming the rejected controller setting.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        control: &Params,
        converter: Converter,
        squared: bool,
        gains: LoopGains,
        period: f64,
        v_ref: f64,
        v_start: f64,
        i_max: f64,
        probes: [String; 3],
    ) -> Result<Self, DesignError> {
        let anti_windup = AntiWindup::Clamping;
        let current = CurrentLoopConfig {
            converter,
            kp: gains.kp_i,
            ki: gains.ki_i,
            ts: period,
            d_min: control.number("d_min"),
            d_max: control.number("d_max"),
            anti_windup,
            feedforward: true,
        };
        let voltage = VoltageLoopConfig {
            law: if squared {
                VoltageLaw::Squared
            } else {
                VoltageLaw::Linear
            },
            kp: gains.kp_v,
            ki: gains.ki_v,
            anti_windup,
            i_min: if converter == Converter::Boost {
                0.0
            } else {
                -i_max
            },
            i_max,
            v_port_min: 1.0,
        };
        let controller =
            AcmcController::new(voltage, current).map_err(|e| config_error(control, e))?;
        let soft_start = control.number("soft_start");
        let rate = if soft_start > 0.0 {
            RampRate::Duration(soft_start)
        } else {
            RampRate::Duration(period)
        };
        let reference =
            RampLimiter::new(rate, period, v_start).map_err(|e| config_error(control, e))?;
        Ok(Self {
            controller,
            reference,
            v_ref,
            sampling: Sampling::from_params(control),
            probes,
            duty: 0.0,
        })
    }
}

impl DutyController for VoltageControl {
    fn measured_signals(&self) -> Vec<String> {
        self.probes.to_vec()
    }

    fn update(&mut self, _t: f64, m: &Measurements<'_>, commands: &mut [ChannelCommand]) {
        let values = self.sampling.pick(m);
        let ports = PortMeasurements {
            v_in: values[0],
            v_out: values[1],
            i_l: values[2],
        };
        let v_ref = self.reference.update(self.v_ref);
        self.duty = self.controller.update(v_ref, &ports);
        for c in commands {
            c.duty = self.duty;
        }
    }

    fn recorded_signals(&self) -> Vec<(String, &'static str)> {
        vec![
            ("duty".to_string(), "1"),
            ("v_ref".to_string(), "V"),
            ("i_ref".to_string(), "A"),
        ]
    }

    fn record(&self, out: &mut [f64]) {
        out[0] = self.duty;
        out[1] = self.reference.output();
        out[2] = self.controller.current_reference();
    }
}
