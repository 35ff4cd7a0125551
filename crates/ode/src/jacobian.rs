//! The Jacobian `∂f/∂x` for the implicit solver: analytic when the system provides it,
//! forward differences otherwise.

use pelab_linalg::Matrix;

use crate::common::eval_rhs;
use crate::error::OdeError;
use crate::stats::Stats;
use crate::system::OdeSystem;

/// Workspace for Jacobian evaluations.
pub(crate) struct JacobianWorkspace {
    /// Typical magnitude of each component, `atol_i / rtol_i`: below it the error test
    /// is absolute, so it is the scale on which a perturbation must be small.
    typical: Vec<f64>,
    x_work: Vec<f64>,
    f_work: Vec<f64>,
}

impl JacobianWorkspace {
    pub(crate) fn new(rtol: &[f64], atol: &[f64]) -> Self {
        let n = rtol.len();
        Self {
            typical: atol.iter().zip(rtol).map(|(a, r)| a / r).collect(),
            x_work: vec![0.0; n],
            f_work: vec![0.0; n],
        }
    }

    /// Writes `∂f/∂x` at `(t, x)` into `jac`; `f0` must hold `f(t, x)`.
    ///
    /// Without an analytic Jacobian, column `j` is the forward difference
    /// `(f(t, x + δ_j e_j) − f0) / δ_j` with `δ_j = √ε · max(|x_j|, atol_j / rtol_j)`.
    /// The `√ε` balances truncation error (`∝ δ`) against cancellation (`∝ ε / δ`) for a
    /// right-hand side of unit scale, and the floor keeps the increment meaningful for a
    /// component passing through zero. `δ_j` is rounded so that `x_j + δ_j` is exact.
    /// This costs `n` evaluations of the right-hand side.
    pub(crate) fn evaluate<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t: f64,
        x: &[f64],
        f0: &[f64],
        jac: &mut Matrix,
        stats: &mut Stats,
    ) -> Result<(), OdeError> {
        stats.jacobian_evaluations += 1;
        if system.jacobian(t, x, jac) {
            return check_finite(jac, t);
        }

        let n = x.len();
        let sqrt_eps = f64::EPSILON.sqrt();
        self.x_work.copy_from_slice(x);
        for j in 0..n {
            let xj = x[j];
            let increment = sqrt_eps * xj.abs().max(self.typical[j]);
            self.x_work[j] = xj + increment;
            let delta = self.x_work[j] - xj;
            let result = eval_rhs(system, t, &self.x_work, &mut self.f_work, stats);
            self.x_work[j] = xj;
            if let Err(bad) = result {
                return Err(OdeError::NonFiniteJacobian {
                    t,
                    row: bad.component,
                    column: j,
                    value: bad.value,
                });
            }
            for i in 0..n {
                jac[(i, j)] = (self.f_work[i] - f0[i]) / delta;
            }
        }
        check_finite(jac, t)
    }
}

fn check_finite(jac: &Matrix, t: f64) -> Result<(), OdeError> {
    let n = jac.cols();
    match jac.as_slice().iter().position(|v| !v.is_finite()) {
        Some(k) => Err(OdeError::NonFiniteJacobian {
            t,
            row: k / n,
            column: k % n,
            value: jac.as_slice()[k],
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `f(x) = (x0² x1, sin x1)`, Jacobian `[[2 x0 x1, x0²], [0, cos x1]]`.
    struct Nonlinear;

    impl OdeSystem for Nonlinear {
        fn dim(&self) -> usize {
            2
        }

        fn rhs(&mut self, _t: f64, x: &[f64], dxdt: &mut [f64]) {
            dxdt[0] = x[0] * x[0] * x[1];
            dxdt[1] = x[1].sin();
        }
    }

    #[test]
    fn forward_difference_matches_analytic() {
        let x = [1.5, -0.7];
        let mut f0 = [0.0; 2];
        Nonlinear.rhs(0.0, &x, &mut f0);
        let mut workspace = JacobianWorkspace::new(&[1e-6; 2], &[1e-9; 2]);
        let mut jac = Matrix::zeros(2, 2);
        let mut stats = Stats::default();
        workspace
            .evaluate(&mut Nonlinear, 0.0, &x, &f0, &mut jac, &mut stats)
            .unwrap();

        let expected = [[2.0 * x[0] * x[1], x[0] * x[0]], [0.0, x[1].cos()]];
        for i in 0..2 {
            for j in 0..2 {
                assert!(
                    (jac[(i, j)] - expected[i][j]).abs() < 1e-7,
                    "entry ({i}, {j}): {}",
                    jac[(i, j)]
                );
            }
        }
        assert_eq!(stats.rhs_evaluations, 2);
        assert_eq!(stats.jacobian_evaluations, 1);
    }
}
