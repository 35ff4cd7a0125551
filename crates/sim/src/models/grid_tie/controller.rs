//! Grid-synchronised dq current control, sampled once per PWM period.
//!
//! Each sample at the start of a PWM period:
//!
//! 1. The SRF-PLL ([`pelab_control::pll`]) takes the αβ PCC voltage and returns the
//!    angle `θ`, frequency and `v_d`, `v_q`. With the d axis on the voltage vector,
//!    `P = 3/2·(v_d·i_d + v_q·i_q)` and `Q = 3/2·(v_q·i_d − v_d·i_q)`, so the
//!    references are `i_d* = 2P*/(3|v|)` and `i_q* = −2Q*/(3|v|)`, limited to `i_max`.
//! 2. Two PIs ([`pelab_control::pi`]) act on the d and q errors of the controlled
//!    current (grid side `i2` or inverter side `i1`), with grid-voltage feed-forward
//!    and decoupling on `L = L1 + L2 + Lg`:
//!    `v_d = PI_d + v_d,pcc − ωL·i_q`, `v_q = PI_q + v_q,pcc + ωL·i_d`.
//! 3. The voltage is rotated back with `θ + 1.5·ω·T`, because it is applied during
//!    the next period, whose centre lies 1.5 periods after the sample.
//! 4. Active damping subtracts `k_ad·i_c` (capacitor current, αβ) from the reference.
//!
//! The result is applied one period later (one-period computation delay).

use pelab_control::pi::{AntiWindup, Pi, PiConfig};
use pelab_control::pll::{Pll, PllConfig, PllGains};
use pelab_control::transforms::{AlphaBeta, Dq, inverse_park, park};

/// Current measured by the dq loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CurrentSensor {
    /// Grid-side current `i2`.
    Grid,
    /// Inverter-side current `i1`.
    Inverter,
}

/// Controller settings.
#[derive(Debug, Clone, Copy)]
pub struct ControlSettings {
    /// Sample period = PWM period \[s\].
    pub ts: f64,
    /// Controlled current.
    pub sensor: CurrentSensor,
    /// Proportional gain \[V/A\].
    pub kp: f64,
    /// Integral gain \[V/(A·s)\].
    pub ki: f64,
    /// Active damping gain \[V/A\].
    pub k_ad: f64,
    /// Peak current limit of the reference \[A\].
    pub i_max: Option<f64>,
    /// Decoupling inductance `L1 + L2 + Lg` \[H\].
    pub l_total: f64,
    /// DC-link voltage \[V\], which bounds the PI outputs.
    pub v_dc: f64,
    /// Nominal grid phase amplitude \[V\]. A tenth of it is the lowest voltage that
    /// the current references divide by.
    pub v_nominal: f64,
    /// PLL configuration.
    pub pll: PllConfig,
}

/// Measurements at a sample, all in the αβ frame.
#[derive(Debug, Clone, Copy)]
pub struct Measurements {
    /// PCC voltage \[V\].
    pub v_pcc: [f64; 2],
    /// Controlled current \[A\].
    pub i: [f64; 2],
    /// Capacitor current `i1 − i2` \[A\].
    pub i_c: [f64; 2],
}

/// Controller outputs of one sample.
#[derive(Debug, Clone, Copy, Default)]
pub struct ControlOutput {
    /// Inverter voltage reference for the next period (αβ) \[V\].
    pub v_ref: [f64; 2],
    /// PLL angle \[rad\].
    pub theta: f64,
    /// PLL frequency \[Hz\].
    pub frequency: f64,
    /// Whether the PLL reports lock.
    pub locked: bool,
    /// Measured d and q current \[A\].
    pub i_dq: [f64; 2],
    /// Current references \[A\].
    pub i_dq_ref: [f64; 2],
}

/// PLL and dq current loop.
#[derive(Debug, Clone)]
pub struct Controller {
    settings: ControlSettings,
    pll: Pll,
    pi_d: Pi,
    pi_q: Pi,
}

impl Controller {
    /// Builds the controller.
    ///
    /// # Errors
    /// The message of the first rejected PLL or PI setting.
    pub fn new(settings: ControlSettings) -> Result<Self, String> {
        let pll = Pll::new(settings.pll).map_err(|e| format!("PLL: {e}"))?;
        let pi = Pi::new(PiConfig {
            kp: settings.kp,
            ki: settings.ki,
            ts: settings.ts,
            u_min: -settings.v_dc,
            u_max: settings.v_dc,
            anti_windup: AntiWindup::Clamping,
        })
        .map_err(|e| format!("current PI: {e}"))?;
        Ok(Self {
            settings,
            pll,
            pi_d: pi,
            pi_q: pi,
        })
    }

    /// Runs one sample with the active and reactive power references `p_ref` \[W\] and
    /// `q_ref` \[var\].
    pub fn step(&mut self, m: &Measurements, p_ref: f64, q_ref: f64) -> ControlOutput {
        let s = self.settings;
        let pll = self.pll.update(m.v_pcc[0], m.v_pcc[1]);
        let omega = 2.0 * std::f64::consts::PI * pll.frequency;

        let i = park(
            AlphaBeta {
                alpha: m.i[0],
                beta: m.i[1],
                zero: 0.0,
            },
            pll.theta,
        );
        let v = pll.amplitude.max(0.1 * s.v_nominal);
        let mut id_ref = 2.0 * p_ref / (3.0 * v);
        let mut iq_ref = -2.0 * q_ref / (3.0 * v);
        if let Some(limit) = s.i_max {
            let magnitude = id_ref.hypot(iq_ref);
            if magnitude > limit {
                id_ref *= limit / magnitude;
                iq_ref *= limit / magnitude;
            }
        }

        let vd = self
            .pi_d
            .update_with_feedforward(id_ref - i.d, pll.vd - omega * s.l_total * i.q);
        let vq = self
            .pi_q
            .update_with_feedforward(iq_ref - i.q, pll.vq + omega * s.l_total * i.d);
        let v_ab = inverse_park(
            Dq {
                d: vd,
                q: vq,
                zero: 0.0,
            },
            pll.theta + 1.5 * omega * s.ts,
        );

        ControlOutput {
            v_ref: [
                v_ab.alpha - s.k_ad * m.i_c[0],
                v_ab.beta - s.k_ad * m.i_c[1],
            ],
            theta: pll.theta,
            frequency: pll.frequency,
            locked: pll.locked,
            i_dq: [i.d, i.q],
            i_dq_ref: [id_ref, iq_ref],
        }
    }
}

/// PLL gains for natural frequency `f_n` \[Hz\] and damping `zeta`.
///
/// # Errors
/// The message of [`PllGains::from_natural_frequency`].
pub fn pll_gains(f_n: f64, zeta: f64) -> Result<PllGains, String> {
    PllGains::from_natural_frequency(2.0 * std::f64::consts::PI * f_n, zeta)
        .map_err(|e| e.to_string())
}
