//! Output sinks: where [`integrate`](crate::integrate) delivers interpolated states and
//! located events.

use crate::system::Crossing;

/// Receives states at requested output times and the located events.
///
/// The driver calls [`next_time`](Self::next_time) to get the next requested time.
/// When the integration has passed that time, it calls [`record`](Self::record) with
/// the state interpolated from the step that covers it. Times must be non-decreasing and not
/// before `t0`. A time equal to `t0` receives the initial state, and times after `t_end`
/// (or after a terminal event) are never recorded. The driver does not allocate per
/// sample, so a sink that computes times on the fly serves millions of samples in
/// constant memory.
pub trait Output {
    /// Next requested output time in s, or `None` when no more output is wanted.
    fn next_time(&mut self) -> Option<f64>;

    /// Receives the state `x` at the time last returned by `next_time`. Afterwards
    /// `next_time` must return the following requested time.
    fn record(&mut self, t: f64, x: &[f64]);

    /// Receives a located event (terminal or not) with the interpolated state at its
    /// time, after every output at or before `t`. The default ignores it.
    fn event(&mut self, index: usize, t: f64, x: &[f64], crossing: Crossing) {
        let _ = (index, t, x, crossing);
    }
}

/// A sink that requests no output and ignores events.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoOutput;

impl Output for NoOutput {
    fn next_time(&mut self) -> Option<f64> {
        None
    }

    fn record(&mut self, _t: f64, _x: &[f64]) {}
}

/// A located event as stored by [`Samples`].
#[derive(Debug, Clone, PartialEq)]
pub struct EventHit {
    /// Index of the event function.
    pub index: usize,
    /// Located time in s.
    pub t: f64,
    /// Interpolated state at `t`.
    pub x: Vec<f64>,
    /// Direction of the sign change.
    pub crossing: Crossing,
}

/// A sink that stores the states at a given list of times, and every event.
///
/// The state storage is allocated once, up front, for all requested times.
#[derive(Debug, Clone)]
pub struct Samples {
    times: Vec<f64>,
    dim: usize,
    states: Vec<f64>,
    /// Every located event, in time order.
    pub events: Vec<EventHit>,
}

impl Samples {
    /// Creates a sink for the states at `times` (non-decreasing, in s) of a system with
    /// `dim` states. [`integrate`](crate::integrate) rejects times that decrease.
    pub fn at_times(times: Vec<f64>, dim: usize) -> Self {
        let states = Vec::with_capacity(times.len() * dim);
        Self {
            times,
            dim,
            states,
            events: Vec::new(),
        }
    }

    /// Creates a sink for `count` uniformly spaced times `start + k · step`,
    /// `k = 0, …, count − 1`.
    pub fn uniform(start: f64, step: f64, count: usize, dim: usize) -> Self {
        let times = (0..count).map(|k| start + k as f64 * step).collect();
        Self::at_times(times, dim)
    }

    /// Requested times, recorded or not.
    pub fn times(&self) -> &[f64] {
        &self.times
    }

    /// Number of times recorded so far.
    pub fn len(&self) -> usize {
        self.states.len().checked_div(self.dim).unwrap_or(0)
    }

    /// Returns whether nothing has been recorded.
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Returns the recorded state at `times()[k]`, or `None` if it was not reached.
    pub fn state(&self, k: usize) -> Option<&[f64]> {
        self.states.get(k * self.dim..(k + 1) * self.dim)
    }

    /// Returns all recorded states, row by row: state `k` is `[k · dim, (k + 1) · dim)`.
    pub fn states(&self) -> &[f64] {
        &self.states
    }
}

impl Output for Samples {
    fn next_time(&mut self) -> Option<f64> {
        self.times.get(self.len()).copied()
    }

    fn record(&mut self, _t: f64, x: &[f64]) {
        self.states.extend_from_slice(x);
    }

    fn event(&mut self, index: usize, t: f64, x: &[f64], crossing: Crossing) {
        self.events.push(EventHit {
            index,
            t,
            x: x.to_vec(),
            crossing,
        });
    }
}

/// A sink that calls `callback(t, x)` at `count` uniformly spaced times
/// `start + k · step`, without storing anything.
///
/// Each time is computed from `k`, not accumulated, so there is no drift over millions
/// of samples.
pub struct UniformCallback<F: FnMut(f64, &[f64])> {
    start: f64,
    step: f64,
    count: usize,
    next: usize,
    callback: F,
}

impl<F: FnMut(f64, &[f64])> UniformCallback<F> {
    /// Creates the sink. `step` must be positive for the times to be increasing;
    /// [`integrate`](crate::integrate) rejects them otherwise.
    pub fn new(start: f64, step: f64, count: usize, callback: F) -> Self {
        Self {
            start,
            step,
            count,
            next: 0,
            callback,
        }
    }

    /// Number of samples delivered so far.
    pub fn delivered(&self) -> usize {
        self.next
    }
}

impl<F: FnMut(f64, &[f64])> Output for UniformCallback<F> {
    fn next_time(&mut self) -> Option<f64> {
        (self.next < self.count).then_some(self.start + self.next as f64 * self.step)
    }

    fn record(&mut self, t: f64, x: &[f64]) {
        (self.callback)(t, x);
        self.next += 1;
    }
}
