//! Converter kernels against the theory of each topology.

use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::{SimulationOutput, simulate_design};
use pelab_waveform::metrics::{Window, peak_to_peak_per_period, statistics};

fn run(text: &str) -> SimulationOutput {
    let design =
        Design::parse(text, Format::Toml).unwrap_or_else(|e| panic!("design rejected: {e}"));
    simulate_design(&design, &mut |_| {}).unwrap_or_else(|e| panic!("run failed: {e}"))
}

/// Mean of `signal` over the last `periods` switching periods.
fn tail_mean(out: &SimulationOutput, signal: &str, period: f64, periods: f64) -> f64 {
    let w = &out.waveforms;
    let t_end = *w.time().last().expect("samples recorded");
    statistics(
        w.time(),
        w.signal(signal).expect("signal recorded"),
        Window::range(t_end - periods * period, t_end),
    )
    .expect("window inside the data")
    .mean
}

/// Mean peak-to-peak ripple per period of `signal` over the last `periods` periods.
fn tail_ripple(out: &SimulationOutput, signal: &str, period: f64, periods: f64) -> f64 {
    let w = &out.waveforms;
    let t_end = *w.time().last().expect("samples recorded");
    let per_period = peak_to_peak_per_period(
        w.time(),
        w.signal(signal).expect("signal recorded"),
        1.0 / period,
        Window::range(t_end - periods * period, t_end),
    )
    .expect("window inside the data");
    per_period.iter().map(|p| p.peak_to_peak()).sum::<f64>() / per_period.len() as f64
}

const LOSSLESS: &str = "r_on = 1e-6\nr_d = 1e-6\nv_f = 0.0\nr_l = 0.0\nr_c = 0.0\n";

#[test]
fn buck_ccm_matches_ideal_conversion_ratio() {
    // Near-lossless synchronous buck at D = 0.4 from 100 V: V_out = D·V_in = 40 V,
    // ripple ΔI = (V_in − V_out)·D·T/L = 60·0.4·10 µs/100 µH = 2.4 A.
    let out = run(&format!(
        "kernel = \"buck\"\n[parameters]\nv_in = 100.0\nl = 100e-6\nc = 100e-6\nr_load = 10.0\n\
         f_sw = 100e3\nt_dead = 0.0\n{LOSSLESS}v_out0 = 40.0\ni_l0 = 2.8\n\
         [control]\nduty = 0.4\n[simulation]\nt_stop = 2e-3\noutput_step = 50e-9\n"
    ));
    let period = 1e-5;
    let v_out = tail_mean(&out, "v(out)", period, 20.0);
    let ripple = tail_ripple(&out, "i(L1)", period, 20.0);
    // The run starts at the steady-state valley current (4 A − ΔI/2) so the lightly
    // damped LC filter is barely excited; 1 µΩ resistances cost less than 1e-5 of the
    // ratio.
    assert!((v_out - 40.0).abs() < 0.01, "v_out {v_out}");
    assert!((ripple - 2.4).abs() < 0.01, "ripple {ripple}");
}

#[test]
fn boost_ccm_matches_ideal_conversion_ratio() {
    // Near-lossless boost at D = 0.5 from 200 V: V_out = V_in/(1 − D) = 400 V,
    // inductor ripple ΔI = V_in·D·T/L = 200·0.5·20 µs/500 µH = 4 A. It starts at the
    // valley current 10 A − ΔI/2.
    let out = run(&format!(
        "kernel = \"boost\"\n[parameters]\nv_in = 200.0\nl = 500e-6\nc = 200e-6\nr_load = 80.0\n\
         f_sw = 50e3\nrectifier = \"synchronous\"\nt_dead = 0.0\n{LOSSLESS}v_out0 = 400.0\ni_l0 = 8.0\n\
         [control]\nduty = 0.5\n[simulation]\nt_stop = 4e-3\noutput_step = 100e-9\n"
    ));
    let period = 2e-5;
    let v_out = tail_mean(&out, "v(out)", period, 20.0);
    let ripple = tail_ripple(&out, "i(L1)", period, 20.0);
    assert!((v_out - 400.0).abs() < 0.2, "v_out {v_out}");
    assert!((ripple - 4.0).abs() < 0.02, "ripple {ripple}");
}

#[test]
fn boost_dcm_matches_discontinuous_ratio() {
    // Diode boost with K = 2L/(R T) = 2·20 µH/(250 Ω·10 µs) = 0.016 < D(1 − D)² = 0.147
    // at D = 0.3, so it runs in DCM with M = (1 + √(1 + 4D²/K))/2 = 2.925 (lossless).
    let out = run(&format!(
        "kernel = \"boost\"\n[parameters]\nv_in = 10.0\nl = 20e-6\nc = 100e-6\nr_load = 250.0\n\
         f_sw = 100e3\nrectifier = \"diode\"\n{LOSSLESS}v_out0 = 29.0\n\
         [control]\nduty = 0.3\n[simulation]\nt_stop = 30e-3\noutput_step = 100e-9\nrecord_from = 29e-3\n"
    ));
    let k: f64 = 2.0 * 20e-6 / (250.0 * 1e-5);
    let m = (1.0 + (1.0 + 4.0 * 0.09 / k).sqrt()) / 2.0;
    let v_out = tail_mean(&out, "v(out)", 1e-5, 50.0);
    // Residual transient of the RC output (τ = 25 ms, started 0.25 V off) and the 1 MΩ
    // off-state resistances keep this within 0.3 %.
    assert!(
        (v_out / 10.0 - m).abs() < 0.003 * m,
        "M = {}, theory {m}",
        v_out / 10.0
    );
    // The inductor current rests at zero for part of every period.
    let i_l = out.waveforms.signal("i(L1)").unwrap();
    let at_zero = i_l.iter().filter(|i| i.abs() < 1e-3).count() as f64 / i_l.len() as f64;
    // Theory: the current is zero for 1 − D − D₂ of the period, D₂ = D/(M − 1) = 0.156.
    let expected_idle = 1.0 - 0.3 - 0.3 / (m - 1.0);
    assert!(
        (at_zero - expected_idle).abs() < 0.02,
        "idle fraction {at_zero}, theory {expected_idle}"
    );
    assert!(
        out.report.stats.located_events > 2000,
        "{:?}",
        out.report.stats
    );
}

#[test]
fn interleaved_two_phase_cancels_input_ripple_at_half_duty() {
    // Two equal phases shifted by 180° at D = 0.5: each phase ripples by
    // V_in·D·T/L = 100·0.5·10 µs/100 µH = 5 A, and their sum is constant.
    let out = run(&format!(
        "kernel = \"interleaved_boost\"\n[parameters]\nphases = 2\nv_in = 100.0\nl = 100e-6\nc = 100e-6\n\
         r_load = 40.0\nf_sw = 100e3\nrectifier = \"synchronous\"\nt_dead = 0.0\n{LOSSLESS}\
         v_out0 = 200.0\ni_l0 = 5.0\n[control]\nduty = 0.5\n[simulation]\nt_stop = 3e-3\noutput_step = 50e-9\n"
    ));
    let period = 1e-5;
    let phase = tail_ripple(&out, "i(L1)", period, 20.0);
    let input = tail_ripple(&out, "i(VIN)", period, 20.0);
    assert!((phase - 5.0).abs() < 0.05, "phase ripple {phase}");
    // The remaining input ripple comes from the output-voltage ripple only.
    assert!(
        input < 0.01 * phase,
        "input ripple {input} vs phase ripple {phase}"
    );
}

#[test]
fn interleaved_two_phase_at_quarter_duty_halves_input_ripple() {
    // At D = 0.25 with two phases the input ripple is ΔI_in = V_in·T/L·D(1 − 2D)/(1 − D)
    // = 100·10 µs/100 µH·0.25·0.5/0.75 = 1.667 A against 2.5 A per phase.
    let out = run(&format!(
        "kernel = \"interleaved_boost\"\n[parameters]\nphases = 2\nv_in = 100.0\nl = 100e-6\nc = 200e-6\n\
         r_load = 40.0\nf_sw = 100e3\nrectifier = \"synchronous\"\nt_dead = 0.0\n{LOSSLESS}\
         v_out0 = 133.33\ni_l0 = 2.2\n[control]\nduty = 0.25\n[simulation]\nt_stop = 3e-3\noutput_step = 50e-9\n"
    ));
    let input = tail_ripple(&out, "i(VIN)", 1e-5, 20.0);
    assert!((input - 5.0 / 3.0).abs() < 0.02, "input ripple {input}");
}

#[test]
fn interleaved_current_loops_share_mismatched_phases() {
    // Phase 2's inductor is 20 % larger; with one current loop per phase the phase
    // currents still share the load equally.
    let out = run(
        "kernel = \"interleaved_boost\"\n[parameters]\nphases = 2\nv_in = 48.0\nl = 30e-6\n\
         l_tolerance = [0.0, 0.2]\nc = 200e-6\nr_load = 10.0\nf_sw = 100e3\nv_out0 = 48.0\n\
         [control]\nmode = \"voltage\"\nv_ref = 96.0\nsoft_start = 1e-3\n\
         [simulation]\nt_stop = 6e-3\noutput_step = 100e-9\n",
    );
    let i1 = tail_mean(&out, "i(L1)", 1e-5, 50.0);
    let i2 = tail_mean(&out, "i(L2)", 1e-5, 50.0);
    let v_out = tail_mean(&out, "v(out)", 1e-5, 50.0);
    assert!((v_out - 96.0).abs() < 0.2, "v_out {v_out}");
    assert!(
        (i1 - i2).abs() < 0.02 * (i1 + i2),
        "phase currents {i1} and {i2}"
    );
}

#[test]
fn voltage_control_regulates_both_laws() {
    for mode in ["voltage", "voltage_squared"] {
        let out = run(&format!(
            "kernel = \"boost\"\n[parameters]\nv_in = 24.0\nl = 47e-6\nc = 220e-6\nr_load = 12.0\n\
             f_sw = 100e3\nv_out0 = 24.0\n[control]\nmode = \"{mode}\"\nv_ref = 48.0\nsoft_start = 2e-3\n\
             [simulation]\nt_stop = 12e-3\noutput_step = 100e-9\n"
        ));
        let summary = out.summary.as_ref().unwrap();
        let v_out = summary.output_voltage.as_ref().unwrap().mean;
        assert!((v_out - 48.0).abs() < 0.05, "{mode}: v_out {v_out}");
        let transient = summary.transient.as_ref().unwrap();
        assert!(transient.settling_time.is_some(), "{mode}: never settled");
        assert!(
            transient.overshoot_percent < 10.0,
            "{mode}: overshoot {}",
            transient.overshoot_percent
        );
    }
}

#[test]
fn bidirectional_reverses_power_under_load() {
    // The current reference steps from +20 A (charging) to −20 A at 2 ms.
    let out = run(
        "kernel = \"bidirectional\"\n[parameters]\nv_hv = 400.0\nc_hv = 50e-6\nv_bat = 200.0\nc_lv = 20e-6\n\
         l = 200e-6\nf_sw = 100e3\n[control]\nmode = \"current\"\ni_ref = 20.0\ni_ref_steps = [[2e-3, -20.0]]\n\
         soft_start = 0.2e-3\n[simulation]\nt_stop = 4e-3\noutput_step = 100e-9\nsteady_state_from = 3.5e-3\n",
    );
    let w = &out.waveforms;
    let forward = statistics(
        w.time(),
        w.signal("i(L1)").unwrap(),
        Window::range(1.5e-3, 2e-3),
    )
    .unwrap();
    let reverse = statistics(
        w.time(),
        w.signal("i(L1)").unwrap(),
        Window::range(3.5e-3, 4e-3),
    )
    .unwrap();
    assert!(
        (forward.mean - 20.0).abs() < 0.2,
        "charging current {}",
        forward.mean
    );
    assert!(
        (reverse.mean + 20.0).abs() < 0.2,
        "discharging current {}",
        reverse.mean
    );
    let summary = out.summary.as_ref().unwrap();
    assert_eq!(summary.power_direction, "reverse");
    let eta = summary.efficiency.unwrap();
    assert!(eta > 0.95 && eta < 1.0, "efficiency {eta}");
    // Synchronous rectification: both switches conduct current in both directions.
    let s2_min = w
        .signal("i(S2)")
        .unwrap()
        .iter()
        .copied()
        .fold(f64::MAX, f64::min);
    let s2_max = w
        .signal("i(S2)")
        .unwrap()
        .iter()
        .copied()
        .fold(f64::MIN, f64::max);
    assert!(
        s2_min < -5.0 && s2_max > 5.0,
        "low-side switch currents {s2_min}..{s2_max}"
    );
}

#[test]
fn deadtime_hands_current_to_body_diode() {
    // Synchronous buck with 200 ns deadtime: while both gates are off, the inductor
    // current freewheels through the low-side body diode.
    let out = run(
        "kernel = \"buck\"\n[parameters]\nv_in = 48.0\nl = 10e-6\nc = 100e-6\nr_load = 1.0\nf_sw = 100e3\n\
         t_dead = 200e-9\nv_out0 = 12.0\ni_l0 = 12.0\n[control]\nduty = 0.25\n\
         [simulation]\nt_stop = 0.2e-3\noutput_step = 20e-9\n",
    );
    let w = &out.waveforms;
    let g1 = w.signal("gate(S1)").unwrap();
    let g2 = w.signal("gate(S2)").unwrap();
    let body = w.signal("i(DS2)").unwrap();
    let inductor = w.signal("i(L1)").unwrap();
    let both_off: Vec<usize> = (0..g1.len())
        .filter(|&k| g1[k] == 0.0 && g2[k] == 0.0)
        .collect();
    assert!(!both_off.is_empty(), "no deadtime samples");
    for &k in &both_off {
        // DS2 (anode at ground, cathode at the switch node) carries the whole inductor
        // current; only the 1 MΩ off-state paths take the rest.
        let share = body[k] / inductor[k];
        assert!(
            (share - 1.0).abs() < 1e-4,
            "t = {}: body diode carries {share} of i_L",
            w.time()[k]
        );
    }
    let overlap = (0..g1.len())
        .filter(|&k| g1[k] == 1.0 && g2[k] == 1.0)
        .count();
    assert_eq!(overlap, 0, "the switches must never conduct together");
}

#[test]
fn phase_shedding_follows_load_with_hysteresis() {
    let out = run(
        "kernel = \"interleaved_boost\"\n[parameters]\nphases = 3\nv_in = 48.0\nl = 22e-6\nc = 470e-6\n\
         r_load = 100.0\ni_load = [[3e-3, 10.0], [6e-3, 0.0]]\nf_sw = 100e3\nv_out0 = 96.0\n\
         [control]\nmode = \"voltage\"\nv_ref = 96.0\ni_max = 60.0\nshed_thresholds = [10.0, 20.0]\n\
         shed_hysteresis = 3.0\nshed_dwell = 0.5e-3\n[simulation]\nt_stop = 9e-3\noutput_step = 200e-9\n",
    );
    let w = &out.waveforms;
    let active = w.signal("active_phases").unwrap();
    let at = |t: f64| active[w.time().iter().position(|&s| s >= t).unwrap()];
    // Light load: 1 phase. 10 A more at 96 V needs about 22 A from 48 V: 3 phases.
    assert_eq!(at(2.5e-3), 1.0);
    assert_eq!(at(5.5e-3), 3.0);
    assert_eq!(at(8.5e-3), 1.0);
    // No chatter: the count changes only a few times over the run.
    let changes = active.windows(2).filter(|p| p[0] != p[1]).count();
    assert!(changes <= 6, "{changes} changes of the phase count");
}
