//! Capacitor ESR loss and ripple rating against hand calculations.

use std::f64::consts::PI;

use pelab_components::curve::Curve;
use pelab_components::passive::request::{CapacitorLossRequest, capacitor_losses};
use pelab_components::passive::{Capacitor, Esr, PassiveError, RippleRating};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

fn sine(n: usize, rms: f64, order: usize) -> impl Fn(usize) -> f64 {
    move |j| rms * 2f64.sqrt() * (2.0 * PI * (order * j) as f64 / n as f64).sin()
}

#[test]
fn constant_esr_sine_loss() {
    // 2 A rms in 50 mΩ: 0.2 W. The DFT of 256 samples of one harmonic is exact to
    // rounding.
    let capacitor = Capacitor::new("C1", 100e-6, Esr::Constant(0.05)).unwrap();
    let wave = sine(256, 2.0, 1);
    let current: Vec<f64> = (0..256).map(wave).collect();
    let losses = capacitor.losses(&current, 20e3).unwrap();
    assert!(relative_error(losses.loss_w, 0.2) < 1e-12);
    assert!(relative_error(losses.ripple_rms_a, 2.0) < 1e-12);
    assert!(losses.findings.is_empty());
}

#[test]
fn esr_curve_weights_each_harmonic() {
    // ESR 100 mΩ at 1 kHz falling to 20 mΩ at 100 kHz and above. 1 A rms at 10 kHz
    // and 0.5 A rms at 100 kHz: loss = 1 · ESR(10 kHz) + 0.25 · 0.02 W.
    let curve = Curve::new(vec![1e3, 10e3, 100e3], vec![0.1, 0.04, 0.02]).unwrap();
    let capacitor = Capacitor::new("C1", 470e-6, Esr::Curve(curve)).unwrap();
    let losses = capacitor
        .losses_from_harmonics(&[(10e3, 1.0), (100e3, 0.5)])
        .unwrap();
    assert!(relative_error(losses.loss_w, 0.04 + 0.25 * 0.02) < 1e-12);
    assert_eq!(losses.esr_clamped_harmonics, 0);

    let clamped = capacitor.losses_from_harmonics(&[(1e6, 1.0)]).unwrap();
    assert!(relative_error(clamped.loss_w, 0.02) < 1e-12);
    assert_eq!(clamped.esr_clamped_harmonics, 1);
    assert_eq!(clamped.findings.len(), 1);
}

#[test]
fn ripple_rating_uses_equivalent_current() {
    // ESR 60 mΩ at the 100 kHz rating frequency, 30 mΩ at 1 MHz. 2 A rms at 1 MHz
    // dissipates 0.12 W, which 100 kHz current does at √(0.12/0.06) = 1.414 A: within a
    // 1.5 A rating, though the plain rms (2 A) is not.
    let curve = Curve::new(vec![100e3, 1e6], vec![0.06, 0.03]).unwrap();
    let rating = RippleRating {
        rms_a: 1.5,
        frequency_hz: 100e3,
        temperature_c: 105.0,
    };
    let capacitor = Capacitor::new("C1", 10e-6, Esr::Curve(curve))
        .unwrap()
        .with_ripple_rating(rating)
        .unwrap();
    let losses = capacitor.losses_from_harmonics(&[(1e6, 2.0)]).unwrap();
    let equivalent = losses.equivalent_ripple_at_rating_a.unwrap();
    assert!(relative_error(equivalent, 2f64.sqrt()) < 1e-12);
    assert!(!losses.ripple_exceeds_rating);

    let over = capacitor.losses_from_harmonics(&[(100e3, 1.6)]).unwrap();
    assert!(over.ripple_exceeds_rating);
    assert!(over.findings.iter().any(|f| f.curve == "ripple_rating"));
}

#[test]
fn dc_current_is_flagged_and_ignored() {
    let capacitor = Capacitor::new("C1", 1e-6, Esr::Constant(0.1)).unwrap();
    let wave = sine(64, 1.0, 3);
    let current: Vec<f64> = (0..64).map(|j| 0.5 + wave(j)).collect();
    let losses = capacitor.losses(&current, 1e3).unwrap();
    assert!(relative_error(losses.loss_w, 0.1) < 1e-12);
    assert!(losses.findings.iter().any(|f| f.curve == "current_a"));
}

#[test]
fn invalid_capacitor_inputs() {
    assert!(matches!(
        Capacitor::new("C1", -1e-6, Esr::Constant(0.1)),
        Err(PassiveError::InvalidParameter { field, .. }) if field == "capacitance_f"
    ));
    let curve = Curve::new(vec![1e3, 1e4], vec![0.1, -0.1]).unwrap();
    let error = Capacitor::new("C1", 1e-6, Esr::Curve(curve)).unwrap_err();
    assert!(
        error.to_string().contains("esr_curve.esr_ohm[1]"),
        "{error}"
    );
    let capacitor = Capacitor::new("C1", 1e-6, Esr::Constant(0.1)).unwrap();
    let error = capacitor
        .losses_from_harmonics(&[(1e3, 1.0), (0.0, 1.0)])
        .unwrap_err();
    assert!(
        error.to_string().contains("harmonics[1].frequency_hz"),
        "{error}"
    );
    assert!(capacitor.losses(&[1.0], 1e3).is_err());
}

#[test]
fn request_from_json() {
    let json = serde_json::json!({
        "capacitance_f": 100e-6,
        "esr_curve": {"frequency_hz": [1e3, 1e5], "esr_ohm": [0.1, 0.02]},
        "ripple_rating": {"rms_a": 3.0, "frequency_hz": 1e5, "temperature_c": 105.0},
        "harmonics": [{"frequency_hz": 1e5, "rms_a": 2.0}]
    });
    let request: CapacitorLossRequest = serde_json::from_value(json).unwrap();
    let result = capacitor_losses(&request).unwrap();
    assert!(relative_error(result.loss_w, 0.08) < 1e-12);
    assert!(!result.ripple_exceeds_rating);
}

#[test]
fn request_needs_exactly_one_esr() {
    let json = serde_json::json!({
        "capacitance_f": 1e-6, "esr_ohm": 0.1,
        "esr_curve": {"frequency_hz": [1e3, 1e5], "esr_ohm": [0.1, 0.02]},
        "harmonics": []
    });
    let request: CapacitorLossRequest = serde_json::from_value(json).unwrap();
    let message = capacitor_losses(&request).unwrap_err().to_string();
    assert!(message.contains("esr_ohm, esr_curve"), "{message}");

    let json = serde_json::json!({"capacitance_f": 1e-6, "esr_ohm": 0.1, "esr": 1});
    assert!(serde_json::from_value::<CapacitorLossRequest>(json).is_err());
}
