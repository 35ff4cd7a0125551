//! Running a design or a netlist end to end: build, simulate, record, summarise.

use pelab_waveform::{Recorder, SignalInfo, SignalKind, Waveforms};
use serde::Serialize;

use crate::circuit::{Circuit, CircuitError};
use crate::design::Design;
use crate::engine::{self, NetlistGates, RunOptions, RunReport, SampleSink, SignalSpec, SimError};
use crate::kernels::Prepared;
use crate::kernels::params::DesignError;
use crate::models::{ModelLimits, ModelResults};
use crate::netlist::{ElementKind, Netlist, NetlistError, Waveform, parse_netlist};
use crate::semiconductors::{PositionDevice, evaluate, resolve_devices};
use crate::sources::PulseDefaults;
use crate::summary::{Summary, summarize};

/// Why a simulation could not run.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RunError {
    /// The design is invalid.
    #[error("invalid design: {0}")]
    Design(#[from] DesignError),
    /// The netlist is invalid.
    #[error(transparent)]
    Netlist(#[from] NetlistError),
    /// The circuit cannot be simulated.
    #[error("invalid circuit: {0}")]
    Circuit(#[from] CircuitError),
    /// The simulation failed.
    #[error(transparent)]
    Simulation(#[from] SimError),
}

impl RunError {
    /// Whether the error is the user's input (exit code 2) rather than a failure
    /// during the run.
    pub fn is_invalid_input(&self) -> bool {
        match self {
            RunError::Design(_) | RunError::Netlist(_) | RunError::Circuit(_) => true,
            RunError::Simulation(e) => matches!(
                e,
                SimError::InvalidOption { .. }
                    | SimError::SampleBudget { .. }
                    | SimError::UnknownSignal { .. }
            ),
        }
    }
}

/// Recorded waveforms, the engine report and, for designs, the summary.
pub struct SimulationOutput {
    /// Full-resolution waveforms.
    pub waveforms: Waveforms,
    /// Engine report.
    pub report: RunReport,
    /// Summary (circuit-kernel designs only).
    pub summary: Option<Summary>,
    /// Summary of a model-kernel design.
    pub model: Option<ModelSummary>,
    /// Netlist that was simulated.
    pub netlist_text: String,
}

/// The summary of a model-kernel run.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSummary {
    /// The design as validated, with defaults.
    pub design: crate::design::DesignEcho,
    /// Metrics, tables and warnings of the model.
    #[serde(flatten)]
    pub results: ModelResults,
    /// Integration steps taken.
    pub steps: usize,
    /// Recorded samples.
    pub samples: usize,
    /// Harmonic analyses requested for the run.
    pub thd: Vec<crate::summary::ThdSummary>,
}

/// A sink that creates its [`Recorder`] when the engine announces the signals.
pub struct RecorderSink {
    recorder: Option<Recorder>,
    max_samples: usize,
    expected: usize,
    tap: Option<pelab_waveform::SampleTap>,
}

impl RecorderSink {
    /// A sink for about `expected` samples, refusing more than `max_samples`.
    pub fn new(expected: usize, max_samples: usize) -> Self {
        Self {
            recorder: None,
            max_samples,
            expected,
            tap: None,
        }
    }

    /// Sends every recorded sample to `tap` as well.
    pub fn with_tap(mut self, tap: Option<pelab_waveform::SampleTap>) -> Self {
        self.tap = tap;
        self
    }

    /// A sink sized for `options`. Besides the grid samples that the budget
    /// `max_samples` counts, the engine records two samples per switching event; the
    /// sink accepts up to twice the budget so that those never abort a run the
    /// options allowed.
    pub fn for_options(options: &RunOptions) -> Self {
        Self::new(
            options.sample_count(),
            options.max_samples.saturating_mul(2),
        )
    }

    /// The recorded waveforms.
    pub fn into_waveforms(self) -> Waveforms {
        self.recorder
            .map(Recorder::into_waveforms)
            .unwrap_or_default()
    }
}

fn kind_of(name: &str) -> SignalKind {
    if name.starts_with("gate(") || name.starts_with("on(") {
        SignalKind::Gate
    } else if name.starts_with("v(") || name.starts_with("i(") || name.starts_with("vd(") {
        SignalKind::Output
    } else if name.starts_with("p(") {
        SignalKind::Derived
    } else {
        SignalKind::Input
    }
}

impl SampleSink for RecorderSink {
    fn begin(&mut self, signals: &[SignalSpec]) -> Result<(), String> {
        let infos = signals
            .iter()
            .map(|s| SignalInfo::new(s.name.clone(), s.unit.clone(), kind_of(&s.name)))
            .collect();
        let mut recorder = Recorder::new(infos).map_err(|e| e.to_string())?;
        recorder.set_max_samples(Some(self.max_samples));
        recorder.set_tap(self.tap.clone());
        recorder
            .reserve(self.expected.min(self.max_samples))
            .map_err(|e| e.to_string())?;
        self.recorder = Some(recorder);
        Ok(())
    }

    fn push(&mut self, t: f64, values: &[f64]) -> Result<(), String> {
        match &mut self.recorder {
            Some(r) => r.push(t, values).map_err(|e| e.to_string()),
            None => Err("the recorder was not started".into()),
        }
    }
}

/// Choices of a run that are not part of the design or netlist.
#[derive(Debug, Clone, Default)]
pub struct RunRequest {
    /// Signals to record in place of the kernel's or netlist's set.
    pub signals: Option<Vec<String>>,
    /// Sample budget in place of the design's or the default.
    pub max_samples: Option<usize>,
    /// Record only the uniform output grid, without the two samples at each switching
    /// event (for comparisons with programs that write a fixed grid).
    pub grid_only: bool,
    /// Receives every recorded sample; returning `false` stops the run.
    pub tap: Option<pelab_waveform::SampleTap>,
}

/// Simulates a design and summarises it.
///
/// # Errors
/// [`RunError`] for invalid designs and failed runs.
pub fn simulate_design(
    design: &Design,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    simulate_design_with(design, &RunRequest::default(), progress)
}

/// Simulates a design with the choices in `request`, and summarises it.
///
/// The summary needs the port, inductor and output signals of the kernel, so they are
/// recorded besides the requested signals.
///
/// # Errors
/// [`RunError`] for invalid designs and failed runs.
pub fn simulate_design_with(
    design: &Design,
    request: &RunRequest,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    if design.is_model() {
        return run_model(design, request, progress);
    }
    let prepared = design.prepare()?;
    let notes = std::cell::RefCell::new(Vec::new());
    let resolve = |name: &str| {
        crate::semiconductors::resolve_with_gate_drive(
            name,
            &design.gate_drive,
            &mut notes.borrow_mut(),
        )
    };
    let devices = resolve_devices(&design.devices, &prepared.report.positions, &resolve)?;
    let mut notes = notes.into_inner();
    if !devices.is_empty() {
        for position in &prepared.report.positions {
            if !devices.iter().any(|(p, _)| p.name == position.name) {
                notes.push(format!(
                    "{} has no part in [devices], so its losses are not computed",
                    position.name
                ));
            }
        }
    }
    if !devices.is_empty() {
        let base = request
            .signals
            .clone()
            .unwrap_or_else(|| prepared.options.probes.clone());
        let mut probes = base;
        probes.extend(devices.iter().flat_map(|(p, _)| p.probes()));
        let mut request = request.clone();
        request.signals = Some(probes);
        return run_design(design, prepared, &request, &devices, notes, progress);
    }
    run_design(design, prepared, request, &devices, notes, progress)
}

fn run_design(
    design: &Design,
    mut prepared: Prepared,
    request: &RunRequest,
    devices: &[PositionDevice],
    notes: Vec<String>,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    if let Some(signals) = &request.signals {
        let mut probes: Vec<String> = Vec::with_capacity(signals.len());
        for name in signals {
            if !probes.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                probes.push(name.clone());
            }
        }
        let spec = &prepared.report;
        let needed = spec
            .ports
            .iter()
            .flat_map(|p| [p.voltage.clone(), p.current.clone()])
            .chain(spec.inductor_currents.iter().cloned())
            .chain(std::iter::once(spec.output_voltage.clone()));
        for name in needed {
            if !probes.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
                probes.push(name);
            }
        }
        prepared.options.probes = probes;
    }
    if let Some(max_samples) = request.max_samples {
        prepared.options.max_samples = max_samples;
        prepared.options.validate()?;
    }
    if request.grid_only {
        prepared.options.record_events = false;
    }
    let options = prepared.options.clone();
    let mut sink = RecorderSink::for_options(&options).with_tap(request.tap.clone());
    let report = engine::run(
        &prepared.circuit,
        &mut prepared.drive,
        &options,
        &mut sink,
        progress,
    )?;
    let waveforms = sink.into_waveforms();
    let mut summary = summarize(
        design.echo(),
        &prepared.report,
        &waveforms,
        &report,
        prepared.period,
        options.window_from,
        options.t_stop,
    );
    if !devices.is_empty() {
        let last = waveforms.time().last().copied().unwrap_or(options.t_stop);
        let to = options.t_stop.min(last);
        let from = options.window_from.min(to);
        match evaluate(
            devices,
            &design.devices,
            &design.thermal,
            &design.gate_drive,
            &waveforms,
            from,
            to,
            prepared.period,
        ) {
            Ok(mut semiconductors) => {
                let positions: Vec<_> = devices.iter().map(|(p, _)| p).collect();
                semiconductors.attach_efficiency(&summary, &positions);
                semiconductors.warnings.extend(notes);
                summary
                    .warnings
                    .extend(semiconductors.rating_violations.iter().cloned());
                summary.semiconductors = Some(semiconductors);
            }
            Err(message) => summary
                .warnings
                .push(format!("semiconductor losses not computed: {message}")),
        }
    }
    Ok(SimulationOutput {
        waveforms,
        report,
        summary: Some(summary),
        model: None,
        netlist_text: prepared.netlist_text,
    })
}

/// Default sample budget of a model run without `simulation.max_samples`.
pub const MODEL_DEFAULT_MAX_SAMPLES: usize = 50_000_000;

/// Sample budget of a model run: `request_max` when given, else the design's
/// `simulation.max_samples`, else [`MODEL_DEFAULT_MAX_SAMPLES`].
pub fn model_max_samples(design: &Design, request_max: Option<usize>) -> usize {
    request_max
        .or_else(|| {
            design
                .simulation
                .values()
                .contains_key("max_samples")
                .then(|| design.simulation.integer("max_samples"))
        })
        .unwrap_or(MODEL_DEFAULT_MAX_SAMPLES)
}

fn run_model(
    design: &Design,
    request: &RunRequest,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    let mut model = design.build_model()?;
    let max_samples = model_max_samples(design, request.max_samples);
    let output = model.run(
        &ModelLimits {
            max_samples,
            tap: request.tap.clone(),
        },
        progress,
    )?;
    let mut waveforms = output.waveforms;
    if let Some(names) = &request.signals {
        waveforms = select_signals(&waveforms, names)?;
    }
    let signals = waveforms
        .signals()
        .iter()
        .map(|info| crate::engine::SignalSpec {
            name: info.name.clone(),
            unit: info.unit.clone(),
        })
        .collect();
    let report = crate::engine::RunReport {
        signals,
        stats: crate::engine::RunStats {
            steps: output.steps,
            samples: waveforms.len(),
            ..Default::default()
        },
        energy: Default::default(),
        window_energy: Vec::new(),
        state_names: Vec::new(),
        final_state: Vec::new(),
        nonlinear: false,
    };
    let summary = ModelSummary {
        design: design.echo(),
        results: output.results,
        steps: output.steps,
        samples: waveforms.len(),
        thd: Vec::new(),
    };
    Ok(SimulationOutput {
        waveforms,
        report,
        summary: None,
        model: Some(summary),
        netlist_text: String::new(),
    })
}

/// The named signals of `waveforms`, in the order given (names match ignoring case).
fn select_signals(waveforms: &Waveforms, names: &[String]) -> Result<Waveforms, RunError> {
    let mut infos = Vec::with_capacity(names.len());
    let mut columns = Vec::with_capacity(names.len());
    for name in names {
        let found = waveforms
            .signals()
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(name));
        let Some(index) = found else {
            let available: Vec<&str> = waveforms
                .signals()
                .iter()
                .map(|s| s.name.as_str())
                .collect();
            return Err(RunError::Simulation(SimError::UnknownSignal {
                name: name.clone(),
                available: available.join(", "),
            }));
        };
        if infos
            .iter()
            .any(|i: &SignalInfo| i.name == waveforms.signals()[index].name)
        {
            continue;
        }
        infos.push(waveforms.signals()[index].clone());
        columns.push(waveforms.column(index).unwrap_or_default().to_vec());
    }
    Waveforms::new(infos, waveforms.time().to_vec(), columns)
        .map(|w| w.with_metadata(waveforms.metadata().clone()))
        .map_err(|e| RunError::Simulation(SimError::Sink(e.to_string())))
}

/// Fewest output steps per PULSE period: below this a switching interval is not
/// resolved, and a diode could commute twice within one step unseen.
const STEPS_PER_PULSE_PERIOD: f64 = 20.0;

/// Rejects an output step longer than 1/20 of the shortest PULSE period in the netlist.
fn check_step_resolves_pulses(netlist: &Netlist, options: &RunOptions) -> Result<(), RunError> {
    let shortest = netlist
        .elements
        .iter()
        .filter_map(|e| match &e.kind {
            ElementKind::VoltageSource {
                waveform: Waveform::Pulse(p),
                ..
            }
            | ElementKind::CurrentSource {
                waveform: Waveform::Pulse(p),
                ..
            } => p.period.map(|period| (period, e.name.as_str())),
            _ => None,
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((period, name)) = shortest
        && options.output_step > period / STEPS_PER_PULSE_PERIOD
    {
        return Err(RunError::Simulation(SimError::InvalidOption {
            field: ".tran tstep (output step)".into(),
            value: format!("{} s", options.output_step),
            expected: format!(
                "at most {} s, 1/{STEPS_PER_PULSE_PERIOD} of the {period} s period of {name}, so that \
                 every switching interval is resolved",
                period / STEPS_PER_PULSE_PERIOD
            ),
        }));
    }
    Ok(())
}

/// Simulates a netlist with its own gate sources and `.tran` card.
///
/// `overrides` replaces the `.tran` settings when given.
///
/// # Errors
/// [`RunError`] for invalid netlists and failed runs.
pub fn simulate_netlist(
    text: &str,
    overrides: Option<RunOptions>,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    simulate_netlist_with(text, overrides, &RunRequest::default(), progress)
}

/// Simulates a netlist with the choices in `request`. Requested signals take the place
/// of the netlist's `.save` list, which takes the place of the default set.
///
/// # Errors
/// [`RunError`] for invalid netlists and failed runs.
pub fn simulate_netlist_with(
    text: &str,
    overrides: Option<RunOptions>,
    request: &RunRequest,
    progress: &mut dyn FnMut(f64),
) -> Result<SimulationOutput, RunError> {
    let netlist = parse_netlist(text)?;
    let circuit = Circuit::from_netlist(&netlist)?;
    let mut options = match (overrides, &netlist.tran) {
        (Some(o), _) => o,
        (None, Some(tran)) => {
            let mut o =
                RunOptions::new(tran.stop, tran.max_step.unwrap_or(tran.step).min(tran.step));
            o.record_from = tran.start;
            o.pulse_edge_default = tran.step;
            o
        }
        (None, None) => {
            return Err(RunError::Netlist(NetlistError {
                line: 0,
                message: "the netlist has no .tran card; add '.tran tstep tstop'".into(),
            }));
        }
    };
    if let Some(signals) = &request.signals {
        options.probes = signals.clone();
    } else if options.probes.is_empty() {
        options.probes = netlist.saves.clone();
    }
    if let Some(max_samples) = request.max_samples {
        options.max_samples = max_samples;
    }
    if request.grid_only {
        options.record_events = false;
    }
    options.validate()?;
    check_step_resolves_pulses(&netlist, &options)?;
    let mut gates = NetlistGates::new(
        &circuit,
        PulseDefaults {
            edge_time: options.pulse_edge_default,
            t_stop: options.t_stop,
        },
        options.t_stop,
    );
    let mut sink = RecorderSink::for_options(&options).with_tap(request.tap.clone());
    let report = engine::run(&circuit, &mut gates, &options, &mut sink, progress)?;
    Ok(SimulationOutput {
        waveforms: sink.into_waveforms(),
        report,
        summary: None,
        model: None,
        netlist_text: text.to_string(),
    })
}
