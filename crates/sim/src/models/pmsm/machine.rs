//! The drive plant: PMSM in the rotor frame, its mechanical load, the inverter legs and
//! the DC link, as one state vector.
//!
//! State `x = [i_d, i_q, ω_m, θ_e, v_C, i_src]` with
//!
//! ```text
//! L_d·di_d/dt = v_d − R_s·i_d + ω_e·L_q·i_q
//! L_q·di_q/dt = v_q − R_s·i_q − ω_e·(L_d·i_d + ψ)
//! J·dω_m/dt   = T_e − T_L(t, ω_m) − B·ω_m          (0 with the speed held)
//! dθ_e/dt     = ω_e = p·ω_m
//! T_e         = 1.5·p·(ψ·i_q + (L_d − L_q)·i_d·i_q)
//! T_L         = t_0 + k_1·ω_m + k_2·ω_m·|ω_m| + ΔT(t)
//! ```
//!
//! in SI units, amplitude-invariant Park transform with the d axis on the magnet flux
//! (the convention of `pelab_control::foc`). The load's quadratic term keeps the sign
//! of the speed, so a fan or vehicle drag opposes motion in both directions. `ΔT(t)` is
//! the step schedule. The machine is star-connected with an isolated neutral, so the
//! zero-sequence part of the pole voltages drops out: the amplitude-invariant Clarke
//! transform of the three pole voltages gives the stator voltage vector directly.
//! Magnetic saturation, iron losses and spatial harmonics are not modelled.

use crate::kernels::params::schedule_value;
use crate::models::three_phase::{DcLink, LegParams, LegState, averaged_pole, switching_pole};

/// √3/2.
const HALF_SQRT_3: f64 = 0.866_025_403_784_438_6;

/// Number of plant states.
pub const STATES: usize = 6;

/// Index of `i_d` in the state vector.
pub const I_D: usize = 0;
/// Index of `i_q`.
pub const I_Q: usize = 1;
/// Index of `ω_m`.
pub const OMEGA_M: usize = 2;
/// Index of `θ_e`.
pub const THETA_E: usize = 3;
/// Index of `v_C`.
pub const V_CAP: usize = 4;
/// Index of `i_src`.
pub const I_SOURCE: usize = 5;

/// Machine constants in the rotor frame.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// Stator resistance `R_s` [Ω].
    pub r_s: f64,
    /// d-axis inductance `L_d` [H].
    pub l_d: f64,
    /// q-axis inductance `L_q` [H].
    pub l_q: f64,
    /// Magnet flux linkage `ψ` [V·s], peak per phase.
    pub psi: f64,
    /// Pole pairs `p`.
    pub pole_pairs: f64,
    /// Rotor and load inertia `J` [kg·m²].
    pub j: f64,
    /// Viscous friction `B` [N·m·s/rad].
    pub b: f64,
    /// Load torque polynomial and steps.
    pub load: Load,
    /// Whether a dynamometer keeps the speed at its initial value.
    pub speed_held: bool,
}

/// Load torque `T_L = t_0 + k_1·ω_m + k_2·ω_m·|ω_m| + ΔT(t)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// Constant torque `t_0` [N·m].
    pub t0: f64,
    /// Linear coefficient `k_1` [N·m·s/rad].
    pub k1: f64,
    /// Quadratic coefficient `k_2` [N·m·s²/rad²].
    pub k2: f64,
    /// Steps `ΔT` as `(time [s], torque [N·m])`, each holding until the next.
    pub steps: Vec<(f64, f64)>,
}

impl Load {
    /// Load torque [N·m] at time `t` [s] and mechanical speed `omega_m` [rad/s].
    pub fn torque(&self, t: f64, omega_m: f64) -> f64 {
        self.t0
            + self.k1 * omega_m
            + self.k2 * omega_m * omega_m.abs()
            + schedule_value(&self.steps, t, 0.0)
    }
}

impl Machine {
    /// Electromagnetic torque [N·m] `T_e = 1.5·p·(ψ·i_q + (L_d − L_q)·i_d·i_q)`.
    pub fn torque(&self, i_d: f64, i_q: f64) -> f64 {
        1.5 * self.pole_pairs * (self.psi * i_q + (self.l_d - self.l_q) * i_d * i_q)
    }

    /// Steady-state stator voltages `(v_d, v_q)` [V] for the currents `i_d`, `i_q` [A] at
    /// the electrical speed `omega_e` [rad/s]:
    /// `v_d = R_s·i_d − ω_e·L_q·i_q`, `v_q = R_s·i_q + ω_e·(L_d·i_d + ψ)`.
    pub fn steady_voltages(&self, i_d: f64, i_q: f64, omega_e: f64) -> (f64, f64) {
        (
            self.r_s * i_d - omega_e * self.l_q * i_q,
            self.r_s * i_q + omega_e * (self.l_d * i_d + self.psi),
        )
    }
}

/// Leg drive during an integration step: gate states or duties.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LegDrive {
    /// Gate states of the switching level.
    Switching([LegState; 3]),
    /// Duties of the averaged level.
    Averaged([f64; 3]),
}

/// Instantaneous quantities that the state derivative computes on the way.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PlantOutputs {
    /// d-axis current [A].
    pub i_d: f64,
    /// q-axis current [A].
    pub i_q: f64,
    /// Mechanical speed [rad/s].
    pub omega_m: f64,
    /// Friction torque `B·ω_m` [N·m].
    pub friction_torque: f64,
    /// Stator copper loss `1.5·R_s·(i_d² + i_q²)` [W].
    pub copper_loss: f64,
    /// Stator voltage in the rotor frame [V].
    pub v_d: f64,
    /// q-axis stator voltage [V].
    pub v_q: f64,
    /// Electromagnetic torque [N·m].
    pub torque: f64,
    /// Load torque [N·m].
    pub load_torque: f64,
    /// Phase currents a, b, c [A].
    pub i_abc: [f64; 3],
    /// Link voltage at the inverter [V].
    pub v_dc: f64,
    /// Link capacitor current [A].
    pub i_cap: f64,
    /// Source current [A].
    pub i_source: f64,
}

/// Machine, inverter legs and DC link.
#[derive(Debug, Clone, PartialEq)]
pub struct Plant {
    /// The machine and its load.
    pub machine: Machine,
    /// The inverter legs.
    pub legs: LegParams,
    /// The DC link.
    pub link: DcLink,
}

impl Plant {
    /// Phase currents [A] from the rotor-frame currents at the electrical angle `theta`.
    pub fn phase_currents(i_d: f64, i_q: f64, sin: f64, cos: f64) -> [f64; 3] {
        let i_alpha = i_d * cos - i_q * sin;
        let i_beta = i_d * sin + i_q * cos;
        [
            i_alpha,
            -0.5 * i_alpha + HALF_SQRT_3 * i_beta,
            -0.5 * i_alpha - HALF_SQRT_3 * i_beta,
        ]
    }

    /// State derivative at time `t` [s] and the instantaneous outputs.
    pub fn derivative(
        &self,
        t: f64,
        x: &[f64; STATES],
        drive: &LegDrive,
    ) -> ([f64; STATES], PlantOutputs) {
        let m = &self.machine;
        let (i_d, i_q, omega_m) = (x[I_D], x[I_Q], x[OMEGA_M]);
        let (sin, cos) = x[THETA_E].sin_cos();
        let i_abc = Self::phase_currents(i_d, i_q, sin, cos);

        // The upper-rail connection of each leg does not depend on v_dc, so the
        // inverter current, and from it the link voltage, come first.
        let mut upper = [0.0; 3];
        for k in 0..3 {
            upper[k] = match drive {
                LegDrive::Switching(states) => {
                    switching_pole(states[k], i_abc[k], 0.0, &self.legs).1
                }
                LegDrive::Averaged(duties) => averaged_pole(duties[k], i_abc[k], 0.0, &self.legs).1,
            };
        }
        let i_inv = upper[0] * i_abc[0] + upper[1] * i_abc[1] + upper[2] * i_abc[2];
        let link = self.link.point(x[V_CAP], x[I_SOURCE], i_inv);

        let mut pole = [0.0; 3];
        for k in 0..3 {
            pole[k] = match drive {
                LegDrive::Switching(states) => {
                    switching_pole(states[k], i_abc[k], link.v_dc, &self.legs).0
                }
                LegDrive::Averaged(duties) => {
                    averaged_pole(duties[k], i_abc[k], link.v_dc, &self.legs).0
                }
            };
        }

        // Amplitude-invariant Clarke of the pole voltages, then Park.
        let v_alpha = (2.0 * pole[0] - pole[1] - pole[2]) / 3.0;
        let v_beta = (pole[1] - pole[2]) / (2.0 * HALF_SQRT_3);
        let v_d = v_alpha * cos + v_beta * sin;
        let v_q = -v_alpha * sin + v_beta * cos;

        let omega_e = m.pole_pairs * omega_m;
        let torque = m.torque(i_d, i_q);
        let load_torque = m.load.torque(t, omega_m);
        let (dv_cap, di_source) = self.link.derivative(&link);
        let d_omega = if m.speed_held {
            0.0
        } else {
            (torque - load_torque - m.b * omega_m) / m.j
        };
        let dx = [
            (v_d - m.r_s * i_d + omega_e * m.l_q * i_q) / m.l_d,
            (v_q - m.r_s * i_q - omega_e * (m.l_d * i_d + m.psi)) / m.l_q,
            d_omega,
            omega_e,
            dv_cap,
            di_source,
        ];
        let outputs = PlantOutputs {
            i_d,
            i_q,
            omega_m,
            friction_torque: m.b * omega_m,
            copper_loss: 1.5 * m.r_s * (i_d * i_d + i_q * i_q),
            v_d,
            v_q,
            torque,
            load_torque,
            i_abc,
            v_dc: link.v_dc,
            i_cap: link.i_cap,
            i_source: link.i_source,
        };
        (dx, outputs)
    }

    /// Advances `x` from `t` by `h` [s] with one classical fourth-order Runge–Kutta step
    /// under a fixed leg drive, given the derivative `k1` at `(t, x)`, and returns the
    /// derivative and outputs at the new point (the next step's `k1`).
    ///
    /// The local error is `O(h⁵)`, with the constant set by the fastest plant rate. The
    /// caller keeps `h·λ_max ≤ 0.5` (see [`Plant::fastest_rate`]), where the RK4
    /// amplification of a decaying mode differs from `e^(−hλ)` by less than 3·10⁻⁴.
    pub fn rk4_step(
        &self,
        t: f64,
        x: &mut [f64; STATES],
        h: f64,
        drive: &LegDrive,
        k1: &[f64; STATES],
    ) -> ([f64; STATES], PlantOutputs) {
        let stage = |x: &[f64; STATES], k: &[f64; STATES], a: f64| {
            let mut y = *x;
            for i in 0..STATES {
                y[i] += a * k[i];
            }
            y
        };
        let (k2, _) = self.derivative(t + 0.5 * h, &stage(x, k1, 0.5 * h), drive);
        let (k3, _) = self.derivative(t + 0.5 * h, &stage(x, &k2, 0.5 * h), drive);
        let (k4, _) = self.derivative(t + h, &stage(x, &k3, h), drive);
        for i in 0..STATES {
            x[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
        self.derivative(t + h, x, drive)
    }

    /// Fastest rate of the plant [1/s]: the electrical poles `R_s/L` and the speed
    /// rotation `ω_e` at `omega_e_max`, and the DC link.
    pub fn fastest_rate(&self, omega_e_max: f64) -> f64 {
        let m = &self.machine;
        let electrical = (m.r_s / m.l_d).max(omega_e_max.abs());
        electrical.max(self.link.fastest_rate())
    }
}
