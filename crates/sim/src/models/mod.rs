//! Model kernels: drives, grid-tie inverters, PV systems and resonant converters,
//! simulated from their own state equations rather than from a netlist template.
//!
//! A circuit kernel ([`crate::kernels::Kernel`]) writes a netlist and lets the
//! switched piecewise-linear engine solve it. A model kernel owns its plant equations
//! (a PMSM in the rotor frame, a vehicle on a road, an LCL filter on a grid) and its
//! integrator, and writes waveforms and results directly. Both read the same design
//! files and are listed by `pelab sim list`.
//!
//! [`ModelKernel::build`] checks the design and everything that can be known before
//! the run (an LCL resonance above the Nyquist frequency, a module missing from the
//! database); [`ModelRun::run`] then simulates. `pelab sim validate` stops after the
//! build.

pub mod drive_cycle;
pub mod grid_tie;
pub mod llc;
pub mod pmsm;
pub mod pv;
pub mod three_phase;

use std::collections::BTreeMap;

use pelab_waveform::{Recorder, SignalInfo, SignalKind, Waveforms};
use serde::Serialize;

use crate::engine::SimError;
use crate::kernels::KernelInfo;
use crate::kernels::params::{DesignError, Params};

/// Most switching or control periods a model run may step through, about a few
/// minutes of CPU for the kernels here. A design beyond it is rejected when it is
/// built, naming `simulation.t_stop`, so that a mistyped stop time fails at once
/// instead of running for hours.
pub const MAX_PERIODS: f64 = 2e7;

/// The sections of a design that a model kernel reads.
#[derive(Debug, Clone, Copy)]
pub struct ModelInputs<'a> {
    /// `[parameters]`, validated against the kernel's table.
    pub parameters: &'a Params,
    /// `[control]`.
    pub control: &'a Params,
    /// `[simulation]`.
    pub simulation: &'a Params,
    /// `[devices]`: a library part name per switch position.
    pub devices: &'a BTreeMap<String, String>,
    /// `[thermal]`.
    pub thermal: &'a Params,
    /// `[gate_drive]`.
    pub gate_drive: &'a Params,
}

/// A kernel simulated from its own state equations.
pub trait ModelKernel: Sync {
    /// Name, summary and parameter tables.
    fn info(&self) -> KernelInfo;

    /// Checks the design and builds a model ready to run.
    ///
    /// # Errors
    /// [`DesignError`] naming the field at fault, the value and the accepted range.
    fn build(&self, inputs: &ModelInputs<'_>) -> Result<Box<dyn ModelRun>, DesignError>;
}

/// Limits a run must respect.
#[derive(Debug, Clone)]
pub struct ModelLimits {
    /// Most samples the run may record.
    pub max_samples: usize,
    /// Receives every recorded sample (live streaming, cancellation).
    pub tap: Option<pelab_waveform::SampleTap>,
}

/// A built model, ready to simulate.
pub trait ModelRun {
    /// Describes the built model in one line for `pelab sim validate`, e.g.
    /// `5 states, 20 kHz PWM, 20001 samples`.
    fn describe(&self) -> String;

    /// Samples the run will record, known before it runs; a budget check compares it
    /// with `max_samples` without simulating.
    fn expected_samples(&self) -> usize;

    /// Simulates, reporting the simulated fraction in `[0, 1]` to `progress`.
    ///
    /// # Errors
    /// [`SimError`] when the run fails or would exceed `limits`.
    fn run(
        &mut self,
        limits: &ModelLimits,
        progress: &mut dyn FnMut(f64),
    ) -> Result<ModelOutput, SimError>;
}

/// What a model run returns.
#[derive(Debug)]
pub struct ModelOutput {
    /// Recorded waveforms.
    pub waveforms: Waveforms,
    /// Metrics, tables and warnings.
    pub results: ModelResults,
    /// Integration steps (state updates) taken.
    pub steps: usize,
}

/// A scalar result with its unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    /// Key, e.g. `thd_i_grid`.
    pub name: String,
    /// Value in `unit`.
    pub value: f64,
    /// SI unit symbol, `1` for ratios, `%` for percentages.
    pub unit: String,
    /// Meaning of the value.
    pub description: String,
}

/// A column of a [`Table`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    /// Column name.
    pub name: String,
    /// Unit symbol.
    pub unit: String,
}

/// A result table, e.g. an LLC gain curve or a torque-speed envelope.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Key, e.g. `gain_vs_frequency`.
    pub name: String,
    /// Meaning of the table.
    pub description: String,
    /// Columns.
    pub columns: Vec<Column>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<f64>>,
}

impl Table {
    /// Creates an empty table with columns given as `(name, unit)`.
    pub fn new(name: &str, description: &str, columns: &[(&str, &str)]) -> Self {
        Self {
            name: name.to_string(),
            description: description.to_string(),
            columns: columns
                .iter()
                .map(|(n, u)| Column {
                    name: (*n).to_string(),
                    unit: (*u).to_string(),
                })
                .collect(),
            rows: Vec::new(),
        }
    }
}

/// Results of a model run, for the summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelResults {
    /// Start of the window the metrics cover [s].
    pub steady_state_from: f64,
    /// End of the run [s].
    pub t_stop: f64,
    /// Switching or control frequency, when the model has one [Hz].
    pub switching_frequency: Option<f64>,
    /// Scalar results.
    pub metrics: Vec<Metric>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Results that could not be computed or that need attention, with the reason.
    pub warnings: Vec<String>,
}

impl ModelResults {
    /// Adds a metric.
    pub fn metric(&mut self, name: &str, value: f64, unit: &str, description: &str) {
        self.metrics.push(Metric {
            name: name.to_string(),
            value,
            unit: unit.to_string(),
            description: description.to_string(),
        });
    }

    /// Returns the value of metric `name`.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.metrics
            .iter()
            .find(|m| m.name == name)
            .map(|m| m.value)
    }

    /// Returns the table `name`.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// Creates a recorder for model signals given as `(name, unit)` that rejects more
/// than `limits.max_samples` samples.
///
/// # Errors
/// [`SimError::SampleBudget`] when `expected` samples exceed the budget, and
/// [`SimError::InvalidOption`] for a signal name the waveform format rejects.
pub fn model_recorder(
    signals: &[(&str, &str)],
    expected: usize,
    limits: &ModelLimits,
) -> Result<Recorder, SimError> {
    if expected > limits.max_samples {
        return Err(SimError::SampleBudget {
            requested: expected as f64,
            max_samples: limits.max_samples,
        });
    }
    let infos = signals
        .iter()
        .map(|(name, unit)| SignalInfo::new(*name, *unit, SignalKind::Output))
        .collect();
    let mut recorder = Recorder::new(infos).map_err(|e| SimError::InvalidOption {
        field: "signals".into(),
        value: e.to_string(),
        expected: "valid signal labels".into(),
    })?;
    recorder.set_max_samples(Some(limits.max_samples));
    recorder.set_tap(limits.tap.clone());
    recorder
        .reserve(expected)
        .map_err(|e| SimError::InvalidOption {
            field: "simulation.max_samples".into(),
            value: e.to_string(),
            expected: "a sample count that fits in memory".into(),
        })?;
    Ok(recorder)
}

/// Converts a recorder error during a model run into a [`SimError`].
pub fn record_error(e: pelab_waveform::RecordError) -> SimError {
    SimError::Sink(e.to_string())
}

/// [`SimError::Diverged`] when `value` is not finite or beyond 10¹² in magnitude:
/// a plant never reaches that, a mistuned loop does within a few periods.
///
/// # Errors
/// The divergence, naming the state and the time.
pub fn check_finite(t: f64, state: &str, value: f64) -> Result<(), SimError> {
    if value.is_finite() && value.abs() < crate::engine::DIVERGENCE_LIMIT {
        Ok(())
    } else {
        Err(SimError::Diverged {
            t,
            state: state.to_string(),
            value,
        })
    }
}
