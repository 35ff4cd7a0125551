//! Pieces shared by the steppers: checked right-hand side calls, the minimum step,
//! the starting step size, and the interface the driver uses.

use crate::error::OdeError;
use crate::options::ErrorWeights;
use crate::stats::{MethodKind, Stats};
use crate::system::OdeSystem;

/// A non-finite value returned by the right-hand side.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NonFinite {
    pub(crate) t: f64,
    pub(crate) component: usize,
    pub(crate) value: f64,
}

impl From<NonFinite> for OdeError {
    fn from(bad: NonFinite) -> Self {
        OdeError::NonFiniteRhs {
            t: bad.t,
            component: bad.component,
            value: bad.value,
        }
    }
}

/// Calls the right-hand side, counts the call, and checks every component.
pub(crate) fn eval_rhs<S: OdeSystem + ?Sized>(
    system: &mut S,
    t: f64,
    x: &[f64],
    dxdt: &mut [f64],
    stats: &mut Stats,
) -> Result<(), NonFinite> {
    stats.rhs_evaluations += 1;
    system.rhs(t, x, dxdt);
    match dxdt.iter().position(|v| !v.is_finite()) {
        Some(component) => Err(NonFinite {
            t,
            component,
            value: dxdt[component],
        }),
        None => Ok(()),
    }
}

/// Smallest step the adaptive methods attempt at time `t`: `16 ε |t|`, below which
/// `t + h` no longer differs meaningfully from `t`.
pub(crate) fn min_step(t: f64) -> f64 {
    16.0 * f64::EPSILON * t.abs().max(f64::MIN_POSITIVE)
}

/// Estimates a starting step size for a method whose local error is `O(h^(order+1))`.
///
/// This is the algorithm of Hairer, Nørsett & Wanner, "Solving ODEs I", 2nd ed., 1993,
/// section II.4, with weighted RMS norms `‖·‖` (weights `atol + rtol |x0|`):
/// `h0 = 0.01 ‖x0‖ / ‖f0‖`, one explicit Euler step of `h0` gives
/// `d2 = ‖f(t0 + h0, x0 + h0 f0) − f0‖ / h0`, and
/// `h = min(100 h0, (0.01 / max(‖f0‖, d2))^(1/(order+1)))`.
/// Where the book falls back to the absolute `1e-6` (when `‖x0‖` or `‖f0‖` is tiny),
/// this uses `1e-6 · (t_end − t0)`, so that the guess scales with the interval: circuit
/// models integrate over microseconds as often as over hours.
#[allow(clippy::too_many_arguments)]
pub(crate) fn initial_step<S: OdeSystem + ?Sized>(
    system: &mut S,
    t0: f64,
    x0: &[f64],
    f0: &[f64],
    interval: f64,
    max_step: f64,
    order: i32,
    weights: &ErrorWeights,
    x1: &mut [f64],
    f1: &mut [f64],
    stats: &mut Stats,
) -> f64 {
    let upper = max_step.min(interval);
    let fallback = 1e-6 * interval;

    let d0 = weights.norm(x0, x0, x0);
    let d1 = weights.norm(f0, x0, x0);
    let mut h0 = if d0 < 1e-5 || d1 < 1e-5 {
        fallback
    } else {
        0.01 * d0 / d1
    };
    h0 = h0.min(upper);

    // A trial state where the right-hand side is undefined means the guess is too
    // long: shrink it a few times, then settle for the small guess.
    let mut d2 = None;
    for _ in 0..4 {
        for i in 0..x0.len() {
            x1[i] = x0[i] + h0 * f0[i];
        }
        if eval_rhs(system, t0 + h0, x1, f1, stats).is_ok() {
            for i in 0..x0.len() {
                x1[i] = f1[i] - f0[i];
            }
            d2 = Some(weights.norm(x1, x0, x0) / h0);
            break;
        }
        h0 *= 0.1;
    }
    let Some(d2) = d2 else {
        return h0.min(upper);
    };

    let derivative = d1.max(d2);
    let h1 = if derivative <= 1e-15 {
        fallback.max(h0 * 1e-3)
    } else {
        (0.01 / derivative).powf(1.0 / f64::from(order + 1))
    };
    (100.0 * h0).min(h1).min(upper)
}

/// Outcome of one call to [`Stepper::step`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum StepStatus {
    /// A step was accepted. The stepper's state moved to the end of the step and its
    /// interpolant covers the step.
    Accepted,
    /// The step budget ran out before a step was accepted. The state is unchanged.
    MaxStepsReached,
    /// The step size fell below [`min_step`]. The state is unchanged.
    StepSizeTooSmall {
        /// Step size in s that was too small.
        h: f64,
    },
}

/// One-step method with dense output: the interface the driver uses.
pub(crate) trait Stepper {
    /// Advances by one accepted step without passing `t_end`, retrying rejected
    /// attempts internally while `stats.steps < max_steps`.
    fn step<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t_end: f64,
        max_steps: usize,
        stats: &mut Stats,
    ) -> Result<StepStatus, OdeError>;

    /// Time at the end of the last accepted step (or the start time) in s.
    fn t(&self) -> f64;

    /// State at [`t`](Self::t).
    fn x(&self) -> &[f64];

    /// Time at the start of the last accepted step in s.
    fn t_prev(&self) -> f64;

    /// Step size in s the stepper will try next.
    fn next_step_size(&self) -> f64;

    /// Writes the interpolated state at `t`, which must lie in `[t_prev, t]`.
    fn interpolate(&self, t: f64, out: &mut [f64]);

    /// Which method this is.
    fn kind(&self) -> MethodKind;
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Decay;

    impl OdeSystem for Decay {
        fn dim(&self) -> usize {
            1
        }

        fn rhs(&mut self, _t: f64, x: &[f64], dxdt: &mut [f64]) {
            dxdt[0] = -x[0];
        }
    }

    #[test]
    fn initial_step_scales_with_tolerance() {
        let weights = |tol: f64| ErrorWeights {
            rtol: vec![tol],
            atol: vec![tol],
        };
        let mut stats = Stats::default();
        let mut x1 = [0.0];
        let mut f1 = [0.0];
        let mut step = |tol| {
            initial_step(
                &mut Decay,
                0.0,
                &[1.0],
                &[-1.0],
                10.0,
                f64::INFINITY,
                4,
                &weights(tol),
                &mut x1,
                &mut f1,
                &mut stats,
            )
        };
        let loose = step(1e-3);
        let tight = step(1e-8);
        assert!(loose > tight, "loose {loose}, tight {tight}");
        assert!(tight > 0.0);
    }

    #[test]
    fn min_step_is_positive_at_zero() {
        assert!(min_step(0.0) > 0.0);
        assert!(1.0 + min_step(1.0) > 1.0);
    }
}
