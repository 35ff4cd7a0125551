//! ODE solvers for pelab.
//!
//! The circuit simulator falls back to these solvers for nonlinear circuits
//! (saturating inductors, temperature-dependent resistors), and motor-drive and thermal
//! kernels use them directly. They solve `dx/dt = f(t, x)`, `x(t0) = x0`, forward in
//! time, with optional event functions `g_k(t, x)` whose sign changes are located and
//! may stop the integration.
//!
//! - [`Method::Rk4`]: classic fourth-order Runge–Kutta with a fixed step, for
//!   reproducible runs and cheap models whose time scale is known.
//! - [`Method::Dopri5`]: adaptive Dormand–Prince 5(4) with PI step control, an
//!   order-4 continuous extension and Hairer's stiffness test.
//! - [`Method::Radau5`]: Radau IIA of order 5, an L-stable implicit method for stiff
//!   models, with simplified Newton iteration, Jacobian and LU reuse and the filtered
//!   error estimate of Hairer & Wanner.
//! - [`Method::Auto`]: Dormand–Prince, continued with Radau IIA from the current state
//!   when the problem turns out to be stiff; the switch is recorded in
//!   [`Stats::switches`].
//!
//! Implement [`OdeSystem`] for the model, choose [`Options`], pick an [`Output`] sink
//! ([`Samples`] for a list of times, [`UniformCallback`] for millions of uniformly
//! spaced samples without storage, [`NoOutput`] for the final state only) and call
//! [`integrate`]. The [`Solution`] carries the final time and state, a [`Status`]
//! (finished, terminal event, step size collapsed, step limit) and [`Stats`]. Bad input
//! and non-finite model values are [`OdeError`]s; nothing here panics on them.
//!
//! Units: times and step sizes are in seconds; tolerances are in the units of each
//! state.
//!
//! # Example
//!
//! A capacitor of 1 µF discharging through 1 kΩ, `dv/dt = −v / (R C)`, sampled every
//! millisecond, with a terminal event when the voltage falls below 1 V:
//!
//! ```
//! use pelab_ode::{integrate, EventDirection, Method, OdeSystem, Options, Samples, Status};
//!
//! struct RcDischarge {
//!     tau: f64, // s
//! }
//!
//! impl OdeSystem for RcDischarge {
//!     fn dim(&self) -> usize {
//!         1
//!     }
//!     fn rhs(&mut self, _t: f64, v: &[f64], dv: &mut [f64]) {
//!         dv[0] = -v[0] / self.tau;
//!     }
//!     fn event_count(&self) -> usize {
//!         1
//!     }
//!     fn events(&mut self, _t: f64, v: &[f64], g: &mut [f64]) {
//!         g[0] = v[0] - 1.0;
//!     }
//!     fn event_direction(&self, _index: usize) -> EventDirection {
//!         EventDirection::Falling
//!     }
//! }
//!
//! let mut circuit = RcDischarge { tau: 1e3 * 1e-6 };
//! let options = Options::new(Method::Dopri5).with_tolerances(1e-9, 1e-12);
//! let mut samples = Samples::uniform(0.0, 1e-3, 6, 1);
//! let solution = integrate(&mut circuit, 0.0, &[10.0], 0.01, &options, &mut samples)?;
//!
//! // v(t) = 10 e^(−t/τ) reaches 1 V at t = τ ln 10 ≈ 2.3026 ms.
//! let Status::TerminalEvent { index, t, .. } = solution.status else {
//!     panic!("expected the event, got {:?}", solution.status);
//! };
//! assert_eq!(index, 0);
//! assert!((t - 1e-3 * 10f64.ln()).abs() < 1e-11);
//! assert!((solution.x[0] - 1.0).abs() < 1e-8);
//! // Samples at 0, 1 and 2 ms were delivered before the event stopped the run.
//! assert_eq!(samples.len(), 3);
//! let v_at_1ms = samples.state(1).unwrap()[0];
//! assert!((v_at_1ms - 10.0 * (-1.0f64).exp()).abs() < 1e-8);
//! # Ok::<(), pelab_ode::OdeError>(())
//! ```
//!
//! # Limitations
//!
//! - Integration runs forward only (`t_end > t0`).
//! - Events are located on the interpolant, so an event function that changes sign
//!   twice within one step is missed. Cap [`Options::max_step`] when events can be
//!   closer than the natural step. A function that is zero at `t0` does not fire
//!   there.
//! - The Jacobian is dense and the Newton matrices are factorised with a dense LU, so
//!   Radau IIA costs `O(n³)` per factorisation: fine for circuit models with tens of
//!   states, not for discretised PDEs with thousands.
//! - [`Method::Auto`] switches only from Dormand–Prince to Radau IIA, never back, so
//!   a model that is stiff only briefly stays on the implicit method.
//! - There is no mass matrix (no DAEs); algebraic constraints must be eliminated
//!   before the model reaches this crate.
//! - Each call to [`integrate`] starts afresh: it selects a first step size again,
//!   and Radau IIA evaluates a new Jacobian. A simulator that restarts at every
//!   switching edge pays that cost once per segment.
//! - The solver statistics in the snapshot tests are exact for x86-64 builds;
//!   another platform's floating-point rounding may change them by a few steps.

mod common;
mod dopri5;
mod driver;
mod error;
mod events;
mod jacobian;
mod options;
mod output;
mod radau5;
mod rk4;
mod stats;
mod system;

pub use driver::{Solution, Status, integrate};
pub use error::OdeError;
pub use options::{AutoSwitch, Method, Options, Tolerance};
pub use output::{EventHit, NoOutput, Output, Samples, UniformCallback};
pub use pelab_linalg::Matrix;
pub use stats::{MethodKind, MethodSwitch, Stats, SwitchReason};
pub use system::{Crossing, EventDirection, OdeSystem};
