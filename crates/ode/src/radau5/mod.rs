//! Radau IIA of order 5: a three-stage, L-stable implicit Runge–Kutta method for stiff
//! problems, implemented as described in Hairer & Wanner, "Solving ODEs II", 2nd ed.,
//! 1996, section IV.8.
//!
//! **Method.** With nodes `c = ((4 − √6)/10, (4 + √6)/10, 1)` and the collocation
//! matrix `A` (`A_ij = ∫₀^{c_i} ℓ_j`, `ℓ_j` the Lagrange basis on `c`), the stage
//! increments `Z_i = Y_i − y_n` solve `Z = h (A ⊗ I) F(Z)`, where
//! `F_i = f(t_n + c_i h, y_n + Z_i)`. Since `c3 = 1` and `b` is the last row of `A`,
//! `y_{n+1} = y_n + Z_3`.
//!
//! **Newton iteration.** Simplified Newton with one Jacobian `J ≈ ∂f/∂x(t_n, y_n)`
//! solves `(h⁻¹ A⁻¹ ⊗ I − I ⊗ J) ΔZ = −h⁻¹ (A⁻¹ ⊗ I) Z + F(Z)`. `A⁻¹` has one real
//! eigenvalue `γ` and a complex pair `α ± iβ`. With a real `T` such that
//! `T⁻¹ A⁻¹ T = Λ = [[γ, 0, 0], [0, α, −β], [0, β, α]]` and `W = (T⁻¹ ⊗ I) Z`, the
//! `3n × 3n` system splits into
//!
//! ```text
//! (γ/h · I − J) ΔW₁ = (T⁻¹F)₁ − γ/h · W₁
//! [α/h · I − J   −β/h · I    ] [ΔW₂]   [(T⁻¹F)₂ − (α W₂ − β W₃)/h]
//! [β/h · I       α/h · I − J ] [ΔW₃] = [(T⁻¹F)₃ − (β W₂ + α W₃)/h]
//! ```
//!
//! The second block is the complex system `((α + iβ)/h · I − J)(ΔW₂ + iΔW₃) = …`
//! written in real arithmetic. This crate factorises it as a real `2n × 2n` matrix with
//! [`pelab_linalg::Lu`] instead of writing a complex LU. Counted in real `n × n` LU
//! factorisations, the two blocks then cost 1 + 8 = 9, against 27 for the full
//! `3n × 3n` system and about 1 + 4 = 5 with a complex LU. For circuit-sized `n` that
//! difference is small, and the only LU in the code stays the tested one.
//!
//! The iteration stops when `η_k ‖ΔW_k‖ ≤ κ`, with the contraction estimate
//! `θ_k = ‖ΔW_k‖ / ‖ΔW_{k−1}‖` (the geometric mean of the last two from the third
//! iteration on), `η_k = θ_k / (1 − θ_k)`, and `κ = max(10 ε / rtol, min(0.03, √rtol))`.
//! It fails, and the step is retried with a smaller `h`, when `θ ≥ 0.99`, when the
//! error predicted after the remaining iterations exceeds `κ`, after 7 iterations, or
//! when a stage has a non-finite right-hand side.
//!
//! **Reuse.** The Jacobian is evaluated at the start of a step only when the previous
//! step's Newton iteration converged slowly (`θ` above
//! [`Options::jacobian_reuse_theta`], default 0.001; convergence in one iteration
//! counts as fast) or a step failed with a Jacobian from an earlier point. The LU
//! factors are reused while `h` is unchanged, and `h` is kept unchanged when the
//! proposed step is within `[1, 1.2] · h` and the Jacobian is kept.
//!
//! **Error estimate.** The embedded solution `ŷ = y_n + h (γ₀ f(t_n, y_n) + Σ b̂_i F_i)`,
//! `γ₀ = 1/γ`, has order 3, and the estimate is filtered through the real Newton
//! matrix so that it stays bounded for stiff components:
//! `err = (γ/h · I − J)⁻¹ (f(t_n, y_n) + (d₁ Z₁ + d₂ Z₂ + d₃ Z₃)/h)` with
//! `d = (−(13 + 7√6)/3, (−13 + 7√6)/3, −1/3)`. After a rejected or first step with
//! `‖err‖ ≥ 1`, the estimate is recomputed once with `f(t_n, y_n + err)` in place of
//! `f(t_n, y_n)`. `scripts/reference/ode/radau_constants.py` derives every constant
//! here, including `d`, from the collocation conditions.
//!
//! **Tolerances.** As in Hairer & Wanner's RADAU5 code, the user's tolerances are
//! mapped to `rtol' = 0.1 rtol^(2/3)` and `atol' = rtol' · atol / rtol`, because the
//! estimate has order 3 while the solution has order 5. In the stiff reference tests,
//! `rtol = 1e-8` gives errors of 3e-8 (Van der Pol), 6e-10 (Robertson) and 7e-8
//! (HIRES) relative.
//!
//! **Step size.** `h_new = h / clamp(‖err‖^(1/4) / fac, 1/8, 5)` with
//! `fac = min(0.9, 0.9 (1 + 2·7) / (k + 2·7))`, `k` the Newton iterations used, and
//! after an accepted step the predictive controller of Gustafsson (in the same section)
//! may reduce it further.
//!
//! **Dense output** is the collocation polynomial `u(s) = y_n + p₁ s + p₂ s² + p₃ s³`,
//! `s = (t − t_n)/h`, through `u(0) = y_n` and `u(c_i) = y_n + Z_i`. Its extrapolation
//! to the next step's nodes gives the Newton starting values.

mod newton;
mod tableau;

use pelab_linalg::{Lu, Matrix};

use crate::common::{NonFinite, StepStatus, Stepper, eval_rhs, initial_step, min_step};
use crate::error::OdeError;
use crate::jacobian::JacobianWorkspace;
use crate::options::{ErrorWeights, Options};
use crate::stats::{MethodKind, Stats};
use crate::system::OdeSystem;

use tableau::V_INV;

/// Maximum Newton iterations per step.
const MAX_NEWTON: usize = 7;
/// Contraction rate at which the iteration counts as diverging.
const THETA_DIVERGENT: f64 = 0.99;
/// Range of `h_new / h` within which `h`, and so the LU factors, are kept.
const KEEP_STEP_RANGE: (f64, f64) = (1.0, 1.2);
/// Safety factor on the proposed step.
const SAFETY: f64 = 0.9;
/// Bounds on `h / h_new`: the step grows at most 8-fold and shrinks at most 5-fold.
const MIN_QUOTIENT: f64 = 1.0 / 8.0;
const MAX_QUOTIENT: f64 = 5.0;
/// Factor on `h` after a Newton failure without a convergence-based prediction.
const NEWTON_FAILURE_FACTOR: f64 = 0.5;

/// A failed Newton iteration, with the factor for the retried step size.
struct NewtonFailure {
    step_factor: f64,
    non_finite: Option<NonFinite>,
}

/// Radau IIA state and workspace.
pub(crate) struct Radau5 {
    /// Tolerances mapped for the order-3 error estimate.
    weights: ErrorWeights,
    newton_tolerance: f64,
    max_step: f64,
    /// Contraction rate up to which the Jacobian is kept for the next step.
    jacobian_reuse_theta: f64,

    t: f64,
    t_prev: f64,
    x: Vec<f64>,
    x_prev: Vec<f64>,
    /// `f(t, x)`.
    f0: Vec<f64>,
    h: f64,
    h_used: f64,

    jacobian: Matrix,
    jacobian_workspace: JacobianWorkspace,
    /// The Jacobian was evaluated at the current `(t, x)`.
    jacobian_current: bool,
    /// The Jacobian must be evaluated before the next attempt.
    jacobian_stale: bool,
    real_matrix: Matrix,
    complex_matrix: Matrix,
    real_lu: Option<Lu>,
    complex_lu: Option<Lu>,
    /// Step size the LU factors were computed for; NaN when they must be recomputed.
    factored_h: f64,

    z: [Vec<f64>; 3],
    w: [Vec<f64>; 3],
    f_stage: [Vec<f64>; 3],
    stage: Vec<f64>,
    real_rhs: Vec<f64>,
    complex_rhs: Vec<f64>,
    scratch_real: Vec<f64>,
    scratch_complex: Vec<f64>,
    scale: Vec<f64>,
    x_new: Vec<f64>,
    f_new: Vec<f64>,
    err: Vec<f64>,
    err_rhs: Vec<f64>,
    /// Collocation polynomial coefficients `p₁, p₂, p₃` of the last accepted step.
    polynomial: [Vec<f64>; 3],
    has_polynomial: bool,

    theta: f64,
    eta: f64,
    first: bool,
    last_rejected: bool,
    last_non_finite: Option<NonFinite>,
    h_accepted_prev: f64,
    err_accepted_prev: f64,
}

impl Radau5 {
    /// Starts at `(t0, x0)`. Evaluates `f(t0, x0)` and, when `initial_step_size` is
    /// `None`, selects the first step automatically.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new<S: OdeSystem + ?Sized>(
        system: &mut S,
        t0: f64,
        x0: &[f64],
        t_end: f64,
        user_weights: &ErrorWeights,
        initial_step_size: Option<f64>,
        options: &Options,
        stats: &mut Stats,
    ) -> Result<Self, OdeError> {
        let n = x0.len();
        let mut f0 = vec![0.0; n];
        eval_rhs(system, t0, x0, &mut f0, stats)?;
        let max_step = options.max_step.min(t_end - t0);

        let mut x_work = vec![0.0; n];
        let mut f_work = vec![0.0; n];
        let h = match initial_step_size {
            Some(h) => h.min(max_step),
            None => initial_step(
                system,
                t0,
                x0,
                &f0,
                t_end - t0,
                max_step,
                3,
                user_weights,
                &mut x_work,
                &mut f_work,
                stats,
            ),
        };

        let (weights, newton_tolerance) = map_tolerances(user_weights);
        let vector = || vec![0.0; n];
        Ok(Self {
            weights,
            newton_tolerance,
            max_step,
            jacobian_reuse_theta: options.jacobian_reuse_theta,
            t: t0,
            t_prev: t0,
            x: x0.to_vec(),
            x_prev: x0.to_vec(),
            f0,
            h,
            h_used: 0.0,
            jacobian: Matrix::zeros(n, n),
            jacobian_workspace: JacobianWorkspace::new(&user_weights.rtol, &user_weights.atol),
            jacobian_current: false,
            jacobian_stale: true,
            real_matrix: Matrix::zeros(n, n),
            complex_matrix: Matrix::zeros(2 * n, 2 * n),
            real_lu: None,
            complex_lu: None,
            factored_h: f64::NAN,
            z: std::array::from_fn(|_| vector()),
            w: std::array::from_fn(|_| vector()),
            f_stage: std::array::from_fn(|_| vector()),
            stage: vector(),
            real_rhs: vector(),
            complex_rhs: vec![0.0; 2 * n],
            scratch_real: vector(),
            scratch_complex: vec![0.0; 2 * n],
            scale: vector(),
            x_new: vector(),
            f_new: vector(),
            err: vector(),
            err_rhs: vector(),
            polynomial: std::array::from_fn(|_| vector()),
            has_polynomial: false,
            theta: 1.0,
            eta: 1.0,
            first: true,
            last_rejected: false,
            last_non_finite: None,
            h_accepted_prev: 0.0,
            err_accepted_prev: 1.0,
        })
    }

    /// Marks the step attempt as failed and sets the step size for the retry.
    fn reject(&mut self, h_retry: f64, stats: &mut Stats) {
        stats.rejected += 1;
        self.h = h_retry;
        self.last_rejected = true;
        if !self.jacobian_current {
            self.jacobian_stale = true;
        }
    }

    /// Moves to the end of the accepted step of size `h`.
    fn accept(&mut self, h: f64, t_new: f64) {
        let n = self.x.len();
        let [p1, p2, p3] = &mut self.polynomial;
        for i in 0..n {
            let z = [self.z[0][i], self.z[1][i], self.z[2][i]];
            p1[i] = V_INV[0][0] * z[0] + V_INV[0][1] * z[1] + V_INV[0][2] * z[2];
            p2[i] = V_INV[1][0] * z[0] + V_INV[1][1] * z[1] + V_INV[1][2] * z[2];
            p3[i] = V_INV[2][0] * z[0] + V_INV[2][1] * z[1] + V_INV[2][2] * z[2];
        }
        self.has_polynomial = true;
        std::mem::swap(&mut self.x_prev, &mut self.x);
        std::mem::swap(&mut self.x, &mut self.x_new);
        std::mem::swap(&mut self.f0, &mut self.f_new);
        self.t_prev = self.t;
        self.t = t_new;
        self.h_used = h;
        self.jacobian_current = false;
    }
}

/// Maps the user's tolerances for the order-3 error estimate and returns them with the
/// Newton stopping tolerance `κ`.
fn map_tolerances(user: &ErrorWeights) -> (ErrorWeights, f64) {
    let rtol: Vec<f64> = user.rtol.iter().map(|r| 0.1 * r.powf(2.0 / 3.0)).collect();
    let atol = user
        .atol
        .iter()
        .zip(&user.rtol)
        .zip(&rtol)
        .map(|((a, r), mapped)| mapped * a / r)
        .collect();
    let tightest = rtol.iter().copied().fold(f64::INFINITY, f64::min);
    let newton_tolerance = (10.0 * f64::EPSILON / tightest).max(0.03f64.min(tightest.sqrt()));
    (ErrorWeights { rtol, atol }, newton_tolerance)
}

impl Stepper for Radau5 {
    fn step<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t_end: f64,
        max_steps: usize,
        stats: &mut Stats,
    ) -> Result<StepStatus, OdeError> {
        let n = self.x.len();
        loop {
            if self.h < min_step(self.t) {
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

            if self.jacobian_stale {
                self.jacobian_workspace.evaluate(
                    system,
                    self.t,
                    &self.x,
                    &self.f0,
                    &mut self.jacobian,
                    stats,
                )?;
                self.jacobian_current = true;
                self.jacobian_stale = false;
                self.factored_h = f64::NAN;
            }
            if self.factored_h != h && !self.factorize(h, stats) {
                stats.newton_failures += 1;
                self.reject(h * NEWTON_FAILURE_FACTOR, stats);
                continue;
            }

            for i in 0..n {
                self.scale[i] = self.weights.atol[i] + self.weights.rtol[i] * self.x[i].abs();
            }
            self.start_values(h);
            let iterations = match self.newton(system, h, stats) {
                Ok(iterations) => iterations,
                Err(failure) => {
                    if failure.non_finite.is_some() {
                        self.last_non_finite = failure.non_finite;
                    }
                    stats.newton_failures += 1;
                    self.reject(h * failure.step_factor, stats);
                    continue;
                }
            };

            for i in 0..n {
                self.x_new[i] = self.x[i] + self.z[2][i];
            }
            let err = self.estimate_error(system, h, stats);
            let fac = SAFETY
                .min(SAFETY * (1 + 2 * MAX_NEWTON) as f64 / (iterations + 2 * MAX_NEWTON) as f64);
            let quotient = (err.powf(0.25) / fac).clamp(MIN_QUOTIENT, MAX_QUOTIENT);
            let mut h_new = h / quotient;

            if err >= 1.0 {
                let retry = if self.first { 0.1 * h } else { h_new };
                self.reject(retry, stats);
                continue;
            }
            if let Err(bad) = eval_rhs(system, t_new, &self.x_new, &mut self.f_new, stats) {
                self.last_non_finite = Some(bad);
                self.reject(h * NEWTON_FAILURE_FACTOR, stats);
                continue;
            }

            // Gustafsson's predictive controller.
            if !self.first {
                let predictive = (self.h_accepted_prev / h)
                    * (err * err / self.err_accepted_prev).powf(0.25)
                    / SAFETY;
                let predictive = predictive.clamp(MIN_QUOTIENT, MAX_QUOTIENT);
                h_new = h / quotient.max(predictive);
            }
            self.h_accepted_prev = h;
            self.err_accepted_prev = err.max(1e-2);

            h_new = h_new.min(self.max_step);
            if self.last_rejected {
                h_new = h_new.min(h);
            }
            self.accept(h, t_new);
            stats.accepted += 1;
            self.first = false;
            self.last_rejected = false;
            self.last_non_finite = None;

            let keep_jacobian = self.theta <= self.jacobian_reuse_theta;
            let ratio = h_new / h;
            if keep_jacobian && (KEEP_STEP_RANGE.0..=KEEP_STEP_RANGE.1).contains(&ratio) && !last {
                self.h = h;
            } else {
                self.h = h_new;
            }
            self.jacobian_stale = !keep_jacobian;
            return Ok(StepStatus::Accepted);
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
        if !self.has_polynomial || self.h_used == 0.0 {
            out.copy_from_slice(&self.x);
            return;
        }
        let s = (t - self.t_prev) / self.h_used;
        let [p1, p2, p3] = &self.polynomial;
        for i in 0..out.len() {
            out[i] = self.x_prev[i] + s * (p1[i] + s * (p2[i] + s * p3[i]));
        }
    }

    fn kind(&self) -> MethodKind {
        MethodKind::Radau5
    }
}
