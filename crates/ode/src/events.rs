//! Event location on the dense output of an accepted step.
//!
//! After each accepted step `[t_a, t_b]` the event functions are evaluated at `t_b`.
//! Event `k` fires when `g_k` has changed sign since the last point where it was
//! non-zero (a value of exactly zero at `t_b` counts as a change) and the direction
//! passes the filter. Its time is located by root finding on `t ↦ g_k(t, x(t))`, where
//! `x(t)` is the stepper's interpolant: RK4's cubic Hermite, the Dormand–Prince
//! continuous extension or the Radau collocation polynomial.
//!
//! The root finder is the Illinois variant of regula falsi: when the same end of the
//! bracket is kept twice, the function value at the other end is halved, which
//! restores superlinear convergence. A bisection step replaces it when
//! the bracket has not halved within three iterations. It stops when the bracket is
//! narrower than `max(event_time_tolerance, 4 ε |t|)` and returns the end of the bracket
//! where `g_k` already has its new sign (or is zero). So the reported time is at most
//! that tolerance after the root of the interpolated `g_k`, never before it, and a
//! restart from the reported state does not see the same crossing again.
//!
//! Limitations: a function that changes sign twice within one step (a zero touched
//! and left, or two close roots) shows no change at the step end and is missed. Cap
//! `max_step` when events can be closer together than the natural step. An event
//! function that is exactly zero at `t0` does not fire there: the first non-zero
//! value sets its sign.

use crate::common::Stepper;
use crate::error::OdeError;
use crate::stats::Stats;
use crate::system::{Crossing, EventDirection, OdeSystem};

/// Iteration cap for one root. Illinois with bisection needs far fewer to reach
/// machine precision from any bracket of doubles.
const MAX_ROOT_ITERATIONS: usize = 200;

/// A located event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LocatedEvent {
    pub(crate) index: usize,
    pub(crate) t: f64,
    pub(crate) crossing: Crossing,
    pub(crate) terminal: bool,
}

/// Sign tracking and workspace for the event functions of one integration.
pub(crate) struct EventLocator {
    directions: Vec<EventDirection>,
    terminal: Vec<bool>,
    time_tolerance: f64,
    /// Sign of each `g_k` at the last point where it was non-zero, 0 before that.
    sign: Vec<i8>,
    left_t: f64,
    left_g: Vec<f64>,
    right_g: Vec<f64>,
    g_work: Vec<f64>,
    x_work: Vec<f64>,
}

impl EventLocator {
    /// Evaluates the event functions at `(t0, x0)` and records their signs.
    pub(crate) fn new<S: OdeSystem + ?Sized>(
        system: &mut S,
        t0: f64,
        x0: &[f64],
        time_tolerance: f64,
        stats: &mut Stats,
    ) -> Result<Self, OdeError> {
        let count = system.event_count();
        let directions = (0..count).map(|k| system.event_direction(k)).collect();
        let terminal = (0..count).map(|k| system.event_is_terminal(k)).collect();
        let mut locator = Self {
            directions,
            terminal,
            time_tolerance,
            sign: vec![0; count],
            left_t: t0,
            left_g: vec![0.0; count],
            right_g: vec![0.0; count],
            g_work: vec![0.0; count],
            x_work: vec![0.0; x0.len()],
        };
        if count > 0 {
            evaluate(system, t0, x0, &mut locator.left_g, stats)?;
            for (s, &g) in locator.sign.iter_mut().zip(&locator.left_g) {
                *s = sign_of(g);
            }
        }
        Ok(locator)
    }

    /// Returns whether the system has any event functions.
    pub(crate) fn is_active(&self) -> bool {
        !self.sign.is_empty()
    }

    /// Evaluates the event functions at the end of the stepper's last accepted step.
    pub(crate) fn begin_step<S: OdeSystem + ?Sized, T: Stepper>(
        &mut self,
        system: &mut S,
        stepper: &T,
        stats: &mut Stats,
    ) -> Result<(), OdeError> {
        self.left_t = stepper.t_prev();
        evaluate(system, stepper.t(), stepper.x(), &mut self.right_g, stats)
    }

    /// Locates the earliest event after the last reported one within the current
    /// step, or returns `None` when there is none left.
    pub(crate) fn next_event<S: OdeSystem + ?Sized, T: Stepper>(
        &mut self,
        system: &mut S,
        stepper: &T,
        stats: &mut Stats,
    ) -> Result<Option<LocatedEvent>, OdeError> {
        let right_t = stepper.t();
        let mut earliest: Option<LocatedEvent> = None;
        for k in 0..self.sign.len() {
            let old_sign = self.sign[k];
            let right = self.right_g[k];
            let changed = (old_sign > 0 && right <= 0.0) || (old_sign < 0 && right >= 0.0);
            if !changed {
                continue;
            }
            let crossing = if old_sign < 0 {
                Crossing::Rising
            } else {
                Crossing::Falling
            };
            if !self.directions[k].accepts(crossing) {
                continue;
            }
            let t = self.locate(system, stepper, k, right_t, stats)?;
            if earliest.is_none_or(|e| t < e.t) {
                earliest = Some(LocatedEvent {
                    index: k,
                    t,
                    crossing,
                    terminal: self.terminal[k],
                });
            }
        }

        let Some(event) = earliest else {
            return Ok(None);
        };
        stats.events_located += 1;

        // Continue the search from the event time, with signs taken there.
        state_at(stepper, event.t, &mut self.x_work);
        evaluate(system, event.t, &self.x_work, &mut self.left_g, stats)?;
        self.left_t = event.t;
        for (s, &g) in self.sign.iter_mut().zip(&self.left_g) {
            if g != 0.0 {
                *s = sign_of(g);
            }
        }
        self.sign[event.index] = match event.crossing {
            Crossing::Rising => 1,
            Crossing::Falling => -1,
        };
        Ok(Some(event))
    }

    /// Takes the signs at the step end as the starting point of the next step.
    pub(crate) fn finish_step(&mut self) {
        for (s, &g) in self.sign.iter_mut().zip(&self.right_g) {
            if g != 0.0 {
                *s = sign_of(g);
            }
        }
        std::mem::swap(&mut self.left_g, &mut self.right_g);
    }

    /// Brackets the root of `g_k` in `[left_t, right_t]` by Illinois regula falsi.
    fn locate<S: OdeSystem + ?Sized, T: Stepper>(
        &mut self,
        system: &mut S,
        stepper: &T,
        k: usize,
        right_t: f64,
        stats: &mut Stats,
    ) -> Result<f64, OdeError> {
        let old_sign = self.sign[k];
        let (mut a, mut fa) = (self.left_t, self.left_g[k]);
        let (mut b, mut fb) = (right_t, self.right_g[k]);
        if fa == 0.0 || sign_of(fa) != old_sign {
            return Ok(a);
        }
        if fb == 0.0 {
            return Ok(b);
        }
        let tolerance = self
            .time_tolerance
            .max(4.0 * f64::EPSILON * a.abs().max(b.abs()));

        // Which end moved last: -1 for a, +1 for b, 0 at the start.
        let mut moved = 0;
        let mut width_checkpoint = b - a;
        let mut since_checkpoint = 0;
        let mut bisect = false;
        for _ in 0..MAX_ROOT_ITERATIONS {
            if b - a <= tolerance {
                break;
            }
            let mut c = if bisect {
                0.5 * (a + b)
            } else {
                b - fb * (b - a) / (fb - fa)
            };
            if !(c > a && c < b) {
                c = 0.5 * (a + b);
                if !(c > a && c < b) {
                    break;
                }
            }
            let fc = self.evaluate_one(system, stepper, k, c, stats)?;
            if fc == 0.0 {
                return Ok(c);
            }
            if sign_of(fc) == old_sign {
                a = c;
                fa = fc;
                if moved == -1 {
                    fb *= 0.5;
                }
                moved = -1;
            } else {
                b = c;
                fb = fc;
                if moved == 1 {
                    fa *= 0.5;
                }
                moved = 1;
            }

            since_checkpoint += 1;
            bisect = false;
            if since_checkpoint == 3 {
                bisect = b - a > 0.5 * width_checkpoint;
                width_checkpoint = b - a;
                since_checkpoint = 0;
            }
        }
        Ok(b)
    }

    fn evaluate_one<S: OdeSystem + ?Sized, T: Stepper>(
        &mut self,
        system: &mut S,
        stepper: &T,
        k: usize,
        t: f64,
        stats: &mut Stats,
    ) -> Result<f64, OdeError> {
        state_at(stepper, t, &mut self.x_work);
        evaluate(system, t, &self.x_work, &mut self.g_work, stats)?;
        Ok(self.g_work[k])
    }
}

/// Writes the state at `t` within the last step: the accepted end state itself at the
/// step end, the interpolant elsewhere. At `θ = 1` an interpolant reproduces the end
/// state only up to rounding, and with large states that rounding can flip the sign
/// of an event function. The signs taken at the step end must match `right_g`, or two
/// events there would keep re-arming each other.
fn state_at<T: Stepper>(stepper: &T, t: f64, out: &mut [f64]) {
    if t >= stepper.t() {
        out.copy_from_slice(stepper.x());
    } else {
        stepper.interpolate(t, out);
    }
}

fn evaluate<S: OdeSystem + ?Sized>(
    system: &mut S,
    t: f64,
    x: &[f64],
    g: &mut [f64],
    stats: &mut Stats,
) -> Result<(), OdeError> {
    stats.event_evaluations += 1;
    system.events(t, x, g);
    match g.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(OdeError::NonFiniteEvent {
            t,
            index,
            value: g[index],
        }),
        None => Ok(()),
    }
}

fn sign_of(g: f64) -> i8 {
    if g > 0.0 {
        1
    } else if g < 0.0 {
        -1
    } else {
        0
    }
}
