//! Solver benchmarks: Van der Pol with μ = 1000 over t ∈ [0, 3] (about two relaxation
//! periods) under Radau IIA (stiff), and a harmonic oscillator under Dormand–Prince
//! (non-stiff).
//!
//! Run with `cargo bench -p pelab-ode`. The numbers depend on the machine; nothing
//! asserts on them.

// criterion_group! and criterion_main! generate functions without doc comments.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use pelab_ode::{Matrix, Method, NoOutput, OdeSystem, Options, integrate};

/// Van der Pol: `y1' = y2`, `y2' = μ ((1 − y1²) y2 − y1)`.
struct VanDerPol {
    mu: f64,
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
        jac[(0, 0)] = 0.0;
        jac[(0, 1)] = 1.0;
        jac[(1, 0)] = self.mu * (-2.0 * y[0] * y[1] - 1.0);
        jac[(1, 1)] = self.mu * (1.0 - y[0] * y[0]);
        true
    }
}

/// Harmonic oscillator `x1' = ω x2`, `x2' = −ω x1` with ω = 2π · 50 rad/s.
struct Oscillator;

impl OdeSystem for Oscillator {
    fn dim(&self) -> usize {
        2
    }

    fn rhs(&mut self, _t: f64, x: &[f64], dx: &mut [f64]) {
        let omega = 2.0 * std::f64::consts::PI * 50.0;
        dx[0] = omega * x[1];
        dx[1] = -omega * x[0];
    }
}

fn van_der_pol_radau(c: &mut Criterion) {
    let options = Options::new(Method::Radau5).with_tolerances(1e-6, 1e-6);
    c.bench_function("radau5 van der pol mu=1000 to t=3", |b| {
        b.iter(|| {
            let mut system = VanDerPol { mu: 1000.0 };
            let solution = integrate(&mut system, 0.0, &[2.0, 0.0], 3.0, &options, &mut NoOutput);
            black_box(solution)
        });
    });
}

fn oscillator_dopri(c: &mut Criterion) {
    let options = Options::new(Method::Dopri5).with_tolerances(1e-8, 1e-10);
    c.bench_function("dopri5 oscillator 50 Hz for 1 s", |b| {
        b.iter(|| {
            let solution = integrate(
                &mut Oscillator,
                0.0,
                &[1.0, 0.0],
                1.0,
                &options,
                &mut NoOutput,
            );
            black_box(solution)
        });
    });
}

criterion_group!(benches, van_der_pol_radau, oscillator_dopri);
criterion_main!(benches);
