//! The vehicle's motion when the drive cannot deliver the force the trace requests.
//!
//! The step's achieved acceleration follows from the force the drive can deliver
//! (forward integration):
//!
//! ```text
//! a = (F_avail(v) − F_aero(v) − F_roll − F_grade) / (m·k_rot),   a ≤ a_demand
//! F_avail(v) = T_avail(ω_m)·G·η_gb / r_w,                         ω_m = v·G/r_w
//! v_mid = v_start + a·h/2,   v_end = v_start + a·h
//! ```
//!
//! solved by fixed-point iteration in `v_mid` (the force changes by well under 1 %
//! over one step, so a few passes settle it). The next step asks for the acceleration
//! that brings the vehicle back to the trace's speed at that step's end; once the
//! drive can deliver it, the vehicle is on the trace again. Distance is then the
//! integral of the achieved speed, so it falls short of the trace's.
//!
//! The brakes stop the vehicle from rolling back: the speed never falls below zero.

use super::machine::{Machine, OperatingPoint};
use super::vehicle::Vehicle;

/// Passes of the fixed-point iteration in `v_mid`.
const PASSES: usize = 4;

/// The trace's request in one step.
#[derive(Debug, Clone, Copy)]
pub struct TraceMissInput {
    /// Speed at the step's start [m/s].
    pub v_start: f64,
    /// Acceleration the trace requests [m/s²].
    pub a_demand: f64,
    /// Shaft torque the trace requests [N·m]. The machine delivers what it can of it.
    pub torque_demand_nm: f64,
    /// Road grade [1].
    pub grade: f64,
    /// Step [s].
    pub h: f64,
}

/// The achieved motion of the step.
#[derive(Debug, Clone, Copy)]
pub struct TraceMiss {
    /// Speed at the step's midpoint [m/s].
    pub v_mid: f64,
    /// Achieved acceleration [m/s²].
    pub acceleration: f64,
    /// The machine's operating point at `v_mid`, at its torque limit.
    pub point: OperatingPoint,
}

/// Speed at the end of a step of length `h` [s] from `v_start` [m/s] at acceleration
/// `a` [m/s²].
pub fn v_start_plus(v_start: f64, a: f64, h: f64) -> f64 {
    (v_start + a * h).max(0.0)
}

impl TraceMiss {
    /// Solves the step; see the [module documentation](self).
    pub fn solve(vehicle: &Vehicle, machine: &mut Machine, input: TraceMissInput) -> Self {
        let TraceMissInput {
            v_start,
            a_demand,
            torque_demand_nm,
            grade,
            h,
        } = input;
        let equivalent_mass = vehicle.mass_kg * vehicle.rotating_inertia_factor;
        let a_floor = -v_start / h;
        let mut a = a_demand;
        let mut point = machine.operating_point(torque_demand_nm, vehicle.motor_speed(v_start));
        for _ in 0..PASSES {
            let v_mid = (v_start + 0.5 * a * h).max(0.0);
            point = machine.operating_point(torque_demand_nm, vehicle.motor_speed(v_mid));
            let available_n = point.torque_nm * vehicle.gear_ratio * vehicle.gearbox_efficiency
                / vehicle.wheel_radius_m;
            // Road load without its inertial part. `road_load` with a = 0 reports a
            // vehicle at rest at v = 0, so the call uses a = 1 and drops the term.
            let load = vehicle.road_load(v_mid, 1.0, grade);
            let resistance_n = load.total_n() - load.inertia_n;
            a = ((available_n - resistance_n) / equivalent_mass)
                .min(a_demand)
                .max(a_floor);
        }
        let v_mid = (v_start + 0.5 * a * h).max(0.0);
        Self {
            v_mid,
            acceleration: a,
            point,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pelab_components::loss::Modulation;
    use pelab_control::foc::MotorParams;

    fn car() -> Vehicle {
        Vehicle {
            mass_kg: 1600.0,
            rotating_inertia_factor: 1.04,
            drag_coefficient: 0.3,
            frontal_area_m2: 2.2,
            rolling_coefficient: 0.01,
            air_density_kg_m3: 1.2,
            wheel_radius_m: 0.33,
            gear_ratio: 9.0,
            gearbox_efficiency: 0.97,
            regen_share: 0.9,
            regen_power_max_w: 80e3,
        }
    }

    /// At low speed the current limit alone bounds the torque, so the achieved
    /// acceleration is the closed form `(T_max·G·η/r_w − F_roll − F_aero)/(m·k_rot)`.
    #[test]
    fn acceleration_follows_from_the_available_torque() {
        let motor = MotorParams::new(0.012, 0.2e-3, 0.55e-3, 0.065, 4).expect("valid motor");
        let mut machine =
            Machine::new(motor, 50.0, 400.0, Modulation::Svpwm, 0.95).expect("valid machine");
        let vehicle = car();
        let h = 0.01;
        let miss = TraceMiss::solve(
            &vehicle,
            &mut machine,
            TraceMissInput {
                v_start: 2.0,
                a_demand: 3.0,
                torque_demand_nm: 400.0,
                grade: 0.0,
                h,
            },
        );
        let torque = miss.point.torque_nm;
        assert!(torque > 0.0, "torque {torque}");
        assert!(torque < 400.0, "torque {torque}");
        let load = vehicle.road_load(miss.v_mid, 1.0, 0.0);
        let expected =
            (torque * 9.0 * 0.97 / 0.33 - (load.total_n() - load.inertia_n)) / (1600.0 * 1.04);
        assert!(
            (miss.acceleration - expected).abs() < 1e-6,
            "{} against {expected}",
            miss.acceleration
        );
        assert!(miss.acceleration < 3.0);
        assert!((miss.v_mid - (2.0 + 0.5 * miss.acceleration * h)).abs() < 1e-6);
    }
}
