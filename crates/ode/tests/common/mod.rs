//! Test problems shared by the integration tests, each with its equations written
//! above the code, and the loader for the committed stiff references.

#![allow(dead_code)]

use pelab_ode::{Matrix, OdeSystem};

/// Van der Pol oscillator: `y1' = y2`, `y2' = μ ((1 − y1²) y2 − y1)`.
/// Jacobian `[[0, 1], [μ (−2 y1 y2 − 1), μ (1 − y1²)]]`.
pub struct VanDerPol {
    pub mu: f64,
    pub analytic_jacobian: bool,
}

impl OdeSystem for VanDerPol {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = y[1];
        dy[1] = self.mu * ((1.0 - y[0] * y[0]) * y[1] - y[0]);
    }

    fn jacobian(&mut self, _t: f64, y: &[f64], jac: &mut Matrix) -> bool {
        if !self.analytic_jacobian {
            return false;
        }
        jac[(0, 0)] = 0.0;
        jac[(0, 1)] = 1.0;
        jac[(1, 0)] = self.mu * (-2.0 * y[0] * y[1] - 1.0);
        jac[(1, 1)] = self.mu * (1.0 - y[0] * y[0]);
        true
    }
}

/// Robertson's chemical kinetics:
/// `y1' = −0.04 y1 + 1e4 y2 y3`,
/// `y2' = 0.04 y1 − 1e4 y2 y3 − 3e7 y2²`,
/// `y3' = 3e7 y2²`.
pub struct Robertson {
    pub analytic_jacobian: bool,
}

impl OdeSystem for Robertson {
    fn dim(&self) -> usize {
        3
    }

    fn rhs(&mut self, _t: f64, y: &[f64], dy: &mut [f64]) {
        dy[0] = -0.04 * y[0] + 1.0e4 * y[1] * y[2];
        dy[2] = 3.0e7 * y[1] * y[1];
        dy[1] = -dy[0] - dy[2];
    }

    fn jacobian(&mut self, _t: f64, y: &[f64], jac: &mut Matrix) -> bool {
        if !self.analytic_jacobian {
            return false;
        }
        jac[(0, 0)] = -0.04;
        jac[(0, 1)] = 1.0e4 * y[2];
        jac[(0, 2)] = 1.0e4 * y[1];
        jac[(2, 0)] = 0.0;
        jac[(2, 1)] = 6.0e7 * y[1];
        jac[(2, 2)] = 0.0;
        for j in 0..3 {
            jac[(1, j)] = -jac[(0, j)] - jac[(2, j)];
        }
        true
    }
}

/// HIRES, a plant-physiology model used as a stiff test problem: eight linear
/// equations plus one bilinear term `280 y6 y8`, as written in `rhs`.
pub struct Hires {
    pub analytic_jacobian: bool,
}

impl OdeSystem for Hires {
    fn dim(&self) -> usize {
        8
    }

    fn rhs(&mut self, _t: f64, y: &[f64], dy: &mut [f64]) {
        let bilinear = 280.0 * y[5] * y[7];
        dy[0] = -1.71 * y[0] + 0.43 * y[1] + 8.32 * y[2] + 0.0007;
        dy[1] = 1.71 * y[0] - 8.75 * y[1];
        dy[2] = -10.03 * y[2] + 0.43 * y[3] + 0.035 * y[4];
        dy[3] = 8.32 * y[1] + 1.71 * y[2] - 1.12 * y[3];
        dy[4] = -1.745 * y[4] + 0.43 * y[5] + 0.43 * y[6];
        dy[5] = -bilinear + 0.69 * y[3] + 1.71 * y[4] - 0.43 * y[5] + 0.69 * y[6];
        dy[6] = bilinear - 1.81 * y[6];
        dy[7] = -dy[6];
    }

    fn jacobian(&mut self, _t: f64, y: &[f64], jac: &mut Matrix) -> bool {
        if !self.analytic_jacobian {
            return false;
        }
        jac.as_mut_slice().fill(0.0);
        jac[(0, 0)] = -1.71;
        jac[(0, 1)] = 0.43;
        jac[(0, 2)] = 8.32;
        jac[(1, 0)] = 1.71;
        jac[(1, 1)] = -8.75;
        jac[(2, 2)] = -10.03;
        jac[(2, 3)] = 0.43;
        jac[(2, 4)] = 0.035;
        jac[(3, 1)] = 8.32;
        jac[(3, 2)] = 1.71;
        jac[(3, 3)] = -1.12;
        jac[(4, 4)] = -1.745;
        jac[(4, 5)] = 0.43;
        jac[(4, 6)] = 0.43;
        jac[(5, 3)] = 0.69;
        jac[(5, 4)] = 1.71;
        jac[(5, 5)] = -0.43 - 280.0 * y[7];
        jac[(5, 6)] = 0.69;
        jac[(5, 7)] = -280.0 * y[5];
        jac[(6, 5)] = 280.0 * y[7];
        jac[(6, 6)] = -1.81;
        jac[(6, 7)] = 280.0 * y[5];
        jac[(7, 5)] = -280.0 * y[7];
        jac[(7, 6)] = 1.81;
        jac[(7, 7)] = -280.0 * y[5];
        true
    }
}

/// Harmonic oscillator `x1' = ω x2`, `x2' = −ω x1`; from `(1, 0)` the solution is
/// `(cos ω t, −sin ω t)` and the energy `x1² + x2²` stays 1.
pub struct Oscillator {
    pub omega: f64,
}

impl OdeSystem for Oscillator {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = self.omega * x[1];
        dx[1] = -self.omega * x[0];
    }
}

/// A reference solution written by `scripts/reference/ode/make_references.py`.
#[derive(Debug, serde::Deserialize)]
pub struct Reference {
    pub problem: String,
    pub t0: f64,
    pub x0: Vec<f64>,
    pub times: Vec<f64>,
    pub states: Vec<Vec<f64>>,
    pub cross_check_relative_difference: Vec<Vec<f64>>,
    pub provenance: Provenance,
}

/// Where a reference came from.
#[derive(Debug, serde::Deserialize)]
pub struct Provenance {
    pub method: String,
    pub rtol: f64,
    pub atol: Vec<f64>,
    pub scipy: String,
}

/// Loads `tests/reference/<name>.json`.
pub fn load_reference(name: &str) -> Reference {
    let path = format!("{}/tests/reference/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {path}: {e}"))
}

/// Largest `|a − b| / (atol + |b|)` over the components.
pub fn max_relative_error(actual: &[f64], expected: &[f64], atol: &[f64]) -> f64 {
    actual
        .iter()
        .zip(expected)
        .zip(atol)
        .map(|((a, b), floor)| (a - b).abs() / (floor + b.abs()))
        .fold(0.0, f64::max)
}
