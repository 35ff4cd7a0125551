//! Tests of the `grid_tie` metrics, which the run gathers itself. They do not depend
//! on the recording, P and Q are checked against their references, and the build
//! rejects runs that the loop or the work budget cannot support.

mod grid_tie_common;

use grid_tie_common::{build_error, design, metric, results, run};

/// The switching bridge with deadtime, grid harmonics, a sag and a phase jump, as in
/// the example but over 0.12 s.
fn eventful(simulation: &str) -> String {
    design(
        "inverter_model = \"switching\"\nt_dead = 1e-6\nharmonic_5 = 1.0\nharmonic_7 = 0.5\n\
         grid_voltage_pu = [[0.04, 0.5], [0.06, 1.0]]\ngrid_phase_jump = [[0.07, 20.0]]",
        "p_ref = [[0.0, 10e3]]\nq_ref = [[0.0, 2e3]]\ni_max = 30.0",
        &format!("t_stop = 0.12\nsteady_state_from = 0.1\n{simulation}"),
    )
}

#[test]
fn metrics_independent_of_recording() {
    // The recorder only cuts the exact plant steps; the pole voltages, the deadtime
    // sign and the metric nodes are fixed by the PWM, so the runs differ only by
    // rounding. Tolerances: 1e-6 relative on P, PF, RMS current, THD and peaks, and
    // 0.01 var (1e-6 of the 10 kVA scale) on Q.
    let fine = run(&eventful("output_step = 5e-6"));
    let coarse = run(&eventful("output_step = 1e-3"));
    let late = run(&eventful("record_from = 0.115"));
    for name in [
        "p",
        "pf",
        "i_grid_rms",
        "thd_i_grid",
        "peak_grid_current_events",
    ] {
        let reference = metric(&fine, name);
        for (label, out) in [("output_step 1e-3", &coarse), ("record_from", &late)] {
            let value = metric(out, name);
            assert!(
                (value - reference).abs() <= 1e-6 * reference.abs(),
                "{name} with {label}: {value} against {reference}"
            );
        }
    }
    let q = metric(&fine, "q");
    for out in [&coarse, &late] {
        assert!((metric(out, "q") - q).abs() < 0.01, "Q {q}");
    }
    for out in [&fine, &coarse, &late] {
        let pf = metric(out, "pf");
        assert!(pf <= 1.0, "PF {pf}");
        let table = results(out).table("grid_events").expect("event table");
        let fine_table = results(&fine).table("grid_events").expect("event table");
        for (row, reference) in table.rows.iter().zip(&fine_table.rows) {
            assert!((row[5] - reference[5]).abs() <= 1e-6 * reference[5]);
        }
    }
    // The sag from 0.04 s to 0.06 s halves the voltage: the current limit of 30 A
    // peak holds the current, the switching ripple adds a few amperes.
    let peak = metric(&fine, "peak_grid_current_events");
    assert!((25.0..40.0).contains(&peak), "event peak {peak} A");
}

#[test]
fn power_factor_at_most_one() {
    // Cauchy–Schwarz holds for the trapezoidal sums, whatever the distortion, the
    // reactive power or the recording.
    for (q_ref, harmonics, step) in [
        ("0.0", "harmonic_5 = 4.0\nharmonic_7 = 3.0", "1e-3"),
        ("0.0", "harmonic_5 = 0.0", "3e-3"),
        ("-4e3", "harmonic_5 = 2.0", "7e-6"),
        ("6e3", "harmonic_5 = 0.0", "1e-4"),
    ] {
        let text = design(
            &format!("inverter_model = \"averaged\"\n{harmonics}"),
            &format!("p_ref = [[0.0, 8e3]]\nq_ref = [[0.0, {q_ref}]]"),
            &format!("t_stop = 0.1\noutput_step = {step}"),
        );
        let out = run(&text);
        let pf = metric(&out, "pf");
        assert!(pf > 0.0 && pf <= 1.0, "q_ref {q_ref}, step {step}: PF {pf}");
        let warnings = &results(&out).warnings;
        assert!(
            !warnings.iter().any(|w| w.contains("not computed")),
            "{warnings:?}"
        );
    }
}

#[test]
fn rejects_zero_integral_gain() {
    for gains in ["current_kp = 0.0\ncurrent_ki = 0.0", "current_ki = 0.0"] {
        let text = design(
            "inverter_model = \"averaged\"",
            &format!("p_ref = [[0.0, 10e3]]\n{gains}"),
            "t_stop = 0.05",
        );
        let message = build_error(&text).to_string();
        assert!(message.contains("control.current_ki"), "{message}");
        assert!(message.contains("expected above 0"), "{message}");
    }
}

#[test]
fn warns_when_power_misses_reference() {
    // A 5 A current limit caps P near 1.5·326.6 V·5 A = 2.45 kW against 10 kW.
    let text = design(
        "inverter_model = \"averaged\"",
        "p_ref = [[0.0, 10e3]]\ni_max = 5.0",
        "t_stop = 0.1",
    );
    let out = run(&text);
    let p = metric(&out, "p");
    assert!(p < 3e3, "P {p} W");
    let warnings = &results(&out).warnings;
    let missed = warnings
        .iter()
        .find(|w| w.contains("active power missed its reference"))
        .unwrap_or_else(|| panic!("no warning: {warnings:?}"));
    assert!(
        missed.contains("control.p_ref averages 10000 W"),
        "{missed}"
    );
    assert!(
        !warnings.iter().any(|w| w.contains("reactive power missed")),
        "{warnings:?}"
    );

    let met = run(&design(
        "inverter_model = \"averaged\"",
        "p_ref = [[0.0, 10e3]]",
        "t_stop = 0.1",
    ));
    let warnings = &results(&met).warnings;
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn rejects_runs_over_work_budget() {
    // 1000 s at 40 kHz is 4e7 periods, twice MAX_PERIODS = 2e7: at most 500 s.
    let text = design(
        "inverter_model = \"averaged\"",
        "p_ref = [[0.0, 10e3]]",
        "t_stop = 1000.0",
    )
    .replace("f_sw = 16e3", "f_sw = 40e3");
    let message = build_error(&text).to_string();
    assert!(message.contains("simulation.t_stop"), "{message}");
    assert!(message.contains("4.000e7 switching periods"), "{message}");
    assert!(message.contains("at most 500 s"), "{message}");
}

#[test]
fn count_unit_and_short_numbers() {
    let text = design(
        "inverter_model = \"averaged\"\ngrid_voltage_pu = [[0.2, 0.5]]",
        "p_ref = [[0.0, 10e3]]",
        "t_stop = 0.1",
    );
    let out = run(&text);
    let saturated = results(&out)
        .metrics
        .iter()
        .find(|m| m.name == "modulator_saturated_periods")
        .expect("count metric");
    assert_eq!(saturated.unit, "");
    assert_eq!(saturated.value, 0.0);
    let warnings = &results(&out).warnings;
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("grid event at 0.2 s is at or after t_stop = 0.1 s")),
        "{warnings:?}"
    );
}
