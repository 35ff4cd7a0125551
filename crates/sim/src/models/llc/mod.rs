//! LLC resonant half-bridge: switched plant, frequency control, gain curve and ZVS map.
//!
//! - [`plant`]: tank, transformer and rectifier as a piecewise-linear system.
//! - [`stepper`]: exact stepping within a mode, with commutations located by root
//!   finding.
//! - [`switching`]: gate sequence with deadtime, and ZVS detection.
//! - [`fha`]: first-harmonic approximation of the gain.
//! - [`sweep`]: open-loop steady states for the gain curve and the ZVS map.
//! - [`control`]: open-loop or closed-loop frequency command with soft-start.
//! - [`kernel`] and [`run`]: the `llc` model kernel, its checks, run and results.

pub mod control;
pub mod fha;
pub mod kernel;
pub mod plant;
pub mod run;
pub mod stepper;
pub mod sweep;
pub mod switching;

pub use kernel::LLC;
