//! Results of a grid-tie run: power, power factor, THD and unbalance over the
//! steady-state window, and the PLL lock time and peak current after each event.

use pelab_waveform::Waveforms;
use pelab_waveform::metrics::{Window, max, mean, min, rms};

use super::GridTieConfig;
use super::grid::EventKind;
use crate::models::{ModelResults, Table};
use crate::summary::harmonic_analysis;

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

/// Computes the metrics and tables, adding to `warnings` what could not be computed.
pub fn results(
    config: &GridTieConfig,
    waveforms: &Waveforms,
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

    if let Err(e) = window_metrics(config, waveforms, &mut results) {
        warnings.push(format!("steady-state metrics not computed: {e}"));
    }
    event_table(config, waveforms, transitions, &mut results, warnings);
    results.warnings = std::mem::take(warnings);
    results
}

fn signal<'a>(waveforms: &'a Waveforms, name: &str) -> Result<&'a [f64], String> {
    waveforms
        .signal(name)
        .ok_or_else(|| format!("signal {name} was not recorded"))
}

fn window_metrics(
    config: &GridTieConfig,
    waveforms: &Waveforms,
    results: &mut ModelResults,
) -> Result<(), String> {
    let (from, to) = (config.steady_state_from, config.t_stop);
    let time = waveforms.time();
    let window = Window::range(from, to);
    let text = |e: pelab_waveform::metrics::MetricError| e.to_string();

    let p = mean(time, signal(waveforms, "p")?, window).map_err(text)?;
    let q = mean(time, signal(waveforms, "q")?, window).map_err(text)?;
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

    let mut currents = [0.0; 3];
    let mut apparent = 0.0;
    for (phase, name) in ["a", "b", "c"].iter().enumerate() {
        let i = rms(time, signal(waveforms, &format!("i_grid_{name}"))?, window).map_err(text)?;
        let v = rms(time, signal(waveforms, &format!("v_pcc_{name}"))?, window).map_err(text)?;
        currents[phase] = i;
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

    let mut worst = 0.0_f64;
    for name in ["i_grid_a", "i_grid_b", "i_grid_c"] {
        let analysis = harmonic_analysis(waveforms, name, config.f_final, THD_MAX_ORDER, from, to)?;
        worst = worst.max(analysis.thd);
    }
    results.metric(
        "thd_i_grid",
        100.0 * worst,
        "%",
        "largest THD of the three grid currents, harmonics 2 to 50 of the final grid frequency",
    );
    let f = mean(time, signal(waveforms, "pll_frequency")?, window).map_err(text)?;
    results.metric("pll_frequency", f, "Hz", "mean PLL frequency estimate");
    Ok(())
}

fn event_table(
    config: &GridTieConfig,
    waveforms: &Waveforms,
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
    let mut magnitude = 1.0;
    let mut frequency = config.f_grid;
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::new();
    let mut push = |time: f64, magnitude: f64, jump: f64, frequency: f64| match rows.last_mut() {
        Some(last) if last.0 == time => {
            last.1 = magnitude;
            last.2 += jump;
            last.3 = frequency;
        }
        _ => rows.push((time, magnitude, jump, frequency)),
    };
    push(0.0, magnitude, 0.0, frequency);
    for event in config.events.iter().filter(|e| e.time < config.t_stop) {
        let mut jump = 0.0;
        match event.kind {
            EventKind::Magnitude(m) => magnitude = m,
            EventKind::PhaseJump(rad) => jump = rad.to_degrees(),
            EventKind::Frequency(f) => frequency = f,
        }
        push(event.time, magnitude, jump, frequency);
    }

    let time = waveforms.time();
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
                    "PLL not locked at {until} s after the grid event at {t} s: phase error above the lock threshold"
                ));
                -1.0
            }
        };
        let mut peak = 0.0_f64;
        let window = Window::range(t.max(config.record_from), until);
        for name in ["i_grid_a", "i_grid_b", "i_grid_c"] {
            if let Some(values) = waveforms.signal(name) {
                let high = max(time, values, window).unwrap_or(0.0);
                let low = min(time, values, window).unwrap_or(0.0);
                peak = peak.max(high.abs()).max(low.abs());
            }
        }
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
            "largest instantaneous grid phase current from the first event to the end",
        );
    }
    results.tables.push(table);
}

#[cfg(test)]
mod tests {
    use super::*;

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
