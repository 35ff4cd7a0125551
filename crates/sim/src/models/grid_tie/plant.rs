//! LCL filter plant in the stationary αβ frame and its exact stepper.
//!
//! The filter is three-wire and balanced, so the zero-sequence component of the
//! inverter pole voltages drives no current and each of the α and β axes is the
//! single-phase circuit below (amplitude-invariant Clarke components):
//!
//! ```text
//! v_inv ─ R1 ─ L1 ─┬─ L2 ─ R2 ─ Lg ─ Rg ─ v_g
//!          i1 →    Rd          i2 →
//!                  Cf (v_c)
//! ```
//!
//! With `L2' = L2 + Lg` and `R2' = R2 + Rg` the state equations of one axis are
//!
//! ```text
//! L1·di1/dt  = v_inv − R1·i1 − v_c − Rd·(i1 − i2)
//! Cf·dv_c/dt = i1 − i2
//! L2'·di2/dt = v_c + Rd·(i1 − i2) − R2'·i2 − v_g
//! ```
//!
//! The grid voltage is produced by undamped oscillators in the same state vector
//! (see [`crate::models::grid_tie::grid`]), so between two PWM edges the only input is
//! the held inverter voltage and the whole system is linear time-invariant. The stepper
//! advances it exactly, `x(t + h) = Φ(h)·x + Γ(h)·u`, with `Φ` and `Γ` from one matrix
//! exponential (Van Loan) per power-of-two step.

use pelab_linalg::{Lu, Matrix, SingularMatrix, discretize_zoh};

/// Number of states: i1 αβ, v_c αβ, i2 αβ, and the αβ grid oscillators of the
/// fundamental, the 5th and the 7th harmonic.
pub const STATES: usize = 12;

/// Index of i1α; i1β follows.
pub const I1: usize = 0;
/// Index of v_cα; v_cβ follows.
pub const VC: usize = 2;
/// Index of i2α; i2β follows.
pub const I2: usize = 4;
/// Index of the fundamental grid oscillator (α, β).
pub const G1: usize = 6;
/// Index of the 5th-harmonic oscillator.
pub const G5: usize = 8;
/// Index of the 7th-harmonic oscillator.
pub const G7: usize = 10;

/// Every PWM period is divided into `2^TICK_BITS` ticks; edges, samples and grid
/// events are placed on this grid. At 20 kHz one tick is 3 ps.
pub const TICK_BITS: u32 = 24;
/// Ticks per PWM period.
pub const TICKS: u64 = 1 << TICK_BITS;

/// Per-phase LCL filter values with the grid impedance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lcl {
    /// Inverter-side inductance \[H\].
    pub l1: f64,
    /// Resistance of `l1` \[Ω\].
    pub r1: f64,
    /// Filter capacitance \[F\].
    pub cf: f64,
    /// Damping resistor in series with `cf` \[Ω\].
    pub rd: f64,
    /// Grid-side inductance \[H\].
    pub l2: f64,
    /// Resistance of `l2` \[Ω\].
    pub r2: f64,
    /// Grid inductance \[H\].
    pub lg: f64,
    /// Grid resistance \[Ω\].
    pub rg: f64,
}

impl Lcl {
    /// Grid-side inductance including the grid, `L2' = L2 + Lg` \[H\].
    pub fn l2_total(&self) -> f64 {
        self.l2 + self.lg
    }

    /// Grid-side resistance including the grid, `R2' = R2 + Rg` \[Ω\].
    pub fn r2_total(&self) -> f64 {
        self.r2 + self.rg
    }

    /// Undamped resonance `ω_res = sqrt((L1 + L2')/(L1·L2'·Cf))` \[rad/s\], the pole pair
    /// of `I2/V_inv` with all resistances zero.
    pub fn resonance_rad(&self) -> f64 {
        let l2 = self.l2_total();
        ((self.l1 + l2) / (self.l1 * l2 * self.cf)).sqrt()
    }

    /// Undamped resonance frequency \[Hz\].
    pub fn resonance_hz(&self) -> f64 {
        self.resonance_rad() / (2.0 * std::f64::consts::PI)
    }

    /// Per-axis matrices `(A, b_inv, b_grid)` of the state `[i1, v_c, i2]`.
    pub fn axis_matrices(&self) -> ([[f64; 3]; 3], [f64; 3], [f64; 3]) {
        let (l1, l2) = (self.l1, self.l2_total());
        let (r1, r2, rd) = (self.r1, self.r2_total(), self.rd);
        let a = [
            [-(r1 + rd) / l1, -1.0 / l1, rd / l1],
            [1.0 / self.cf, 0.0, -1.0 / self.cf],
            [rd / l2, 1.0 / l2, -(r2 + rd) / l2],
        ];
        (a, [1.0 / l1, 0.0, 0.0], [0.0, 0.0, -1.0 / l2])
    }

    /// Closed-form `I2/V_inv` at `ω` \[rad/s\] with the grid voltage shorted, as
    /// `(re, im)` \[A/V\]:
    /// `Z1 = R1 + jωL1`, `Zc = Rd + 1/(jωCf)`, `Z2 = R2' + jωL2'`,
    /// `I2/V_inv = Zc/(Z1·Zc + Z1·Z2 + Zc·Z2)`.
    pub fn grid_current_response(&self, omega: f64) -> (f64, f64) {
        let z1 = (self.r1, omega * self.l1);
        let zc = (self.rd, -1.0 / (omega * self.cf));
        let z2 = (self.r2_total(), omega * self.l2_total());
        let denominator = add(add(mul(z1, zc), mul(z1, z2)), mul(zc, z2));
        div(zc, denominator)
    }

    /// `I2/V_inv` at `ω` \[rad/s\] from the state-space matrices,
    /// `c·(jωI − A)⁻¹·b_inv` with `c` picking i2, as `(re, im)` \[A/V\]. Solved as the
    /// real 6×6 system `[[−A, −ωI], [ωI, −A]]·[x_re; x_im] = [b; 0]`.
    ///
    /// # Errors
    /// [`SingularMatrix`] when `jω` is an eigenvalue of `A`.
    pub fn state_space_response(&self, omega: f64) -> Result<(f64, f64), SingularMatrix> {
        let (a, b, _) = self.axis_matrices();
        let mut m = Matrix::zeros(6, 6);
        for r in 0..3 {
            for c in 0..3 {
                m[(r, c)] = -a[r][c];
                m[(r + 3, c + 3)] = -a[r][c];
            }
            m[(r, r + 3)] = -omega;
            m[(r + 3, r)] = omega;
        }
        let lu = Lu::factor(&m)?;
        let x = lu.solve(&[b[0], b[1], b[2], 0.0, 0.0, 0.0]);
        Ok((x[2], x[5]))
    }
}

fn add(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 + b.0, a.1 + b.1)
}

fn mul(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

fn div(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    let d = b.0 * b.0 + b.1 * b.1;
    ((a.0 * b.0 + a.1 * b.1) / d, (a.1 * b.0 - a.0 * b.1) / d)
}

/// Continuous matrices `(A, B)` of the full 12-state model for grid angular
/// frequency `omega` \[rad/s\]. The input is the inverter voltage `[v_α, v_β]`.
///
/// The grid voltage seen by each axis is the sum of the three oscillators. The
/// fundamental and the 7th rotate forwards (`d/dt [g_α, g_β] = hω·[−g_β, g_α]`) and
/// the 5th backwards, which makes it a negative-sequence set in abc.
pub fn system_matrices(lcl: &Lcl, omega: f64) -> (Matrix, Matrix) {
    let (axis, b_inv, b_grid) = lcl.axis_matrices();
    let mut a = Matrix::zeros(STATES, STATES);
    let mut b = Matrix::zeros(STATES, 2);
    let rows = [I1, VC, I2];
    for axis_index in 0..2 {
        for (r, &row) in rows.iter().enumerate() {
            for (c, &col) in rows.iter().enumerate() {
                a[(row + axis_index, col + axis_index)] = axis[r][c];
            }
            b[(row + axis_index, axis_index)] = b_inv[r];
            for oscillator in [G1, G5, G7] {
                a[(row + axis_index, oscillator + axis_index)] = b_grid[r];
            }
        }
    }
    for (oscillator, rate) in [(G1, omega), (G5, -5.0 * omega), (G7, 7.0 * omega)] {
        a[(oscillator, oscillator + 1)] = -rate;
        a[(oscillator + 1, oscillator)] = rate;
    }
    (a, b)
}

/// Exact discrete steps of `2^j` ticks for `j = 0..=TICK_BITS`.
#[derive(Debug, Clone)]
pub struct Stepper {
    /// `Φ` of each level, row-major `STATES × STATES`.
    phi: Vec<[f64; STATES * STATES]>,
    /// `Γ` of each level, row-major `STATES × 2`.
    gamma: Vec<[f64; STATES * 2]>,
    scratch: [f64; STATES],
}

impl Stepper {
    /// Discretises the model of [`system_matrices`] for PWM period `period` \[s\].
    ///
    /// # Errors
    /// [`SingularMatrix`] when the matrices are not finite.
    pub fn new(lcl: &Lcl, omega: f64, period: f64) -> Result<Self, SingularMatrix> {
        let (a, b) = system_matrices(lcl, omega);
        let tick = period / TICKS as f64;
        let mut phi = Vec::with_capacity(TICK_BITS as usize + 1);
        let mut gamma = Vec::with_capacity(TICK_BITS as usize + 1);
        for level in 0..=TICK_BITS {
            let h = tick * (1u64 << level) as f64;
            let d = discretize_zoh(&a, &b, h)?;
            let mut p = [0.0; STATES * STATES];
            p.copy_from_slice(d.phi.as_slice());
            let mut g = [0.0; STATES * 2];
            g.copy_from_slice(d.gamma.as_slice());
            phi.push(p);
            gamma.push(g);
        }
        Ok(Self {
            phi,
            gamma,
            scratch: [0.0; STATES],
        })
    }

    /// Advances `x` by `ticks` ticks (at most one period) with the inverter voltage
    /// `u` \[V\] held. Returns the number of exact sub-steps taken (one per set bit).
    ///
    /// Every `Φ(2^j·tick)` is the exponential of the same `A`, so the sub-steps commute
    /// and their order does not matter.
    pub fn advance(&mut self, x: &mut [f64; STATES], ticks: u64, u: [f64; 2]) -> usize {
        debug_assert!(ticks <= TICKS, "a step spans at most one period");
        let mut steps = 0;
        for level in 0..=TICK_BITS as usize {
            if ticks & (1u64 << level) == 0 {
                continue;
            }
            let phi = &self.phi[level];
            let gamma = &self.gamma[level];
            for r in 0..STATES {
                let row = &phi[r * STATES..(r + 1) * STATES];
                let mut sum = gamma[2 * r] * u[0] + gamma[2 * r + 1] * u[1];
                for (p, value) in row.iter().zip(x.iter()) {
                    sum += p * value;
                }
                self.scratch[r] = sum;
            }
            x.copy_from_slice(&self.scratch);
            steps += 1;
        }
        steps
    }
}

/// Derivative of i2 from the state and the grid voltage, for the PCC voltage
/// `v_pcc = v_g + Rg·i2 + Lg·di2/dt` of one axis (`axis` 0 = α, 1 = β).
pub fn pcc_voltage(lcl: &Lcl, x: &[f64; STATES], axis: usize) -> f64 {
    let i1 = x[I1 + axis];
    let vc = x[VC + axis];
    let i2 = x[I2 + axis];
    let vg = x[G1 + axis] + x[G5 + axis] + x[G7 + axis];
    let node = vc + lcl.rd * (i1 - i2);
    let di2 = (node - lcl.r2_total() * i2 - vg) / lcl.l2_total();
    vg + lcl.rg * i2 + lcl.lg * di2
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    fn filter() -> Lcl {
        Lcl {
            l1: 1.5e-3,
            r1: 0.05,
            cf: 10e-6,
            rd: 1.0,
            l2: 0.5e-3,
            r2: 0.02,
            lg: 0.2e-3,
            rg: 0.01,
        }
    }

    #[test]
    fn state_space_matches_closed_form() {
        let lcl = filter();
        for f in [10.0, 50.0, 500.0, 2e3, 3.3e3, 10e3, 50e3] {
            let w = 2.0 * std::f64::consts::PI * f;
            let (re, im) = lcl.grid_current_response(w);
            let (re_s, im_s) = lcl.state_space_response(w).expect("regular");
            let magnitude = re.hypot(im);
            assert!(
                (re - re_s).hypot(im - im_s) < 1e-10 * magnitude,
                "{f} Hz: closed form ({re}, {im}), state space ({re_s}, {im_s})"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn state_space_matches_closed_form_for_any_filter(
            l1 in 1e-5..1e-1f64,
            l2 in 1e-5..1e-1f64,
            lg in 0.0..1e-2f64,
            cf in 1e-7..1e-4f64,
            rd in 0.0..20.0f64,
            r in 0.0..1.0f64,
            f in 1.0..1e5f64,
        ) {
            let lcl = Lcl { l1, r1: r, cf, rd, l2, r2: r, lg, rg: 0.5 * r };
            let w = 2.0 * PI * f;
            let (re, im) = lcl.grid_current_response(w);
            if let Ok((re_s, im_s)) = lcl.state_space_response(w) {
                let magnitude = re.hypot(im);
                proptest::prop_assert!(
                    (re - re_s).hypot(im - im_s) <= 1e-8 * magnitude,
                    "closed form ({}, {}), state space ({}, {})", re, im, re_s, im_s
                );
            }
        }
    }

    #[test]
    fn undamped_response_is_third_order_integrator() {
        let lcl = Lcl {
            r1: 0.0,
            rd: 0.0,
            r2: 0.0,
            rg: 0.0,
            ..filter()
        };
        let l2 = lcl.l2_total();
        for f in [100.0, 1e3, 5e3, 20e3] {
            let w = 2.0 * std::f64::consts::PI * f;
            // 1/(jω·(L1 + L2') − jω³·L1·L2'·Cf): purely imaginary.
            let expected_im = -1.0 / (w * (lcl.l1 + l2) - w.powi(3) * lcl.l1 * l2 * lcl.cf);
            let (re, im) = lcl.grid_current_response(w);
            assert!(re.abs() < 1e-12 * im.abs(), "{f} Hz: real part {re}");
            assert!(
                (im - expected_im).abs() < 1e-12 * expected_im.abs(),
                "{f} Hz"
            );
        }
    }

    #[test]
    fn resonance_is_where_undamped_denominator_vanishes() {
        let lcl = filter();
        let w = lcl.resonance_rad();
        let l2 = lcl.l2_total();
        let denominator = w * (lcl.l1 + l2) - w.powi(3) * lcl.l1 * l2 * lcl.cf;
        assert!(denominator.abs() < 1e-9 * w * (lcl.l1 + l2));
        // 1.5 mH, 0.7 mH, 10 µF: sqrt(2.2e-3/(1.05e-6·1e-5))/2π = 2303.7 Hz.
        assert!(
            (lcl.resonance_hz() - 2303.7).abs() < 0.1,
            "{}",
            lcl.resonance_hz()
        );
    }

    #[test]
    fn stepper_matches_rk4_of_circuit_equations() {
        // The circuit equations are written out here with an analytic grid voltage,
        // V·cos(ωt + φ) plus a 3 % negative-sequence 5th. RK4 with 20 000 steps per
        // 50 µs period integrates them over two periods with a held inverter
        // voltage, and the exact stepper must agree to 1e-9.
        let lcl = filter();
        let (omega, period, v, h5, phase) = (2.0 * PI * 50.0, 50e-6, 326.6, 0.03, 0.4);
        let u = [250.0, -120.0];
        let grid = |t: f64| {
            let theta = omega * t + phase;
            [
                v * (theta.cos() + h5 * (5.0 * theta).cos()),
                v * (theta.sin() - h5 * (5.0 * theta).sin()),
            ]
        };
        let derivative = |t: f64, y: &[f64; 6]| {
            let g = grid(t);
            let mut dy = [0.0; 6];
            for axis in 0..2 {
                let (i1, vc, i2) = (y[axis], y[2 + axis], y[4 + axis]);
                let node = vc + lcl.rd * (i1 - i2);
                dy[axis] = (u[axis] - lcl.r1 * i1 - node) / lcl.l1;
                dy[2 + axis] = (i1 - i2) / lcl.cf;
                dy[4 + axis] = (node - lcl.r2_total() * i2 - g[axis]) / lcl.l2_total();
            }
            dy
        };
        let mut y = [3.0, -1.0, 300.0, 20.0, 2.0, -0.5];
        let steps = 40_000;
        let h = 2.0 * period / steps as f64;
        for n in 0..steps {
            let t = n as f64 * h;
            let k1 = derivative(t, &y);
            let shifted = |k: &[f64; 6], scale: f64| {
                let mut out = y;
                for (o, d) in out.iter_mut().zip(k) {
                    *o += scale * d;
                }
                out
            };
            let k2 = derivative(t + 0.5 * h, &shifted(&k1, 0.5 * h));
            let k3 = derivative(t + 0.5 * h, &shifted(&k2, 0.5 * h));
            let k4 = derivative(t + h, &shifted(&k3, h));
            for i in 0..6 {
                y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
            }
        }

        let mut x = [0.0; STATES];
        x[..6].copy_from_slice(&[3.0, -1.0, 300.0, 20.0, 2.0, -0.5]);
        x[G1] = v * phase.cos();
        x[G1 + 1] = v * phase.sin();
        x[G5] = v * h5 * (5.0 * phase).cos();
        x[G5 + 1] = -v * h5 * (5.0 * phase).sin();
        let mut stepper = Stepper::new(&lcl, omega, period).expect("finite");
        stepper.advance(&mut x, TICKS, u);
        stepper.advance(&mut x, TICKS, u);
        for i in 0..6 {
            assert!(
                (x[i] - y[i]).abs() < 1e-9 * (1.0 + y[i].abs()),
                "state {i}: stepper {}, RK4 {}",
                x[i],
                y[i]
            );
        }
    }

    #[test]
    fn tick_steps_compose_to_a_period() {
        let lcl = filter();
        let period = 50e-6;
        let mut stepper =
            Stepper::new(&lcl, 2.0 * std::f64::consts::PI * 50.0, period).expect("finite");
        let start = {
            let mut x = [0.0; STATES];
            x[G1] = 326.0;
            x[I1] = 3.0;
            x
        };
        let mut whole = start;
        stepper.advance(&mut whole, TICKS, [100.0, -50.0]);
        let mut split = start;
        stepper.advance(&mut split, 12_345, [100.0, -50.0]);
        stepper.advance(&mut split, TICKS - 12_345, [100.0, -50.0]);
        for (a, b) in whole.iter().zip(&split) {
            assert!(
                (a - b).abs() < 1e-9 * (1.0 + a.abs()),
                "{whole:?} vs {split:?}"
            );
        }
    }
}
