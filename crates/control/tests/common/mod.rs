//! Averaged converter plants for the closed-loop tests, integrated with classic RK4.

#![allow(dead_code)]

/// Advances the state `x` by `dt` with one classic fourth-order Runge-Kutta step.
fn rk4_step<F>(x: [f64; 2], dt: f64, f: F) -> [f64; 2]
where
    F: Fn([f64; 2]) -> [f64; 2],
{
    let add = |a: [f64; 2], b: [f64; 2], h: f64| [a[0] + h * b[0], a[1] + h * b[1]];
    let k1 = f(x);
    let k2 = f(add(x, k1, 0.5 * dt));
    let k3 = f(add(x, k2, 0.5 * dt));
    let k4 = f(add(x, k3, dt));
    [
        x[0] + dt / 6.0 * (k1[0] + 2.0 * k2[0] + 2.0 * k3[0] + k4[0]),
        x[1] + dt / 6.0 * (k1[1] + 2.0 * k2[1] + 2.0 * k3[1] + k4[1]),
    ]
}

/// State-space averaged synchronous boost converter with a resistive load:
/// `L·di/dt = v_in − (1 − d)·v_out`, `C·dv/dt = (1 − d)·i − v_out/R`.
#[derive(Clone, Copy, Debug)]
pub struct BoostPlant {
    /// Inductance [H].
    pub l: f64,
    /// Output capacitance [F].
    pub c: f64,
    /// Load resistance [Ω].
    pub r: f64,
    /// Input voltage [V].
    pub v_in: f64,
    /// Inductor current [A].
    pub i_l: f64,
    /// Output voltage [V].
    pub v_out: f64,
}

impl BoostPlant {
    /// Advances the plant by `dt` [s] at the constant low-side duty `d`, in `substeps`
    /// RK4 steps.
    pub fn advance(&mut self, d: f64, dt: f64, substeps: usize) {
        let h = dt / substeps as f64;
        let (l, c, r, v_in) = (self.l, self.c, self.r, self.v_in);
        let f = |x: [f64; 2]| {
            [
                (v_in - (1.0 - d) * x[1]) / l,
                ((1.0 - d) * x[0] - x[1] / r) / c,
            ]
        };
        let mut x = [self.i_l, self.v_out];
        for _ in 0..substeps {
            x = rk4_step(x, h, f);
        }
        self.i_l = x[0];
        self.v_out = x[1];
    }
}

/// Averaged bidirectional half-bridge between a stiff high-voltage source and a
/// low-voltage node with a capacitor, a resistive load and a battery (EMF and series
/// resistance): `L·di/dt = d·v_high − v_low`,
/// `C·dv_low/dt = i − v_low/R_load − (v_low − v_bat)/R_bat`.
#[derive(Clone, Copy, Debug)]
pub struct HalfBridgePlant {
    /// Inductance [H].
    pub l: f64,
    /// Low-voltage node capacitance [F].
    pub c: f64,
    /// Load resistance on the low-voltage node [Ω].
    pub r_load: f64,
    /// Battery EMF [V].
    pub v_bat: f64,
    /// Battery series resistance [Ω].
    pub r_bat: f64,
    /// High-voltage source [V].
    pub v_high: f64,
    /// Inductor current toward the low-voltage node [A].
    pub i_l: f64,
    /// Low-voltage node voltage [V].
    pub v_low: f64,
}

impl HalfBridgePlant {
    /// Advances the plant by `dt` [s] at the constant high-side duty `d`, in `substeps`
    /// RK4 steps.
    pub fn advance(&mut self, d: f64, dt: f64, substeps: usize) {
        let h = dt / substeps as f64;
        let p = *self;
        let f = |x: [f64; 2]| {
            [
                (d * p.v_high - x[1]) / p.l,
                (x[0] - x[1] / p.r_load - (x[1] - p.v_bat) / p.r_bat) / p.c,
            ]
        };
        let mut x = [self.i_l, self.v_low];
        for _ in 0..substeps {
            x = rk4_step(x, h, f);
        }
        self.i_l = x[0];
        self.v_low = x[1];
    }
}
