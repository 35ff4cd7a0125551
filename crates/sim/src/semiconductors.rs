//! Datasheet-based semiconductor losses and junction temperatures of a design run.
//!
//! A design names a library part for each switch position in its `[devices]` section
//! and says in `[thermal]` how to find the junction temperatures:
//!
//! ```toml
//! [devices]
//! S1 = "CREE_C3M0016120K"
//! S2 = "CREE_C3M0016120K"
//!
//! [thermal]
//! model = "fixed"   # every junction at `tj`
//! tj = 100.0
//! ```
//!
//! The engine simulates the circuit with its own ideal switches (`r_on`, `v_f`). After
//! the run, each position's recorded current, blocking voltage and gate go through
//! the waveform loss calculator of `pelab-components`, which looks up every switching
//! event at its own current and voltage on the part's datasheet curves.

use std::collections::BTreeMap;

use pelab_components::loss::{DeviceLoss, SwitchModel, SwitchTrace, trace_losses};
use pelab_waveform::Waveforms;
use serde::Serialize;

use crate::kernels::params::{DesignError, ParamSpec, Params};
use crate::kernels::positions::SwitchPosition;

/// `[thermal]` section parameters.
pub fn thermal_specs() -> Vec<ParamSpec> {
    vec![
        ParamSpec::choice(
            "model",
            &["fixed"],
            "fixed",
            "junction temperatures: fixed at `tj`",
        ),
        ParamSpec::number(
            "tj",
            "°C",
            Some(100.0),
            -55.0,
            250.0,
            "junction temperature of every device when the model is fixed",
        ),
    ]
}

/// A switch position with the part model the design chose for it.
pub type PositionDevice = (SwitchPosition, Box<dyn SwitchModel>);

/// Looks up a part by name; the message of an error names close matches.
pub type PartResolver = dyn Fn(&str) -> Result<Box<dyn SwitchModel>, String>;

/// Losses and junction temperatures of the semiconductors of one run.
#[derive(Debug, Clone, Serialize)]
pub struct SemiconductorReport {
    /// `fixed`.
    pub thermal_model: String,
    /// Losses per position over the steady-state window, in the kernel's order.
    pub devices: Vec<DeviceLoss>,
    /// Sum over the positions [W].
    pub total_w: f64,
    /// Junction temperature per position.
    pub junctions: Vec<Junction>,
    /// Lookups outside the datasheet range, missing curves.
    pub warnings: Vec<String>,
}

/// The junction temperature of one position.
#[derive(Debug, Clone, Serialize)]
pub struct Junction {
    /// Position name.
    pub position: String,
    /// Temperature at the end of the run [°C].
    pub tj_final_c: f64,
    /// Highest temperature during the run [°C].
    pub tj_max_c: f64,
    /// Times of the trajectory [s]; empty for a fixed temperature.
    pub time_s: Vec<f64>,
    /// Temperatures of the trajectory [°C].
    pub tj_c: Vec<f64>,
}

/// Finds a part in the built-in component library.
///
/// # Errors
/// A message naming the unknown part.
pub fn resolve_library_part(name: &str) -> Result<Box<dyn SwitchModel>, String> {
    Err(format!("unknown part \"{name}\""))
}

/// Checks the `[devices]` entries against the kernel's positions and resolves the
/// parts.
///
/// # Errors
/// [`DesignError`] at `devices.NAME` for unknown positions and unknown parts.
pub fn resolve_devices(
    devices: &BTreeMap<String, String>,
    positions: &[SwitchPosition],
    resolve: &PartResolver,
) -> Result<Vec<PositionDevice>, DesignError> {
    for name in devices.keys() {
        if !positions.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = positions.iter().map(|p| p.name.as_str()).collect();
            return Err(DesignError::new(
                format!("devices.{name}"),
                format!(
                    "this kernel has no position {name} (positions: {})",
                    known.join(", ")
                ),
            ));
        }
    }
    let mut resolved = Vec::new();
    for position in positions {
        let entry = devices
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&position.name));
        if let Some((name, part)) = entry {
            let model =
                resolve(part).map_err(|m| DesignError::new(format!("devices.{name}"), m))?;
            resolved.push((position.clone(), model));
        }
    }
    Ok(resolved)
}

/// Computes the report for the resolved devices over `[from, to]`.
///
/// # Errors
/// A message when a position's signals were not recorded or its trace is invalid.
pub fn evaluate(
    devices: &[PositionDevice],
    thermal: &Params,
    waveforms: &Waveforms,
    from: f64,
    to: f64,
) -> Result<SemiconductorReport, String> {
    let tj = thermal.number("tj");
    let t = waveforms.time();
    let mut losses = Vec::new();
    let mut junctions = Vec::new();
    let mut warnings = Vec::new();
    for (position, model) in devices {
        let trace = position.trace(waveforms)?;
        let trace = SwitchTrace {
            t,
            current: &trace.current,
            voltage: &trace.voltage,
            gate: &trace.gate,
        };
        let loss = trace_losses(
            &position.name,
            model.as_ref(),
            &trace,
            tj,
            Some((from, to)),
            None,
        )
        .map_err(|e| e.to_string())?;
        collect_warnings(&loss, &mut warnings);
        junctions.push(Junction {
            position: position.name.clone(),
            tj_final_c: tj,
            tj_max_c: tj,
            time_s: Vec::new(),
            tj_c: Vec::new(),
        });
        losses.push(loss);
    }
    Ok(SemiconductorReport {
        thermal_model: thermal.text("model").to_string(),
        total_w: losses.iter().map(|l| l.total_w).sum(),
        devices: losses,
        junctions,
        warnings,
    })
}

fn collect_warnings(loss: &DeviceLoss, warnings: &mut Vec<String>) {
    for gap in &loss.gaps {
        warnings.push(format!("{} ({}): {gap}", loss.position, loss.part));
    }
    let clamped = loss.lookups.argument_clamped + loss.lookups.parameter_clamped;
    if clamped > 0 {
        warnings.push(format!(
            "{} ({}): {clamped} of {} curve lookups fell outside the datasheet range and used the nearest tabulated value",
            loss.position, loss.part, loss.lookups.lookups
        ));
    }
}
