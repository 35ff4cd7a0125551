//! Loss calculators: conduction, switching and passive losses from operating points
//! and from simulated waveforms.
//!
//! - [`device`]: the [`SwitchModel`] interface that part models implement.

pub mod device;

pub use device::{Edge, SwitchModel};
