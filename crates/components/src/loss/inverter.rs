//! Operating-point losses of a two-level three-phase inverter leg.
//!
//! Each leg has an upper and a lower position; by symmetry all six positions of the
//! inverter dissipate the same mean power, so the calculator evaluates the upper one
//! and multiplies by six for the total.
//!
//! With the fundamental angle `θ = ω t`, the phase reference normalised to `V_dc/2`
//! is `u(θ) = m cos θ + u_0(θ)` and the phase current `i(θ) = Î cos(θ − φ)`,
//! positive out of the leg. `u_0 = 0` for sinusoidal PWM; space-vector PWM adds the
//! min–max zero sequence `u_0 = −(max_k u_k + min_k u_k)/2` over the three phase
//! references, which is equivalent to centred space vectors. The upper switch is on
//! for the duty `d(θ) = (1 + u(θ))/2` of each carrier period. Averaged over the
//! carrier, which is exact as `f_sw/f_out → ∞`:
//!
//! - forward conduction `P = (1/2π) ∫_{i>0} d · i · v_fwd(i) dθ`;
//! - reverse conduction `P = (1/2π) ∫_{i<0} d · |i| · v_rev(|i|) dθ`, through the
//!   channel when synchronous rectification is on, else through the diode;
//! - switching `P = f_sw (1/2π) ∫_{i>0} [Eon(i) + Eoff(i)] dθ` and recovery
//!   `P = f_sw (1/2π) ∫_{i<0} Err(|i|) dθ`, all at `V_dc`, over the angles where
//!   `0 < d < 1` (a clamped phase does not switch).
//!
//! For a part with `v = V_0 + r i` and energies proportional to current, these
//! integrals reduce to the textbook expressions for sinusoidal PWM, e.g.
//! `P_T,cond = V_0 Î (1/2π + m cos φ/8) + r Î² (1/8 + m cos φ/(3π))` and
//! `P_T,sw = f_sw (E_on + E_off)(Î) / π` (see the SEMIKRON application manual
//! "Application Manual Power Semiconductors", 2015, section 5.6); the tests check that.
//! With datasheet curves the integrals are evaluated numerically on a uniform grid
//! in θ, with the grid split exactly at the current's zero crossings.
//!
//! Deadtime is not modelled here: it moves a fraction `2 t_d f_sw` of each carrier
//! period from the channel to the body diode and shifts the effective duty.

use crate::loss::device::{Edge, SwitchModel};
use crate::loss::result::DeviceLoss;
use serde::{Deserialize, Serialize};
use std::f64::consts::PI;

/// Pulse-width modulation of the three phase references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Modulation {
    /// Sinusoidal PWM, linear up to `m = 1`.
    Spwm,
    /// Space-vector PWM (min–max zero-sequence injection), linear up to
    /// `m = 2/√3 ≈ 1.155`.
    Svpwm,
}

/// Operating point of a three-phase inverter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InverterOperatingPoint {
    /// DC-link voltage [V].
    pub v_dc_v: f64,
    /// Peak phase current `Î` [A].
    pub i_peak_a: f64,
    /// Modulation index: peak phase reference over `V_dc/2`.
    pub m: f64,
    /// Power-factor angle φ between phase voltage and current, positive when the
    /// current lags [°].
    pub phi_deg: f64,
    /// Switching frequency [Hz].
    pub f_sw_hz: f64,
    /// Junction temperature of every chip [°C].
    pub tj_c: f64,
    /// Modulation scheme.
    pub modulation: Modulation,
    /// Whether the switch conducts reverse current through its channel while its
    /// gate is on (MOSFETs, GaN). Ignored for parts without a reverse channel.
    #[serde(default = "default_true")]
    pub synchronous_rectification: bool,
}

fn default_true() -> bool {
    true
}

/// An operating point out of range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{field} must be {requirement}, got {value}")]
pub struct OperatingPointError {
    /// Field name.
    pub field: &'static str,
    /// Accepted range, in words.
    pub requirement: &'static str,
    /// Rejected value.
    pub value: f64,
}

/// Checks a junction temperature [°C] against the range every loss calculator accepts.
pub(crate) fn require_tj(field: &'static str, tj: f64) -> Result<(), OperatingPointError> {
    require(
        field,
        tj,
        (-55.0..=250.0).contains(&tj),
        "between −55 and 250 °C",
    )
}

/// Checks a switching frequency [Hz]: positive and at most 100 MHz.
pub(crate) fn require_f_sw(f_sw: f64) -> Result<(), OperatingPointError> {
    require(
        "f_sw_hz",
        f_sw,
        f_sw > 0.0 && f_sw <= 100e6,
        "positive and at most 100 MHz",
    )
}

pub(crate) fn require(
    field: &'static str,
    value: f64,
    ok: bool,
    requirement: &'static str,
) -> Result<(), OperatingPointError> {
    if value.is_finite() && ok {
        Ok(())
    } else {
        Err(OperatingPointError {
            field,
            requirement,
            value,
        })
    }
}

/// Losses of one inverter position and of the whole inverter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InverterLosses {
    /// One position (upper switch of phase a with its reverse path).
    pub position: DeviceLoss,
    /// Six positions [W].
    pub total_w: f64,
}

/// Angular grid of the numerical integrals: 7200 points per fundamental period,
/// which puts the midpoint-rule error on the kinks of the SVPWM zero sequence below
/// 1e-7 relative.
const GRID: usize = 7200;

impl InverterOperatingPoint {
    /// Checks the ranges.
    ///
    /// # Errors
    /// The first field out of range.
    pub fn validate(&self) -> Result<(), OperatingPointError> {
        require("v_dc_v", self.v_dc_v, self.v_dc_v > 0.0, "positive")?;
        require(
            "i_peak_a",
            self.i_peak_a,
            self.i_peak_a >= 0.0,
            "at least 0",
        )?;
        let m_max = match self.modulation {
            Modulation::Spwm => 1.0,
            Modulation::Svpwm => 2.0 / 3f64.sqrt(),
        };
        let (m_ok, m_text) = match self.modulation {
            Modulation::Spwm => (self.m >= 0.0 && self.m <= m_max, "between 0 and 1 for spwm"),
            Modulation::Svpwm => (
                self.m >= 0.0 && self.m <= m_max + 1e-12,
                "between 0 and 2/√3 ≈ 1.1547 for svpwm",
            ),
        };
        require("m", self.m, m_ok, m_text)?;
        require(
            "phi_deg",
            self.phi_deg,
            self.phi_deg.abs() <= 180.0,
            "between −180 and 180",
        )?;
        require_f_sw(self.f_sw_hz)?;
        require_tj("tj_c", self.tj_c)?;
        Ok(())
    }

    /// Normalised phase-a reference `u(θ)` including the zero sequence.
    pub fn reference(&self, theta: f64) -> f64 {
        let m = self.m;
        let a = m * theta.cos();
        match self.modulation {
            Modulation::Spwm => a,
            Modulation::Svpwm => {
                let b = m * (theta - 2.0 * PI / 3.0).cos();
                let c = m * (theta + 2.0 * PI / 3.0).cos();
                let zero = -(a.max(b).max(c) + a.min(b).min(c)) / 2.0;
                a + zero
            }
        }
    }

    /// Upper-switch duty at angle θ, clamped to `[0, 1]`.
    pub fn duty(&self, theta: f64) -> f64 {
        (0.5 * (1.0 + self.reference(theta))).clamp(0.0, 1.0)
    }

    /// Phase current at θ [A].
    pub fn current(&self, theta: f64) -> f64 {
        self.i_peak_a * (theta - self.phi_deg.to_radians()).cos()
    }
}

/// Mean losses of the six positions of an inverter built from `model`.
///
/// # Errors
/// [`OperatingPointError`] when the operating point is out of range.
pub fn inverter_losses(
    model: &dyn SwitchModel,
    point: &InverterOperatingPoint,
) -> Result<InverterLosses, OperatingPointError> {
    point.validate()?;
    let mut loss = DeviceLoss::new("upper", model.name());
    let phi = point.phi_deg.to_radians();
    let tj = point.tj_c;
    let v = point.v_dc_v;

    // The current changes sign at φ ± π/2; integrate each half-wave on its own grid.
    let halves = [(phi - PI / 2.0, true), (phi + PI / 2.0, false)];
    let n = GRID / 2;
    let h = PI / n as f64;
    for (start, forward) in halves {
        for j in 0..n {
            let theta = start + (j as f64 + 0.5) * h;
            let i = point.current(theta).abs();
            let d = point.duty(theta);
            let weight = h / (2.0 * PI);
            let switching = d > 0.0 && d < 1.0;
            if forward {
                let vf = loss.take(
                    model.forward_voltage(i, tj),
                    "no forward conduction curve: forward conduction losses not counted",
                );
                loss.conduction_forward_w += weight * d * i * vf;
                if switching {
                    let on = loss.take(
                        model.switching_energy(Edge::TurnOn, i, v, tj),
                        "no Eon curve: turn-on losses not counted",
                    );
                    let off = loss.take(
                        model.switching_energy(Edge::TurnOff, i, v, tj),
                        "no Eoff curve: turn-off losses not counted",
                    );
                    loss.turn_on_w += weight * point.f_sw_hz * on;
                    loss.turn_off_w += weight * point.f_sw_hz * off;
                }
            } else {
                let vr = loss.take(
                    model.reverse_voltage(i, tj, point.synchronous_rectification),
                    "no reverse conduction curve: reverse conduction losses not counted",
                );
                loss.conduction_reverse_w += weight * d * i * vr;
                if switching {
                    let err = loss.take(
                        model.recovery_energy(i, v, tj),
                        "no Err curve: reverse-recovery losses not counted",
                    );
                    loss.recovery_w += weight * point.f_sw_hz * err;
                }
            }
        }
    }
    loss.update_total();
    Ok(InverterLosses {
        total_w: 6.0 * loss.total_w,
        position: loss,
    })
}
