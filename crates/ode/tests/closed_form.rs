//! Problems with closed-form solutions, solved by all three methods, and the observed
//! convergence orders of RK4 and Dormand–Prince.

mod common;

use common::Oscillator;
use pelab_linalg::{Matrix, expm};
use pelab_ode::{Method, NoOutput, OdeSystem, Options, Samples, Solution, Status, integrate};

/// `x' = −λ x`, `x(t) = x0 e^(−λ t)`.
struct Decay {
    lambda: f64,
}

impl OdeSystem for Decay {
    fn dim(&self) -> usize {
        1
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = -self.lambda * x[0];
    }
}

/// `x' = −2 t x`, `x(t) = x0 e^(−t²)`.
struct Gaussian;

impl OdeSystem for Gaussian {
    fn dim(&self) -> usize {
        1
    }

    fn rhs(&mut self, t: f64, x: &[f64], dx: &mut [f64]) {
        dx[0] = -2.0 * t * x[0];
    }
}

/// `x' = A x` with a dense `A`.
struct Linear {
    a: Matrix,
}

impl OdeSystem for Linear {
    fn dim(&self) -> usize {
        self.a.rows()
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        self.a.mul_vec_into(x, dx);
    }

    fn jacobian(&mut self, _t: f64, _x: &[f64], jac: &mut Matrix) -> bool {
        jac.as_mut_slice().copy_from_slice(self.a.as_slice());
        true
    }
}

/// Returns RK4 with `step` and the adaptive methods at `rtol = 1e-10`, `atol = 1e-12`.
fn methods(rk4_step: f64) -> Vec<Options> {
    vec![
        Options::new(Method::Rk4 { step: rk4_step }),
        Options::new(Method::Dopri5).with_tolerances(1e-10, 1e-12),
        Options::new(Method::Radau5).with_tolerances(1e-10, 1e-12),
    ]
}

fn solve<S: OdeSystem>(system: &mut S, x0: &[f64], t_end: f64, options: &Options) -> Solution {
    let solution = integrate(system, 0.0, x0, t_end, options, &mut NoOutput)
        .unwrap_or_else(|e| panic!("{:?}: {e}", options.method));
    assert_eq!(solution.status, Status::Finished, "{:?}", options.method);
    assert_eq!(solution.t, t_end);
    solution
}

#[test]
fn exponential_decay_all_methods() {
    // Tolerances: the adaptive methods control the local error to rtol = 1e-10, and
    // the relative global error adds up over the λt = 10 time constants, so 1e-8
    // leaves a margin of about 10 over the observed 1.2e-9 (Dormand–Prince). RK4 with
    // h = 1e-3 has a global error of about (λh)⁴/120 · λt ≈ 1e-12 relative.
    let limits = [1e-11, 1e-8, 1e-8];
    for (options, limit) in methods(1e-3).iter().zip(limits) {
        let solution = solve(&mut Decay { lambda: 2.0 }, &[3.0], 5.0, options);
        let exact = 3.0 * (-10.0f64).exp();
        let relative = (solution.x[0] - exact).abs() / exact;
        assert!(
            relative < limit,
            "{:?}: relative error {relative:e}",
            options.method
        );
    }
}

#[test]
fn harmonic_oscillator_energy_and_phase() {
    // Ten periods of ω = 1. Energy x1² + x2² should stay 1 and the phase −ωt.
    let t_end = 20.0 * std::f64::consts::PI;
    let limits = [(1e-9, 1e-9), (1e-8, 1e-8), (1e-8, 1e-8)];
    for (options, (energy_limit, phase_limit)) in methods(1e-3).iter().zip(limits) {
        let solution = solve(&mut Oscillator { omega: 1.0 }, &[1.0, 0.0], t_end, options);
        let [x1, x2] = [solution.x[0], solution.x[1]];
        let energy_error = (x1 * x1 + x2 * x2 - 1.0).abs();
        // The exact state at t = 20π is (1, 0), so the phase error is atan2(−x2, x1).
        let phase_error = (-x2).atan2(x1).abs();
        assert!(
            energy_error < energy_limit,
            "{:?}: energy error {energy_error:e}",
            options.method
        );
        assert!(
            phase_error < phase_limit,
            "{:?}: phase error {phase_error:e}",
            options.method
        );
    }
}

#[test]
fn time_dependent_gaussian_all_methods() {
    // Observed absolute errors: 3.9e-15 (RK4), 1.8e-13 (Dormand–Prince) and 3.4e-13
    // (Radau IIA); the limits leave a margin of about 30.
    let limits = [1e-13, 1e-11, 1e-11];
    for (options, limit) in methods(1e-3).iter().zip(limits) {
        let solution = solve(&mut Gaussian, &[1.0], 3.0, options);
        let exact = (-9.0f64).exp();
        let error = (solution.x[0] - exact).abs();
        // Absolute error: the solution falls from 1 to 1.2e-4.
        assert!(error < limit, "{:?}: error {error:e}", options.method);
    }
}

#[test]
fn jordan_block_matches_closed_form() {
    // A = [[−1, 1], [0, −1]] gives e^(At) = e^(−t) [[1, t], [0, 1]].
    let a = Matrix::from_rows(&[&[-1.0, 1.0], &[0.0, -1.0]]);
    let x0 = [1.0, 2.0];
    let t_end: f64 = 4.0;
    let decay = (-t_end).exp();
    let exact = [decay * (x0[0] + t_end * x0[1]), decay * x0[1]];
    let limits = [1e-11, 1e-10, 1e-10];
    for (options, limit) in methods(1e-3).iter().zip(limits) {
        let solution = solve(&mut Linear { a: a.clone() }, &x0, t_end, options);
        for (i, (actual, expected)) in solution.x.iter().zip(&exact).enumerate() {
            let error = (actual - expected).abs();
            assert!(
                error < limit,
                "{:?}: component {i} error {error:e}",
                options.method
            );
        }
    }
}

#[test]
fn linear_system_matches_matrix_exponential() {
    // A damped system with a complex pair and a fast real mode (eigenvalues about
    // −0.3 ± 2i and −40): mildly stiff for the explicit methods.
    let a = Matrix::from_rows(&[
        &[-0.3, 2.0, 0.0, 0.1],
        &[-2.0, -0.3, 0.5, 0.0],
        &[0.0, 0.0, -40.0, 1.0],
        &[0.0, 0.0, 0.0, -1.0],
    ]);
    let x0 = [1.0, -1.0, 2.0, 0.5];
    let t_end = 3.0;
    let exact = expm(&a.scaled(t_end)).unwrap().mul_vec(&x0);
    let limits = [1e-9, 1e-9, 1e-9];
    for (options, limit) in methods(1e-3).iter().zip(limits) {
        let solution = solve(&mut Linear { a: a.clone() }, &x0, t_end, options);
        for (i, (actual, expected)) in solution.x.iter().zip(&exact).enumerate() {
            let error = (actual - expected).abs();
            assert!(
                error < limit,
                "{:?}: component {i} error {error:e}",
                options.method
            );
        }
    }
}

#[test]
fn rk4_observed_order_is_four() {
    // Global error at t = 2 for h = 0.1 and 0.05 on the oscillator: halving h divides
    // it by 2⁴.
    let error = |step: f64| {
        let options = Options::new(Method::Rk4 { step });
        let solution = solve(&mut Oscillator { omega: 1.0 }, &[1.0, 0.0], 2.0, &options);
        (solution.x[0] - 2f64.cos())
            .abs()
            .max((solution.x[1] + 2f64.sin()).abs())
    };
    let order = (error(0.1) / error(0.05)).log2();
    assert!((3.9..4.1).contains(&order), "observed order {order}");
}

#[test]
fn dopri5_observed_order_is_five() {
    // Tolerance sweep on ten periods of the oscillator: with error ∝ h⁵ and work ∝ 1/h,
    // the error falls like (rhs evaluations)^(−5). The slope is the least-squares fit
    // of log(error) against log(evaluations) over rtol = 1e-6 … 1e-12.
    let t_end = 20.0 * std::f64::consts::PI;
    let mut points = Vec::new();
    for k in 6..=12 {
        let tol = 10f64.powi(-k);
        let options = Options::new(Method::Dopri5).with_tolerances(tol, tol);
        let solution = solve(&mut Oscillator { omega: 1.0 }, &[1.0, 0.0], t_end, &options);
        let error = (solution.x[0] - 1.0).abs().max(solution.x[1].abs());
        points.push(((solution.stats.rhs_evaluations as f64).ln(), error.ln()));
    }
    let count = points.len() as f64;
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / count;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / count;
    let covariance: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    let variance: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let order = -covariance / variance;
    assert!(
        (4.5..5.5).contains(&order),
        "observed order {order}, points {points:?}"
    );
}

#[test]
fn radau5_error_follows_tolerance() {
    // Tightening rtol by 100 must reduce the error of the Gaussian problem.
    let error = |tol: f64| {
        let options = Options::new(Method::Radau5).with_tolerances(tol, tol);
        let solution = solve(&mut Gaussian, &[1.0], 3.0, &options);
        (solution.x[0] - (-9.0f64).exp()).abs()
    };
    let loose = error(1e-5);
    let tight = error(1e-9);
    assert!(loose < 1e-5, "rtol 1e-5: error {loose:e}");
    assert!(tight < 1e-9, "rtol 1e-9: error {tight:e}");
    assert!(tight < loose / 100.0, "errors {loose:e} and {tight:e}");
}

#[test]
fn dense_output_samples_match_exact() {
    // 1001 uniformly spaced samples of the decay, interpolated between steps.
    for options in methods(1e-3) {
        let mut samples = Samples::uniform(0.0, 0.005, 1001, 1);
        let solution = integrate(
            &mut Decay { lambda: 2.0 },
            0.0,
            &[1.0],
            5.0,
            &options,
            &mut samples,
        )
        .unwrap();
        assert_eq!(solution.status, Status::Finished);
        assert_eq!(samples.len(), 1001, "{:?}", options.method);
        let mut worst: f64 = 0.0;
        for (k, &t) in samples.times().iter().enumerate() {
            let x = samples.state(k).unwrap()[0];
            worst = worst.max((x - (-2.0 * t).exp()).abs());
        }
        // The interpolants are less accurate than the step ends: order 4 for
        // Dormand–Prince and RK4's Hermite cubic, order 3 for Radau's collocation
        // polynomial, all well inside the step tolerance here.
        assert!(
            worst < 1e-8,
            "{:?}: worst sample error {worst:e}",
            options.method
        );
    }
}
