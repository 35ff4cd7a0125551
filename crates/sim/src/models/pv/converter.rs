//! Averaged boost converter from the PV array to a stiff DC bus, with a cascaded
//! PV-voltage and inductor-current controller.
//!
//! # Plant
//!
//! State `x = (v_pv, i_L)`: the input capacitor voltage (the PV terminal voltage) and
//! the inductor current. Averaged over a switching period in continuous conduction,
//! with duty `d` and the switch-node voltage `v_sw = (1 − d) V_bus`:
//!
//! ```text
//! C dv_pv/dt = i_pv(v_pv) − i_L
//! L di_L/dt  = v_pv − R_L i_L − (1 − d) V_bus
//! ```
//!
//! `i_pv(v)` is the array's single-diode current. The bus is an ideal voltage source,
//! as when an inverter or a battery regulates it. The diode blocks reverse current, so `i_L` is
//! held at zero when it would go negative; discontinuous conduction is not averaged
//! separately. NOTE: below about `ΔI_L/2` the real converter is in DCM and its
//! averaged dynamics differ; this matters only in the first minutes after sunrise.
//!
//! # Control
//!
//! Each control period `T_c` the controller samples `v_pv`, `i_pv` and `i_L` and holds
//! the duty for the period (zero-order hold, no computational delay):
//!
//! ```text
//! i_ref = i_pv + PI_v(v_pv − v_ref)        limited to [0, i_max]
//! v_sw  = v_pv + PI_i(i_L − i_ref)         limited to [(1 − d_max) V_bus, V_bus]
//! d     = 1 − v_sw / V_bus
//! ```
//!
//! Both PI controllers come from `pelab-control` with clamping anti-windup. With the
//! feedforward terms the loops see `i_L/v_sw ≈ −1/(sL)` and `v_pv/i_ref ≈ −1/(sC)`, so
//! the gains for crossover frequencies `ω_i` and `ω_v` are `k_p = ω_i L`, `k_i = k_p ω_i/5`
//! and `k_p = ω_v C`, `k_i = k_p ω_v/5` (PI zero a fifth of the crossover).

use pelab_control::pi::{AntiWindup, Pi, PiConfig};

use super::string::LocalCurve;

/// Largest duty; a boost near `d = 1` has no useful gain and high conduction losses.
pub const MAX_DUTY: f64 = 0.95;
/// Ratio of crossover frequency to PI zero frequency in both loops.
const ZERO_RATIO: f64 = 5.0;
/// Largest `|λ| h` of one RK4 substep; RK4 is stable to 2.78 on the real axis, and
/// staying near 0.5 keeps the truncation error of each substep below 0.3 %.
const MAX_RK4_STEP_PRODUCT: f64 = 0.5;

/// Converter components.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Boost {
    /// Inductance [H].
    pub l: f64,
    /// Inductor and switch resistance [Ω].
    pub r_l: f64,
    /// Input capacitance [F].
    pub c: f64,
    /// DC bus voltage [V].
    pub v_bus: f64,
}

/// Converter state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoostState {
    /// PV voltage [V].
    pub v_pv: f64,
    /// Inductor current [A].
    pub i_l: f64,
    /// Diode voltage of the array's last current solution [V], the warm start of the
    /// next one.
    pub v_d: f64,
}

impl Boost {
    /// Substeps per control period so that RK4 resolves the fastest plant mode:
    /// the array's largest conductance `g_max` [S] over `C`, `R_L/L` and `1/√(LC)`.
    pub fn substeps(&self, period: f64, g_max: f64) -> usize {
        let rate = (g_max / self.c)
            .max(self.r_l / self.l)
            .max(1.0 / (self.l * self.c).sqrt());
        (rate * period / MAX_RK4_STEP_PRODUCT).ceil().max(1.0) as usize
    }

    /// Advances `state` by `period` with duty `duty` held, in `substeps` RK4 steps,
    /// with the array current from `curve`, the expansion at the period's start.
    pub fn advance(
        &self,
        state: &mut BoostState,
        curve: &LocalCurve,
        duty: f64,
        period: f64,
        substeps: usize,
    ) {
        let v_sw = (1.0 - duty) * self.v_bus;
        let h = period / substeps as f64;
        let (inverse_c, inverse_l) = (1.0 / self.c, 1.0 / self.l);
        let derivative = |v: f64, i: f64| {
            let i_pv = curve.current(v);
            (
                (i_pv - i) * inverse_c,
                (v - self.r_l * i - v_sw) * inverse_l,
            )
        };
        let (mut v, mut i) = (state.v_pv, state.i_l);
        for _ in 0..substeps {
            let (k1v, k1i) = derivative(v, i);
            let (k2v, k2i) = derivative(v + 0.5 * h * k1v, i + 0.5 * h * k1i);
            let (k3v, k3i) = derivative(v + 0.5 * h * k2v, i + 0.5 * h * k2i);
            let (k4v, k4i) = derivative(v + h * k3v, i + h * k3i);
            v += h / 6.0 * (k1v + 2.0 * k2v + 2.0 * k3v + k4v);
            i += h / 6.0 * (k1i + 2.0 * k2i + 2.0 * k3i + k4i);
            i = i.max(0.0);
        }
        state.v_pv = v;
        state.i_l = i;
    }
}

/// Loop bandwidths and limits of the [`Cascade`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CascadeConfig {
    /// Control period `T_c` [s].
    pub period: f64,
    /// Current-loop crossover frequency [Hz].
    pub bandwidth_current: f64,
    /// Voltage-loop crossover frequency [Hz].
    pub bandwidth_voltage: f64,
    /// Largest inductor-current reference [A].
    pub i_max: f64,
}

/// The cascaded PV-voltage and inductor-current controller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cascade {
    voltage: Pi,
    current: Pi,
    v_bus: f64,
    r_l: f64,
}

impl Cascade {
    /// Builds both PI controllers for `boost` (see the module documentation).
    ///
    /// # Errors
    /// The `pelab-control` configuration message when a gain or limit is invalid.
    pub fn new(boost: &Boost, config: &CascadeConfig) -> Result<Self, String> {
        let omega_i = 2.0 * std::f64::consts::PI * config.bandwidth_current;
        let omega_v = 2.0 * std::f64::consts::PI * config.bandwidth_voltage;
        let kp_i = omega_i * boost.l;
        let kp_v = omega_v * boost.c;
        let voltage = Pi::new(PiConfig {
            kp: kp_v,
            ki: kp_v * omega_v / ZERO_RATIO,
            ts: config.period,
            u_min: 0.0,
            u_max: config.i_max,
            anti_windup: AntiWindup::Clamping,
        })
        .map_err(|e| format!("voltage loop: {e}"))?;
        let current = Pi::new(PiConfig {
            kp: kp_i,
            ki: kp_i * omega_i / ZERO_RATIO,
            ts: config.period,
            u_min: (1.0 - MAX_DUTY) * boost.v_bus,
            u_max: boost.v_bus,
            anti_windup: AntiWindup::Clamping,
        })
        .map_err(|e| format!("current loop: {e}"))?;
        Ok(Self {
            voltage,
            current,
            v_bus: boost.v_bus,
            r_l: boost.r_l,
        })
    }

    /// Duty for the next control period from the sampled PV voltage `v_pv` [V], PV
    /// current `i_pv` [A], inductor current `i_l` [A] and reference `v_ref` [V].
    pub fn update(&mut self, v_ref: f64, v_pv: f64, i_pv: f64, i_l: f64) -> f64 {
        let i_ref = self.voltage.update_with_feedforward(v_pv - v_ref, i_pv);
        let v_sw = self.current.update_with_feedforward(i_l - i_ref, v_pv);
        1.0 - v_sw / self.v_bus
    }

    /// Sets both integrators to the equilibrium at `v_pv = v_ref` with inductor current
    /// `i_l` [A], as after a settled transient.
    pub fn settle_at(&mut self, v_pv: f64, i_l: f64) {
        self.voltage.track_with_feedforward(0.0, i_l, i_l);
        self.current
            .track_with_feedforward(0.0, v_pv, v_pv - self.r_l * i_l);
    }

    /// Clears both integrators, as at start-up with the converter off.
    pub fn reset(&mut self) {
        self.voltage.reset();
        self.current.reset();
    }

    /// Duty of the equilibrium at `v_pv` [V] and inductor current `i_l` [A].
    pub fn equilibrium_duty(&self, v_pv: f64, i_l: f64) -> f64 {
        1.0 - (v_pv - self.r_l * i_l) / self.v_bus
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pelab_components::pv::SingleDiode;

    #[test]
    fn resistive_source_settles_to_reference() {
        // A PV "array" with i_0 → 0 and R_sh = 10 Ω is a 10 A source behind 10 Ω:
        // regulated to 50 V it delivers 5 A, and the duty is 1 − (50 − R_L·5)/200.
        let diode = SingleDiode {
            i_l: 10.0,
            i_0: 1e-30,
            r_s: 1e-3,
            r_sh: 10.0,
            a: 1.0,
        };
        let boost = Boost {
            l: 1e-3,
            r_l: 0.1,
            c: 100e-6,
            v_bus: 200.0,
        };
        let config = CascadeConfig {
            period: 50e-6,
            bandwidth_current: 1000.0,
            bandwidth_voltage: 200.0,
            i_max: 20.0,
        };

        let mut control = Cascade::new(&boost, &config).expect("valid gains");
        let mut state = BoostState {
            v_pv: diode.v_oc(),
            i_l: 0.0,
            v_d: 0.0,
        };
        let substeps = boost.substeps(config.period, 1.0 / diode.r_sh);
        let mut duty = 0.0;
        let mut v_d = 0.0;
        for _ in 0..2000 {
            let curve = LocalCurve::at(&diode, state.v_pv, &mut v_d);
            duty = control.update(50.0, state.v_pv, curve.i0, state.i_l);
            boost.advance(&mut state, &curve, duty, config.period, substeps);
        }

        let i_expected = diode.current(50.0);
        assert!((state.v_pv - 50.0).abs() < 1e-6, "v_pv {}", state.v_pv);
        assert!((state.i_l - i_expected).abs() < 1e-6, "i_L {}", state.i_l);
        let d_expected = control.equilibrium_duty(50.0, i_expected);
        assert!(
            (duty - d_expected).abs() < 1e-6,
            "duty {duty} vs {d_expected}"
        );
    }
}
