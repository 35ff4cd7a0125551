//! Errors for bad input and for non-finite values met during integration.

/// Error from an integration that could not start or could not continue.
///
/// Outcomes of a valid integration (finished, stopped by a terminal event, step size
/// collapsed, step limit reached) are not errors: they are a
/// [`Status`](crate::Status) on the [`Solution`](crate::Solution).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OdeError {
    /// The system reports zero states.
    #[error("the system dimension must be at least 1, got 0")]
    EmptySystem,

    /// A vector input has the wrong length.
    #[error("{field} has length {actual} but the system dimension is {expected}")]
    DimensionMismatch {
        /// Name of the input, for example `"x0"` or `"atol"`.
        field: &'static str,
        /// Length the system dimension requires.
        expected: usize,
        /// Length that was passed.
        actual: usize,
    },

    /// A component of the initial state is NaN or infinite.
    #[error("x0[{index}] must be finite, got {value:?}")]
    NonFiniteInitialState {
        /// Component index.
        index: usize,
        /// The rejected value.
        value: f64,
    },

    /// The start or end time is not finite, the end is not after the start, or the
    /// interval length overflows.
    #[error(
        "t_end must be finite and after t0, with a finite t_end − t0, got t0 = {t0:?} and t_end = {t_end:?}"
    )]
    InvalidInterval {
        /// Start time in s.
        t0: f64,
        /// End time in s.
        t_end: f64,
    },

    /// A numeric option is outside its accepted range.
    #[error("{field} must be {requirement}, got {value:?}")]
    InvalidOption {
        /// Name of the option, with the component index for per-component tolerances
        /// (`"atol[2]"`).
        field: String,
        /// The accepted range in words, for example `"positive and finite"`.
        requirement: &'static str,
        /// The rejected value.
        value: f64,
    },

    /// The caller's output sink requested a time that is NaN or earlier than a time
    /// already delivered (or earlier than `t0`).
    #[error(
        "output time {requested:?} is invalid: output times must be non-decreasing, not NaN, and not before {earliest:?}"
    )]
    InvalidOutputTime {
        /// The time the sink returned from `next_time`, in s.
        requested: f64,
        /// The earliest time that would have been accepted, in s.
        earliest: f64,
    },

    /// The right-hand side returned NaN or infinity at an accepted state, or at every
    /// trial state until the step size collapsed.
    #[error(
        "the right-hand side returned {value:?} in component {component} at t = {t:?}; check the model for a division by zero or an overflow near this time"
    )]
    NonFiniteRhs {
        /// Time of the evaluation in s.
        t: f64,
        /// Index of the first non-finite component.
        component: usize,
        /// The non-finite value.
        value: f64,
    },

    /// A fixed-step method produced a non-finite state, which usually means the step is
    /// too large for the fastest mode of the system.
    #[error(
        "the state became {value:?} in component {component} at t = {t:?}; reduce the fixed step or use an adaptive method"
    )]
    NonFiniteState {
        /// Time of the state in s.
        t: f64,
        /// Index of the first non-finite component.
        component: usize,
        /// The non-finite value.
        value: f64,
    },

    /// The Jacobian (analytic, or by finite differences) has a NaN or infinite entry.
    #[error("the Jacobian entry ({row}, {column}) is {value:?} at t = {t:?}")]
    NonFiniteJacobian {
        /// Time of the evaluation in s.
        t: f64,
        /// Row of the entry (the equation).
        row: usize,
        /// Column of the entry (the state).
        column: usize,
        /// The non-finite value.
        value: f64,
    },

    /// An event function returned NaN or infinity.
    #[error("event function {index} returned {value:?} at t = {t:?}")]
    NonFiniteEvent {
        /// Time of the evaluation in s.
        t: f64,
        /// Index of the event function.
        index: usize,
        /// The non-finite value.
        value: f64,
    },
}
