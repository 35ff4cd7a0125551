//! Inductor losses and the JSON request, against hand calculations.

use std::f64::consts::PI;

use pelab_components::curve::Curve;
use pelab_components::magnetics::data::find_wire_material;
use pelab_components::magnetics::inductor::{InductanceCurveKind, InductorCore};
use pelab_components::magnetics::request::{InductorLossRequest, inductor_losses};
use pelab_components::magnetics::{EffectiveParameters, Inductor, SteinmetzParams};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

fn copper_inductor(inductance_h: f64, dcr_ohm: f64) -> Inductor {
    let inductor = find_wire_material("copper")
        .and_then(|copper| Inductor::new("L1", inductance_h, dcr_ohm, 20.0, copper.clone()));
    match inductor {
        Ok(inductor) => inductor,
        Err(error) => panic!("{error}"),
    }
}

/// Buck-inductor current: DC `i_dc` plus a triangle of peak-to-peak `ripple` rising for
/// `n_rise` of `n` samples.
fn triangle_current(i_dc: f64, ripple: f64, n_rise: usize, n: usize) -> Vec<f64> {
    (0..n)
        .map(|j| {
            let up = if j <= n_rise {
                j as f64 / n_rise as f64
            } else {
                (n - j) as f64 / (n - n_rise) as f64
            };
            i_dc - ripple / 2.0 + ripple * up
        })
        .collect()
}

#[test]
fn linear_inductor_core_loss_matches_triangle_formula() {
    // L = 100 µH, N = 20, Ae = 97.1 mm²: B = L i / (N Ae), so a ripple of 2 A gives
    // ΔB = 100e-6 · 2 / (20 · 97.1e-6) = 0.10299 T. The iGSE of a triangle is
    // kᵢ ΔB^β f^α (D^(1−α) + (1−D)^(1−α)) per m³, times Ve.
    let steinmetz = SteinmetzParams::new(3.0, 1.5, 2.5, 10e3, 500e3).unwrap();
    let effective = EffectiveParameters::new(97.1e-6, 78.6e-3, 7640e-9).unwrap();
    let inductor = copper_inductor(100e-6, 0.02)
        .with_core(InductorCore {
            effective,
            turns: 20,
            steinmetz,
        })
        .unwrap();
    let current = triangle_current(5.0, 2.0, 30, 100);
    let losses = inductor.losses(&current, 100e3, 20.0).unwrap();

    let delta_b: f64 = 100e-6 * 2.0 / (20.0 * 97.1e-6);
    let duty: f64 = 0.3;
    let density = steinmetz.igse_coefficient()
        * delta_b.powf(2.5)
        * 100e3_f64.powf(1.5)
        * (duty.powf(-0.5) + (1.0 - duty).powf(-0.5));
    // Piecewise-linear samples with both corners on samples: exact to rounding.
    assert!(relative_error(losses.core_w.unwrap(), density * 7640e-9) < 1e-12);
    let b_peak = 100e-6 * 6.0 / (20.0 * 97.1e-6);
    assert!(relative_error(losses.b_peak_t.unwrap(), b_peak) < 1e-12);
    // Copper: DC 5 A in 20 mΩ = 0.5 W (the sample mean of a triangle with its corners
    // on samples is exact). Without a winding every harmonic uses 20 mΩ, so the AC
    // loss is the sample variance times 20 mΩ (Parseval, exact to rounding), and that
    // is within 1e-3 of the continuous triangle's (2 A)²/12 · 0.02 = 6.667 mW.
    assert!(relative_error(losses.copper_dc_w, 0.5) < 1e-12);
    let variance = current.iter().map(|i| (i - 5.0).powi(2)).sum::<f64>() / 100.0;
    assert!(relative_error(losses.copper_ac_w, variance * 0.02) < 1e-10);
    assert!(relative_error(losses.copper_ac_w, 4.0 / 12.0 * 0.02) < 1e-3);
    assert!(
        losses
            .findings
            .iter()
            .any(|f| f.curve == "winding" && f.message.contains("no winding"))
    );
}

#[test]
fn dcr_follows_copper_temperature_law() {
    // R(100 °C) = R20 (1 + 0.004041 · 80) = 1.32328 R20.
    let inductor = copper_inductor(1e-3, 0.1);
    let r = inductor.dc_resistance_ohm(100.0).unwrap();
    assert!(relative_error(r, 0.1 * 1.32328) < 1e-12);
}

#[test]
fn constant_saturation_curve_is_linear() {
    let flat = Curve::new(vec![0.0, 10.0], vec![50e-6, 50e-6]).unwrap();
    let inductor = copper_inductor(1.0, 0.01)
        .with_saturation_curve(flat, InductanceCurveKind::Incremental)
        .unwrap();
    let (lambda, beyond) = inductor.flux_linkage(-4.0);
    assert!(relative_error(lambda, -200e-6) < 1e-12);
    assert!(!beyond);
}

#[test]
fn falling_incremental_inductance_integrates() {
    // L_d(i) = 100 µH − 5 µH/A · i on 0–10 A (a straight line, which the monotone
    // Hermite interpolant reproduces exactly): λ(i) = 100e-6 i − 2.5e-6 i².
    let curve = Curve::new(vec![0.0, 2.0, 5.0, 10.0], vec![100e-6, 90e-6, 75e-6, 50e-6]).unwrap();
    let inductor = copper_inductor(1.0, 0.01)
        .with_saturation_curve(curve, InductanceCurveKind::Incremental)
        .unwrap();
    for i in [1.0, 3.7, 8.0, 10.0] {
        let (lambda, _) = inductor.flux_linkage(i);
        let reference = 100e-6 * i - 2.5e-6 * i * i;
        assert!(relative_error(lambda, reference) < 1e-12, "i {i}: {lambda}");
    }
    // Beyond 10 A the last value (50 µH) continues: λ(12) = λ(10) + 2 · 50e-6.
    let (lambda, beyond) = inductor.flux_linkage(12.0);
    assert!(beyond);
    assert!(relative_error(lambda, 750e-6 + 100e-6) < 1e-12);
}

#[test]
fn rising_saturation_curve_is_flagged() {
    let curve = Curve::new(vec![0.0, 1.0, 2.0], vec![10e-6, 12e-6, 8e-6]).unwrap();
    let inductor = copper_inductor(1.0, 0.01)
        .with_saturation_curve(curve, InductanceCurveKind::Incremental)
        .unwrap();
    let losses = inductor.losses(&[1.0, 1.0], 1e3, 25.0).unwrap();
    let finding = losses
        .findings
        .iter()
        .find(|f| f.curve == "saturation")
        .unwrap();
    assert_eq!(finding.point, Some(1));
}

#[test]
fn saturation_curve_rejects_negative_current() {
    let curve = Curve::new(vec![-1.0, 1.0], vec![10e-6, 8e-6]).unwrap();
    let error = copper_inductor(1.0, 0.01)
        .with_saturation_curve(curve, InductanceCurveKind::Incremental)
        .unwrap_err();
    assert!(
        error.to_string().contains("saturation.current_a[0]"),
        "{error}"
    );
}

#[test]
fn request_with_shape_and_winding() {
    let current: Vec<f64> = (0..64)
        .map(|j| 3.0 + (2.0 * PI * j as f64 / 64.0).sin())
        .collect();
    let json = serde_json::json!({
        "inductance_h": 100e-6,
        "dcr_ohm": 0.02,
        "winding_temperature_c": 20.0,
        "frequency_hz": 100e3,
        "current_a": current,
        "winding": {
            "conductor": {"kind": "round", "diameter_m": 0.5e-3, "turns_per_layer": 10,
                          "layer_width_m": 20e-3},
            "turns": 20, "layers": 2, "mean_turn_length_m": 0.06
        },
        "core": {
            "shape": "ETD 34",
            "turns": 20,
            "steinmetz": {"k": 3.0, "alpha": 1.5, "beta": 2.5,
                          "f_min_hz": 10e3, "f_max_hz": 500e3}
        }
    });
    let request: InductorLossRequest = serde_json::from_value(json).unwrap();
    let result = inductor_losses(&request).unwrap();

    // DC: 3² · 0.02 = 0.18 W. AC: (1/√2)² · 0.02 · F_R(100 kHz), F_R > 1.
    assert!(relative_error(result.copper_dc_w, 0.18) < 1e-10);
    assert!(result.copper_ac_w > 0.5 * 0.02);

    let effective = result.core_effective.unwrap();
    let delta_b: f64 = 100e-6 * 2.0 / (20.0 * effective.ae_m2);
    let steinmetz = SteinmetzParams::new(3.0, 1.5, 2.5, 10e3, 500e3).unwrap();
    let reference = steinmetz
        .sinusoidal_loss(100e3, delta_b / 2.0)
        .unwrap()
        .loss_density_w_per_m3
        * effective.ve_m3;
    // 64 samples of a sine: piecewise-linear error in Σ|ΔB|^1.5 is ~1e-3.
    assert!(relative_error(result.core_w.unwrap(), reference) < 3e-3);

    assert!(
        relative_error(
            result.total_w,
            result.copper_dc_w + result.copper_ac_w + result.core_w.unwrap()
        ) < 1e-15
    );
}

#[test]
fn request_rejects_unknown_field() {
    let json = serde_json::json!({
        "inductance_h": 1e-4, "dcr_ohm": 0.02, "winding_temperature_c": 20.0,
        "frequency_hz": 1e5, "current_a": [0.0, 1.0], "inductance_uh": 100
    });
    let error = serde_json::from_value::<InductorLossRequest>(json).unwrap_err();
    assert!(error.to_string().contains("inductance_uh"), "{error}");
}

#[test]
fn request_errors_name_field_path() {
    let json = serde_json::json!({
        "inductance_h": 1e-4, "dcr_ohm": 0.02, "winding_temperature_c": 20.0,
        "frequency_hz": 1e5, "current_a": [0.0, 1.0],
        "core": {"effective": {"ae_m2": -1.0, "le_m": 0.1, "ve_m3": 1e-5},
                 "turns": 10,
                 "steinmetz": {"k": 3.0, "alpha": 1.5, "beta": 2.5,
                               "f_min_hz": 1e3, "f_max_hz": 1e6}}
    });
    let request: InductorLossRequest = serde_json::from_value(json).unwrap();
    let message = inductor_losses(&request).unwrap_err().to_string();
    assert!(message.contains("core.effective.ae_m2 = -1"), "{message}");

    let json = serde_json::json!({
        "inductance_h": 1e-4, "dcr_ohm": 0.02, "winding_temperature_c": 20.0,
        "frequency_hz": 1e5, "current_a": [0.0, 1.0],
        "core": {"shape": "PQ 32/30", "turns": 10,
                 "steinmetz": {"k": 3.0, "alpha": 1.5, "beta": 2.5,
                               "f_min_hz": 1e3, "f_max_hz": 1e6}}
    });
    let request: InductorLossRequest = serde_json::from_value(json).unwrap();
    let message = inductor_losses(&request).unwrap_err().to_string();
    assert!(message.contains("\"pq\""), "{message}");
}

#[test]
fn secant_curve_multiplies_current() {
    // L_s(i) = 100 µH − 5 µH/A · i: λ(4 A) = 80 µH · 4 A = 320 µWb, against
    // 100e-6 · 4 − 2.5e-6 · 16 = 360 µWb for the same numbers read as incremental.
    let curve = Curve::new(vec![0.0, 2.0, 5.0, 10.0], vec![100e-6, 90e-6, 75e-6, 50e-6]).unwrap();
    let secant = copper_inductor(1.0, 0.01)
        .with_saturation_curve(curve.clone(), InductanceCurveKind::Secant)
        .unwrap();
    let (lambda, beyond) = secant.flux_linkage(-4.0);
    assert!(relative_error(lambda, -320e-6) < 1e-12);
    assert!(!beyond);
    let (lambda, beyond) = secant.flux_linkage(12.0);
    assert!(relative_error(lambda, 50e-6 * 12.0) < 1e-12);
    assert!(beyond);

    let incremental = copper_inductor(1.0, 0.01)
        .with_saturation_curve(curve, InductanceCurveKind::Incremental)
        .unwrap();
    assert!(relative_error(incremental.flux_linkage(4.0).0, 360e-6) < 1e-12);
}

#[test]
fn request_reads_secant_curve() {
    let json = serde_json::json!({
        "inductance_h": 1e-4, "dcr_ohm": 0.02, "winding_temperature_c": 20.0,
        "frequency_hz": 1e5, "current_a": [3.0, 5.0],
        "saturation": {"current_a": [0.0, 10.0], "inductance_h": [1e-4, 5e-5],
                       "kind": "secant"},
        "core": {"effective": {"ae_m2": 1e-4, "le_m": 0.1, "ve_m3": 1e-5}, "turns": 10,
                 "steinmetz": {"k": 3.0, "alpha": 1.5, "beta": 2.5,
                               "f_min_hz": 1e3, "f_max_hz": 1e6}}
    });
    let request: InductorLossRequest = serde_json::from_value(json).unwrap();
    let result = inductor_losses(&request).unwrap();
    // L_s(5 A) = 75 µH, so B̂ = 75e-6 · 5 / (10 · 1e-4) = 0.375 T.
    assert!(relative_error(result.b_peak_t.unwrap(), 0.375) < 1e-12);
}

#[test]
fn request_rejects_bad_saturation_curve() {
    let json = serde_json::json!({
        "inductance_h": 1e-4, "dcr_ohm": 0.02, "winding_temperature_c": 20.0,
        "frequency_hz": 1e5, "current_a": [0.0, 1.0],
        "saturation": {"current_a": [2.0, 1.0], "inductance_h": [1e-4, 9e-5]}
    });
    let request: InductorLossRequest = serde_json::from_value(json).unwrap();
    let message = inductor_losses(&request).unwrap_err().to_string();
    assert!(
        message.starts_with("saturation is invalid: the curve"),
        "{message}"
    );
    assert!(
        message.contains("x does not increase at point 1"),
        "{message}"
    );
}

#[test]
fn core_with_zero_area_rejected() {
    let mut effective = EffectiveParameters::new(1e-4, 0.1, 1e-5).unwrap();
    effective.ae_m2 = 0.0;
    let steinmetz = SteinmetzParams::new(3.0, 1.5, 2.5, 1e3, 1e6).unwrap();
    let error = copper_inductor(1e-4, 0.01)
        .with_core(InductorCore {
            effective,
            turns: 5,
            steinmetz,
        })
        .unwrap_err();
    assert!(
        error.to_string().contains("core.effective.ae_m2"),
        "{error}"
    );
}
