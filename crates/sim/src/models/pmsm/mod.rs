//! PMSM drive: a permanent-magnet synchronous machine on a two-level inverter with
//! field-oriented control, simulated from its state equations.
//!
//! - [`machine`]: the plant (machine in the rotor frame, load, inverter legs, DC link)
//!   and its RK4 step;
//! - [`control`]: the FOC loops from `pelab_control`, sampled with a one-sample delay;
//! - [`params`]: the design-file parameters and their checks;
//! - [`run`]: the event loop that stops on every PWM edge and control sample;
//! - [`results`]: steady-state metrics, the torque-speed envelope and device losses.

pub mod checks;
pub mod control;
pub mod machine;
pub mod params;
pub mod results;
pub mod run;

use crate::kernels::KernelInfo;
use crate::kernels::params::DesignError;
use crate::models::{ModelInputs, ModelKernel, ModelRun};

/// The `pmsm_drive` kernel.
pub struct PmsmDrive;

/// The registered instance.
pub static PMSM_DRIVE: PmsmDrive = PmsmDrive;

impl ModelKernel for PmsmDrive {
    fn info(&self) -> KernelInfo {
        KernelInfo {
            name: "pmsm_drive",
            summary: "PMSM on a two-level three-phase inverter with field-oriented control (switching or averaged)",
            parameters: params::parameter_specs(),
            control: params::control_specs(),
            simulation: params::simulation_specs(),
        }
    }

    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError> {
        let config = params::DriveConfig::from_inputs(inputs)?;
        Ok(Box::new(run::DriveRun::new(config)?))
    }
}
