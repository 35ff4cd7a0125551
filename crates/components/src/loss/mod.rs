//! Loss calculators: conduction, switching and passive losses from operating points
//! and from simulated waveforms.
//!
//! - [`device`]: the [`SwitchModel`] interface that part models implement.
//! - [`coupled`]: losses and junction temperatures that follow each other through
//!   a thermal network.
//! - [`linear`]: a switch described by first-page datasheet numbers.
//! - [`waveform`]: losses from a sampled current, voltage and gate trace, with every
//!   switching event looked up at its own current, voltage and Tj.
//! - [`inverter`] and [`boost`]: operating-point formulas per topology, the second
//!   path that the waveform calculator must agree with.
//! - [`request`]: the JSON request and response of `pelab calc losses`.
//! - [`result`]: the loss breakdown types.

pub mod boost;
pub mod coupled;
pub mod device;
pub mod inverter;
pub mod linear;
pub mod request;
pub mod result;
pub mod waveform;

pub use boost::{BoostLosses, BoostOperatingPoint, boost_losses};
pub use coupled::{CoupledLosses, CoupledPosition, JunctionThermal, coupled_losses};
pub use device::{Edge, SwitchModel, SwitchRatings};
pub use inverter::{
    InverterLosses, InverterOperatingPoint, Modulation, OperatingPointError, inverter_losses,
};
pub use linear::{LinearSwitch, LinearSwitchError};
pub use request::{DeviceSpec, LossRequest, LossRequestError, LossResponse, calc_losses};
pub use result::{DeviceLoss, EventCounts};
pub use waveform::{SwitchTrace, Thresholds, TraceError, trace_extremes, trace_losses};
