//! Step-response tests against the closed-form second-order response.

use std::f64::consts::PI;

use pelab_waveform::metrics::{self, MetricError, StepSpec};

mod common;

use common::{assert_close, uniform};

// ---- step response ----

/// Unit step response of `ωn² / (s² + 2ζωn·s + ωn²)` for `ζ < 1`.
fn second_order(zeta: f64, omega_n: f64, t: f64) -> f64 {
    let root = (1.0 - zeta * zeta).sqrt();
    let omega_d = omega_n * root;
    1.0 - (-zeta * omega_n * t).exp() / root * (omega_d * t + zeta.acos()).sin()
}

/// Finds the last time in `[0, end]` where `|y(t) − 1| = band` by scanning
/// backwards on a fine grid and bisecting the bracket.
fn reference_settling(zeta: f64, omega_n: f64, band: f64, end: f64) -> f64 {
    let outside = |t: f64| (second_order(zeta, omega_n, t) - 1.0).abs() > band;
    let steps = 2_000_000;
    let dt = end / steps as f64;
    let mut k = steps;
    while k > 0 && !outside(k as f64 * dt) {
        k -= 1;
    }
    let (mut lo, mut hi) = (k as f64 * dt, (k + 1) as f64 * dt);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if outside(mid) { lo = mid } else { hi = mid }
    }
    hi
}

#[test]
fn second_order_overshoot_and_settling() {
    for zeta in [0.2, 0.5, 0.7] {
        let omega_n = 2.0 * PI * 100.0;
        let end = 0.2;
        let h = 1e-6;
        let time = uniform(end, (end / h) as usize);
        let y: Vec<f64> = time
            .iter()
            .map(|&t| second_order(zeta, omega_n, t))
            .collect();
        let spec = StepSpec::new(0.0).with_final_value(1.0);
        let response = metrics::step_response(&time, &y, &spec).unwrap();

        let expected = 100.0 * (-zeta * PI / (1.0 - zeta * zeta).sqrt()).exp();
        // The sampled peak is within (ω_d·h)²/2 ≈ 2e-7 of the true peak.
        assert_close(response.overshoot_percent, expected, 1e-4, "overshoot %");
        let peak_time = PI / (omega_n * (1.0 - zeta * zeta).sqrt());
        assert_close(response.peak_time, peak_time, h, "peak time");

        let settling = response.settling_time.expect("settles within 0.2 s");
        // Linear interpolation of the band crossing is within a fraction of one step.
        let reference = reference_settling(zeta, omega_n, 0.02, end);
        assert_close(settling, reference, h, "2 % settling time");
        assert!(settling <= (0.02 * (1.0 - zeta * zeta).sqrt()).ln() / (-zeta * omega_n));
        assert!(response.rise_time.is_some_and(|t| t > 0.0 && t < peak_time));
    }
}

#[test]
fn step_after_start_time_and_falling_step() {
    // Falling first-order step from 5 to 1 at t = 1 ms with τ = 0.1 ms.
    let tau = 1e-4;
    let time = uniform(3e-3, 30_000);
    let y: Vec<f64> = time
        .iter()
        .map(|&t| {
            if t < 1e-3 {
                5.0
            } else {
                1.0 + 4.0 * (-(t - 1e-3) / tau).exp()
            }
        })
        .collect();
    let spec = StepSpec::new(1e-3).with_final_value(1.0);
    let response = metrics::step_response(&time, &y, &spec).unwrap();
    assert_close(response.initial, 5.0, 1e-12, "initial");
    assert_close(response.overshoot_percent, 0.0, 0.0, "no overshoot");
    // |y − 1| = 0.02·4 at t − 1 ms = τ·ln(50).
    let settling = response.settling_time.unwrap();
    assert_close(settling, tau * 50f64.ln(), 1e-7, "settling time");
    // 10–90 % rise time of a first-order lag is τ·ln 9.
    assert_close(
        response.rise_time.unwrap(),
        tau * 9f64.ln(),
        1e-7,
        "rise time",
    );
}

#[test]
fn step_not_settled_is_none() {
    let time = uniform(1.0, 100);
    let y: Vec<f64> = time.iter().map(|t| t * t).collect();
    let spec = StepSpec::new(0.0).with_final_value(2.0);
    let response = metrics::step_response(&time, &y, &spec).unwrap();
    assert_eq!(response.settling_time, None);
}

#[test]
fn step_rejects_bad_spec() {
    let time = uniform(1.0, 10);
    let y = vec![1.0; 11];
    let error = metrics::step_response(&time, &y, &StepSpec::new(0.0)).unwrap_err();
    assert!(matches!(error, MetricError::Undefined { .. }), "{error}");
    let bad_band = StepSpec::new(0.0).with_final_value(2.0).with_band(0.0);
    let error = metrics::step_response(&time, &y, &bad_band).unwrap_err();
    assert!(matches!(
        error,
        MetricError::InvalidParameter { field: "band", .. }
    ));
    let late = StepSpec::new(5.0).with_final_value(2.0);
    let error = metrics::step_response(&time, &y, &late).unwrap_err();
    assert!(matches!(
        error,
        MetricError::OutsideData {
            field: "t_step",
            ..
        }
    ));
}
