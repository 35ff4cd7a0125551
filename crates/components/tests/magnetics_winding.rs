//! Resistivity, skin depth, Dowell's factor, harmonic decomposition and copper loss.

use std::f64::consts::PI;

use pelab_components::magnetics::data::find_wire_material;
use pelab_components::magnetics::harmonics::spectrum;
use pelab_components::magnetics::winding::{MU_0, copper_loss, dowell_factor, skin_depth_m};
use pelab_components::magnetics::{Conductor, MagneticsError, Winding};

fn relative_error(computed: f64, reference: f64) -> f64 {
    (computed - reference).abs() / reference.abs()
}

#[test]
fn copper_resistivity_with_temperature() {
    // Table: ρ20 = 1.678e-8 Ω·m, α = 0.004041 1/K. At 100 °C: ρ20 (1 + 0.004041·80).
    let copper = find_wire_material("copper").unwrap();
    let rho = copper.resistivity_ohm_m(100.0).unwrap();
    assert!(relative_error(rho, 1.678e-8 * (1.0 + 0.004041 * 80.0)) < 1e-12);
    assert!(find_wire_material("Aluminum").is_ok());
    assert!(copper.resistivity_ohm_m(-300.0).is_err());
}

#[test]
fn copper_skin_depth_at_100_khz() {
    // δ = √(ρ/(π f μ0 μr)) = 0.2062 mm for ρ = 1.678e-8 Ω·m, μr = 0.999994, 100 kHz
    // (hand value 0.20617 mm; the often-quoted 0.21 mm rounds it).
    let delta = skin_depth_m(1.678e-8, 0.999994, 100e3).unwrap();
    let reference = (1.678e-8 / (PI * 100e3 * MU_0 * 0.999994)).sqrt();
    assert!(relative_error(delta, reference) < 1e-14);
    assert!(relative_error(delta, 0.206_17e-3) < 1e-4);
}

#[test]
fn dowell_tends_to_one_at_low_delta() {
    for m in [1, 2, 5, 10] {
        let mf = f64::from(m);
        for delta in [1e-8, 1e-5, 1e-3, 0.05] {
            let fr = dowell_factor(delta, m).unwrap();
            let limit = 1.0 + (5.0 * mf * mf - 1.0) * delta.powi(4) / 45.0;
            // The next term of the expansion is O(Δ⁸ m⁴): below 1e-8 here.
            assert!(
                (fr - limit).abs() < 1e-8,
                "m {m}, Δ {delta}: {fr} vs {limit}"
            );
        }
        assert_eq!(dowell_factor(0.0, m).unwrap(), 1.0);
    }
}

#[test]
fn dowell_one_layer_grows_as_delta() {
    // One layer: F_R = Δ ς₁ and ς₁ → 1 as Δ → ∞ (error ~ 4Δ e^(−2Δ)).
    for delta in [20.0, 50.0, 1e3, 1e6] {
        let fr = dowell_factor(delta, 1).unwrap();
        assert!(relative_error(fr, delta) < 1e-12, "Δ {delta}: {fr}");
    }
}

#[test]
fn dowell_hand_values() {
    // Δ = 1, m = 1: sinh 2 = 3.626860, sin 2 = 0.909297, cosh 2 = 3.762196,
    // cos 2 = −0.416147, so F_R = 4.536157 / 4.178343 = 1.085636.
    assert!(relative_error(dowell_factor(1.0, 1).unwrap(), 1.085_636) < 1e-6);
    // Further values from the closed form evaluated in double precision by a separate
    // script; the two evaluations agree to rounding (1e-12).
    for (delta, layers, reference) in [
        (1.0, 3, 1.939_964_696_491_515_6),
        (2.0, 1, 1.897_806_446_769_510_4),
        (2.0, 4, 18.141_221_287_153_17),
        (0.3, 5, 1.022_312_698_542_238_2),
        (0.5, 2, 1.026_323_126_630_940_5),
        (5.0, 1, 4.999_372_104_140_527),
    ] {
        let fr = dowell_factor(delta, layers).unwrap();
        assert!(
            relative_error(fr, reference) < 1e-12,
            "Δ {delta}, m {layers}: {fr}"
        );
    }
}

#[test]
fn dowell_continuous_at_branch_points() {
    // The series branch (argument ≤ 1) and the closed form meet at Δ = 0.5 (ς₁) and
    // Δ = 1 (ς₂); the limit form takes over below 1e-4 and the asymptote above 40.
    for (edge, layers) in [(0.5, 3), (1.0, 3), (1e-4, 2), (40.0, 2)] {
        let below = dowell_factor(edge * (1.0 - 1e-12), layers).unwrap();
        let above = dowell_factor(edge * (1.0 + 1e-12), layers).unwrap();
        assert!(relative_error(above, below) < 1e-10, "edge {edge}");
    }
}

#[test]
fn dowell_rejects_bad_input() {
    assert!(dowell_factor(-1.0, 1).is_err());
    assert!(dowell_factor(f64::NAN, 1).is_err());
    assert!(dowell_factor(1.0, 0).is_err());
}

#[test]
fn round_wire_dc_resistance() {
    // 20 turns of 1 mm copper, MLT 50 mm, at 20 °C: R = ρ N MLT / (π d²/4)
    // = 1.678e-8 · 20 · 0.05 / 7.853982e-7 = 21.3649 mΩ.
    let copper = find_wire_material("copper").unwrap().clone();
    let conductor = Conductor::Round {
        diameter_m: 1e-3,
        turns_per_layer: 10,
        layer_width_m: 10e-3,
    };
    let winding = Winding::new("winding", copper, conductor, 20, 2, 0.05).unwrap();
    let r = winding.dc_resistance_ohm(20.0).unwrap();
    assert!(relative_error(r, 1.678e-8 * 20.0 * 0.05 / (PI * 0.25e-6)) < 1e-12);
    assert!(relative_error(r, 21.3649e-3) < 1e-5);

    // Porosity η = 10 · (√π/2 · 1 mm) / 10 mm = 0.886227; at 100 kHz
    // Δ = 0.886227 mm / 0.206166 mm · √0.886227 = 4.0468.
    let delta = (PI.sqrt() / 2.0) * 1e-3 / skin_depth_m(1.678e-8, 0.999994, 100e3).unwrap()
        * (10.0 * PI.sqrt() / 2.0 * 1e-3 / 10e-3_f64).sqrt();
    let fr = winding.ac_factor(100e3, 20.0).unwrap();
    assert!(relative_error(fr, dowell_factor(delta, 2).unwrap()) < 1e-12);
    assert!(relative_error(delta, 4.0468) < 1e-4);
}

#[test]
fn winding_rejects_overfull_layer() {
    let copper = find_wire_material("copper").unwrap().clone();
    let conductor = Conductor::Round {
        diameter_m: 1e-3,
        turns_per_layer: 20,
        layer_width_m: 10e-3,
    };
    let error = Winding::new("winding", copper, conductor, 40, 2, 0.05).unwrap_err();
    assert!(
        matches!(&error, MagneticsError::InvalidParameter { field, .. }
            if field == "winding.conductor.porosity"),
        "{error}"
    );
}

#[test]
fn spectrum_of_known_signal() {
    // 2 + 3 sin(ωt) + 0.5 cos(5ωt): DC 2, rms 3/√2 at k = 1 and 0.5/√2 at k = 5;
    // a DFT of 64 samples resolves them to rounding.
    let n = 64;
    let x: Vec<f64> = (0..n)
        .map(|j| {
            let theta = 2.0 * PI * j as f64 / n as f64;
            2.0 + 3.0 * theta.sin() + 0.5 * (5.0 * theta).cos()
        })
        .collect();
    let s = spectrum("x", &x).unwrap();
    assert_eq!(s.rms.len(), 32);
    assert!((s.dc - 2.0).abs() < 1e-12);
    assert!((s.rms[0] - 3.0 / 2f64.sqrt()).abs() < 1e-12);
    assert!((s.rms[4] - 0.5 / 2f64.sqrt()).abs() < 1e-12);
    assert!(s.rms[1].abs() < 1e-12);
}

#[test]
fn spectrum_keeps_parseval() {
    // mean(x²) = dc² + Σ rms², including the Nyquist term for even n.
    for n in [7, 8, 101, 256] {
        let x: Vec<f64> = (0..n).map(|j| ((j * 37 % 11) as f64 - 4.0) * 0.3).collect();
        let s = spectrum("x", &x).unwrap();
        let mean_square = x.iter().map(|v| v * v).sum::<f64>() / n as f64;
        assert!(
            relative_error(s.total_rms().powi(2), mean_square) < 1e-12,
            "n {n}"
        );
    }
}

#[test]
fn copper_loss_of_harmonics() {
    // DC 10 A and 2 A rms at the fundamental, R_dc = 10 mΩ, R_ac(f) = 10 mΩ · (1 + f/100 kHz):
    // dc 1.0 W, ac 4 · 0.02 = 0.08 W at 100 kHz.
    let n = 32;
    let current: Vec<f64> = (0..n)
        .map(|j| 10.0 + 2.0 * 2f64.sqrt() * (2.0 * PI * j as f64 / n as f64).sin())
        .collect();
    let s = spectrum("current_a", &current).unwrap();
    let loss = copper_loss(&s, 100e3, 0.01, |f| Ok(0.01 * (1.0 + f / 100e3))).unwrap();
    assert!(relative_error(loss.dc_w, 1.0) < 1e-12);
    // Leakage into other harmonics is rounding (~1e-30 A²).
    assert!(relative_error(loss.ac_w, 0.08) < 1e-10);
}
