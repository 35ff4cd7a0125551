//! Outer voltage loop of average-current-mode control, linear or V².
//!
//! # Why V² control linearises the output stage
//!
//! The energy in the output capacitor is `E = ½·C·v_out²`, and its balance is
//!
//! ```text
//! d(½·C·v_out²)/dt = p_in − p_out
//! ```
//!
//! with `p_in` the averaged power delivered into the capacitor node \[W\] and `p_out` the
//! load power \[W\]. Written for `y = v_out²`, this is `dy/dt = (2/C)·(p_in − p_out)`, a
//! pure integrator from power to `y` whose gain `2/C` does not depend on the operating
//! point. For a resistive load, `p_out = y/R` is linear in `y` too. Written for
//! `v_out`, the same balance reads `C·dv_out/dt = (p_in − p_out)/v_out`, whose gain
//! changes with `v_out`. A PI acting on `v_ref² − v_out²` and producing a power
//! reference therefore controls the same plant at every output voltage. Its gains are
//! `kp` [W/V²] and `ki` [W/(V²·s)], and `kp ≈ ω_c·C/2` gives the crossover `ω_c`
//! [rad/s] when the current loop is much faster.
//!
//! The power reference becomes a current reference through the port that carries the
//! inductor current (lossless averaged model): `p = v_in·i_l` for a boost, so
//! `i_ref = p_ref/v_in`, and `p = v_out·i_l` for a buck or half-bridge. Losses make the
//! real `p_in` smaller, and the integrator removes that offset.

use super::current::{CurrentController, CurrentLoopConfig, rename_limits};
use super::{Converter, Measurements};
use crate::error::{ConfigError, Status, check_limits, check_positive};
use crate::pi::{AntiWindup, Pi, PiConfig};

/// Quantity on which the outer voltage PI acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoltageLaw {
    /// Error `v_ref − v_out` \[V\]; the PI output is the current reference \[A\].
    Linear,
    /// V² control: error `v_ref·abs(v_ref) − v_out·abs(v_out)` \[V²\]; the PI output is a
    /// power reference \[W\], divided by the inductor port voltage to give the current
    /// reference. The signed square equals `v²` for `v ≥ 0` and keeps the error
    /// monotonic for negative voltages.
    Squared,
}

/// Parameters of the outer loop of an [`AcmcController`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VoltageLoopConfig {
    /// Linear or V² law.
    pub law: VoltageLaw,
    /// Proportional gain, ≥ 0: [A/V] for [`VoltageLaw::Linear`], [W/V²] for
    /// [`VoltageLaw::Squared`].
    pub kp: f64,
    /// Integral gain, ≥ 0: [A/(V·s)] for [`VoltageLaw::Linear`], [W/(V²·s)] for
    /// [`VoltageLaw::Squared`].
    pub ki: f64,
    /// Anti-windup method of the outer PI.
    pub anti_windup: AntiWindup,
    /// Lowest inductor current reference \[A\], finite. Negative values allow reverse
    /// power flow (synchronous buck, half-bridge).
    pub i_min: f64,
    /// Highest inductor current reference \[A\], > `i_min`.
    pub i_max: f64,
    /// Lower bound \[V\] on the port voltage that divides the power reference in
    /// [`VoltageLaw::Squared`], > 0. It keeps `i_ref = p_ref/v_port` finite when the
    /// port voltage is near zero, for example the output of a buck at start-up. Ignored
    /// by [`VoltageLaw::Linear`].
    pub v_port_min: f64,
}

/// Status of both loops of an [`AcmcController`] after the last update.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcmcStatus {
    /// Outer voltage loop; saturated means the current reference is at a limit.
    pub voltage: Status,
    /// Inner current loop; saturated means the duty is at `d_min` or `d_max`.
    pub current: Status,
}

/// Average-current-mode controller: outer voltage PI, inner current PI.
///
/// The outer PI turns the voltage error into an inductor current reference limited to
/// `[i_min, i_max]` ([`VoltageLaw::Linear`]), or the squared-voltage error into a power
/// reference limited to `[i_min·v_port, i_max·v_port]` and divided by `v_port`
/// ([`VoltageLaw::Squared`]). The inner [`CurrentController`] turns the current
/// reference into the duty. Both run at the sample time of the current loop.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AcmcController {
    law: VoltageLaw,
    outer: Pi,
    inner: CurrentController,
    i_min: f64,
    i_max: f64,
    v_port_min: f64,
    i_ref: f64,
}

impl AcmcController {
    /// Creates an average-current-mode controller.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] for an invalid current loop (see
    /// [`CurrentController::new`]), outer gains or anti-windup gain out of range (see
    /// [`Pi::new`]), `i_min`/`i_max` not finite or `i_max ≤ i_min`, or, for
    /// [`VoltageLaw::Squared`], `v_port_min` not > 0.
    pub fn new(
        voltage: VoltageLoopConfig,
        current: CurrentLoopConfig,
    ) -> Result<Self, ConfigError> {
        let inner = CurrentController::new(current)?;
        check_limits("i_min", voltage.i_min, "i_max", voltage.i_max)?;
        let v_port_min = match voltage.law {
            VoltageLaw::Linear => 1.0,
            VoltageLaw::Squared => check_positive("v_port_min", voltage.v_port_min)?,
        };
        let (u_min, u_max) = match voltage.law {
            VoltageLaw::Linear => (voltage.i_min, voltage.i_max),
            VoltageLaw::Squared => (voltage.i_min * v_port_min, voltage.i_max * v_port_min),
        };
        let outer = Pi::new(PiConfig {
            kp: voltage.kp,
            ki: voltage.ki,
            ts: current.ts,
            u_min,
            u_max,
            anti_windup: voltage.anti_windup,
        })
        .map_err(|err| rename_limits(err, "i_min", "i_max"))?;
        Ok(Self {
            law: voltage.law,
            outer,
            inner,
            i_min: voltage.i_min,
            i_max: voltage.i_max,
            v_port_min,
            i_ref: outer.output() / port_scale(voltage.law, v_port_min),
        })
    }

    /// Computes the duty for the voltage reference `v_ref` \[V\] and returns it.
    ///
    /// - Linear: `i_ref = PI(v_ref − v_out)` limited to `[i_min, i_max]`.
    /// - Squared: `v_port = max(port voltage, v_port_min)`,
    ///   `p_ref = PI(v_ref·abs(v_ref) − v_out·abs(v_out))` limited to
    ///   `[i_min·v_port, i_max·v_port]`, and `i_ref = p_ref/v_port`. The port voltage is
    ///   `v_in` for a boost and `v_out` otherwise.
    ///
    /// The inner loop then computes `d` from `i_ref` as in
    /// [`CurrentController::update`]. A NaN or infinite `v_ref` or measurement holds
    /// the duty, the current reference and both integrators, and sets
    /// [`Status::InvalidInput`] in both loops.
    pub fn update(&mut self, v_ref: f64, m: &Measurements) -> f64 {
        if !(v_ref.is_finite() && m.is_finite()) {
            self.outer.reject_input();
            // A NaN reference makes the inner loop keep its duty and flag the sample too.
            return self.inner.update(f64::NAN, m);
        }
        let v_port = self.port_voltage(m);
        let (lo, hi) = self.outer_limits(v_port);
        let outer_output = self.outer.step(self.outer_error(v_ref, m), 0.0, lo, hi);
        self.i_ref = outer_output / port_scale(self.law, v_port);
        self.inner.update(self.i_ref, m)
    }

    /// Sets both integrators for a bumpless start at the duty `duty`, with the current
    /// reference equal to the measured `i_l`, and returns `duty` clamped to
    /// `[d_min, d_max]`.
    ///
    /// A following [`AcmcController::update`] with the same `v_ref` and measurements
    /// returns that duty to within rounding, as long as `i_l` lies in `[i_min, i_max]`. Call it
    /// every sample while another source drives the converter, or once at enable.
    /// Non-finite inputs hold the state and set [`Status::InvalidInput`].
    pub fn track(&mut self, duty: f64, v_ref: f64, m: &Measurements) -> f64 {
        if !(v_ref.is_finite() && m.is_finite()) {
            self.outer.reject_input();
            return self.inner.track(duty, f64::NAN, m);
        }
        let v_port = self.port_voltage(m);
        let (lo, hi) = self.outer_limits(v_port);
        let scale = port_scale(self.law, v_port);
        let e = self.outer_error(v_ref, m);
        let outer_output = self.outer.track_limited(e, 0.0, m.i_l * scale, lo, hi);
        self.i_ref = outer_output / scale;
        self.inner.track(duty, self.i_ref, m)
    }

    /// Changes the current reference limits \[A\], for example for derating.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] unless both are finite and `i_max > i_min`. The
    /// previous limits stay in force on error.
    pub fn set_current_limits(&mut self, i_min: f64, i_max: f64) -> Result<(), ConfigError> {
        check_limits("i_min", i_min, "i_max", i_max)?;
        self.i_min = i_min;
        self.i_max = i_max;
        if self.law == VoltageLaw::Linear {
            self.outer.set_limits(i_min, i_max)?;
        }
        Ok(())
    }

    /// Returns the duty of the last update.
    pub const fn duty(&self) -> f64 {
        self.inner.duty()
    }

    /// Returns the inductor current reference of the last update \[A\].
    pub const fn current_reference(&self) -> f64 {
        self.i_ref
    }

    /// Returns the power reference of the last update \[W\] for [`VoltageLaw::Squared`],
    /// or `None` for [`VoltageLaw::Linear`].
    pub fn power_reference(&self) -> Option<f64> {
        match self.law {
            VoltageLaw::Linear => None,
            VoltageLaw::Squared => Some(self.outer.output()),
        }
    }

    /// Returns the status of both loops.
    pub const fn status(&self) -> AcmcStatus {
        AcmcStatus {
            voltage: self.outer.status(),
            current: self.inner.status(),
        }
    }

    /// Returns the outer voltage PI, for inspection.
    pub const fn voltage_pi(&self) -> &Pi {
        &self.outer
    }

    /// Returns the inner current controller, for inspection.
    pub const fn current_controller(&self) -> &CurrentController {
        &self.inner
    }

    /// Returns the port voltage used by the V² law, floored at `v_port_min`.
    fn port_voltage(&self, m: &Measurements) -> f64 {
        let converter: Converter = self.inner.converter();
        converter.inductor_port_voltage(m).max(self.v_port_min)
    }

    /// Returns the error of the outer PI: volts (linear) or signed volts squared (V²).
    fn outer_error(&self, v_ref: f64, m: &Measurements) -> f64 {
        match self.law {
            VoltageLaw::Linear => v_ref - m.v_out,
            VoltageLaw::Squared => v_ref * v_ref.abs() - m.v_out * m.v_out.abs(),
        }
    }

    /// Returns the output limits of the outer PI: amperes (linear) or watts (V²).
    fn outer_limits(&self, v_port: f64) -> (f64, f64) {
        let scale = port_scale(self.law, v_port);
        (self.i_min * scale, self.i_max * scale)
    }
}

/// Returns the factor from current to outer-PI output: 1 (linear) or `v_port` (V²).
fn port_scale(law: VoltageLaw, v_port: f64) -> f64 {
    match law {
        VoltageLaw::Linear => 1.0,
        VoltageLaw::Squared => v_port,
    }
}
