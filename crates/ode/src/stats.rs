//! Work counters and the record of method switches.

/// The three integration methods, as named in statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// Classic fourth-order Runge–Kutta, fixed step.
    Rk4,
    /// Dormand–Prince 5(4).
    Dopri5,
    /// Radau IIA of order 5.
    Radau5,
}

/// Why [`Method::Auto`](crate::Method::Auto) switched method.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SwitchReason {
    /// The Dormand–Prince stiffness test fired the configured number of times.
    StiffnessDetected,
    /// The proposed step `h` (in s) fell below the configured fraction of the interval,
    /// or the step collapsed altogether.
    StepSizeCollapsed {
        /// The step size in s that triggered the switch.
        h: f64,
    },
}

/// One switch of method during an integration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodSwitch {
    /// Time in s at which the new method took over.
    pub t: f64,
    /// Method used before `t`.
    pub from: MethodKind,
    /// Method used from `t` on.
    pub to: MethodKind,
    /// Cause of the switch.
    pub reason: SwitchReason,
}

/// Work done by one call to [`integrate`](crate::integrate).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Attempted steps, accepted and rejected together.
    pub steps: usize,
    /// Accepted steps.
    pub accepted: usize,
    /// Rejected steps: failed error tests, Newton failures, singular Newton matrices
    /// and trial states with a non-finite right-hand side.
    pub rejected: usize,
    /// Calls to [`OdeSystem::rhs`](crate::OdeSystem::rhs), including those spent on
    /// finite-difference Jacobians and on the initial step selection.
    pub rhs_evaluations: usize,
    /// Jacobian evaluations, analytic or by finite differences (Radau IIA only).
    pub jacobian_evaluations: usize,
    /// Factorisations of the Newton matrices (Radau IIA only). The real `n × n` and the
    /// `2n × 2n` matrix factorised together count as one.
    pub lu_factorizations: usize,
    /// Simplified Newton iterations (Radau IIA only).
    pub newton_iterations: usize,
    /// Steps rejected because the Newton iteration diverged, converged too slowly, hit
    /// a singular matrix or met a non-finite right-hand side (Radau IIA only). They are
    /// also counted in `rejected`.
    pub newton_failures: usize,
    /// Calls to [`OdeSystem::events`](crate::OdeSystem::events).
    pub event_evaluations: usize,
    /// Events located, terminal or not, after the direction filter.
    pub events_located: usize,
    /// Time in s at which the Dormand–Prince stiffness test first reached its count,
    /// if it did.
    pub stiffness_detected_at: Option<f64>,
    /// Method switches made by [`Method::Auto`](crate::Method::Auto), in time order.
    pub switches: Vec<MethodSwitch>,
}
