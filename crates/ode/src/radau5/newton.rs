//! The simplified Newton iteration of Radau IIA, its matrices and starting values, and
//! the filtered error estimate. The equations are in the parent module's documentation.

use pelab_linalg::Lu;

use super::tableau::{ALPHA, BETA, C1, C2, D, GAMMA, T, T_INV};
use super::{MAX_NEWTON, NEWTON_FAILURE_FACTOR, NewtonFailure, Radau5, THETA_DIVERGENT};
use crate::common::eval_rhs;
use crate::stats::Stats;
use crate::system::OdeSystem;

impl Radau5 {
    /// Builds and factorises `γ/h · I − J` and the `2n × 2n` block for step `h`.
    pub(super) fn factorize(&mut self, h: f64, stats: &mut Stats) -> bool {
        let n = self.x.len();
        stats.lu_factorizations += 1;
        for i in 0..n {
            for j in 0..n {
                let minus_jac = -self.jacobian[(i, j)];
                self.real_matrix[(i, j)] = minus_jac;
                self.complex_matrix[(i, j)] = minus_jac;
                self.complex_matrix[(n + i, n + j)] = minus_jac;
                self.complex_matrix[(i, n + j)] = 0.0;
                self.complex_matrix[(n + i, j)] = 0.0;
            }
            self.real_matrix[(i, i)] += GAMMA / h;
            self.complex_matrix[(i, i)] += ALPHA / h;
            self.complex_matrix[(n + i, n + i)] += ALPHA / h;
            self.complex_matrix[(i, n + i)] = -BETA / h;
            self.complex_matrix[(n + i, i)] = BETA / h;
        }
        self.real_lu = Lu::factor(&self.real_matrix).ok();
        self.complex_lu = Lu::factor(&self.complex_matrix).ok();
        if self.real_lu.is_some() && self.complex_lu.is_some() {
            self.factored_h = h;
            true
        } else {
            self.factored_h = f64::NAN;
            false
        }
    }

    /// Sets the Newton starting values: the previous collocation polynomial
    /// extrapolated to the new nodes, or zero when there is none.
    pub(super) fn start_values(&mut self, h: f64) {
        let n = self.x.len();
        if !self.has_polynomial {
            for r in 0..3 {
                self.z[r].fill(0.0);
                self.w[r].fill(0.0);
            }
            return;
        }
        let ratio = h / self.h_used;
        let nodes = [C1, C2, 1.0];
        let [p1, p2, p3] = &self.polynomial;
        for (r, &c) in nodes.iter().enumerate() {
            let s = 1.0 + c * ratio;
            for i in 0..n {
                self.z[r][i] = self.x_prev[i] + s * (p1[i] + s * (p2[i] + s * p3[i])) - self.x[i];
            }
        }
        for i in 0..n {
            let z = [self.z[0][i], self.z[1][i], self.z[2][i]];
            for (w, row) in self.w.iter_mut().zip(&T_INV) {
                w[i] = row[0] * z[0] + row[1] * z[1] + row[2] * z[2];
            }
        }
    }

    /// Runs the simplified Newton iteration for step `h`; returns the iterations used.
    pub(super) fn newton<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        h: f64,
        stats: &mut Stats,
    ) -> Result<usize, NewtonFailure> {
        let n = self.x.len();
        let nodes = [C1, C2, 1.0];
        let (Some(real_lu), Some(complex_lu)) = (&self.real_lu, &self.complex_lu) else {
            return Err(NewtonFailure {
                step_factor: NEWTON_FAILURE_FACTOR,
                non_finite: None,
            });
        };
        self.eta = self.eta.max(f64::EPSILON).powf(0.8);
        // A single iteration measures no contraction rate. Convergence that fast means
        // the Jacobian is good enough, so it counts as reusable.
        self.theta = self.jacobian_reuse_theta;
        let mut norm_prev = 0.0;
        let mut ratio_prev = 0.0;

        for k in 0..MAX_NEWTON {
            stats.newton_iterations += 1;
            for (r, &c) in nodes.iter().enumerate() {
                for i in 0..n {
                    self.stage[i] = self.x[i] + self.z[r][i];
                }
                if let Err(bad) = eval_rhs(
                    system,
                    self.t + c * h,
                    &self.stage,
                    &mut self.f_stage[r],
                    stats,
                ) {
                    return Err(NewtonFailure {
                        step_factor: NEWTON_FAILURE_FACTOR,
                        non_finite: Some(bad),
                    });
                }
            }

            // Right-hand sides of the transformed systems.
            for i in 0..n {
                let f = [self.f_stage[0][i], self.f_stage[1][i], self.f_stage[2][i]];
                let tf = |r: usize| T_INV[r][0] * f[0] + T_INV[r][1] * f[1] + T_INV[r][2] * f[2];
                let (w1, w2, w3) = (self.w[0][i], self.w[1][i], self.w[2][i]);
                self.real_rhs[i] = tf(0) - GAMMA / h * w1;
                self.complex_rhs[i] = tf(1) - (ALPHA * w2 - BETA * w3) / h;
                self.complex_rhs[n + i] = tf(2) - (BETA * w2 + ALPHA * w3) / h;
            }
            real_lu.solve_in_place(&mut self.real_rhs, &mut self.scratch_real);
            complex_lu.solve_in_place(&mut self.complex_rhs, &mut self.scratch_complex);

            let mut sum = 0.0;
            for i in 0..n {
                let s = self.scale[i];
                let d = [
                    self.real_rhs[i],
                    self.complex_rhs[i],
                    self.complex_rhs[n + i],
                ];
                sum += (d[0] / s).powi(2) + (d[1] / s).powi(2) + (d[2] / s).powi(2);
            }
            let norm = (sum / (3 * n) as f64).sqrt();
            if !norm.is_finite() {
                return Err(NewtonFailure {
                    step_factor: NEWTON_FAILURE_FACTOR,
                    non_finite: None,
                });
            }

            if k >= 1 {
                let ratio = norm / norm_prev;
                self.theta = if k == 1 {
                    ratio
                } else {
                    (ratio * ratio_prev).sqrt()
                };
                ratio_prev = ratio;
                if self.theta >= THETA_DIVERGENT {
                    return Err(NewtonFailure {
                        step_factor: NEWTON_FAILURE_FACTOR,
                        non_finite: None,
                    });
                }
                self.eta = self.theta / (1.0 - self.theta);
                let remaining = MAX_NEWTON - 1 - k;
                let predicted =
                    self.eta * norm * self.theta.powi(remaining as i32) / self.newton_tolerance;
                if predicted >= 1.0 {
                    let q = predicted.clamp(1e-4, 20.0);
                    return Err(NewtonFailure {
                        step_factor: 0.8 * q.powf(-1.0 / (4.0 + remaining as f64)),
                        non_finite: None,
                    });
                }
            }
            norm_prev = norm;

            for i in 0..n {
                self.w[0][i] += self.real_rhs[i];
                self.w[1][i] += self.complex_rhs[i];
                self.w[2][i] += self.complex_rhs[n + i];
                let w = [self.w[0][i], self.w[1][i], self.w[2][i]];
                for (z, row) in self.z.iter_mut().zip(&T) {
                    z[i] = row[0] * w[0] + row[1] * w[1] + row[2] * w[2];
                }
            }
            if self.eta * norm <= self.newton_tolerance {
                return Ok(k + 1);
            }
        }
        Err(NewtonFailure {
            step_factor: NEWTON_FAILURE_FACTOR,
            non_finite: None,
        })
    }

    /// Computes the filtered error estimate for step `h` into `err` and returns its
    /// norm.
    pub(super) fn estimate_error<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        h: f64,
        stats: &mut Stats,
    ) -> f64 {
        let n = self.x.len();
        let Some(real_lu) = &self.real_lu else {
            return f64::INFINITY;
        };
        for i in 0..n {
            self.err_rhs[i] = (D[0] * self.z[0][i] + D[1] * self.z[1][i] + D[2] * self.z[2][i]) / h;
            self.err[i] = self.f0[i] + self.err_rhs[i];
        }
        real_lu.solve_in_place(&mut self.err, &mut self.scratch_real);
        let mut norm = self.weights.norm(&self.err, &self.x, &self.x_new);

        if norm >= 1.0 && (self.first || self.last_rejected) {
            for i in 0..n {
                self.stage[i] = self.x[i] + self.err[i];
            }
            // A non-finite value here leaves the first estimate, which already rejects.
            if eval_rhs(system, self.t, &self.stage, &mut self.f_new, stats).is_ok() {
                for i in 0..n {
                    self.err[i] = self.f_new[i] + self.err_rhs[i];
                }
                real_lu.solve_in_place(&mut self.err, &mut self.scratch_real);
                norm = self.weights.norm(&self.err, &self.x, &self.x_new);
            }
        }
        if norm.is_nan() {
            f64::INFINITY
        } else {
            norm.max(1e-10)
        }
    }
}
