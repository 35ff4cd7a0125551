//! Steady-state operating point of the PMSM for a torque and speed request.
//!
//! The dq currents come from `pelab-control`'s [`ReferenceGenerator`]: MTPA below base
//! speed and field weakening on the voltage ellipse above it, both clamped to the
//! current circle `i_d² + i_q² ≤ i_max²`. The voltage limit handed to it is
//! `k_v·V_lin`, with `V_lin` the largest peak phase voltage of linear modulation
//! (`V_dc/√3` for SVPWM, `V_dc/2` for SPWM) and `k_v` a margin for the `R_s·i`
//! drop that the ellipse neglects.
//!
//! With the currents fixed, the steady-state stator voltages (amplitude-invariant
//! Park transform, `ω_e = p·ω_m`) are
//!
//! ```text
//! v_d = R_s·i_d − ω_e·L_q·i_q
//! v_q = R_s·i_q + ω_e·(L_d·i_d + ψ)
//! ```
//!
//! and the power balance `1.5·(v_d·i_d + v_q·i_q) = T·ω_m + 1.5·R_s·(i_d² + i_q²)`
//! is exact, with `T = 1.5·p·(ψ·i_q + (L_d − L_q)·i_d·i_q)`. The peak phase
//! voltage is `|v_dq|`, the modulation index `m = |v_dq|/(V_dc/2)` and the power-factor
//! angle `φ` the angle from the voltage vector to the current vector.
//!
//! Iron, friction and windage losses are not modelled: the motor loss is the copper
//! loss only.

use pelab_components::loss::Modulation;
use pelab_control::foc::{MotorParams, ReferenceGenerator, ReferenceLimit};

/// A torque request is met when the reference's torque is within this fraction of it.
const TORQUE_MET_RELATIVE: f64 = 1e-9;

/// The machine and its voltage and current limits.
#[derive(Debug, Clone, Copy)]
pub struct Machine {
    motor: MotorParams,
    generator: ReferenceGenerator,
    v_dc: f64,
    modulation: Modulation,
    voltage_margin: f64,
}

/// The machine's steady state at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct OperatingPoint {
    /// d-axis current [A].
    pub i_d: f64,
    /// q-axis current [A].
    pub i_q: f64,
    /// d-axis voltage [V].
    pub v_d: f64,
    /// q-axis voltage [V].
    pub v_q: f64,
    /// Electromagnetic torque delivered [N·m].
    pub torque_nm: f64,
    /// Modulation index `|v_dq|/(V_dc/2)` before any clamp [1].
    pub modulation_index: f64,
    /// Power-factor angle, voltage to current, in (−180°, 180°] [°].
    pub phi_deg: f64,
    /// Copper loss `1.5·R_s·(i_d² + i_q²)` [W].
    pub copper_loss_w: f64,
    /// Electrical input power `1.5·(v_d·i_d + v_q·i_q)` [W].
    pub electrical_w: f64,
    /// Whether the requested torque was reduced by the current or voltage limit.
    pub torque_limited: bool,
    /// Whether no current within `i_max` keeps the voltage in its limit at this speed,
    /// so the reference is `(−i_max, 0)`: the machine runs above its reachable speed.
    pub unreachable: bool,
}

impl OperatingPoint {
    /// Peak phase current `|i_dq|` [A].
    pub fn current_peak(&self) -> f64 {
        self.i_d.hypot(self.i_q)
    }

    /// Power factor `cos φ` [1].
    pub fn power_factor(&self) -> f64 {
        self.phi_deg.to_radians().cos()
    }
}

impl Machine {
    /// Builds the machine from its parameters, the current limit `i_max` [A peak],
    /// the DC-link voltage `v_dc` [V] and the field-weakening voltage margin
    /// `voltage_margin` [1].
    ///
    /// # Errors
    /// A `(field, message)` pair naming the machine parameter that
    /// `pelab-control` rejects.
    pub fn new(
        motor: MotorParams,
        i_max: f64,
        v_dc: f64,
        modulation: Modulation,
        voltage_margin: f64,
    ) -> Result<Self, (&'static str, String)> {
        let generator =
            ReferenceGenerator::new(motor, i_max).map_err(|e| ("i_max", e.to_string()))?;
        Ok(Self {
            motor,
            generator,
            v_dc,
            modulation,
            voltage_margin,
        })
    }

    /// Largest peak phase voltage of linear modulation [V].
    pub fn linear_voltage_limit(&self) -> f64 {
        match self.modulation {
            Modulation::Spwm => self.v_dc / 2.0,
            Modulation::Svpwm => self.v_dc / 3f64.sqrt(),
        }
    }

    /// Largest modulation index of linear modulation [1].
    pub fn modulation_index_limit(&self) -> f64 {
        self.linear_voltage_limit() / (self.v_dc / 2.0)
    }

    /// Current limit, peak phase current [A].
    pub fn i_max(&self) -> f64 {
        self.generator.i_max()
    }

    /// Returns the motor parameters.
    pub fn motor(&self) -> &MotorParams {
        &self.motor
    }

    /// Solves the operating point for torque `torque_nm` [N·m] at shaft speed
    /// `omega_m` [rad/s]; see the [module documentation](self).
    pub fn operating_point(&mut self, torque_nm: f64, omega_m: f64) -> OperatingPoint {
        let motor = &self.motor;
        let omega_e = omega_m * f64::from(motor.pole_pairs());
        let v_max = self.voltage_margin * self.linear_voltage_limit();
        let reference = self.generator.update(torque_nm, omega_e, v_max);
        let (i_d, i_q) = (reference.i_d, reference.i_q);

        let v_d = motor.r_s() * i_d - omega_e * motor.l_q() * i_q;
        let v_q = motor.r_s() * i_q + omega_e * (motor.l_d() * i_d + motor.lambda());
        let copper_loss_w = 1.5 * motor.r_s() * (i_d * i_d + i_q * i_q);
        let electrical_w = 1.5 * (v_d * i_d + v_q * i_q);

        let phi_deg = if i_d == 0.0 && i_q == 0.0 {
            0.0
        } else {
            wrap_degrees((v_q.atan2(v_d) - i_q.atan2(i_d)).to_degrees())
        };
        let shortfall = (torque_nm - reference.torque).abs();
        let torque_limited = !matches!(
            reference.limit,
            ReferenceLimit::None | ReferenceLimit::Voltage
        ) && shortfall > TORQUE_MET_RELATIVE * torque_nm.abs();
        OperatingPoint {
            i_d,
            i_q,
            v_d,
            v_q,
            torque_nm: reference.torque,
            modulation_index: v_d.hypot(v_q) / (self.v_dc / 2.0),
            phi_deg,
            copper_loss_w,
            electrical_w,
            torque_limited,
            unreachable: reference.limit == ReferenceLimit::Unreachable,
        }
    }
}

/// Wraps an angle to (−180°, 180°].
fn wrap_degrees(angle: f64) -> f64 {
    let wrapped = angle.rem_euclid(360.0);
    if wrapped > 180.0 {
        wrapped - 360.0
    } else {
        wrapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> Machine {
        let motor = MotorParams::new(0.02, 150e-6, 400e-6, 0.08, 4).expect("valid motor");
        Machine::new(motor, 400.0, 400.0, Modulation::Svpwm, 0.95).expect("valid machine")
    }

    #[test]
    fn power_balance_closes() {
        let mut machine = machine();
        for (torque, omega) in [(100.0, 300.0), (-80.0, 900.0), (30.0, 1500.0)] {
            let point = machine.operating_point(torque, omega);
            let mechanical = point.torque_nm * omega;
            let residual = point.electrical_w - mechanical - point.copper_loss_w;
            assert!(
                residual.abs() < 1e-9 * point.electrical_w.abs().max(1.0),
                "T = {torque}, ω = {omega}: residual {residual} W"
            );
        }
    }

    #[test]
    fn low_speed_torque_is_met() {
        let mut machine = machine();
        let point = machine.operating_point(150.0, 100.0);
        assert!(!point.torque_limited);
        assert!((point.torque_nm - 150.0).abs() < 1e-9);
        assert!(point.i_d < 0.0, "MTPA of a salient machine has i_d < 0");
        assert!(point.power_factor() > 0.0);
    }

    #[test]
    fn excessive_torque_is_limited() {
        let mut machine = machine();
        let point = machine.operating_point(1e4, 100.0);
        assert!(point.torque_limited);
        assert!(point.current_peak() <= 400.0 * (1.0 + 1e-12));
    }

    #[test]
    fn field_weakening_keeps_voltage_in_range() {
        let mut machine = machine();
        // ω_e = 4·1500 = 6000 rad/s: ψ·ω_e = 480 V is far above 400/√3 V.
        let point = machine.operating_point(20.0, 1500.0);
        assert!(point.i_d < -100.0, "i_d = {}", point.i_d);
        let limit = machine.modulation_index_limit();
        assert!(
            point.modulation_index < limit * 1.01,
            "{}",
            point.modulation_index
        );
    }

    #[test]
    fn speed_beyond_voltage_limit_is_unreachable() {
        // ψ/L_d = 533 A > i_max = 400 A: the speed range ends where
        // ω_e·(ψ − L_d·i_max) = 0.95·400/√3, at ω_e ≈ 10 970 rad/s.
        let mut machine = machine();
        let point = machine.operating_point(0.0, 4000.0);
        assert!(point.unreachable);
        assert!((point.i_d + 400.0).abs() < 1e-9, "i_d = {}", point.i_d);
        assert!(!machine.operating_point(0.0, 1000.0).unreachable);
    }

    #[test]
    fn regen_has_power_factor_angle_beyond_90_degrees() {
        let mut machine = machine();
        let point = machine.operating_point(-100.0, 300.0);
        assert!(point.phi_deg.abs() > 90.0, "φ = {}", point.phi_deg);
        assert!(point.electrical_w < 0.0);
    }
}
