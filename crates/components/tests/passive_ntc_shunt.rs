//! NTC Beta model and current shunt against hand calculations.

use pelab_components::passive::{NtcBeta, PassiveError, Shunt};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

#[test]
fn ntc_reference_point() {
    let ntc = NtcBeta::new(10e3, 3950.0, 25.0).unwrap();
    assert!(relative_error(ntc.resistance_ohm(25.0).unwrap(), 10e3) < 1e-14);
}

#[test]
fn ntc_hand_value_at_zero_celsius() {
    // R(0 °C) = 10 kΩ · exp(3950 (1/273.15 − 1/298.15)) = 33 620.6 Ω (hand value).
    let ntc = NtcBeta::new(10e3, 3950.0, 25.0).unwrap();
    assert!(relative_error(ntc.resistance_ohm(0.0).unwrap(), 33_620.6) < 1e-6);
}

#[test]
fn ntc_inverse_round_trip() {
    let ntc = NtcBeta::new(4.7e3, 3435.0, 25.0).unwrap();
    for t in [-40.0, 0.0, 25.0, 85.0, 150.0] {
        let r = ntc.resistance_ohm(t).unwrap();
        let back = ntc.temperature_c(r).unwrap();
        // Two exp/ln evaluations: the error is rounding, ~1e-13 K.
        assert!((back - t).abs() < 1e-9, "{t} °C gave {back} °C");
    }
}

#[test]
fn ntc_rejects_implausible_input() {
    assert!(matches!(
        NtcBeta::new(10e3, 500.0, 25.0),
        Err(PassiveError::InvalidParameter { field, .. }) if field == "beta_k"
    ));
    assert!(NtcBeta::new(0.0, 3950.0, 25.0).is_err());
    assert!(NtcBeta::new(10e3, 3950.0, -300.0).is_err());
    let ntc = NtcBeta::new(10e3, 3950.0, 25.0).unwrap();
    assert!(ntc.resistance_ohm(-273.15).is_err());
    assert!(ntc.temperature_c(-5.0).is_err());
    // Below R₀ exp(−B/T₀) = 10 kΩ · exp(−13.248) = 17.6 mΩ no temperature fits.
    let error = ntc.temperature_c(0.01).unwrap_err();
    assert!(
        error.to_string().contains("infinite temperature"),
        "{error}"
    );
}

fn shunt() -> Shunt {
    Shunt {
        resistance_ohm: 1e-3,
        tempco_ppm_per_k: 50.0,
        reference_c: 25.0,
        power_rating_w: 3.0,
    }
}

#[test]
fn shunt_drift_and_loss() {
    // At 125 °C: 50 ppm/K · 100 K = 5000 ppm, R = 1.005 mΩ; 20 A rms → 0.402 W.
    let point = shunt().operating_point(20.0, 125.0).unwrap();
    assert!(relative_error(point.drift_ppm, 5000.0) < 1e-12);
    assert!(relative_error(point.resistance_ohm, 1.005e-3) < 1e-12);
    assert!(relative_error(point.loss_w, 0.402) < 1e-12);
    assert!(!point.over_rating);
}

#[test]
fn shunt_over_power_rating() {
    // 60 A in 1 mΩ at 25 °C: 3.6 W > 3 W.
    let point = shunt().operating_point(60.0, 25.0).unwrap();
    assert!(point.over_rating);
}

#[test]
fn shunt_rejects_bad_fields() {
    let mut bad = shunt();
    bad.tempco_ppm_per_k = 1e6;
    let error = bad.operating_point(1.0, 25.0).unwrap_err();
    assert!(error.to_string().contains("tempco_ppm_per_k"), "{error}");
    assert!(shunt().operating_point(-1.0, 25.0).is_err());
    let json = serde_json::json!({"resistance_ohm": 1e-3, "tempco_ppm_per_k": 50.0,
        "reference_c": 25.0, "power_rating_w": 3.0, "tolerance": 0.01});
    assert!(serde_json::from_value::<Shunt>(json).is_err());
}
