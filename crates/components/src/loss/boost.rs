//! Operating-point losses of a boost converter (low-side switch and rectifier).
//!
//! The inductor current is the ideal triangle of a lossless converter. In continuous
//! conduction, `D = 1 − V_in/V_out` unless the caller gives the duty, the ripple is `ΔI = V_in D / (L f_sw)` and the
//! current runs from `I_min = I − ΔI/2` to `I_max = I + ΔI/2` during the on-time
//! `D T` and back during `(1 − D) T`. The switch S conducts the rising ramp, turns on
//! hard at `I_min` and off at `I_max`, both against `V_out`; the rectifier carries
//! the falling ramp in its reverse path and recovers from `I_min` when S turns on.
//! With synchronous rectification the rectifier's channel carries the falling ramp
//! except during the two deadtimes, when its body diode does (at `I_max` after S
//! turns off and at `I_min` before S turns on, each for `t_d`).
//!
//! In discontinuous conduction (diode rectifier and `I < ΔI/2`), the duty follows
//! from the mean current, `I = V_in D² V_out / (2 L f_sw (V_out − V_in))`. S turns
//! on at zero current against the input voltage, after the drain ringing has died
//! out, so it dissipates `Eoss(V_in)`; it turns off at `I_peak = V_in D /(L f_sw)`.
//! The diode stops at zero current and has no recovery loss.
//!
//! Conduction energy over each ramp is Simpson's rule on `p(i) = i · v(i)` along the
//! linear current, exact for resistive parts. Conduction drops are not fed back into
//! the duty; at the tens of volts of a typical boost they change `D` by well under
//! 1 %, the scale of agreement stated in the tests.
//!
//! Not covered: synchronous rectification with `I_min ≤ 0` (the current reverses
//! within each period and the switch turns on with ZVS). Simulate that case and use
//! the waveform calculator.

use crate::loss::device::{Edge, SwitchModel};
use crate::loss::inverter::{OperatingPointError, require, require_f_sw, require_tj};
use crate::loss::result::DeviceLoss;
use serde::{Deserialize, Serialize};

/// Operating point of a boost converter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BoostOperatingPoint {
    /// Input voltage [V].
    pub v_in_v: f64,
    /// Output voltage [V], above `v_in_v`.
    pub v_out_v: f64,
    /// Mean inductor (input) current [A].
    pub i_in_a: f64,
    /// Boost inductance [H].
    pub inductance_h: f64,
    /// Switching frequency [Hz].
    pub f_sw_hz: f64,
    /// Junction temperature of the switch [°C].
    pub tj_switch_c: f64,
    /// Junction temperature of the rectifier [°C].
    pub tj_rectifier_c: f64,
    /// Whether the rectifier is a synchronous switch rather than a diode.
    #[serde(default)]
    pub synchronous: bool,
    /// Deadtime before each turn-on of a synchronous pair [s].
    #[serde(default)]
    pub deadtime_s: f64,
    /// Fraction of the period in which the switch conducts, in continuous conduction,
    /// when known; default the lossless `1 − V_in/V_out`. When the deadtime delays
    /// each turn-on, a commanded duty `D` gives `D − t_d f_sw`.
    #[serde(default)]
    pub duty: Option<f64>,
}

/// Losses of the two boost positions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostLosses {
    /// Low-side switch.
    pub switch: DeviceLoss,
    /// Rectifier (diode or high-side switch).
    pub rectifier: DeviceLoss,
    /// Duty cycle used.
    pub duty: f64,
    /// Inductor current at the start of the on-time [A].
    pub i_min_a: f64,
    /// Peak inductor current [A].
    pub i_max_a: f64,
    /// Whether the converter runs in discontinuous conduction.
    pub discontinuous: bool,
    /// Sum of both positions [W].
    pub total_w: f64,
}

impl BoostOperatingPoint {
    /// Checks the ranges.
    ///
    /// # Errors
    /// The first field out of range.
    pub fn validate(&self) -> Result<(), OperatingPointError> {
        require("v_in_v", self.v_in_v, self.v_in_v > 0.0, "positive")?;
        require(
            "v_out_v",
            self.v_out_v,
            self.v_out_v > self.v_in_v,
            "greater than v_in_v",
        )?;
        require("i_in_a", self.i_in_a, self.i_in_a > 0.0, "positive")?;
        require(
            "inductance_h",
            self.inductance_h,
            self.inductance_h > 0.0,
            "positive",
        )?;
        require_f_sw(self.f_sw_hz)?;
        for (field, tj) in [
            ("tj_switch_c", self.tj_switch_c),
            ("tj_rectifier_c", self.tj_rectifier_c),
        ] {
            require_tj(field, tj)?;
        }
        require(
            "deadtime_s",
            self.deadtime_s,
            self.deadtime_s >= 0.0 && self.deadtime_s * self.f_sw_hz < 0.25,
            "at least 0 and below a quarter of the switching period",
        )?;
        if let Some(duty) = self.duty {
            require(
                "duty",
                duty,
                duty > 0.0 && duty < 1.0,
                "within 0..1 (exclusive)",
            )?;
        }
        Ok(())
    }
}

/// Energy of `∫ p(i(t)) dt` over a linear ramp from `ia` to `ib` lasting `dt`.
fn ramp_energy(dt: f64, ia: f64, ib: f64, mut power: impl FnMut(f64) -> f64) -> f64 {
    dt / 6.0 * (power(ia) + 4.0 * power(0.5 * (ia + ib)) + power(ib))
}

/// Mean losses of the boost switch `switch` and rectifier `rectifier` at `point`.
///
/// # Errors
/// [`OperatingPointError`] when the point is out of range or not covered (see the
/// module documentation).
pub fn boost_losses(
    switch: &dyn SwitchModel,
    rectifier: &dyn SwitchModel,
    point: &BoostOperatingPoint,
) -> Result<BoostLosses, OperatingPointError> {
    point.validate()?;
    let period = 1.0 / point.f_sw_hz;
    let (v_in, v_out, l) = (point.v_in_v, point.v_out_v, point.inductance_h);
    let ccm_duty = point.duty.unwrap_or(1.0 - v_in / v_out);
    let ripple = v_in * ccm_duty * period / l;
    let discontinuous = !point.synchronous && point.i_in_a < 0.5 * ripple;
    let (duty, i_min, i_max, fall_time) = if discontinuous {
        let duty = (2.0 * l * point.i_in_a * (v_out - v_in) / (v_in * period * v_out)).sqrt();
        let peak = v_in * duty * period / l;
        (duty, 0.0, peak, peak * l / (v_out - v_in))
    } else {
        let i_min = point.i_in_a - 0.5 * ripple;
        let i_max = point.i_in_a + 0.5 * ripple;
        (ccm_duty, i_min, i_max, (1.0 - ccm_duty) * period)
    };
    if point.synchronous && i_min <= 0.0 {
        return Err(OperatingPointError {
            field: "i_in_a",
            requirement: "above half the ripple current for synchronous rectification (the current reverses otherwise; use the waveform calculator)",
            value: point.i_in_a,
        });
    }

    let mut s = DeviceLoss::new("switch", switch.name());
    let tj = point.tj_switch_c;
    let on_energy = ramp_energy(duty * period, i_min, i_max, |i| {
        if i <= 0.0 {
            0.0
        } else {
            i * s.take(
                switch.forward_voltage(i, tj),
                "no forward conduction curve: forward conduction losses not counted",
            )
        }
    });
    s.conduction_forward_w = on_energy;
    if discontinuous {
        match switch.coss_energy(v_in) {
            Some(e) => s.coss_w = e,
            None => s.add_gap("no Coss curve: capacitive turn-on losses (Eoss) not counted"),
        }
    } else {
        s.turn_on_w = s.take(
            switch.switching_energy(Edge::TurnOn, i_min, v_out, tj),
            "no Eon curve: turn-on losses not counted",
        );
    }
    s.turn_off_w = s.take(
        switch.switching_energy(Edge::TurnOff, i_max, v_out, tj),
        "no Eoff curve: turn-off losses not counted",
    );
    s.scale(point.f_sw_hz);

    let mut r = DeviceLoss::new("rectifier", rectifier.name());
    let tj = point.tj_rectifier_c;
    let reverse = |i: f64, gate_on: bool, r: &mut DeviceLoss| {
        if i <= 0.0 {
            0.0
        } else {
            i * r.take(
                rectifier.reverse_voltage(i, tj, gate_on),
                "no reverse conduction curve: reverse conduction losses not counted",
            )
        }
    };
    if point.synchronous {
        let td = point.deadtime_s;
        let slope = (i_max - i_min) / fall_time;
        let (ia, ib) = (i_max - slope * td, i_min + slope * td);
        let channel = ramp_energy(fall_time - 2.0 * td, ia, ib, |i| reverse(i, true, &mut r));
        let diode = ramp_energy(td, i_max, ia, |i| reverse(i, false, &mut r))
            + ramp_energy(td, ib, i_min, |i| reverse(i, false, &mut r));
        r.conduction_reverse_w = channel + diode;
    } else {
        r.conduction_reverse_w =
            ramp_energy(fall_time, i_max, i_min, |i| reverse(i, false, &mut r));
    }
    if !discontinuous {
        r.recovery_w = r.take(
            rectifier.recovery_energy(i_min, v_out, tj),
            "no Err curve: reverse-recovery losses not counted",
        );
    }
    r.scale(point.f_sw_hz);

    Ok(BoostLosses {
        total_w: s.total_w + r.total_w,
        switch: s,
        rectifier: r,
        duty,
        i_min_a: i_min,
        i_max_a: i_max,
        discontinuous,
    })
}
