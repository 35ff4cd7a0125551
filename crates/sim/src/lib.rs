//! Switched piecewise-linear circuit simulation for power electronics.

pub mod calc;
pub mod circuit;

/// The ODE solvers (RK4, Dormand–Prince 5(4), Radau IIA), re-exported from `pelab-ode`.
pub use pelab_ode as ode;

pub mod design;
pub mod engine;
pub mod kernels;
pub mod models;
pub mod netlist;
pub mod semiconductors;
pub mod simulate;
pub mod sources;
pub mod summary;
