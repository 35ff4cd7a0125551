//! LLC frequency control on a first-harmonic plant: the tank gain of a 100 kHz LLC
//! (Ln = 5, Q = 0.3) feeding an output filter with a 1 ms time constant.

use pelab_control::Status;
use pelab_control::llc::{LlcFrequencyConfig, LlcFrequencyControl};
use pelab_control::pi::AntiWindup;

const F_R: f64 = 100e3;
const V_IN: f64 = 400.0;
const TS: f64 = 10e-6;
const TAU: f64 = 1e-3;

/// First-harmonic voltage gain at normalised frequency `fn`.
fn gain(f_n: f64) -> f64 {
    let (l_n, q) = (5.0, 0.3);
    let real = 1.0 + (1.0 - 1.0 / (f_n * f_n)) / l_n;
    let imaginary = q * (f_n - 1.0 / f_n);
    1.0 / (real * real + imaginary * imaginary).sqrt()
}

fn controller() -> LlcFrequencyControl {
    LlcFrequencyControl::new(LlcFrequencyConfig {
        kp: 100.0,
        ki: 2e5,
        ts: TS,
        f_min: F_R,
        f_max: 3.0 * F_R,
        anti_windup: AntiWindup::Clamping,
    })
    .expect("valid test configuration")
}

/// Runs the loop for `steps` samples and returns the final output voltage.
fn run(control: &mut LlcFrequencyControl, v_ref: f64, steps: usize) -> f64 {
    let decay = (-TS / TAU).exp();
    let mut v_out = 0.0;
    for _ in 0..steps {
        let f = control.update(v_ref, v_out);
        let target = gain(f / F_R) * V_IN;
        v_out = target + (v_out - target) * decay;
    }
    v_out
}

#[test]
fn starts_at_f_max_and_regulates() {
    let mut control = controller();
    assert_eq!(control.frequency(), 3.0 * F_R);
    let v_ref = 0.9 * V_IN;
    let v_out = run(&mut control, v_ref, 5000);
    assert!(
        (v_out - v_ref).abs() < 1e-3 * v_ref,
        "{v_out} V after 50 ms"
    );
    // The settled frequency is where the tank gain equals 0.9.
    let f = control.frequency();
    assert!((gain(f / F_R) - 0.9).abs() < 1e-3, "f = {f} Hz");
    assert!(f > F_R && f < 3.0 * F_R);
    assert_eq!(control.status(), Status::Unsaturated);
}

#[test]
fn unreachable_reference_holds_f_min() {
    // Above resonance the gain never exceeds 1, so 1.2 · V_in is out of reach.
    let mut control = controller();
    run(&mut control, 1.2 * V_IN, 5000);
    assert_eq!(control.frequency(), F_R);
    assert_eq!(control.status(), Status::SaturatedHigh);
    control.reset();
    assert_eq!(control.frequency(), 3.0 * F_R);
}

#[test]
fn invalid_input_keeps_frequency() {
    let mut control = controller();
    control.update(300.0, 100.0);
    let before = control.frequency();
    assert_eq!(control.update(f64::NAN, 100.0), before);
    assert_eq!(control.status(), Status::InvalidInput);
    let error = LlcFrequencyControl::new(LlcFrequencyConfig {
        kp: 1.0,
        ki: 1.0,
        ts: TS,
        f_min: 200e3,
        f_max: 100e3,
        anti_windup: AntiWindup::Clamping,
    })
    .unwrap_err();
    assert_eq!(error.field, "f_max");
}
