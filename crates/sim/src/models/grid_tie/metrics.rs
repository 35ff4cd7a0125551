//! Results of a grid-tie run: power, power factor, THD and unbalance over the
//! steady-state window, and the PLL lock time and peak current after each event.

use pelab_waveform::metrics::{HarmonicSpec, analyze_harmonics};

use super::GridTieConfig;
use super::grid::EventKind;
use super::plant::TICKS;
use super::window::Accumulator;
use crate::models::{ModelResults, Table};

/// Highest harmonic order in the THD of the grid current (2.5 kHz at 50 Hz).
pub const THD_MAX_ORDER: usize = 50;

/// A change of the PLL lock flag at a controller sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LockTransition {
    /// Sample time \[s\].
    pub time: f64,
    /// Lock flag from this sample on.
    pub locked: bool,
}

/// Lock time after `from` \[s\], with the window ending at `to`: 0 when the PLL stays
/// locked throughout, the time of its last return to lock otherwise, `None` when it
/// is unlocked at `to`.
pub fn lock_time(transitions: &[LockTransition], from: f64, to: f64) -> Option<f64> {
    let state_at = |t: f64| {
        transitions
            .iter()
            .take_while(|tr| tr.time <= t)
            .last()
            .is_some_and(|tr| tr.locked)
    };
    let inside: Vec<_> = transitions
        .iter()
        .filter(|tr| tr.time > from && tr.time < to)
        .collect();
    let locked_at_end = inside.last().map_or(state_at(from), |tr| tr.locked);
    if !locked_at_end {
        return None;
    }
    if inside.is_empty() && state_at(from) {
        return Some(0.0);
    }
    inside
        .iter()
        .rev()
        .find(|tr| tr.locked)
        .map(|tr| tr.time - from)
}

/// `x` with four significant digits, in scientific notation outside 1e-3 to 1e6, for
/// messages.
pub fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let magnitude = x.abs().log10().floor();
    if !(-3.0..6.0).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (3.0 - magnitude).max(0.0) as usize;
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// Largest mean error of P or Q against its reference in the window, as a fraction
/// of full scale, before a warning.
pub const REFERENCE_TOLERANCE: f64 = 0.02;

/// Event-table rows `(time, magnitude, phase jump [deg], frequency)`: the start, then
/// one per distinct event time before `t_stop`.
fn rows(config: &GridTieConfig) -> Vec<(f64, f64, f64, f64)> {
    let mut magnitude = 1.0;
    let mut frequency = config.f_grid;
    let mut rows: Vec<(f64, f64, f64, f64)> = vec![(0.0, magnitude, 0.0, frequency)];
    for event in config.events.iter().filter(|e| e.time < config.t_stop) {
        let mut jump = 0.0;
        match event.kind {
            EventKind::Magnitude(m) => magnitude = m,
            EventKind::PhaseJump(rad) => jump = rad.to_degrees(),
            EventKind::Frequency(f) => frequency = f,
        }
        match rows.last_mut() {
            Some(last) if last.0 == event.time => {
                last.1 = magnitude;
                last.2 += jump;
                last.3 = frequency;
            }
            _ => rows.push((event.time, magnitude, jump, frequency)),
        }
    }
    rows
}

/// Start tick of each event-table row, for the peak tracking in the run.
pub fn row_ticks(config: &GridTieConfig) -> Vec<u64> {
    rows(config)
        .iter()
        .map(|r| (r.0 / config.period * TICKS as f64).round() as u64)
        .collect()
}

/// Computes the metrics and tables from the values gathered during the run, adding
/// to `warnings` what could not be computed or missed its reference.
pub fn results(
    config: &GridTieConfig,
    acc: &Accumulator,
    clamped_periods: usize,
    transitions: &[LockTransition],
    warnings: &mut Vec<String>,
) -> ModelResults {
    let mut results = ModelResults {
        steady_state_from: config.steady_state_from,
        t_stop: config.t_stop,
        switching_frequency: Some(1.0 / config.period),
        ..Default::default()
    };
    results.metric(
        "lcl_resonance",
        config.lcl.resonance_hz(),
        "Hz",
        "undamped LCL resonance sqrt((l1 + l2 + lg)/(l1·(l2 + lg)·cf))/2π",
    );
    results.metric(
        "current_loop_pole_radius",
        config.loop_radius,
        "1",
        "largest closed-loop pole radius of the sampled current loop (stable below 1)",
    );
    results.metric(
        "current_loop_gain_margin",
        config.gain_margin,
        "1",
        "factor by which kp and ki can grow before the sampled current loop turns unstable",
    );
    results.metric(
        "current_kp",
        config.control.kp,
        "Ω",
        "proportional gain of the dq current PI",
    );
    results.metric(
        "current_ki",
        config.control.ki,
        "Ω/s",
        "integral gain of the dq current PI",
    );
    results.metric(
        "modulator_saturated_periods",
        clamped_periods as f64,
        "",
        "PWM periods whose voltage reference exceeded the modulator's linear range",
    );

    match window_metrics(config, acc, &mut results, warnings) {
        Ok(()) => {}
        Err(e) => warnings.push(format!("steady-state metrics not computed: {e}")),
    }
    event_table(config, acc, transitions, &mut results, warnings);
    results.warnings = std::mem::take(warnings);
    results
}

/// Window metrics. Equations in [`super::window`]: means and RMS by the trapezoidal
/// rule over every stepper point of the window, PF = P/Σ V_rms·I_rms.
fn window_metrics(
    config: &GridTieConfig,
    acc: &Accumulator,
    results: &mut ModelResults,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    let empty = || {
        format!(
            "the metrics window from {} s to t_stop = {} s holds no controller period",
            sig(config.steady_state_from),
            sig(config.t_stop)
        )
    };
    let p = acc.mean(acc.p).ok_or_else(empty)?;
    let q = acc.mean(acc.q).ok_or_else(empty)?;
    results.metric(
        "p",
        p,
        "W",
        "mean active power delivered to the grid at the PCC",
    );
    results.metric(
        "q",
        q,
        "var",
        "mean reactive power delivered to the grid at the PCC (positive: current lagging)",
    );
    reference_check(config, acc, p, q, warnings);

    let mut currents = [0.0; 3];
    let mut apparent = 0.0;
    for (phase, current) in currents.iter_mut().enumerate() {
        let i = acc.rms(acc.i_sq[phase]).ok_or_else(empty)?;
        let v = acc.rms(acc.v_sq[phase]).ok_or_else(empty)?;
        *current = i;
        apparent += v * i;
    }
    let i_mean = currents.iter().sum::<f64>() / 3.0;
    results.metric(
        "i_grid_rms",
        i_mean,
        "A",
        "mean of the three RMS grid currents",
    );
    if apparent > 0.0 {
        results.metric(
            "pf",
            p / apparent,
            "1",
            "true power factor P/(Σ V_rms·I_rms) at the PCC, distortion included",
        );
    }
    if i_mean > 0.0 {
        let deviation = currents
            .iter()
            .map(|i| (i - i_mean).abs())
            .fold(0.0, f64::max);
        results.metric(
            "current_unbalance",
            100.0 * deviation / i_mean,
            "%",
            "largest deviation of a phase RMS current from the mean, over the mean",
        );
    }
    if let Some(f) = acc.mean(acc.frequency) {
        results.metric("pll_frequency", f, "Hz", "mean PLL frequency estimate");
    }

    // The buffer runs at 2·f_sw: harmonics must stay below f_sw.
    let below_nyquist = ((1.0 / config.period) / config.f_final).ceil() as usize - 1;
    let max_order = THD_MAX_ORDER.min(below_nyquist);
    if max_order < 2 {
        warnings.push(format!(
            "THD not computed: f_sw = {} Hz leaves no harmonic of {} Hz below the 2·f_sw sampling Nyquist frequency",
            sig(1.0 / config.period),
            sig(config.f_final)
        ));
        return Ok(());
    }
    let mut worst = 0.0_f64;
    for current in &acc.thd_current {
        let analysis = analyze_harmonics(
            &acc.thd_time,
            current,
            &HarmonicSpec::new(config.f_final, max_order),
        );
        match analysis {
            Ok(analysis) => worst = worst.max(analysis.thd),
            Err(e)
                if acc
                    .thd_time
                    .last()
                    .zip(acc.thd_time.first())
                    .is_some_and(|(l, f)| l - f >= 1.0 / config.f_final) =>
            {
                warnings.push(format!("THD not computed: {e}"));
                return Ok(());
            }
            Err(_) => {
                warnings.push(format!(
                    "THD not computed: the metrics window from {} s to {} s holds less than one period ({} s) of the final grid frequency {} Hz; \
                     set simulation.steady_state_from earlier or lengthen t_stop",
                    sig(config.steady_state_from),
                    sig(config.t_stop),
                    sig(1.0 / config.f_final),
                    sig(config.f_final)
                ));
                return Ok(());
            }
        }
    }
    results.metric(
        "thd_i_grid",
        100.0 * worst,
        "%",
        &format!(
            "largest THD of the three grid currents, harmonics 2 to {max_order} of the final grid frequency, from samples at 2·f_sw over the metrics window"
        ),
    );
    Ok(())
}

/// Warns when the mean P or Q of the window misses the mean reference by more than
/// [`REFERENCE_TOLERANCE`] of full scale. Full scale is the larger of the largest
/// apparent reference `hypot(max |p_ref|, max |q_ref|)` and, when `i_max` is set,
/// `3/2·V_peak·i_max`.
fn reference_check(
    config: &GridTieConfig,
    acc: &Accumulator,
    p: f64,
    q: f64,
    warnings: &mut Vec<String>,
) {
    let largest = |schedule: &[(f64, f64)]| schedule.iter().fold(0.0_f64, |m, r| m.max(r.1.abs()));
    let limit = config
        .control
        .i_max
        .map_or(0.0, |i| 1.5 * config.control.v_nominal * i);
    let full_scale = largest(&config.p_ref)
        .hypot(largest(&config.q_ref))
        .max(limit);
    if full_scale <= 0.0 {
        return;
    }
    let tolerance = REFERENCE_TOLERANCE * full_scale;
    let checks = [
        ("active power", "p_ref", acc.mean(acc.p_ref), p, "W"),
        ("reactive power", "q_ref", acc.mean(acc.q_ref), q, "var"),
    ];
    for (quantity, field, target, achieved, unit) in checks {
        let Some(target) = target else { continue };
        if (achieved - target).abs() > tolerance {
            warnings.push(format!(
                "{quantity} missed its reference in the metrics window: control.{field} averages {} {unit}, the run achieved {} {unit} \
                 (tolerance {} {unit}, {}% of full scale {} {unit}); check current_kp and current_ki, i_max and the modulator range",
                sig(target),
                sig(achieved),
                sig(tolerance),
                sig(100.0 * REFERENCE_TOLERANCE),
                sig(full_scale)
            ));
        }
    }
}

fn event_table(
    config: &GridTieConfig,
    acc: &Accumulator,
    transitions: &[LockTransition],
    results: &mut ModelResults,
    warnings: &mut Vec<String>,
) {
    let mut table = Table::new(
        "grid_events",
        "grid state after each event (the first row is the start), PLL lock time (−1: not locked again before the next event or the end) and peak grid current until the next event",
        &[
            ("time", "s"),
            ("voltage", "pu"),
            ("phase_jump", "deg"),
            ("frequency", "Hz"),
            ("pll_lock_time", "s"),
            ("peak_grid_current", "A"),
        ],
    );
    let rows = rows(config);
    let mut worst_lock: f64 = 0.0;
    for (index, &(t, m, jump, f)) in rows.iter().enumerate() {
        let until = rows.get(index + 1).map_or(config.t_stop, |r| r.0);
        let lock = match lock_time(transitions, t, until) {
            Some(lock) => {
                worst_lock = worst_lock.max(lock);
                lock
            }
            None => {
                warnings.push(format!(
                    "PLL not locked at {} s after the grid event at {} s: phase error above the lock threshold",
                    sig(until),
                    sig(t)
                ));
                -1.0
            }
        };
        let peak = acc.peaks.get(index).copied().unwrap_or(0.0);
        table.rows.push(vec![t, m, jump, f, lock, peak]);
    }
    results.metric(
        "pll_lock_time_max",
        worst_lock,
        "s",
        "longest PLL lock time after the start or an event (events the PLL never locked after are left out and warned)",
    );
    if rows.len() > 1 {
        let event_peak = table.rows[1..].iter().map(|r| r[5]).fold(0.0, f64::max);
        results.metric(
            "peak_grid_current_events",
            event_peak,
            "A",
            "largest instantaneous grid phase current from the first event to the end, at every plant step",
        );
    }
    results.tables.push(table);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sig_keeps_four_digits() {
        assert_eq!(sig(0.00000000001418622627898855), "1.419e-11");
        assert_eq!(sig(10000.0), "10000");
        assert_eq!(sig(253.14159), "253.1");
        assert_eq!(sig(0.4), "0.4");
        assert_eq!(sig(-1.5e7), "-1.500e7");
    }

    fn tr(time: f64, locked: bool) -> LockTransition {
        LockTransition { time, locked }
    }

    #[test]
    fn lock_time_cases() {
        let transitions = [
            tr(0.0, false),
            tr(0.01, true),
            tr(0.1, false),
            tr(0.13, true),
        ];
        assert_eq!(lock_time(&transitions, 0.0, 0.05), Some(0.01));
        assert_eq!(lock_time(&transitions, 0.05, 0.09), Some(0.0));
        let lock = lock_time(&transitions, 0.1, 0.2).expect("locks again");
        assert!((lock - 0.03).abs() < 1e-12);
        assert_eq!(lock_time(&transitions, 0.1, 0.12), None);
    }
}
