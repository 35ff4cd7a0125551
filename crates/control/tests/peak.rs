//! Peak current-mode control: the duty formula by hand, and subharmonic stability
//! shown on the exact valley-to-valley current map of a boost.

use pelab_control::peak::{PeakCurrentConfig, PeakCurrentMode};

fn modulator(ramp_slope: f64) -> PeakCurrentMode {
    PeakCurrentMode::new(PeakCurrentConfig {
        period: 10e-6,
        ramp_slope,
        d_max: 0.95,
    })
    .expect("valid test configuration")
}

#[test]
fn duty_matches_hand_calculation() {
    // Boost 12 V → 36 V, L = 10 µH: m1 = 1.2 A/µs, m2 = 2.4 A/µs, ramp 1.2 A/µs.
    let pcm = modulator(1.2e6);
    let duty = pcm.duty(10.0, 5.2, 1.2e6, 2.4e6).unwrap();
    // d = (10 − 5.2) / ((1.2e6 + 1.2e6) · 10 µs) = 0.2.
    assert!((duty.duty - 0.2).abs() < 1e-12);
    assert!(!duty.limited);
    // α = −(2.4 − 1.2)/(1.2 + 1.2) = −0.5.
    assert!((duty.perturbation_ratio + 0.5).abs() < 1e-12);
    let high = pcm.duty(100.0, 0.0, 1.2e6, 2.4e6).unwrap();
    assert_eq!(high.duty, 0.95);
    assert!(high.limited);
    assert!(pcm.duty(f64::NAN, 0.0, 1.0, 1.0).is_none());
}

/// Runs the exact valley-current map of a boost in CCM for `periods` periods from a
/// perturbed start and returns the last deviation from the steady valley current.
fn valley_deviation(pcm: &PeakCurrentMode, periods: usize) -> f64 {
    let (m_1, m_2, t) = (1.2e6, 2.4e6, 10e-6); // D = m2/(m1 + m2) = 2/3 in steady state
    let i_c = 10.0;
    // Steady state: i0 + (m1 + ma) d T = i_c and i0 + m1 d T − m2 (1 − d) T = i0.
    let d = m_2 / (m_1 + m_2);
    let i_steady = i_c - (m_1 + pcm.config().ramp_slope) * d * t;
    let mut i_0 = i_steady + 0.01;
    for _ in 0..periods {
        let duty = pcm
            .duty(i_c, i_0, m_1, m_2)
            .expect("finite inputs and a positive rising slope")
            .duty;
        i_0 = i_0 + m_1 * duty * t - m_2 * (1.0 - duty) * t;
    }
    (i_0 - i_steady).abs()
}

#[test]
fn compensation_removes_subharmonic_oscillation() {
    // D = 2/3 > 0.5: without a ramp α = −2 and a 10 mA disturbance grows until the
    // duty saturates; with m_a = m2/2, α = −(2.4 − 1.2)/(1.2 + 1.2) = −0.5 and it
    // decays as 0.5ⁿ.
    let unstable = modulator(0.0);
    assert!(
        (unstable
            .duty(10.0, 5.0, 1.2e6, 2.4e6)
            .unwrap()
            .perturbation_ratio
            + 2.0)
            .abs()
            < 1e-12
    );
    assert!(
        valley_deviation(&unstable, 8) > 1.0,
        "the disturbance grows without a ramp"
    );

    let ramp = PeakCurrentMode::minimum_stable_ramp(2.4e6);
    let stable = modulator(ramp);
    let deviation = valley_deviation(&stable, 20);
    assert!(
        (deviation - 0.01 * 0.5f64.powi(20)).abs() < 1e-12,
        "{deviation}"
    );
}

#[test]
fn invalid_config_names_the_field() {
    let error = PeakCurrentMode::new(PeakCurrentConfig {
        period: 10e-6,
        ramp_slope: -1.0,
        d_max: 0.9,
    })
    .unwrap_err();
    assert_eq!(error.field, "ramp_slope");
    let error = PeakCurrentMode::new(PeakCurrentConfig {
        period: 10e-6,
        ramp_slope: 0.0,
        d_max: 1.0,
    })
    .unwrap_err();
    assert_eq!(error.field, "d_max");
}
