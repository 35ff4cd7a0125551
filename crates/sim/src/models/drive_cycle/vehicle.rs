//! Vehicle road load and the driveline from wheel to motor shaft.
//!
//! # Road load
//!
//! ```text
//! F = m·a·k_rot + ½·ρ·c_d·A·v² + m·g·c_rr·cos θ + m·g·sin θ,   θ = atan(grade)
//! ```
//!
//! with `m` the test mass [kg], `a` the acceleration [m/s²], `k_rot` the
//! rotating-inertia factor [1] (the equivalent mass of wheels, shafts and rotor over
//! `m`, typically 1.03 to 1.10), `ρ` the air density [kg/m³], `c_d` the drag
//! coefficient [1], `A` the frontal area [m²], `v` the speed [m/s], `c_rr` the
//! rolling-resistance coefficient [1] and `g = 9.80665 m/s²`. The aerodynamic term
//! assumes still air; rolling resistance is taken as independent of speed. While the
//! vehicle stands (`v = 0` and `a = 0`) the brakes hold it and the force is 0.
//!
//! # Driveline
//!
//! The motor turns at `ω_m = v·G/r_w` [rad/s] with gear ratio `G` and wheel radius
//! `r_w` [m]. In traction (`F > 0`) the motor supplies `T = F·r_w/(G·η_gb)`; in braking
//! the motor takes the share `s_regen` of the wheel force, limited to a braking
//! power `P_regen,max` at the wheel, and returns `T = F_regen·r_w·η_gb/G`. The
//! friction brakes take the rest. `η_gb` is a constant gearbox efficiency.

/// Standard gravity [m/s²] (CGPM 1901).
pub const STANDARD_GRAVITY: f64 = 9.80665;

/// Vehicle and driveline parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Vehicle {
    /// Test mass [kg].
    pub mass_kg: f64,
    /// Rotating-inertia factor [1].
    pub rotating_inertia_factor: f64,
    /// Drag coefficient [1].
    pub drag_coefficient: f64,
    /// Frontal area [m²].
    pub frontal_area_m2: f64,
    /// Rolling-resistance coefficient [1].
    pub rolling_coefficient: f64,
    /// Air density [kg/m³].
    pub air_density_kg_m3: f64,
    /// Dynamic wheel radius [m].
    pub wheel_radius_m: f64,
    /// Gear ratio, motor speed over wheel speed [1].
    pub gear_ratio: f64,
    /// Gearbox efficiency in both directions [1].
    pub gearbox_efficiency: f64,
    /// Share of the braking force taken by the motor [1].
    pub regen_share: f64,
    /// Largest braking power the motor takes at the wheel [W].
    pub regen_power_max_w: f64,
}

/// The road-load forces at one instant [N].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RoadLoad {
    /// Inertial force `m·a·k_rot`.
    pub inertia_n: f64,
    /// Aerodynamic drag `½·ρ·c_d·A·v²`.
    pub aero_n: f64,
    /// Rolling resistance `m·g·c_rr·cos θ`.
    pub rolling_n: f64,
    /// Grade force `m·g·sin θ`.
    pub grade_n: f64,
}

impl RoadLoad {
    /// Total tractive force at the wheels [N], positive when driving.
    pub fn total_n(&self) -> f64 {
        self.inertia_n + self.aero_n + self.rolling_n + self.grade_n
    }
}

/// What the motor is asked for at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ShaftDemand {
    /// Motor shaft torque [N·m], negative when braking.
    pub torque_nm: f64,
    /// Motor shaft speed [rad/s].
    pub speed_rad_s: f64,
}

impl Vehicle {
    /// Road-load forces at speed `v` [m/s], acceleration `a` [m/s²] and grade
    /// (rise over run) `grade`; see the [module documentation](self).
    pub fn road_load(&self, v: f64, a: f64, grade: f64) -> RoadLoad {
        if v == 0.0 && a == 0.0 {
            return RoadLoad::default();
        }
        let theta = grade.atan();
        let weight = self.mass_kg * STANDARD_GRAVITY;
        RoadLoad {
            inertia_n: self.mass_kg * a * self.rotating_inertia_factor,
            aero_n: 0.5
                * self.air_density_kg_m3
                * self.drag_coefficient
                * self.frontal_area_m2
                * v
                * v,
            rolling_n: weight * self.rolling_coefficient * theta.cos(),
            grade_n: weight * theta.sin(),
        }
    }

    /// Motor shaft speed at vehicle speed `v` [m/s]: `ω_m = v·G/r_w` [rad/s].
    pub fn motor_speed(&self, v: f64) -> f64 {
        v * self.gear_ratio / self.wheel_radius_m
    }

    /// The motor's share of wheel force `force_n` [N] at speed `v` [m/s]: all of it in
    /// traction, in braking `s_regen·F` limited to `P_regen,max/v`.
    pub fn motor_wheel_force(&self, force_n: f64, v: f64) -> f64 {
        if force_n >= 0.0 {
            return force_n;
        }
        let share = self.regen_share * force_n;
        if v > 0.0 {
            share.max(-self.regen_power_max_w / v)
        } else {
            share
        }
    }

    /// Shaft torque and speed for the motor's wheel force `motor_force_n` [N] at speed
    /// `v` [m/s]; the gearbox loss adds to the torque in traction and subtracts from
    /// it in braking.
    pub fn shaft_demand(&self, motor_force_n: f64, v: f64) -> ShaftDemand {
        let wheel_torque = motor_force_n * self.wheel_radius_m;
        let torque_nm = if wheel_torque >= 0.0 {
            wheel_torque / (self.gear_ratio * self.gearbox_efficiency)
        } else {
            wheel_torque * self.gearbox_efficiency / self.gear_ratio
        };
        ShaftDemand {
            torque_nm,
            speed_rad_s: self.motor_speed(v),
        }
    }

    /// Wheel power delivered by a shaft power `shaft_w` [W]: `η_gb·P` when driving,
    /// `P/η_gb` when braking (the gearbox loss then comes from the wheel side).
    pub fn wheel_power_from_shaft(&self, shaft_w: f64) -> f64 {
        if shaft_w >= 0.0 {
            shaft_w * self.gearbox_efficiency
        } else {
            shaft_w / self.gearbox_efficiency
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car() -> Vehicle {
        Vehicle {
            mass_kg: 1800.0,
            rotating_inertia_factor: 1.05,
            drag_coefficient: 0.28,
            frontal_area_m2: 2.3,
            rolling_coefficient: 0.009,
            air_density_kg_m3: 1.2,
            wheel_radius_m: 0.33,
            gear_ratio: 9.0,
            gearbox_efficiency: 0.97,
            regen_share: 0.8,
            regen_power_max_w: 60e3,
        }
    }

    #[test]
    fn road_load_at_constant_speed() {
        // 100 km/h on a 3 % grade, by hand:
        // aero  = 0.5·1.2·0.28·2.3·(27.777…)² = 298.148… N
        // roll  = 1800·9.80665·0.009·cos(atan 0.03) = 158.80… N
        // grade = 1800·9.80665·sin(atan 0.03) = 529.34… N
        let v = 100.0 / 3.6;
        let load = car().road_load(v, 0.0, 0.03);
        let theta = 0.03f64.atan();
        let aero = 0.5 * 1.2 * 0.28 * 2.3 * v * v;
        let roll = 1800.0 * 9.80665 * 0.009 * theta.cos();
        let grade = 1800.0 * 9.80665 * theta.sin();
        assert!((load.aero_n - aero).abs() < 1e-9);
        assert!((load.aero_n - 298.148).abs() < 1e-3);
        assert!((load.rolling_n - roll).abs() < 1e-9);
        assert!((load.grade_n - grade).abs() < 1e-9);
        assert_eq!(load.inertia_n, 0.0);
    }

    #[test]
    fn standing_vehicle_needs_no_force() {
        assert_eq!(car().road_load(0.0, 0.0, 0.1).total_n(), 0.0);
    }

    #[test]
    fn regen_limited_by_share_and_power() {
        let car = car();
        assert_eq!(car.motor_wheel_force(-1000.0, 10.0), -800.0);
        // −8000 N · 0.8 = −6400 N, but 60 kW at 20 m/s allows only −3000 N.
        assert_eq!(car.motor_wheel_force(-8000.0, 20.0), -3000.0);
        assert_eq!(car.motor_wheel_force(500.0, 20.0), 500.0);
    }

    #[test]
    fn shaft_torque_includes_gearbox_loss() {
        let car = car();
        let drive = car.shaft_demand(1000.0, 10.0);
        assert!((drive.torque_nm - 1000.0 * 0.33 / (9.0 * 0.97)).abs() < 1e-12);
        assert!((drive.speed_rad_s - 10.0 * 9.0 / 0.33).abs() < 1e-12);
        let brake = car.shaft_demand(-1000.0, 10.0);
        assert!((brake.torque_nm + 1000.0 * 0.33 * 0.97 / 9.0).abs() < 1e-12);
    }
}
