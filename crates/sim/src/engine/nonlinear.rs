//! ODE path for circuits with nonlinear elements (written once the solvers land).

use super::{GateControl, RunOptions, RunReport, SampleSink, SimError};
use crate::circuit::Circuit;

pub(crate) fn run(
    _circuit: &Circuit,
    _gates: &mut dyn GateControl,
    _options: &RunOptions,
    _sink: &mut dyn SampleSink,
    _progress: &mut dyn FnMut(f64),
) -> Result<RunReport, SimError> {
    Err(SimError::Ode("DEVELOPMENT PLACEHOLDER".into()))
}
