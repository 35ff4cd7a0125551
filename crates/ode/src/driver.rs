//! The integration driver: input checks, the step loop, output delivery, events and
//! the automatic switch from Dormand–Prince to Radau IIA.

use crate::common::{StepStatus, Stepper};
use crate::dopri5::Dopri5;
use crate::error::OdeError;
use crate::events::EventLocator;
use crate::options::{ErrorWeights, Method, Options};
use crate::output::Output;
use crate::radau5::Radau5;
use crate::rk4::Rk4;
use crate::stats::{MethodKind, MethodSwitch, Stats, SwitchReason};
use crate::system::{Crossing, OdeSystem};

/// Outcome of an integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Status {
    /// The integration reached `t_end`.
    Finished,
    /// A terminal event stopped the integration; [`Solution::t`] and [`Solution::x`] are
    /// the event time and the interpolated state there.
    TerminalEvent {
        /// Index of the event function.
        index: usize,
        /// Located event time in s (equal to [`Solution::t`]).
        t: f64,
        /// Direction of the sign change.
        crossing: Crossing,
    },
    /// The adaptive step size fell below `16 ε |t|` at [`Solution::t`], usually at a
    /// singularity of the solution or a discontinuity that no event handles.
    StepSizeTooSmall {
        /// The step size in s that was too small.
        h: f64,
    },
    /// [`Options::max_steps`] steps were attempted before `t_end`.
    MaxStepsReached,
}

/// Result of [`integrate`].
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// Time in s where the integration stopped: `t_end`, the terminal event time, or
    /// the last accepted step.
    pub t: f64,
    /// State at [`t`](Self::t).
    pub x: Vec<f64>,
    /// Outcome of the integration.
    pub status: Status,
    /// Work counters.
    pub stats: Stats,
}

/// Integrates `dx/dt = f(t, x)` from `(t0, x0)` to `t_end`.
///
/// States at the times that `output` requests are interpolated from the step that
/// covers them, and every located event is passed to [`Output::event`]. The
/// integration stops at `t_end`, at the first terminal event, when the step size
/// collapses, or after [`Options::max_steps`] attempted steps. Which one is
/// [`Solution::status`].
///
/// Memory is allocated when the integration starts (a few vectors of length `n`, and
/// `n × n` plus `2n × 2n` matrices for Radau IIA), when Radau IIA refactorises its
/// Newton matrices, and on a method switch. Steps of Dormand–Prince and RK4 and the
/// delivery of output samples allocate nothing.
///
/// # Errors
/// - [`OdeError::EmptySystem`], [`OdeError::DimensionMismatch`],
///   [`OdeError::NonFiniteInitialState`], [`OdeError::InvalidInterval`] and
///   [`OdeError::InvalidOption`] for bad input, before any work is done.
/// - [`OdeError::InvalidOutputTime`] when `output` requests a time that is NaN or
///   earlier than one already delivered.
/// - [`OdeError::NonFiniteRhs`], [`OdeError::NonFiniteState`],
///   [`OdeError::NonFiniteJacobian`] and [`OdeError::NonFiniteEvent`] when the model
///   produces NaN or infinity.
pub fn integrate<S, O>(
    system: &mut S,
    t0: f64,
    x0: &[f64],
    t_end: f64,
    options: &Options,
    output: &mut O,
) -> Result<Solution, OdeError>
where
    S: OdeSystem + ?Sized,
    O: Output + ?Sized,
{
    let n = system.dim();
    if n == 0 {
        return Err(OdeError::EmptySystem);
    }
    if x0.len() != n {
        return Err(OdeError::DimensionMismatch {
            field: "x0",
            expected: n,
            actual: x0.len(),
        });
    }
    if let Some(index) = x0.iter().position(|v| !v.is_finite()) {
        return Err(OdeError::NonFiniteInitialState {
            index,
            value: x0[index],
        });
    }
    if !(t0.is_finite() && t_end.is_finite() && t_end > t0 && (t_end - t0).is_finite()) {
        return Err(OdeError::InvalidInterval { t0, t_end });
    }
    let weights = options.validate(n)?;

    let mut stats = Stats::default();
    let mut events = EventLocator::new(system, t0, x0, options.event_time_tolerance, &mut stats)?;
    let mut delivery = Delivery::new(n, t0);
    delivery.deliver_start(output, x0)?;

    let mut stepper = match options.method {
        Method::Rk4 { step } => Active::Rk4(Box::new(Rk4::new(system, t0, x0, step, &mut stats)?)),
        Method::Dopri5 | Method::Auto => Active::Dopri5(Box::new(Dopri5::new(
            system,
            t0,
            x0,
            t_end,
            weights.clone(),
            options.initial_step,
            options.max_step,
            options.auto_switch.stiff_test_count,
            &mut stats,
        )?)),
        Method::Radau5 => Active::Radau5(Box::new(Radau5::new(
            system,
            t0,
            x0,
            t_end,
            &weights,
            options.initial_step,
            options,
            &mut stats,
        )?)),
    };
    let auto = matches!(options.method, Method::Auto);
    let switch_step = options.auto_switch.min_step_ratio * (t_end - t0);

    loop {
        if stepper.t() >= t_end {
            return Ok(finish(&stepper, Status::Finished, stats));
        }
        if stats.steps >= options.max_steps {
            return Ok(finish(&stepper, Status::MaxStepsReached, stats));
        }

        match stepper.step(system, t_end, options.max_steps, &mut stats)? {
            StepStatus::Accepted => {}
            StepStatus::MaxStepsReached => {
                return Ok(finish(&stepper, Status::MaxStepsReached, stats));
            }
            StepStatus::StepSizeTooSmall { h } => {
                if auto && stepper.kind() == MethodKind::Dopri5 {
                    let reason = SwitchReason::StepSizeCollapsed { h };
                    stepper = switch_to_radau(
                        system, &stepper, t_end, &weights, options, reason, &mut stats,
                    )?;
                    continue;
                }
                return Ok(finish(&stepper, Status::StepSizeTooSmall { h }, stats));
            }
        }

        if events.is_active() {
            events.begin_step(system, &stepper, &mut stats)?;
            while let Some(event) = events.next_event(system, &stepper, &mut stats)? {
                delivery.deliver_until(output, &stepper, event.t)?;
                stepper.interpolate(event.t, &mut delivery.x);
                output.event(event.index, event.t, &delivery.x, event.crossing);
                if event.terminal {
                    let status = Status::TerminalEvent {
                        index: event.index,
                        t: event.t,
                        crossing: event.crossing,
                    };
                    return Ok(Solution {
                        t: event.t,
                        x: delivery.x,
                        status,
                        stats,
                    });
                }
            }
            events.finish_step();
        }
        delivery.deliver_until(output, &stepper, stepper.t())?;

        if let Active::Dopri5(dopri) = &stepper
            && auto
            && stepper.t() < t_end
        {
            let reason = if dopri.stiffness_detected() {
                Some(SwitchReason::StiffnessDetected)
            } else if dopri.next_step_size() < switch_step {
                Some(SwitchReason::StepSizeCollapsed {
                    h: dopri.next_step_size(),
                })
            } else {
                None
            };
            if let Some(reason) = reason {
                stepper = switch_to_radau(
                    system, &stepper, t_end, &weights, options, reason, &mut stats,
                )?;
            }
        }
    }
}

fn finish(stepper: &Active, status: Status, stats: Stats) -> Solution {
    Solution {
        t: stepper.t(),
        x: stepper.x().to_vec(),
        status,
        stats,
    }
}

/// Starts Radau IIA from the current state of `stepper`, with its next step size.
fn switch_to_radau<S: OdeSystem + ?Sized>(
    system: &mut S,
    stepper: &Active,
    t_end: f64,
    weights: &ErrorWeights,
    options: &Options,
    reason: SwitchReason,
    stats: &mut Stats,
) -> Result<Active, OdeError> {
    let t = stepper.t();
    let h = stepper
        .next_step_size()
        .max(crate::common::min_step(t) * 2.0);
    let radau = Radau5::new(
        system,
        t,
        stepper.x(),
        t_end,
        weights,
        Some(h),
        options,
        stats,
    )?;
    stats.switches.push(MethodSwitch {
        t,
        from: stepper.kind(),
        to: MethodKind::Radau5,
        reason,
    });
    Ok(Active::Radau5(Box::new(radau)))
}

/// Hands requested output times to the sink and checks their order.
struct Delivery {
    /// Earliest time the sink may still request.
    earliest: f64,
    x: Vec<f64>,
}

impl Delivery {
    fn new(n: usize, t0: f64) -> Self {
        Self {
            earliest: t0,
            x: vec![0.0; n],
        }
    }

    fn next_time<O: Output + ?Sized>(&self, output: &mut O) -> Result<Option<f64>, OdeError> {
        match output.next_time() {
            Some(t) if t.is_nan() || t < self.earliest => Err(OdeError::InvalidOutputTime {
                requested: t,
                earliest: self.earliest,
            }),
            other => Ok(other),
        }
    }

    /// Records the initial state at every requested time equal to `t0`.
    fn deliver_start<O: Output + ?Sized>(
        &mut self,
        output: &mut O,
        x0: &[f64],
    ) -> Result<(), OdeError> {
        while let Some(t) = self.next_time(output)? {
            if t > self.earliest {
                break;
            }
            output.record(t, x0);
        }
        Ok(())
    }

    /// Records every requested time up to and including `t_limit`, which must lie in
    /// the stepper's last step.
    fn deliver_until<O: Output + ?Sized>(
        &mut self,
        output: &mut O,
        stepper: &Active,
        t_limit: f64,
    ) -> Result<(), OdeError> {
        while let Some(t) = self.next_time(output)? {
            if t > t_limit {
                break;
            }
            if t == stepper.t() {
                output.record(t, stepper.x());
            } else {
                stepper.interpolate(t, &mut self.x);
                output.record(t, &self.x);
            }
            self.earliest = t;
        }
        Ok(())
    }
}

/// The stepper in use, dispatched without trait objects because `Stepper::step` is
/// generic over the system.
enum Active {
    Rk4(Box<Rk4>),
    Dopri5(Box<Dopri5>),
    Radau5(Box<Radau5>),
}

impl Stepper for Active {
    fn step<S: OdeSystem + ?Sized>(
        &mut self,
        system: &mut S,
        t_end: f64,
        max_steps: usize,
        stats: &mut Stats,
    ) -> Result<StepStatus, OdeError> {
        match self {
            Active::Rk4(s) => s.step(system, t_end, max_steps, stats),
            Active::Dopri5(s) => s.step(system, t_end, max_steps, stats),
            Active::Radau5(s) => s.step(system, t_end, max_steps, stats),
        }
    }

    fn t(&self) -> f64 {
        match self {
            Active::Rk4(s) => s.t(),
            Active::Dopri5(s) => s.t(),
            Active::Radau5(s) => s.t(),
        }
    }

    fn x(&self) -> &[f64] {
        match self {
            Active::Rk4(s) => s.x(),
            Active::Dopri5(s) => s.x(),
            Active::Radau5(s) => s.x(),
        }
    }

    fn t_prev(&self) -> f64 {
        match self {
            Active::Rk4(s) => s.t_prev(),
            Active::Dopri5(s) => s.t_prev(),
            Active::Radau5(s) => s.t_prev(),
        }
    }

    fn next_step_size(&self) -> f64 {
        match self {
            Active::Rk4(s) => s.next_step_size(),
            Active::Dopri5(s) => s.next_step_size(),
            Active::Radau5(s) => s.next_step_size(),
        }
    }

    fn interpolate(&self, t: f64, out: &mut [f64]) {
        match self {
            Active::Rk4(s) => s.interpolate(t, out),
            Active::Dopri5(s) => s.interpolate(t, out),
            Active::Radau5(s) => s.interpolate(t, out),
        }
    }

    fn kind(&self) -> MethodKind {
        match self {
            Active::Rk4(s) => s.kind(),
            Active::Dopri5(s) => s.kind(),
            Active::Radau5(s) => s.kind(),
        }
    }
}
