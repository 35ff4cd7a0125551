//! Adaptive Dormand–Prince 5(4) with dense output and stiffness detection.
//!
//! The method of Dormand & Prince (1980) has seven stages; the tableau below is as in
//! Hairer, Nørsett & Wanner, "Solving ODEs I", 2nd ed., 1993, section II.5. The last
//! stage is evaluated at the new point and reused as the first stage of the next step
//! (FSAL), so an accepted step costs six evaluations:
//!
//! ```text
//!  0    |
//!  1/5  | 1/5
//!  3/10 | 3/40        9/40
//!  4/5  | 44/45      −56/15       32/9
//!  8/9  | 19372/6561 −25360/2187  64448/6561  −212/729
//!  1    | 9017/3168  −355/33      46732/5247  49/176   −5103/18656
//!  1    | 35/384      0           500/1113    125/192  −2187/6784    11/84
//! ------+-----------------------------------------------------------------------
//!  b    | 35/384      0           500/1113    125/192  −2187/6784    11/84     0
//!  b̂    | 5179/57600  0           7571/16695  393/640  −92097/339200 187/2100  1/40
//! ```
//!
//! The fifth-order solution `b` is propagated (local extrapolation), and the error
//! estimate is `h Σ (b_j − b̂_j) k_j`.
//!
//! **Step size control.** With `err` the weighted RMS norm of the estimate (see
//! [`Options`](crate::Options)), the PI controller of Hairer & Wanner, "Solving ODEs
//! II", 2nd ed., 1996, section IV.2, proposes
//! `h_new = h · clamp(0.9 · err^(−0.17) · err_prev^(0.04), 0.2, 10)`, where `err_prev` is
//! the error of the last accepted step. A rejected step shrinks by
//! `max(0.2, 0.9 · err^(−0.17))`, and the step after a rejection may not grow.
//!
//! **Dense output.** The continuous extension of order 4 (Shampine 1986, written in the
//! form of "Solving ODEs I", section II.6) is, with `θ = (t − t_n)/h`,
//! `x(θ) = y_n + θ (r1 + (1 − θ)(r2 + θ (r3 + (1 − θ) r4)))`, where
//! `r1 = y_{n+1} − y_n`, `r2 = h k1 − r1`, `r3 = r1 − h k7 − r2` and
//! `r4 = h Σ d_j k_j`.
//!
//! **Stiffness detection** ("Solving ODEs II", section IV.2): stages 6 and 7 are both
//! evaluated at `t + h`, so `ρ = ‖k7 − k6‖ / ‖y_{n+1} − Y6‖` estimates the dominant
//! eigenvalue magnitude of the Jacobian. When `h ρ > 3.25`, near the boundary of the
//! stability region, the step size is limited by stability, not accuracy. The test runs
//! after every accepted step; the problem counts as stiff after 15 positive tests (the
//! count is an option) without 6 negative ones in a row in between.

use crate::common::{NonFinite, StepStatus, Stepper, eval_rhs, initial_step, min_step};
use crate::error::OdeError;
use crate::options::ErrorWeights;
use crate::stats::{MethodKind, Stats};
use crate::system::OdeSystem;

const C2: f64 = 1.0 / 5.0;
const C3: f64 = 3.0 / 10.0;
const C4: f64 = 4.0 / 5.0;
const C5: f64 = 8.0 / 9.0;

const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
const A71: f64 = 35.0 / 384.0;
const A73: f64 = 500.0 / 1113.0;
const A74: f64 = 125.0 / 192.0;
const A75: f64 = -2187.0 / 6784.0;
const A76: f64 = 11.0 / 84.0;

/// `b − b̂`, the weights of the error estimate.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;

/// Weights `d_j` of the dense output term `r4`.
const D1: f64 = -12715105075.0 / 11282082432.0;
const D3: f64 = 87487479700.0 / 32700410799.0;
const D4: f64 = -10690763975.0 / 1880347072.0;
const D5: f64 = 701980252875.0 / 199316789632.0;
const D6: f64 = -1453857185.0 / 822651844.0;
const D7: f64 = 69997945.0 / 29380423.0;

/// Safety factor on the proposed step.
const SAFETY: f64 = 0.9;
/// PI controller exponents: `err^(−(0.2 − 0.75 β)) · err_prev^β` with `β = 0.04`.
const BETA: f64 = 0.04;
const ALPHA: f64 = 0.2 - 0.75 * BETA;
/// Bounds on `h_new / h`.
const MIN_FACTOR: f64 = 0.2;
const MAX_FACTOR: f64 = 10.0;
/// Factor applied when a trial stage has a non-finite right-hand side.
const NON_FINITE_FACTOR: f64 = 0.25;
/// `h ρ` above this marks a step limited by stability: the stability region of the
/// method reaches about 3.3 along the negative real axis.
const STIFF_BOUNDARY: f64 = 3.25;
/// Negative stiffness tests in a row that reset the positive count.
const NON_STIFF_RESET: usize = 6;

/// Dormand–Prince state and workspace.
pub(crate) struct Dopri5 {
    weights: ErrorWeights,
    max_step: f64,
    stiff_test_count: usize,

    t: f64,
    t_prev: f64,
    x: Vec<f64>,
    x_prev: Vec<f64>,
    /// Step size to try next.
    h: f64,
    /// Size of the last accepted step.
    h_used: f64,
    err_prev: f64,
    last_rejected: bool,
    last_non_finite: Option<NonFinite>,

    /// Stages `k1` to `k7`. Between steps `k[0]` contains `f(t, x)`.
    k: [Vec<f64>; 7],
    stage: Vec<f64>,
    stage6: Vec<f64>,
    x_new: Vec<f64>,
    err: Vec<f64>,
    /// Dense output terms `r1` to `r4` of the last accepted step.
    dense: [Vec<f64>; 4],

    stiff_positive: usize,
    stiff_negative: usize,
    stiffness_detected: bool,
}

impl Dopri5 {
    /// Starts at `(t0, x0)`. Evaluates `f(t0, x0)` and, when `initial_step` is `None`,
    /// selects the first step automatically.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new<S: OdeSystem + ?Sized>(
        system: &mut S,
        t0: f64,
        x0: &[f64],
        t_end: f64,
        weights: ErrorWeights,
        initial_step_size: Option<f64>,
        max_step: f64,
        stiff_test_count: usize,
        stats: &mut Stats,
    ) -> Result<Self, OdeError> {
        let n = x0.len();
        let mut k: [Vec<f64>; 7] = std::array::from_fn(|_| vec![0.0; n]);
        eval_rhs(system, t0, x0, &mut k[0], stats)?;
        let max_step = max_step.min(t_end - t0);
        let h = match initial_step_size {
            Some(h) => h.min(max_step),
            None => {
                let (k0, rest) = k.split_at_mut(1);
                let (x1, f1) = rest.split_at_mut(1);
                initial_step(
                    system,
                    t0,
                    x0,
                    &k0[0],
                    t_end - t0,
                    max_step,
                    4,
                    &weights,
                    &mut x1[0],
                    &mut f1[0],
                    stats,
                )
            }
        };
        Ok(Self {
            weights,
            max_step,
            stiff_test_count,
            t: t0,
            t_prev: t0,
            x: x0.to_vec(),
            x_prev: x0.to_vec(),
            h,
            h_used: 0.0,
            err_prev: 1e-4,
            last_rejected: false,
            last_non_finite: None,
            k,
            stage: vec![0.0; n],
            stage6: vec![0.0; n],
            x_new: vec![0.0; n],
            err: vec![0.0; n],
            dense: std::array::from_fn(|_| vec![0.0; n]),
            stiff_positive: 0,
            stiff_negative: 0,
            stiffness_detected: false,
        })
    }

    /// Returns whether the stiffness test has fired the configured number of times.
    pub(crate) fn stiffness_detected(&self) -> bool {
        self.stiffness_detected
    }

    /// Computes stages 2 to 7 and the new state for step `h` into `x_new`.
    fn compute_stages<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        h: f64,
        t_new: f64,
        stats: &mut Stats,
    ) -> Result<(), NonFinite> {
        let n = self.x.len();
        let t = self.t;
        let x = &self.x;
        let [k1, k2, k3, k4, k5, k6, k7] = &mut self.k;

        for i in 0..n {
            self.stage[i] = x[i] + h * A21 * k1[i];
        }
        eval_rhs(system, t + C2 * h, &self.stage, k2, stats)?;
        for i in 0..n {
            self.stage[i] = x[i] + h * (A31 * k1[i] + A32 * k2[i]);
        }
        eval_rhs(system, t + C3 * h, &self.stage, k3, stats)?;
        for i in 0..n {
            self.stage[i] = x[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
        }
        eval_rhs(system, t + C4 * h, &self.stage, k4, stats)?;
        for i in 0..n {
            self.stage[i] = x[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
        }
        eval_rhs(system, t + C5 * h, &self.stage, k5, stats)?;
        for i in 0..n {
            self.stage6[i] =
                x[i] + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
        }
        eval_rhs(system, t_new, &self.stage6, k6, stats)?;
        for i in 0..n {
            self.x_new[i] =
                x[i] + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
        }
        eval_rhs(system, t_new, &self.x_new, k7, stats)?;

        for i in 0..n {
            self.err[i] =
                h * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
        }
        Ok(())
    }

    /// Runs the stiffness test on the accepted step of size `h`.
    fn test_stiffness(&mut self, h: f64) {
        let mut numerator = 0.0;
        let mut denominator = 0.0;
        for i in 0..self.x.len() {
            let dk = self.k[6][i] - self.k[5][i];
            let dy = self.x_new[i] - self.stage6[i];
            numerator += dk * dk;
            denominator += dy * dy;
        }
        if denominator <= 0.0 {
            return;
        }
        let h_rho = h * (numerator / denominator).sqrt();
        if h_rho > STIFF_BOUNDARY {
            self.stiff_negative = 0;
            self.stiff_positive += 1;
            if self.stiff_positive >= self.stiff_test_count {
                self.stiffness_detected = true;
            }
        } else {
            self.stiff_negative += 1;
            if self.stiff_negative >= NON_STIFF_RESET {
                self.stiff_positive = 0;
            }
        }
    }

    /// Stores the dense output terms of the accepted step of size `h`.
    fn store_dense_output(&mut self, h: f64) {
        let [k1, _, k3, k4, k5, k6, k7] = &self.k;
        let [r1, r2, r3, r4] = &mut self.dense;
        for i in 0..self.x.len() {
            r1[i] = self.x_new[i] - self.x[i];
            r2[i] = h * k1[i] - r1[i];
            r3[i] = r1[i] - h * k7[i] - r2[i];
            r4[i] =
                h * (D1 * k1[i] + D3 * k3[i] + D4 * k4[i] + D5 * k5[i] + D6 * k6[i] + D7 * k7[i]);
        }
    }

    /// Advances by one step of exactly `h` with no error control, for the order tests.
    #[cfg(test)]
    pub(crate) fn step_fixed<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        h: f64,
        stats: &mut Stats,
    ) {
        let t_new = self.t + h;
        self.compute_stages(system, h, t_new, stats)
            .expect("finite test problem");
        self.store_dense_output(h);
        self.commit(h, t_new);
    }

    fn commit(&mut self, h: f64, t_new: f64) {
        std::mem::swap(&mut self.x_prev, &mut self.x);
        std::mem::swap(&mut self.x, &mut self.x_new);
        self.k.swap(0, 6);
        self.t_prev = self.t;
        self.t = t_new;
        self.h_used = h;
    }
}

impl Stepper for Dopri5 {
    fn step<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t_end: f64,
        max_steps: usize,
        stats: &mut Stats,
    ) -> Result<StepStatus, OdeError> {
        loop {
            let h_min = min_step(self.t);
            if self.h < h_min {
                if let Some(bad) = self.last_non_finite {
                    return Err(bad.into());
                }
                return Ok(StepStatus::StepSizeTooSmall { h: self.h });
            }
            if stats.steps >= max_steps {
                return Ok(StepStatus::MaxStepsReached);
            }
            let last = self.t + 1.01 * self.h >= t_end;
            let h = if last { t_end - self.t } else { self.h };
            let t_new = if last { t_end } else { self.t + h };
            stats.steps += 1;

            if let Err(bad) = self.compute_stages(system, h, t_new, stats) {
                self.last_non_finite = Some(bad);
                self.last_rejected = true;
                stats.rejected += 1;
                self.h = h * NON_FINITE_FACTOR;
                continue;
            }
            let err = self.weights.norm(&self.err, &self.x, &self.x_new);

            if err <= 1.0 {
                let err = err.max(1e-10);
                let factor = (err.powf(-ALPHA) * self.err_prev.powf(BETA) * SAFETY)
                    .clamp(MIN_FACTOR, MAX_FACTOR);
                self.err_prev = err.max(1e-4);
                let mut h_new = (h * factor).min(self.max_step);
                if self.last_rejected {
                    h_new = h_new.min(h);
                }

                self.test_stiffness(h);
                if self.stiffness_detected && stats.stiffness_detected_at.is_none() {
                    stats.stiffness_detected_at = Some(t_new);
                }
                self.store_dense_output(h);
                self.commit(h, t_new);
                self.h = h_new;
                self.last_rejected = false;
                self.last_non_finite = None;
                stats.accepted += 1;
                return Ok(StepStatus::Accepted);
            }

            // A NaN error (a non-finite state) shrinks the step as much as allowed.
            let factor = if err.is_nan() {
                MIN_FACTOR
            } else {
                (SAFETY * err.powf(-ALPHA)).max(MIN_FACTOR)
            };
            self.h = h * factor;
            self.last_rejected = true;
            stats.rejected += 1;
        }
    }

    fn t(&self) -> f64 {
        self.t
    }

    fn x(&self) -> &[f64] {
        &self.x
    }

    fn t_prev(&self) -> f64 {
        self.t_prev
    }

    fn next_step_size(&self) -> f64 {
        self.h
    }

    fn interpolate(&self, t: f64, out: &mut [f64]) {
        if self.h_used == 0.0 {
            out.copy_from_slice(&self.x);
            return;
        }
        let theta = (t - self.t_prev) / self.h_used;
        let theta1 = 1.0 - theta;
        let [r1, r2, r3, r4] = &self.dense;
        for i in 0..out.len() {
            out[i] = self.x_prev[i]
                + theta * (r1[i] + theta1 * (r2[i] + theta * (r3[i] + theta1 * r4[i])));
        }
    }

    fn kind(&self) -> MethodKind {
        MethodKind::Dopri5
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Harmonic oscillator `x1' = x2`, `x2' = −x1`, exact solution `(cos t, −sin t)`.
    struct Oscillator;

    impl OdeSystem for Oscillator {
        fn dim(&self) -> usize {
            2
        }

        fn rhs(&mut self, _t: f64, x: &[f64], dxdt: &mut [f64]) {
            dxdt[0] = x[1];
            dxdt[1] = -x[0];
        }
    }

    fn weights() -> ErrorWeights {
        ErrorWeights {
            rtol: vec![1e-6; 2],
            atol: vec![1e-6; 2],
        }
    }

    fn fixed_step_error(steps: u32) -> f64 {
        let mut stats = Stats::default();
        let t_end = 2.0;
        let h = t_end / f64::from(steps);
        let mut solver = Dopri5::new(
            &mut Oscillator,
            0.0,
            &[1.0, 0.0],
            t_end,
            weights(),
            Some(h),
            f64::INFINITY,
            15,
            &mut stats,
        )
        .unwrap();
        for _ in 0..steps {
            solver.step_fixed(&mut Oscillator, h, &mut stats);
        }
        (solver.x[0] - t_end.cos())
            .abs()
            .max((solver.x[1] + t_end.sin()).abs())
    }

    #[test]
    fn fixed_step_order_is_five() {
        // Halving the step divides the global error by 2⁵ = 32.
        let coarse = fixed_step_error(20);
        let fine = fixed_step_error(40);
        let order = (coarse / fine).log2();
        assert!((4.8..5.3).contains(&order), "observed order {order}");
    }

    #[test]
    fn dense_output_order_is_four() {
        // The interpolant's local error is O(h⁵): halving h divides the largest
        // error inside the first step by about 2⁵.
        let dense_error = |h: f64| {
            let mut stats = Stats::default();
            let mut solver = Dopri5::new(
                &mut Oscillator,
                0.0,
                &[1.0, 0.0],
                10.0,
                weights(),
                Some(h),
                f64::INFINITY,
                15,
                &mut stats,
            )
            .unwrap();
            solver.step_fixed(&mut Oscillator, h, &mut stats);
            let mut out = [0.0; 2];
            let mut worst: f64 = 0.0;
            for k in 1..10 {
                let t = h * f64::from(k) / 10.0;
                solver.interpolate(t, &mut out);
                worst = worst
                    .max((out[0] - t.cos()).abs())
                    .max((out[1] + t.sin()).abs());
            }
            worst
        };
        let ratio = dense_error(0.4) / dense_error(0.2);
        let order = ratio.log2();
        assert!((4.7..5.5).contains(&order), "observed local order {order}");
    }

    #[test]
    fn dense_output_matches_step_ends() {
        let mut stats = Stats::default();
        let mut solver = Dopri5::new(
            &mut Oscillator,
            0.0,
            &[1.0, 0.0],
            10.0,
            weights(),
            Some(0.3),
            f64::INFINITY,
            15,
            &mut stats,
        )
        .unwrap();
        solver.step_fixed(&mut Oscillator, 0.3, &mut stats);
        let mut out = [0.0; 2];
        solver.interpolate(0.0, &mut out);
        assert_eq!(out, [1.0, 0.0]);
        solver.interpolate(0.3, &mut out);
        for (interpolated, end) in out.iter().zip(&solver.x) {
            assert!((interpolated - end).abs() < 1e-15);
        }
    }
}
