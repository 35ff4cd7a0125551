//! Transient thermal networks: junction temperatures from power losses.
//!
//! - [`Foster`]: the datasheet form, `Zth(t) = Σ Rᵢ (1 − e^{−t/τᵢ})`, with the
//!   recursive-filter and direct-convolution responses to a piecewise-constant power.
//! - [`Cauer`]: the physical ladder, capacitances to the thermal reference, with its
//!   exact state-space step response.
//! - [`convert`]: Foster ↔ Cauer, by a Lanczos process and a symmetric
//!   eigen-decomposition instead of ill-conditioned polynomial continued fractions.
//! - [`ThermalStack`]: heat sources, each a junction network and a case-to-heatsink
//!   interface, sharing one heatsink, joined physically ([`Coupling::Cauer`]) or by the
//!   datasheet series sum ([`Coupling::FosterSeries`]); [`ThermalStack::build`] gives
//!   a [`ThermalModel`].
//! - [`ThermalModel`]: steady state, response to a [`PowerProfile`], periodic steady
//!   state, each by modal stepping and by dense state-space stepping
//!   (`e^{AΔt}`) as a cross-check.
//! - [`ThermalState`]: allocation-free streaming junction temperatures for a
//!   simulation loop.
//! - [`calc_thermal`]: the request/response calculator behind `pelab calc thermal`.
//!
//! Units: temperatures °C (differences K), power W, resistance K/W, capacitance J/K,
//! time s. Foster networks are exact only with their far end at a fixed temperature;
//! see [`Coupling`] and `docs/thermal.md`.

mod calc;
mod cauer;
pub mod convert;
mod eigen;
mod error;
mod foster;
pub mod model;
mod profile;
mod stack;
mod state;

pub use calc::{
    CauerRequest, EquivalentResponse, FosterRequest, HeatsinkRequest, MAX_TOTAL_VALUES,
    OutputRequest, PowerRequest, SourceRequest, ThermalRequest, ThermalResponse, calc_thermal,
};
pub use cauer::Cauer;
pub use convert::{CONVERSION_TOLERANCE, Conversion};
pub use error::ThermalError;
pub use foster::{Foster, MAX_PAIRS};
pub use model::{ABSOLUTE_ZERO_C, Temperatures, ThermalModel, Trajectory};
pub use profile::{MAX_POINTS, PowerProfile};
pub use stack::{
    Coupling, Equivalent, HeatSource, Heatsink, MAX_SOURCES, MAX_STATES, Network, Realisation,
    ThermalStack, ThermalWarning,
};
pub use state::ThermalState;
