//! The summary of a converter run: port powers, efficiency, ripple, losses, transient
//! metrics and the energy balance.

use serde::Serialize;

use pelab_waveform::Waveforms;
use pelab_waveform::metrics::{
    StepSpec, Window, peak_to_peak_per_period, statistics, step_response,
};

use crate::design::DesignEcho;
use crate::engine::{EnergyBalance, RunReport, RunStats};
use crate::kernels::ReportSpec;

/// Largest change of stored energy over the window, as a fraction of the input energy,
/// for the window to count as steady state. At 0.1 % the change shifts the efficiency
/// by at most 0.1 percentage points.
const STEADY_STATE_TOLERANCE: f64 = 1e-3;

/// Largest change of stored energy over the window, as a fraction of the energy lost
/// in it. An efficient converter loses little, so a small drift of the stored energy
/// can still be a large part of `P_in − P_out`.
const STEADY_STATE_LOSS_TOLERANCE: f64 = 0.02;

/// Statistics of one signal over the steady-state window.
#[derive(Debug, Clone, Serialize)]
pub struct SignalSummary {
    /// Signal name; a leading `-` marks a signal negated into the nominal power
    /// direction, such as `-i(VIN)` for the current into the converter.
    pub signal: String,
    /// Unit.
    pub unit: String,
    /// Time-weighted mean.
    pub mean: f64,
    /// RMS.
    pub rms: f64,
    /// Minimum.
    pub min: f64,
    /// Maximum.
    pub max: f64,
    /// Peak-to-peak ripple: the mean over the window's whole switching periods of each
    /// period's max − min. Unlike `max − min`, it ignores slow drift across periods.
    pub ripple_pp: f64,
}

/// Power and averages at one port.
#[derive(Debug, Clone, Serialize)]
pub struct PortSummary {
    /// Port name.
    pub name: String,
    /// Mean port voltage [V].
    pub voltage_mean: f64,
    /// Mean port current in the nominal direction [A].
    pub current_mean: f64,
    /// Peak-to-peak port current ripple [A].
    pub current_ripple_pp: f64,
    /// Mean power in the nominal direction [W]: into the converter at the input, out of
    /// it at the outputs.
    pub power: f64,
}

/// Mean dissipation of one element [W].
#[derive(Debug, Clone, Serialize)]
pub struct Loss {
    /// Element name.
    pub element: String,
    /// Mean power over the steady-state window [W].
    pub power: f64,
}

/// Step-response metrics of the regulated voltage from the start of the run.
#[derive(Debug, Clone, Serialize)]
pub struct Transient {
    /// Signal.
    pub signal: String,
    /// Value at the start of the run [V].
    pub initial: f64,
    /// Reference [V].
    pub reference: f64,
    /// Overshoot beyond the reference, as a percentage of the step from `initial` to
    /// `reference` (the control-engineering definition) [%].
    pub overshoot_percent: f64,
    /// Time after which the signal stays within ±2 % of the step around the reference
    /// [s]; `None` when it never settles.
    pub settling_time: Option<f64>,
    /// 10–90 % rise time [s].
    pub rise_time: Option<f64>,
}

/// Energy balance with its relative residual.
#[derive(Debug, Clone, Serialize)]
pub struct EnergySummary {
    /// The integrated terms [J].
    #[serde(flatten)]
    pub balance: EnergyBalance,
    /// `|residual| / largest term`.
    pub relative_residual: f64,
}

/// Summary of a converter run.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The design as validated, with defaults.
    pub design: DesignEcho,
    /// Switching frequency [Hz].
    pub switching_frequency: f64,
    /// Start of the steady-state window [s].
    pub steady_state_from: f64,
    /// End of the run [s].
    pub t_stop: f64,
    /// Ports, input first.
    pub ports: Vec<PortSummary>,
    /// Efficiency `P_out / P_in` in the direction power actually flowed.
    pub efficiency: Option<f64>,
    /// `forward` (input to outputs) or `reverse`.
    pub power_direction: &'static str,
    /// Output voltage statistics.
    pub output_voltage: Option<SignalSummary>,
    /// Inductor current statistics, one per phase.
    pub inductors: Vec<SignalSummary>,
    /// Input current statistics (sum of the phases for interleaved converters).
    pub input_current: Option<SignalSummary>,
    /// Losses per element, largest first.
    pub losses: Vec<Loss>,
    /// Sum of the losses [W].
    pub loss_total: f64,
    /// Start-up metrics of the regulated voltage, in closed loop.
    pub transient: Option<Transient>,
    /// Energy balance over the whole run.
    pub energy: EnergySummary,
    /// Engine counters.
    pub stats: RunStats,
    /// Harmonic analyses requested for the run.
    pub thd: Vec<ThdSummary>,
    /// Datasheet-based semiconductor losses and junction temperatures, when the
    /// design names its devices.
    pub semiconductors: Option<crate::semiconductors::SemiconductorReport>,
    /// Metrics that could not be computed, with the reason.
    pub warnings: Vec<String>,
}

/// Harmonic content of one signal over the steady-state window.
#[derive(Debug, Clone, Serialize)]
pub struct ThdSummary {
    /// Signal name.
    pub signal: String,
    /// Fundamental frequency [Hz].
    pub fundamental: f64,
    /// Total harmonic distortion `√(Σ_{h≥2} A_h²) / A_1`, as a ratio.
    pub thd: f64,
    /// Amplitude of the fundamental, in the signal's unit.
    pub fundamental_amplitude: f64,
    /// Amplitudes of harmonics 1 to `max_order`, in the signal's unit.
    pub harmonics: Vec<f64>,
}

/// Computes the THD of `signal` with fundamental `fundamental` [Hz] up to harmonic
/// `max_order`, over the whole fundamental periods of the window `[from, to]`.
///
/// # Errors
/// A message naming the signal when it was not recorded, the window contains no
/// whole fundamental period, or the recording is too coarse: harmonic `max_order`
/// must lie below the Nyquist frequency `1/(2·Δt)` of the median sample step `Δt`
/// in the window, or it would alias onto lower harmonics.
pub fn harmonic_analysis(
    waveforms: &Waveforms,
    signal: &str,
    fundamental: f64,
    max_order: usize,
    from: f64,
    to: f64,
) -> Result<ThdSummary, String> {
    use pelab_waveform::metrics::{HarmonicSpec, analyze_harmonics};

    let values = waveforms
        .signal(signal)
        .ok_or_else(|| format!("signal '{signal}' was not recorded"))?;
    let range = waveforms
        .window(from, to)
        .map_err(|e| format!("THD of {signal}: {e}"))?;
    let time = &waveforms.time()[range.clone()];
    if let Some(step) = median_step(time) {
        let nyquist = 0.5 / step;
        let highest = fundamental * max_order as f64;
        if fundamental >= nyquist {
            return Err(format!(
                "THD of {signal} at {fundamental} Hz: the fundamental is not below the {nyquist:.6e} Hz \
                 Nyquist frequency of the recorded samples (median step {step:.3e} s); record with an \
                 output step of at most {:.3e} s for harmonic {max_order}",
                0.5 / highest
            ));
        }
        if highest >= nyquist {
            // The highest order whose frequency stays strictly below the Nyquist frequency.
            let usable = ((nyquist / fundamental).ceil() as usize)
                .saturating_sub(1)
                .max(1);
            return Err(format!(
                "THD of {signal} at {fundamental} Hz up to harmonic {max_order}: harmonic {max_order} \
                 ({highest:.6e} Hz) is not below the {nyquist:.6e} Hz Nyquist frequency of the recorded \
                 samples (median step {step:.3e} s); record with an output step of at most {:.3e} s \
                 or pass --thd-order {usable} or lower",
                0.5 / highest
            ));
        }
    }
    let analysis = analyze_harmonics(
        time,
        &values[range],
        &HarmonicSpec::new(fundamental, max_order),
    )
    .map_err(|e| format!("THD of {signal}: {e}"))?;
    Ok(ThdSummary {
        signal: signal.to_string(),
        fundamental,
        thd: analysis.thd,
        fundamental_amplitude: analysis.fundamental().amplitude,
        harmonics: analysis.harmonics.iter().map(|h| h.amplitude).collect(),
    })
}

/// Median of the positive steps of `time`, or `None` when it has no positive step.
/// Two samples at one switching instant give a zero step, which is left out.
fn median_step(time: &[f64]) -> Option<f64> {
    let mut steps: Vec<f64> = time
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .collect();
    if steps.is_empty() {
        return None;
    }
    let middle = steps.len() / 2;
    let (_, median, _) = steps.select_nth_unstable_by(middle, f64::total_cmp);
    Some(*median)
}

/// Computes the summary from the recorded waveforms and the run report.
pub fn summarize(
    design: DesignEcho,
    spec: &ReportSpec,
    waveforms: &Waveforms,
    report: &RunReport,
    period: f64,
    steady_state_from: f64,
    t_stop: f64,
) -> Summary {
    let mut warnings = Vec::new();
    let first = waveforms.time().first().copied().unwrap_or(0.0);
    let last = waveforms.time().last().copied().unwrap_or(t_stop);
    let window = Window::range(steady_state_from.max(first), t_stop.min(last));
    let f_sw = 1.0 / period;

    let signal_summary =
        |name: &str, sign: f64, warnings: &mut Vec<String>| -> Option<SignalSummary> {
            let Some(values) = waveforms.signal(name) else {
                warnings.push(format!("{name} was not recorded"));
                return None;
            };
            let scaled: Vec<f64>;
            let values = if sign == 1.0 {
                values
            } else {
                scaled = values.iter().map(|v| sign * v).collect();
                &scaled
            };
            let time = waveforms.time();
            let stats = match statistics(time, values, window) {
                Ok(s) => s,
                Err(e) => {
                    warnings.push(format!("{name}: {e}"));
                    return None;
                }
            };
            let ripple = match peak_to_peak_per_period(time, values, f_sw, window) {
                Ok(periods) if !periods.is_empty() => {
                    periods.iter().map(|p| p.peak_to_peak()).sum::<f64>() / periods.len() as f64
                }
                _ => stats.peak_to_peak,
            };
            let unit = waveforms
                .index_of(name)
                .map(|i| waveforms.signals()[i].unit.clone())
                .unwrap_or_default();
            Some(SignalSummary {
                signal: name.to_string(),
                unit,
                mean: stats.mean,
                rms: stats.rms,
                min: stats.min,
                max: stats.max,
                ripple_pp: ripple,
            })
        };

    let window_length = t_stop - steady_state_from;
    let element_energy = |name: &str| -> f64 {
        report
            .window_energy
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name))
            .map_or(0.0, |e| e.energy)
    };

    let mut ports = Vec::new();
    let mut port_currents = Vec::new();
    for port in &spec.ports {
        let voltage = signal_summary(&port.voltage, 1.0, &mut warnings);
        let current = signal_summary(&port.current, port.current_sign, &mut warnings);
        let power: f64 = port
            .elements
            .iter()
            .map(|(element, sign)| sign * element_energy(element))
            .sum::<f64>()
            / window_length;
        ports.push(PortSummary {
            name: port.name.clone(),
            voltage_mean: voltage.as_ref().map_or(f64::NAN, |v| v.mean),
            current_mean: current.as_ref().map_or(f64::NAN, |c| c.mean),
            current_ripple_pp: current.as_ref().map_or(f64::NAN, |c| c.ripple_pp),
            power,
        });
        port_currents.push(current);
    }

    let input_power = ports.first().map_or(0.0, |p| p.power);
    let stored_change = report.energy.stored_final - report.energy.stored_window_start;
    let input_energy = input_power.abs() * window_length;
    // Dissipation inside the converter; loads and source resistances are ports.
    let loss_energy: f64 = report
        .window_energy
        .iter()
        .filter(|e| e.role == "dissipative")
        .filter(|e| {
            !spec.ports.iter().any(|p| {
                p.elements
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(&e.name))
            })
        })
        .map(|e| e.energy)
        .sum();
    let drifting = stored_change.abs() > STEADY_STATE_TOLERANCE * input_energy
        || stored_change.abs() > STEADY_STATE_LOSS_TOLERANCE * loss_energy;
    if input_energy > 0.0 && drifting {
        warnings.push(format!(
            "not in steady state: the stored energy changed by {stored_change:.4e} J over the window, \
             {:.3} % of the input energy and {:.1} % of the energy lost; port powers and efficiency \
             include that change. Lengthen t_stop or move steady_state_from later",
            100.0 * stored_change.abs() / input_energy,
            100.0 * stored_change.abs() / loss_energy.max(f64::MIN_POSITIVE)
        ));
    }
    let output_power: f64 = ports.iter().skip(1).map(|p| p.power).sum();
    let (efficiency, power_direction) = if input_power > 0.0 && output_power > 0.0 {
        (Some(output_power / input_power), "forward")
    } else if input_power < 0.0 && output_power < 0.0 {
        (Some(input_power / output_power), "reverse")
    } else {
        warnings.push(format!(
            "efficiency undefined: input power {input_power:.4} W and output power {output_power:.4} W"
        ));
        (
            None,
            if input_power >= 0.0 {
                "forward"
            } else {
                "reverse"
            },
        )
    };

    let mut losses: Vec<Loss> = report
        .window_energy
        .iter()
        .filter(|e| e.role == "dissipative")
        .filter(|e| {
            // Loads and source resistances are ports, not converter losses.
            !spec.ports.iter().any(|p| {
                p.elements
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(&e.name))
            })
        })
        .map(|e| Loss {
            element: e.name.clone(),
            power: e.energy / window_length,
        })
        .collect();
    losses.sort_by(|a, b| b.power.total_cmp(&a.power));
    let loss_total = losses.iter().map(|l| l.power).sum();

    let output_voltage = signal_summary(&spec.output_voltage, 1.0, &mut warnings);
    let inductors = spec
        .inductor_currents
        .iter()
        .filter_map(|name| signal_summary(name, 1.0, &mut warnings))
        .collect();
    let input_current = port_currents.into_iter().next().flatten();

    let transient = spec.regulated.as_ref().and_then(|(signal, reference)| {
        let values = waveforms.signal(signal)?;
        let time = waveforms.time();
        let end = spec
            .transient_until
            .map_or(time.len(), |t_end| time.partition_point(|&t| t < t_end));
        let (time, values) = (&time[..end], &values[..end]);
        let t_first = *time.first()?;
        let spec = StepSpec::new(t_first)
            .with_final_value(*reference)
            .with_band(0.02);
        match step_response(time, values, &spec) {
            Ok(r) => Some(Transient {
                signal: signal.clone(),
                initial: r.initial,
                reference: *reference,
                overshoot_percent: r.overshoot_percent,
                settling_time: r.settling_time.map(|t| t + t_first),
                rise_time: r.rise_time,
            }),
            Err(e) => {
                warnings.push(format!("transient metrics of {signal}: {e}"));
                None
            }
        }
    });

    Summary {
        design,
        switching_frequency: f_sw,
        steady_state_from,
        t_stop,
        ports,
        efficiency,
        power_direction,
        output_voltage,
        inductors,
        input_current,
        losses,
        loss_total,
        transient,
        energy: EnergySummary {
            balance: report.energy,
            relative_residual: report.energy.relative_residual(),
        },
        stats: report.stats,
        thd: Vec::new(),
        semiconductors: None,
        warnings,
    }
}
