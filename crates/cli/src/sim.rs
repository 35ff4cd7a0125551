//! `pelab sim`: run, validate, list and export.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use pelab_sim::design::Design;
use pelab_sim::kernels::params::ParamSpec;
use pelab_sim::kernels::{KernelInfo, registry};
use pelab_sim::simulate::{
    RunError, RunRequest, SimulationOutput, simulate_design_with, simulate_netlist_with,
};
use pelab_sim::summary::{Summary, harmonic_analysis};
use pelab_waveform::{csv, pwf};

use crate::{EXIT_FAILURE, EXIT_INVALID_INPUT};

#[derive(Subcommand)]
pub enum SimCommand {
    /// Simulate a design file (.toml or .json) or a SPICE netlist (.cir, .sp, .net).
    Run(RunArgs),
    /// Check a design or netlist without simulating it.
    Validate {
        /// Design file or netlist.
        design: PathBuf,
    },
    /// List the kernels and their parameters with units, defaults and ranges.
    List {
        /// Print JSON instead of tables.
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        /// Print Markdown tables (the reference in docs/design-files.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Write the SPICE netlist of a design for ngspice (open-loop gate sources, `uic`).
    Netlist {
        /// Design file.
        design: PathBuf,
        /// Output file; standard output when left out.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
pub struct RunArgs {
    /// Design file (.toml or .json) or netlist (.cir, .sp, .net, .spice).
    design: PathBuf,
    /// Waveform output: .csv, or .pwf for the columnar binary format.
    #[arg(long, short)]
    out: Option<PathBuf>,
    /// JSON summary output.
    #[arg(long, short)]
    summary: Option<PathBuf>,
    /// Do not print the summary table.
    #[arg(long, short)]
    quiet: bool,
    /// Harmonic analysis of a signal at a fundamental frequency [Hz], over the
    /// steady-state window: `--thd 'i(L1)@50'`. Repeatable.
    #[arg(long, value_name = "SIGNAL@HZ")]
    thd: Vec<String>,
    /// Highest harmonic order counted in the THD.
    #[arg(long, default_value_t = 50)]
    thd_order: usize,
    /// Display envelope: min/max of every signal per time bucket, as CSV, for plotting
    /// long runs without every sample.
    #[arg(long, value_name = "FILE")]
    envelope: Option<PathBuf>,
    /// Number of time buckets in the envelope.
    #[arg(long, default_value_t = 2000)]
    buckets: usize,
    /// Signals to record, comma-separated (e.g. `v(out),i(L1),p(S1),temp(R1)`); a
    /// design also records what its summary needs. `pelab sim validate` does not list
    /// them; any name from docs/nomenclature.md that the circuit has is accepted.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    signals: Option<Vec<String>>,
    /// Largest number of grid samples to record (default 20 000 000).
    #[arg(long)]
    max_samples: Option<usize>,
    /// Record only the uniform output grid, not the two samples (just before and just
    /// after) that pelab adds at every switching event.
    #[arg(long)]
    grid_only: bool,
}

/// Parses `SIGNAL@HZ`.
fn parse_thd_request(text: &str) -> Result<(String, f64), String> {
    let Some((signal, frequency)) = text.rsplit_once('@') else {
        return Err(format!(
            "invalid --thd value '{text}': expected SIGNAL@HZ, e.g. 'i(L1)@50'"
        ));
    };
    let frequency: f64 = frequency
        .trim()
        .parse()
        .map_err(|_| format!("invalid --thd frequency '{frequency}': expected a number in Hz"))?;
    if !(frequency.is_finite() && frequency > 0.0) {
        return Err(format!(
            "invalid --thd frequency {frequency}: expected a positive number in Hz"
        ));
    }
    Ok((signal.trim().to_string(), frequency))
}

/// What kind of input a file is, from its extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum InputKind {
    Design,
    Netlist,
}

/// File extensions pelab reads, for messages.
const INPUT_EXTENSIONS: &str =
    "design files .toml or .json, netlists .cir, .sp, .net, .spice or .ckt";

fn input_kind(path: &Path) -> Result<InputKind, ExitCode> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("toml" | "json") => Ok(InputKind::Design),
        Some("cir" | "sp" | "net" | "spice" | "ckt") => Ok(InputKind::Netlist),
        _ => Err(invalid(format!(
            "cannot tell what {} is from its extension; pelab reads {INPUT_EXTENSIONS}",
            path.display()
        ))),
    }
}

fn is_netlist(path: &Path) -> bool {
    input_kind(path).is_ok_and(|kind| kind == InputKind::Netlist)
}

fn invalid(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_INVALID_INPUT)
}

fn failed(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_FAILURE)
}

/// Runs a `pelab sim` subcommand.
pub fn run(command: SimCommand) -> ExitCode {
    match command {
        SimCommand::Run(args) => run_simulation(&args),
        SimCommand::Validate { design } => validate(&design),
        SimCommand::List { json, markdown } => list(json, markdown),
        SimCommand::Netlist { design, out } => netlist(&design, out.as_deref()),
    }
}

fn read_text(path: &Path) -> Result<String, ExitCode> {
    std::fs::read_to_string(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))
}

fn validate(path: &Path) -> ExitCode {
    if let Err(code) = input_kind(path) {
        return code;
    }
    if is_netlist(path) {
        let text = match read_text(path) {
            Ok(t) => t,
            Err(code) => return code,
        };
        let netlist = match pelab_sim::netlist::parse_netlist(&text) {
            Ok(n) => n,
            Err(e) => return invalid(e),
        };
        return match pelab_sim::circuit::Circuit::from_netlist(&netlist) {
            Ok(c) => {
                outln!(
                    "valid netlist: {}, {}, {}, {}",
                    count(c.nodes.len() - 1, "node"),
                    count(c.state_count(), "state"),
                    count(c.switches.len(), "switch"),
                    count(c.diodes.len(), "diode")
                );
                ExitCode::SUCCESS
            }
            Err(e) => invalid(format!("invalid circuit: {e}")),
        };
    }
    let design = match Design::load(path) {
        Ok(d) => d,
        Err(e) => return invalid(format!("invalid design: {e}")),
    };
    if design.is_model() {
        return match design.build_model() {
            Ok(model) => {
                outln!(
                    "valid design: kernel {}, {}",
                    design.kernel.info().name,
                    model.describe()
                );
                ExitCode::SUCCESS
            }
            Err(e) => invalid(format!("invalid design: {e}")),
        };
    }
    match design.prepare() {
        Ok(prepared) => {
            // The parts named in [devices] must exist in the library, as a run needs.
            let resolve = |name: &str| {
                pelab_sim::semiconductors::resolve_with_gate_drive(
                    name,
                    &design.gate_drive,
                    &mut Vec::new(),
                )
            };
            if let Err(e) = pelab_sim::semiconductors::resolve_devices(
                &design.devices,
                &prepared.report.positions,
                &resolve,
            ) {
                return invalid(format!("invalid design: {e}"));
            }
            outln!(
                "valid design: kernel {}, {}, {}, {}, {} to record",
                design.kernel.info().name,
                count(prepared.circuit.state_count(), "state"),
                count(prepared.circuit.switches.len(), "switch"),
                count(prepared.circuit.diodes.len(), "diode"),
                count(prepared.options.sample_count(), "grid sample")
            );
            ExitCode::SUCCESS
        }
        Err(e) => invalid(format!("invalid design: {e}")),
    }
}

fn netlist(path: &Path, out: Option<&Path>) -> ExitCode {
    match input_kind(path) {
        Ok(InputKind::Design) => {}
        Ok(InputKind::Netlist) => {
            return invalid(format!(
                "{} is already a netlist; pelab sim netlist writes the netlist of a design file (.toml or .json)",
                path.display()
            ));
        }
        Err(code) => return code,
    }
    let design = match Design::load(path) {
        Ok(d) => d,
        Err(e) => return invalid(e),
    };
    let prepared = match design.prepare() {
        Ok(p) => p,
        Err(e) => return invalid(e),
    };
    // The kernel's text parsed when the design was prepared; write it in ngspice's form.
    let text = match pelab_sim::netlist::parse_netlist(&prepared.netlist_text) {
        Ok(netlist) => pelab_sim::netlist::write_netlist_ngspice(&netlist),
        Err(e) => {
            return failed(format!(
                "internal: the generated netlist does not parse: {e}"
            ));
        }
    };
    match out {
        Some(file) => match std::fs::write(file, &text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => failed(format!("cannot write {}: {e}", file.display())),
        },
        None => {
            print!("{text}");
            ExitCode::SUCCESS
        }
    }
}

/// `n` followed by `noun` in the singular or plural.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.ends_with("ch")) {
        (1, _) => format!("1 {noun}"),
        (_, true) => format!("{n} {noun}es"),
        _ => format!("{n} {noun}s"),
    }
}

/// A progress bar that appears only once a run has taken more than a second.
struct DelayedProgress {
    bar: ProgressBar,
    started: Instant,
    shown: bool,
}

impl DelayedProgress {
    fn new() -> Self {
        let bar = ProgressBar::with_draw_target(Some(1000), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {percent:>3}% simulated, {elapsed} elapsed, about {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Self {
            bar,
            started: Instant::now(),
            shown: false,
        }
    }

    fn update(&mut self, fraction: f64) {
        if !self.shown && self.started.elapsed() > Duration::from_secs(1) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.shown = true;
        }
        self.bar
            .set_position((fraction.clamp(0.0, 1.0) * 1000.0) as u64);
    }

    fn finish(self) {
        if self.shown {
            self.bar.finish_and_clear();
        }
    }
}

fn run_simulation(args: &RunArgs) -> ExitCode {
    let mut thd_requests = Vec::new();
    for request in &args.thd {
        match parse_thd_request(request) {
            Ok(r) => thd_requests.push(r),
            Err(e) => return invalid(e),
        }
    }
    if args.thd_order < 2 {
        return invalid(format!(
            "invalid --thd-order {}: expected at least 2",
            args.thd_order
        ));
    }
    if args.buckets == 0 {
        return invalid("invalid --buckets 0: expected at least 1");
    }
    if args.max_samples == Some(0) {
        return invalid("invalid --max-samples 0: expected at least 1");
    }
    if let Some(path) = &args.out
        && output_format(path).is_none()
    {
        return invalid(format!(
            "invalid --out {}: the file name must end in .csv or .pwf",
            path.display()
        ));
    }
    if let Err(code) = input_kind(&args.design) {
        return code;
    }
    let request = RunRequest {
        signals: args.signals.clone(),
        max_samples: args.max_samples,
        grid_only: args.grid_only,
        tap: None,
    };
    let started = Instant::now();
    let mut progress = DelayedProgress::new();
    let result: Result<SimulationOutput, RunError> = if is_netlist(&args.design) {
        let text = match read_text(&args.design) {
            Ok(t) => t,
            Err(code) => return code,
        };
        simulate_netlist_with(&text, None, &request, &mut |f| progress.update(f))
    } else {
        match Design::load(&args.design) {
            Ok(design) => simulate_design_with(&design, &request, &mut |f| progress.update(f)),
            Err(e) => Err(RunError::Design(e)),
        }
    };
    progress.finish();
    let mut output = match result {
        Ok(o) => o,
        Err(e) if e.is_invalid_input() => return invalid(e),
        Err(e) => return failed(e),
    };
    let elapsed = started.elapsed();

    let (from, to) = match (&output.summary, &output.model) {
        (Some(s), _) => (s.steady_state_from, s.t_stop),
        (None, Some(m)) => (m.results.steady_state_from, m.results.t_stop),
        (None, None) => output.waveforms.time_span().unwrap_or((0.0, 0.0)),
    };
    let mut analyses = Vec::new();
    for (signal, frequency) in &thd_requests {
        match harmonic_analysis(
            &output.waveforms,
            signal,
            *frequency,
            args.thd_order,
            from,
            to,
        ) {
            Ok(analysis) => analyses.push(analysis),
            Err(e) => return invalid(e),
        }
    }
    if let Some(summary) = &mut output.summary {
        summary.thd = analyses.clone();
    }
    if let Some(model) = &mut output.model {
        model.thd = analyses.clone();
    }

    if let Some(path) = &args.out
        && let Err(e) = write_waveforms(path, &output)
    {
        return failed(e);
    }
    if let Some(path) = &args.envelope
        && let Err(e) = write_envelope(path, &output, args.buckets)
    {
        return failed(e);
    }
    if let Some(path) = &args.summary {
        let json = match (&output.summary, &output.model) {
            (Some(summary), _) => serde_json::to_string_pretty(summary),
            (None, Some(model)) => serde_json::to_string_pretty(model),
            (None, None) => netlist_summary_json(&output, &analyses),
        };
        let written = json
            .map_err(|e| e.to_string())
            .and_then(|text| std::fs::write(path, text + "\n").map_err(|e| e.to_string()));
        if let Err(e) = written {
            return failed(format!("cannot write {}: {e}", path.display()));
        }
    }
    if !args.quiet {
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        let printed = match (&output.summary, &output.model) {
            (Some(summary), _) => print_summary(&mut out, summary, &output, elapsed),
            (None, Some(model)) => print_model_summary(&mut out, model, elapsed),
            (None, None) => print_netlist_report(&mut out, &output, elapsed),
        }
        .and_then(|()| {
            for a in &analyses {
                writeln!(
                    out,
                    "THD of {} at {}: {:.3} % (fundamental {:.4})",
                    a.signal,
                    si(a.fundamental, "Hz"),
                    100.0 * a.thd,
                    a.fundamental_amplitude
                )?;
            }
            Ok(())
        });
        if printed.is_err() {
            return ExitCode::from(EXIT_FAILURE);
        }
    }
    ExitCode::SUCCESS
}

/// The JSON summary of a netlist run: the engine report with the energy balance's
/// relative residual and any harmonic analyses added.
fn netlist_summary_json(
    output: &SimulationOutput,
    analyses: &[pelab_sim::summary::ThdSummary],
) -> serde_json::Result<String> {
    let mut value = serde_json::to_value(&output.report)?;
    if let Some(energy) = value.get_mut("energy").and_then(|e| e.as_object_mut()) {
        energy.insert(
            "relative_residual".into(),
            serde_json::json!(output.report.energy.relative_residual()),
        );
    }
    if let Some(object) = value.as_object_mut() {
        object.insert("thd".into(), serde_json::to_value(analyses)?);
    }
    serde_json::to_string_pretty(&value)
}

/// Waveform file formats by extension.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OutputFormat {
    Csv,
    Pwf,
}

fn output_format(path: &Path) -> Option<OutputFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("csv") => Some(OutputFormat::Csv),
        Some("pwf") => Some(OutputFormat::Pwf),
        _ => None,
    }
}

fn write_waveforms(path: &Path, output: &SimulationOutput) -> Result<(), String> {
    let file = File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let writer = BufWriter::new(file);
    if output_format(path) == Some(OutputFormat::Pwf) {
        pwf::write_pwf(writer, &output.waveforms)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    } else {
        csv::write_csv(writer, &output.waveforms)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// Writes the min/max envelope of every signal over `buckets` equal time buckets:
/// one row per bucket with its start and end time, then `min` and `max` per signal.
fn write_envelope(path: &Path, output: &SimulationOutput, buckets: usize) -> Result<(), String> {
    let waveforms = &output.waveforms;
    let Some((t_start, t_end)) = waveforms.time_span() else {
        return Err("no samples were recorded, so there is no envelope to write".into());
    };
    let decimated = pelab_waveform::decimate_waveforms(waveforms, t_start, t_end, buckets.max(1))
        .map_err(|e| format!("cannot decimate the waveforms: {e}"))?;
    let file = File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut header = String::from("t_first[s],t_last[s]");
    for signal in waveforms.signals() {
        header.push_str(&format!(
            ",{0} min[{1}],{0} max[{1}]",
            signal.name, signal.unit
        ));
    }
    let write_error = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    writeln!(out, "{header}").map_err(write_error)?;
    let Some(first) = decimated.first() else {
        return out.flush().map_err(write_error);
    };
    for (row, bucket) in first.iter().enumerate() {
        let mut line = format!("{},{}", bucket.t_first, bucket.t_last);
        for signal in &decimated {
            if let Some(b) = signal.get(row) {
                line.push_str(&format!(",{},{}", b.min, b.max));
            }
        }
        writeln!(out, "{line}").map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}

fn si(value: f64, unit: &str) -> String {
    if !value.is_finite() {
        return format!("{value} {unit}");
    }
    let prefixes = [
        (1e9, "G"),
        (1e6, "M"),
        (1e3, "k"),
        (1.0, ""),
        (1e-3, "m"),
        (1e-6, "µ"),
        (1e-9, "n"),
        (1e-12, "p"),
    ];
    let magnitude = value.abs();
    for (scale, prefix) in prefixes {
        if magnitude >= scale {
            return format!("{:.4} {prefix}{unit}", value / scale);
        }
    }
    if magnitude == 0.0 {
        format!("0 {unit}")
    } else {
        format!("{value:.3e} {unit}")
    }
}

/// Prints the metrics, table sizes and warnings of a model-kernel run.
fn print_model_summary(
    out: &mut dyn Write,
    s: &pelab_sim::simulate::ModelSummary,
    elapsed: Duration,
) -> std::io::Result<()> {
    writeln!(out, "{} ({})", s.design.title, s.design.kernel)?;
    writeln!(
        out,
        "  simulated {} in {:.3} s: {} steps, {} samples",
        si(s.results.t_stop, "s"),
        elapsed.as_secs_f64(),
        s.steps,
        s.samples
    )?;
    let width = s
        .results
        .metrics
        .iter()
        .map(|m| m.name.len())
        .max()
        .unwrap_or(0);
    for m in &s.results.metrics {
        let value = match m.unit.as_str() {
            "%" => format!("{:.3} %", m.value),
            "1" => format!("{:.4}", m.value),
            // Counts: whole numbers print without decimals.
            "" if m.value.fract() == 0.0 && m.value.abs() < 1e15 => format!("{}", m.value as i64),
            "" => format!("{}", m.value),
            unit => si(m.value, unit),
        };
        writeln!(out, "  {:<width$}  {value:>14}  {}", m.name, m.description)?;
    }
    for t in &s.results.tables {
        writeln!(
            out,
            "  table {}: {} rows ({}); in the --summary JSON",
            t.name,
            t.rows.len(),
            t.description
        )?;
    }
    for w in &s.results.warnings {
        writeln!(out, "  warning: {w}")?;
    }
    Ok(())
}

fn print_summary(
    out: &mut dyn Write,
    s: &Summary,
    output: &SimulationOutput,
    elapsed: Duration,
) -> std::io::Result<()> {
    writeln!(out, "{} ({})", s.design.title, s.design.kernel)?;
    writeln!(
        out,
        "  simulated {} at f_sw = {}; steady-state window from {}",
        si(s.t_stop, "s"),
        si(s.switching_frequency, "Hz"),
        si(s.steady_state_from, "s")
    )?;
    writeln!(out, "ports (steady state):")?;
    for p in &s.ports {
        writeln!(
            out,
            "  {:<14} V = {:>14}  I = {:>14}  ΔI(pk-pk) = {:>14}  P = {:>14}",
            p.name,
            si(p.voltage_mean, "V"),
            si(p.current_mean, "A"),
            si(p.current_ripple_pp, "A"),
            si(p.power, "W")
        )?;
    }
    match s.efficiency {
        Some(eta) => writeln!(
            out,
            "efficiency: {:.3} % ({})",
            100.0 * eta,
            s.power_direction
        )?,
        None => writeln!(out, "efficiency: undefined")?,
    }
    if let Some(v) = &s.output_voltage {
        writeln!(
            out,
            "output voltage {}: mean {}, ripple {} pk-pk (mean over the periods)",
            v.signal,
            si(v.mean, "V"),
            si(v.ripple_pp, "V")
        )?;
    }
    for i in &s.inductors {
        writeln!(
            out,
            "inductor {}: mean {}, rms {}, ripple {} pk-pk (mean over the periods)",
            i.signal,
            si(i.mean, "A"),
            si(i.rms, "A"),
            si(i.ripple_pp, "A")
        )?;
    }
    if let Some(t) = &s.transient {
        let settle = t
            .settling_time
            .map_or("not settled".to_string(), |v| si(v, "s"));
        writeln!(
            out,
            "start-up of {} from {} to {}: overshoot {:.2} % of the step, settled to ±2 % of the step ({}) after {}",
            t.signal,
            si(t.initial, "V"),
            si(t.reference, "V"),
            t.overshoot_percent,
            si(0.02 * (t.reference - t.initial).abs(), "V"),
            settle
        )?;
    }
    writeln!(out, "losses: total {}", si(s.loss_total, "W"))?;
    const SHOWN: usize = 8;
    for loss in s.losses.iter().take(SHOWN) {
        writeln!(out, "  {:<12} {}", loss.element, si(loss.power, "W"))?;
    }
    if s.losses.len() > SHOWN {
        let rest: f64 = s.losses[SHOWN..].iter().map(|l| l.power).sum();
        writeln!(
            out,
            "  … {} more elements, {} together (all in the --summary JSON)",
            s.losses.len() - SHOWN,
            si(rest, "W")
        )?;
    }
    if let Some(semis) = &s.semiconductors {
        print_semiconductors(out, semis)?;
    }
    writeln!(
        out,
        "energy balance: residual {:.2e} of the largest term",
        s.energy.relative_residual
    )?;
    for w in &s.warnings {
        writeln!(out, "warning: {w}")?;
    }
    print_run_line(out, output, elapsed)
}

fn print_semiconductors(
    out: &mut dyn Write,
    report: &pelab_sim::semiconductors::SemiconductorReport,
) -> std::io::Result<()> {
    writeln!(
        out,
        "semiconductor losses from datasheet curves (Tj {}): total {}",
        report.thermal_model,
        si(report.total_w, "W")
    )?;
    writeln!(
        out,
        "  {:<8} {:<28} {:>11} {:>11} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "position",
        "part",
        "cond. fwd",
        "cond. rev",
        "turn-on",
        "turn-off",
        "recovery",
        "Tj end",
        "Tj max"
    )?;
    for (loss, junction) in report.devices.iter().zip(&report.junctions) {
        writeln!(
            out,
            "  {:<8} {:<28} {:>11} {:>11} {:>11} {:>11} {:>11} {:>6.1} °C {:>6.1} °C",
            loss.position,
            loss.part,
            si(loss.conduction_forward_w, "W"),
            si(loss.conduction_reverse_w, "W"),
            si(loss.turn_on_w, "W"),
            si(loss.turn_off_w, "W"),
            si(loss.recovery_w + loss.coss_w, "W"),
            junction.tj_final_c,
            junction.tj_max_c
        )?;
    }
    if let Some(efficiency) = report.efficiency_with_datasheet_losses {
        writeln!(
            out,
            "  efficiency with these losses: {:.3} % (other circuit losses {} + semiconductors {}); the efficiency above uses the circuit's ideal switches",
            100.0 * efficiency,
            si(report.other_losses_w, "W"),
            si(report.total_w, "W")
        )?;
    }
    for transition in &report.transitions {
        let estimate = &transition.estimate;
        let di_dt = estimate.di_dt_a_per_s.map_or_else(
            || "di/dt needs gate_drive.v_th".to_string(),
            |d| format!("di/dt {:.1} A/ns", d * 1e-9),
        );
        writeln!(
            out,
            "  {} transitions (gate-charge estimate at {} and {}): dv/dt {:.1} V/ns, {di_dt}, voltage rise {} and fall {}",
            transition.position,
            si(transition.v_switched_max_v, "V"),
            si(transition.i_switched_max_a, "A"),
            estimate.dv_dt_v_per_s * 1e-9,
            si(estimate.t_rise_v_s, "s"),
            si(estimate.t_fall_v_s, "s"),
        )?;
    }
    for warning in &report.warnings {
        writeln!(out, "  note: {warning}")?;
    }
    Ok(())
}

fn print_netlist_report(
    out: &mut dyn Write,
    output: &SimulationOutput,
    elapsed: Duration,
) -> std::io::Result<()> {
    let w = &output.waveforms;
    writeln!(
        out,
        "recorded {} signals × {} samples",
        w.signal_count(),
        w.len()
    )?;
    for (index, signal) in w.signals().iter().enumerate() {
        if let Some(values) = w.column(index) {
            let last = values.last().copied().unwrap_or(f64::NAN);
            writeln!(
                out,
                "  {:<20} final {}",
                signal.name,
                si(last, &signal.unit)
            )?;
        }
    }
    let e = &output.report.energy;
    writeln!(
        out,
        "energy balance: residual {:.2e} of the largest term",
        e.relative_residual()
    )?;
    print_run_line(out, output, elapsed)
}

fn print_run_line(
    out: &mut dyn Write,
    output: &SimulationOutput,
    elapsed: Duration,
) -> std::io::Result<()> {
    let stats = &output.report.stats;
    let stepping = if output.report.nonlinear {
        format!("{} ODE steps (nonlinear circuit)", stats.ode_steps)
    } else {
        format!(
            "{} exact steps, {} exponentials",
            stats.steps, stats.cache.exponentials
        )
    };
    writeln!(
        out,
        "run: {stepping}, {} samples, {} gate edges, {} diode commutations ({} located within a step), {}, {:.3} s wall time",
        stats.samples,
        stats.gate_edges,
        stats.diode_commutations,
        stats.located_events,
        count(stats.cache.configurations, "configuration"),
        elapsed.as_secs_f64()
    )
}

fn list(json: bool, markdown: bool) -> ExitCode {
    let kernels: Vec<KernelInfo> = registry().iter().map(|k| k.info()).collect();
    if markdown {
        print!("{}", markdown_reference(&kernels));
        return ExitCode::SUCCESS;
    }
    if json {
        return match serde_json::to_string_pretty(&kernels) {
            Ok(text) => {
                outln!("{text}");
                ExitCode::SUCCESS
            }
            Err(e) => failed(e),
        };
    }
    for kernel in &kernels {
        outln!("{}: {}", kernel.name, kernel.summary);
        for (section, specs) in [
            ("parameters", &kernel.parameters),
            ("control", &kernel.control),
            ("simulation", &kernel.simulation),
        ] {
            outln!("  [{section}]");
            for spec in specs {
                outln!("    {}", describe(spec));
            }
        }
        outln!();
    }
    outln!(
        "netlists: any SPICE netlist (.cir) with R, L, C, K, V, I, S, D, E, F, G, H and .tran; see docs/netlist.md"
    );
    ExitCode::SUCCESS
}

fn describe(spec: &ParamSpec) -> String {
    use pelab_sim::kernels::params::Value;
    let unit = if spec.unit.is_empty() {
        String::new()
    } else {
        format!(" [{}]", spec.unit)
    };
    let default = match &spec.default {
        Some(Value::Number(v)) => format!("default {v}"),
        Some(Value::Text(t)) => format!("default {t}"),
        Some(Value::Bool(b)) => format!("default {b}"),
        Some(Value::List(l)) if l.is_empty() => "default none".to_string(),
        Some(Value::Schedule(l)) if l.is_empty() => "default none".to_string(),
        Some(_) => "has a default".to_string(),
        None if spec.optional => "optional".to_string(),
        None => "required".to_string(),
    };
    format!(
        "{:<18}{unit}: {}; {default}; {}",
        spec.name,
        spec.description,
        spec.range_text()
    )
}

/// Markdown tables of every kernel's sections, as in docs/design-files.md.
pub fn markdown_reference(kernels: &[KernelInfo]) -> String {
    use std::fmt::Write as _;

    let mut out = String::new();
    for kernel in kernels {
        let mut summary = kernel.summary.to_string();
        if let Some(first) = summary.get(..1) {
            summary = first.to_uppercase() + &summary[1..];
        }
        let _ = writeln!(out, "### `{}`\n\n{summary}.\n", kernel.name);
        for (section, specs) in [
            ("parameters", &kernel.parameters),
            ("control", &kernel.control),
            ("simulation", &kernel.simulation),
        ] {
            spec_table(&mut out, section, specs);
        }
    }
    let _ = writeln!(
        out,
        "### Sections of every kernel\n\n\
         `[devices]` maps switch positions (`S1`, `S2`, `D1`, `S1H`, … as in the kernel's \
         netlist) to library parts by name, e.g. `S1 = \"CREE_C3M0016120K\"`; \
         `pelab components list` shows the parts. With it, the summary gains datasheet \
         losses and junction temperatures (see docs/losses.md).\n"
    );
    spec_table(
        &mut out,
        "thermal",
        &pelab_sim::semiconductors::thermal_specs(),
    );
    spec_table(
        &mut out,
        "gate_drive",
        &pelab_sim::semiconductors::gate_drive_specs(),
    );
    out
}

/// Appends the Markdown table of one design-file section.
fn spec_table(out: &mut String, section: &str, specs: &[ParamSpec]) {
    use pelab_sim::kernels::params::{ParamKind, Value};
    use std::fmt::Write as _;

    let number = |v: f64| {
        if v.abs() >= 1e4 || (v != 0.0 && v.abs() < 1e-3) {
            format!("{v:e}")
        } else {
            format!("{v}")
        }
    };
    let _ = writeln!(out, "`[{section}]`\n");
    let _ = writeln!(out, "| name | unit | default | accepted | meaning |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for spec in specs {
        let default = match &spec.default {
            Some(Value::Number(v)) => number(*v),
            Some(Value::Text(t)) => format!("`{t}`"),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::List(l)) if l.is_empty() => "none".to_string(),
            Some(Value::Schedule(l)) if l.is_empty() => "none".to_string(),
            Some(_) => "see meaning".to_string(),
            None if spec.optional => "optional".to_string(),
            None => "**required**".to_string(),
        };
        let accepted = match &spec.kind {
            ParamKind::Number {
                min,
                min_exclusive,
                max,
            } => {
                let lower = if *min_exclusive { ">" } else { "≥" };
                if max.is_finite() {
                    format!("{lower} {}, ≤ {}", number(*min), number(*max))
                } else {
                    format!("{lower} {}", number(*min))
                }
            }
            ParamKind::Integer { min, max } => format!("{min} to {max}"),
            ParamKind::Choice { options } => options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", "),
            ParamKind::Bool => "`true`, `false`".to_string(),
            ParamKind::Text { max_len } => format!("text, 1 to {max_len} characters"),
            ParamKind::NumberList {
                min,
                max,
                min_len,
                max_len,
            } => {
                format!(
                    "{min_len} to {max_len} numbers in [{}, {}]",
                    number(*min),
                    number(*max)
                )
            }
            ParamKind::Schedule { min, max } => {
                format!(
                    "`[[t, value], …]`, values in [{}, {}]",
                    number(*min),
                    number(*max)
                )
            }
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {default} | {accepted} | {} |",
            spec.name, spec.unit, spec.description
        );
    }
    out.push('\n');
}
