//! Classic fourth-order Runge–Kutta with a fixed step.
//!
//! One step from `(t, x)` with step `h`:
//!
//! ```text
//! k1 = f(t, x)
//! k2 = f(t + h/2, x + h/2 · k1)
//! k3 = f(t + h/2, x + h/2 · k2)
//! k4 = f(t + h, x + h · k3)
//! x⁺ = x + h/6 · (k1 + 2 k2 + 2 k3 + k4)
//! ```
//!
//! This is Kutta's classical method (Hairer, Nørsett & Wanner, "Solving ODEs I", 2nd
//! ed., 1993, section II.1). The derivative `f(t + h, x⁺)` at the end of a step is the
//! next step's `k1`. So a step costs four evaluations, and the interpolant gets both end
//! slopes without extra work.
//!
//! Dense output is the cubic Hermite interpolant through `(t, x, f(t, x))` and
//! `(t + h, x⁺, f(t + h, x⁺))`, accurate to `O(h⁴)` between the step ends, which is what
//! events and output times use.

use crate::common::{StepStatus, Stepper, eval_rhs};
use crate::error::OdeError;
use crate::stats::{MethodKind, Stats};
use crate::system::OdeSystem;

/// Fixed-step RK4 state.
pub(crate) struct Rk4 {
    step: f64,
    t: f64,
    t_prev: f64,
    x: Vec<f64>,
    x_prev: Vec<f64>,
    f: Vec<f64>,
    f_prev: Vec<f64>,
    k2: Vec<f64>,
    k3: Vec<f64>,
    k4: Vec<f64>,
    stage: Vec<f64>,
}

impl Rk4 {
    /// Starts at `(t0, x0)` with step `step`, evaluating `f(t0, x0)`.
    pub(crate) fn new<S: OdeSystem + ?Sized>(
        system: &mut S,
        t0: f64,
        x0: &[f64],
        step: f64,
        stats: &mut Stats,
    ) -> Result<Self, OdeError> {
        let n = x0.len();
        let mut f = vec![0.0; n];
        eval_rhs(system, t0, x0, &mut f, stats)?;
        Ok(Self {
            step,
            t: t0,
            t_prev: t0,
            x: x0.to_vec(),
            x_prev: x0.to_vec(),
            f_prev: f.clone(),
            f,
            k2: vec![0.0; n],
            k3: vec![0.0; n],
            k4: vec![0.0; n],
            stage: vec![0.0; n],
        })
    }
}

impl Stepper for Rk4 {
    fn step<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t_end: f64,
        max_steps: usize,
        stats: &mut Stats,
    ) -> Result<StepStatus, OdeError> {
        if stats.steps >= max_steps {
            return Ok(StepStatus::MaxStepsReached);
        }
        let n = self.x.len();
        // Stretch the last step by up to 1 % instead of leaving a sliver before t_end.
        let last = self.t + 1.01 * self.step >= t_end;
        let h = if last { t_end - self.t } else { self.step };
        let t_new = if last { t_end } else { self.t + h };
        if t_new <= self.t {
            // The step is below the resolution of t: no progress is possible.
            return Ok(StepStatus::StepSizeTooSmall { h });
        }
        stats.steps += 1;

        let t = self.t;
        set_stage(&mut self.stage, &self.x, 0.5 * h, &self.f);
        eval_rhs(system, t + 0.5 * h, &self.stage, &mut self.k2, stats)?;
        set_stage(&mut self.stage, &self.x, 0.5 * h, &self.k2);
        eval_rhs(system, t + 0.5 * h, &self.stage, &mut self.k3, stats)?;
        set_stage(&mut self.stage, &self.x, h, &self.k3);
        eval_rhs(system, t + h, &self.stage, &mut self.k4, stats)?;

        std::mem::swap(&mut self.x_prev, &mut self.x);
        std::mem::swap(&mut self.f_prev, &mut self.f);
        for i in 0..n {
            let increment = self.f_prev[i] + 2.0 * self.k2[i] + 2.0 * self.k3[i] + self.k4[i];
            self.x[i] = self.x_prev[i] + h / 6.0 * increment;
        }
        if let Some(component) = self.x.iter().position(|v| !v.is_finite()) {
            return Err(OdeError::NonFiniteState {
                t: t_new,
                component,
                value: self.x[component],
            });
        }
        eval_rhs(system, t_new, &self.x, &mut self.f, stats)?;

        self.t_prev = self.t;
        self.t = t_new;
        stats.accepted += 1;
        Ok(StepStatus::Accepted)
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
        self.step
    }

    fn interpolate(&self, t: f64, out: &mut [f64]) {
        hermite(
            self.t_prev,
            &self.x_prev,
            &self.f_prev,
            self.t,
            &self.x,
            &self.f,
            t,
            out,
        );
    }

    fn kind(&self) -> MethodKind {
        MethodKind::Rk4
    }
}

/// Writes the stage argument `x + a · k` into `stage`.
fn set_stage(stage: &mut [f64], x: &[f64], a: f64, k: &[f64]) {
    for ((s, xi), ki) in stage.iter_mut().zip(x).zip(k) {
        *s = xi + a * ki;
    }
}

/// Cubic Hermite interpolation at `t` between `(t0, x0, f0)` and `(t1, x1, f1)`:
/// with `h = t1 − t0` and `s = (t − t0)/h`,
/// `x(s) = (1 − s)² (1 + 2s) x0 + s² (3 − 2s) x1 + s (1 − s)² h f0 − s² (1 − s) h f1`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn hermite(
    t0: f64,
    x0: &[f64],
    f0: &[f64],
    t1: f64,
    x1: &[f64],
    f1: &[f64],
    t: f64,
    out: &mut [f64],
) {
    let h = t1 - t0;
    if h == 0.0 {
        out.copy_from_slice(x1);
        return;
    }
    let s = (t - t0) / h;
    let r = 1.0 - s;
    let w_x0 = r * r * (1.0 + 2.0 * s);
    let w_x1 = s * s * (3.0 - 2.0 * s);
    let w_f0 = s * r * r * h;
    let w_f1 = -s * s * r * h;
    for i in 0..out.len() {
        out[i] = w_x0 * x0[i] + w_x1 * x1[i] + w_f0 * f0[i] + w_f1 * f1[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hermite_reproduces_cubic() {
        // x(t) = t³ − t on [0.5, 2]: a cubic is interpolated exactly.
        let x = |t: f64| t * t * t - t;
        let f = |t: f64| 3.0 * t * t - 1.0;
        let (t0, t1) = (0.5, 2.0);
        let mut out = [0.0];
        for k in 0..=10 {
            let t = t0 + (t1 - t0) * f64::from(k) / 10.0;
            hermite(t0, &[x(t0)], &[f(t0)], t1, &[x(t1)], &[f(t1)], t, &mut out);
            assert!(
                (out[0] - x(t)).abs() < 1e-13,
                "t = {t}: {} vs {}",
                out[0],
                x(t)
            );
        }
    }
}
