//! Switched piecewise-linear circuit simulation for power electronics.

pub mod circuit;
pub mod design;
pub mod engine;
pub mod kernels;
pub mod netlist;
pub mod simulate;
pub mod sources;
pub mod summary;
