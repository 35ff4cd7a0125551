//! dq current controller with decoupling feed-forward and voltage-vector limiting.

use super::MotorParams;
use crate::error::{ConfigError, Expected, Status, check_positive};
use crate::pi::{AntiWindup, Pi, PiConfig};

/// Feed-forward terms added to the PI outputs of a [`DqCurrentController`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoupling {
    /// No feed-forward: the PIs alone reject the speed voltages.
    None,
    /// Cross-coupling and back-EMF: `v_d,ff = −ω_e·L_q·i_q`,
    /// `v_q,ff = ω_e·(L_d·i_d + λ)`.
    Cross,
    /// [`Decoupling::Cross`] plus the resistive drops `R_s·i_d` and `R_s·i_q`.
    CrossAndResistive,
}

/// Parameters of a [`DqCurrentController`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CurrentLoopConfig {
    /// Machine parameters used for the gains and the feed-forward.
    pub motor: MotorParams,
    /// Current-loop bandwidth `ω_c` [rad/s], in `(0, 0.2/ts]`.
    ///
    /// The upper bound keeps the discrete closed-loop pole `1 − ω_c·ts` (forward-Euler
    /// PI and zero-order hold) within 2.5 % of the continuous `e^(−ω_c·ts)`, so the
    /// step response stays close to the designed first order.
    pub bandwidth: f64,
    /// Sample time \[s\], > 0.
    pub ts: f64,
    /// Anti-windup method of both PIs, acting on the voltage limit of each sample.
    pub anti_windup: AntiWindup,
    /// Feed-forward terms.
    pub decoupling: Decoupling,
}

/// Stator voltage command in the rotor frame \[V\].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DqVoltage {
    /// d-axis voltage \[V\].
    pub v_d: f64,
    /// q-axis voltage \[V\].
    pub v_q: f64,
}

/// dq current controller of a PMSM: two PIs with decoupling feed-forward and
/// voltage-vector limiting.
///
/// # Gains by pole-zero cancellation
///
/// Each axis is the plant `1/(L·s + R_s)` once the speed voltages are decoupled. The PI
/// `kp + ki/s` with `kp = ω_c·L` and `ki = ω_c·R_s` (`L = L_d` or `L_q`) has its zero
/// at `−R_s/L`, which cancels the plant pole. The loop gain is then `ω_c/s`, and the
/// closed loop is the first-order low-pass `ω_c/(s + ω_c)` with bandwidth `ω_c`. With
/// [`Decoupling::CrossAndResistive`] the feed-forward already supplies `R_s·i`, the
/// plant seen by the PI is `1/(L·s)`, and `ki` then only corrects parameter errors.
///
/// # Voltage limit with d-axis priority
///
/// Linear SVPWM reaches `|v_dq| ≤ v_max = v_dc/√3`. Each sample, the d PI runs first
/// with the limits `±v_max`, then the q PI with `±sqrt(v_max² − v_d²)`, so the vector
/// lies inside the circle. The d axis gets priority because `v_d` sets the field: in
/// field weakening the negative `i_d` must be held even when the q axis runs out of
/// voltage, and the torque, not the flux, gives way. Both PIs receive the limits of
/// the sample with the feed-forward included, so their anti-windup acts on the voltage
/// actually available.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DqCurrentController {
    motor: MotorParams,
    decoupling: Decoupling,
    d: Pi,
    q: Pi,
}

impl DqCurrentController {
    /// Creates a current controller with zero integrators and gains
    /// `kp_d = ω_c·L_d`, `kp_q = ω_c·L_q`, `ki_d = ki_q = ω_c·R_s`.
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming `ts` unless it is > 0, `bandwidth` unless it is
    /// in `(0, 0.2/ts]`, or `kb` for a back-calculation gain outside `(0, 1/ts]`.
    pub fn new(config: CurrentLoopConfig) -> Result<Self, ConfigError> {
        let ts = check_positive("ts", config.ts)?;
        let max = 0.2 / ts;
        let omega_c = config.bandwidth;
        if !(omega_c.is_finite() && omega_c > 0.0 && omega_c <= max) {
            return Err(ConfigError::new(
                "bandwidth",
                omega_c,
                Expected::PositiveAtMost { max },
            ));
        }
        let motor = config.motor;
        let pi = |l: f64| {
            Pi::new(PiConfig {
                kp: omega_c * l,
                ki: omega_c * motor.r_s(),
                ts,
                // The limits come with each sample, so these are never used.
                u_min: -f64::MAX,
                u_max: f64::MAX,
                anti_windup: config.anti_windup,
            })
        };
        Ok(Self {
            motor,
            decoupling: config.decoupling,
            d: pi(motor.l_d())?,
            q: pi(motor.l_q())?,
        })
    }

    /// Computes the voltage command for the current references `i_d_ref`, `i_q_ref`
    /// \[A\], the measured currents `i_d`, `i_q` \[A\], the electrical speed `omega_e`
    /// [rad/s] and the DC-link voltage `v_dc` \[V\], and advances both integrators.
    ///
    /// ```text
    /// v_max = max(v_dc, 0)/√3
    /// v_d   = clamp(v_d,ff + PI_d(i_d_ref − i_d), −v_max, v_max)
    /// v_q   = clamp(v_q,ff + PI_q(i_q_ref − i_q), −v_qmax, v_qmax),  v_qmax = sqrt(v_max² − v_d²)
    /// ```
    ///
    /// The feed-forward uses the measured currents (see [`Decoupling`]). A NaN or
    /// infinite input keeps the previous command and both integrators and sets
    /// [`Status::InvalidInput`].
    pub fn update(
        &mut self,
        i_d_ref: f64,
        i_q_ref: f64,
        i_d: f64,
        i_q: f64,
        omega_e: f64,
        v_dc: f64,
    ) -> DqVoltage {
        let inputs = [i_d_ref, i_q_ref, i_d, i_q, omega_e, v_dc];
        if !inputs.iter().all(|x| x.is_finite()) {
            self.d.reject_input();
            self.q.reject_input();
            return self.voltage();
        }

        let m = &self.motor;
        let (mut ff_d, mut ff_q) = match self.decoupling {
            Decoupling::None => (0.0, 0.0),
            Decoupling::Cross | Decoupling::CrossAndResistive => (
                -omega_e * m.l_q() * i_q,
                omega_e * (m.l_d() * i_d + m.lambda()),
            ),
        };
        if self.decoupling == Decoupling::CrossAndResistive {
            ff_d += m.r_s() * i_d;
            ff_q += m.r_s() * i_q;
        }

        let v_max = v_dc.max(0.0) / libm::sqrt(3.0);
        let v_d = self.d.step(i_d_ref - i_d, ff_d, -v_max, v_max);
        // |v_d| ≤ v_max after the clamp, so the radicand is ≥ 0 up to rounding.
        let v_q_max = libm::sqrt((v_max * v_max - v_d * v_d).max(0.0));
        let v_q = self.q.step(i_q_ref - i_q, ff_q, -v_q_max, v_q_max);
        DqVoltage { v_d, v_q }
    }

    /// Returns the voltage command of the last update.
    pub const fn voltage(&self) -> DqVoltage {
        DqVoltage {
            v_d: self.d.output(),
            v_q: self.q.output(),
        }
    }

    /// Returns the status of the last update: [`Status::InvalidInput`] for a rejected
    /// sample, else the saturation of the d axis if it is saturated, else that of the
    /// q axis.
    pub const fn status(&self) -> Status {
        match (self.d.status(), self.q.status()) {
            (Status::InvalidInput, _) => Status::InvalidInput,
            (d, _) if d.is_saturated() => d,
            (_, q) => q,
        }
    }

    /// Resets both integrators to zero.
    pub fn reset(&mut self) {
        self.d.reset();
        self.q.reset();
    }

    /// Returns the d-axis PI, for inspection.
    pub const fn pi_d(&self) -> &Pi {
        &self.d
    }

    /// Returns the q-axis PI, for inspection.
    pub const fn pi_q(&self) -> &Pi {
        &self.q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> CurrentLoopConfig {
        CurrentLoopConfig {
            motor: MotorParams::new(0.05, 2e-4, 4e-4, 0.01, 4).unwrap(),
            bandwidth: 2000.0,
            ts: 1e-5,
            anti_windup: AntiWindup::Clamping,
            decoupling: Decoupling::Cross,
        }
    }

    #[test]
    fn gains_follow_bandwidth() {
        let c = DqCurrentController::new(config()).unwrap();
        // kp = ω_c·L and ki = ω_c·R_s, products of exact binary values up to one rounding.
        assert!((c.pi_d().kp() - 0.4).abs() < 1e-15);
        assert!((c.pi_q().kp() - 0.8).abs() < 1e-15);
        assert!((c.pi_d().ki() - 100.0).abs() < 1e-12);
    }

    #[test]
    fn rejects_bandwidth_above_limit() {
        let err = DqCurrentController::new(CurrentLoopConfig {
            bandwidth: 3e4,
            ..config()
        })
        .unwrap_err();
        assert_eq!(err.field, "bandwidth");
        assert_eq!(err.expected, Expected::PositiveAtMost { max: 2e4 });
    }

    #[test]
    fn vector_stays_in_circle_with_d_priority() {
        let mut c = DqCurrentController::new(config()).unwrap();
        // Large errors on both axes saturate the command at v_max = 10/√3.
        let v = c.update(-1e3, 1e3, 0.0, 0.0, 0.0, 10.0);
        let v_max = 10.0 / libm::sqrt(3.0);
        assert!((v.v_d + v_max).abs() < 1e-12, "v_d = {}", v.v_d);
        // v_d = −v_max exactly, so the q limit sqrt(v_max² − v_d²) is exactly 0.
        assert_eq!(v.v_q, 0.0);
        assert_eq!(c.status(), Status::SaturatedLow);
    }

    #[test]
    fn nan_input_holds_command() {
        let mut c = DqCurrentController::new(config()).unwrap();
        let v = c.update(1.0, 2.0, 0.0, 0.0, 100.0, 48.0);
        assert_eq!(c.update(1.0, f64::NAN, 0.0, 0.0, 100.0, 48.0), v);
        assert_eq!(c.status(), Status::InvalidInput);
    }
}
