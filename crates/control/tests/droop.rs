//! Droop power filter: step response against the continuous first-order response.

use core::f64::consts::PI;
use pelab_control::droop::{Droop, DroopConfig};

#[test]
fn filter_step_matches_exponential() {
    // f_c = 5 Hz gives τ = 1/(10π) ≈ 31.8 ms, sampled at 1 kHz.
    let ts = 1e-3;
    let cutoff = 5.0;
    let tau = 1.0 / (2.0 * PI * cutoff);
    let mut droop = Droop::new(DroopConfig {
        f0: 50.0,
        v0: 230.0,
        p0: 0.0,
        q0: 0.0,
        p_rated: 10_000.0,
        q_rated: 10_000.0,
        droop_p: 2.0,
        droop_q: 4.0,
        filter_cutoff: Some(cutoff),
        ts,
        f_min: 45.0,
        f_max: 55.0,
        v_min: 100.0,
        v_max: 300.0,
    })
    .expect("valid droop configuration");

    // Steps of 8 kW and −5 kvar. The discretisation is exact at the sample points, so
    // only rounding separates the filter from 1 − e^{−t/τ}. Each sample adds a few ulp,
    // and 1e-9 of the step over 200 samples leaves a wide margin.
    let (p_step, q_step) = (8000.0, -5000.0);
    for k in 1..=200 {
        let t = k as f64 * ts;
        let fraction = 1.0 - (-t / tau).exp();
        let out = droop.update(p_step, q_step);
        let (p_filtered, q_filtered) = droop.filtered_power();
        assert!(
            (p_filtered - p_step * fraction).abs() < 1e-9 * p_step.abs(),
            "sample {k}: P_f = {p_filtered}"
        );
        assert!(
            (q_filtered - q_step * fraction).abs() < 1e-9 * q_step.abs(),
            "sample {k}: Q_f = {q_filtered}"
        );

        // m_p = 1e-4 Hz/W and n_q = 9.2e-4 V/var.
        let f_expected = 50.0 - 1e-4 * p_step * fraction;
        let v_expected = 230.0 - 9.2e-4 * q_step * fraction;
        assert!((out.frequency - f_expected).abs() < 1e-9, "sample {k}");
        assert!((out.voltage - v_expected).abs() < 1e-9, "sample {k}");
    }

    // After 200 ms = 6.3 τ the filter is within e^{−6.28} = 0.19 % of the step.
    let out = droop.output();
    assert!((out.frequency - 49.2).abs() < 0.002 * 0.8);
    assert!((out.voltage - 234.6).abs() < 0.002 * 4.6);
}
