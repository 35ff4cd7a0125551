//! The problem interface: right-hand side, optional Jacobian and event functions.

use pelab_linalg::Matrix;

/// An initial value problem `dx/dt = f(t, x)` with `x ∈ ℝⁿ`, plus optional event
/// functions `g_k(t, x)` whose zero crossings the solvers locate.
///
/// Every method takes `&mut self`, so an implementation can keep scratch buffers (for
/// example the node voltages of a circuit) without interior mutability. The solvers
/// call the methods in time order within a step, but also at trial points of rejected
/// steps and at interpolated states, so `rhs` must be a pure function of `(t, x)` apart
/// from such scratch.
pub trait OdeSystem {
    /// Number of states `n`.
    fn dim(&self) -> usize;

    /// Writes `f(t, x)` into `dxdt`. Both slices have length [`dim`](Self::dim).
    ///
    /// Return NaN or infinity where the model is undefined. The adaptive solvers then
    /// reject the step and retry with a smaller one, and report
    /// [`OdeError::NonFiniteRhs`](crate::OdeError::NonFiniteRhs) when the step size
    /// collapses. RK4 reports it at once.
    fn rhs(&mut self, t: f64, x: &[f64], dxdt: &mut [f64]);

    /// Writes the Jacobian `∂f/∂x` at `(t, x)` into the `n × n` matrix `jac` and returns
    /// `true`. Row `i`, column `j` is `∂f_i/∂x_j`.
    ///
    /// The default returns `false` without touching `jac`, and the implicit solver then
    /// uses forward differences with the increment
    /// `δ_j = √ε · max(|x_j|, atol_j / rtol_j)`, which costs `n` calls to
    /// [`rhs`](Self::rhs) per Jacobian.
    fn jacobian(&mut self, t: f64, x: &[f64], jac: &mut Matrix) -> bool {
        let _ = (t, x, jac);
        false
    }

    /// Number of event functions. The default is 0.
    fn event_count(&self) -> usize {
        0
    }

    /// Writes the event function values `g_k(t, x)` into `g`, which has length
    /// [`event_count`](Self::event_count). An event occurs where `g_k` changes sign.
    fn events(&mut self, t: f64, x: &[f64], g: &mut [f64]) {
        let _ = (t, x, g);
    }

    /// Returns which sign changes of event function `index` count as events. The
    /// default is [`EventDirection::Either`].
    fn event_direction(&self, index: usize) -> EventDirection {
        let _ = index;
        EventDirection::Either
    }

    /// Returns whether event `index` stops the integration. The default is `true`.
    fn event_is_terminal(&self, index: usize) -> bool {
        let _ = index;
        true
    }
}

/// Sign changes of an event function that count as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventDirection {
    /// Only `g` going from negative to positive (or to zero from below).
    Rising,
    /// Only `g` going from positive to negative (or to zero from above).
    Falling,
    /// Both directions.
    Either,
}

impl EventDirection {
    /// Returns whether a crossing in direction `crossing` passes this filter.
    pub fn accepts(self, crossing: Crossing) -> bool {
        match self {
            EventDirection::Either => true,
            EventDirection::Rising => crossing == Crossing::Rising,
            EventDirection::Falling => crossing == Crossing::Falling,
        }
    }
}

/// Direction of a located zero crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crossing {
    /// `g` went from negative to non-negative.
    Rising,
    /// `g` went from positive to non-positive.
    Falling,
}

impl<S: OdeSystem + ?Sized> OdeSystem for &mut S {
    fn dim(&self) -> usize {
        (**self).dim()
    }

    fn rhs(&mut self, t: f64, x: &[f64], dxdt: &mut [f64]) {
        (**self).rhs(t, x, dxdt);
    }

    fn jacobian(&mut self, t: f64, x: &[f64], jac: &mut Matrix) -> bool {
        (**self).jacobian(t, x, jac)
    }

    fn event_count(&self) -> usize {
        (**self).event_count()
    }

    fn events(&mut self, t: f64, x: &[f64], g: &mut [f64]) {
        (**self).events(t, x, g);
    }

    fn event_direction(&self, index: usize) -> EventDirection {
        (**self).event_direction(index)
    }

    fn event_is_terminal(&self, index: usize) -> bool {
        (**self).event_is_terminal(index)
    }
}
