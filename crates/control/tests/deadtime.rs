//! Deadtime compensation against the switching patterns of a complementary pair.

use pelab_control::deadtime::DeadtimeCompensator;
use pelab_control::pwm::{Carrier, CarrierKind, ComplementaryPwm};

const F_SW: f64 = 20e3;
const T_D: f64 = 800e-9;
const V_DC: f64 = 600.0;

/// Average leg duty with the deadtime of `pwm`: while both switches are off, the
/// diode of the current's direction sets the leg voltage. Current out of the leg
/// (`i > 0`) flows through the lower diode, so the leg is high only while the high
/// side conducts. Current into the leg flows through the upper diode, so the leg is
/// high whenever the low side is off.
fn actual_duty(pwm: &ComplementaryPwm, duty: f64, i: f64) -> f64 {
    let period = pwm.carrier().period();
    let pattern = pwm.pattern(duty);
    if i > 0.0 {
        pattern.high.on_time(period) / period
    } else {
        1.0 - pattern.low.on_time(period) / period
    }
}

#[test]
fn voltage_error_matches_switching_pattern() {
    // The pattern times are sums of a few values of order 1/F_SW, so the duties agree
    // to about 1e-15, and the voltages to 1e-15·600 V. The tolerance is 1e-9 V.
    let carrier = Carrier::new(CarrierKind::CenterAligned, 1.0 / F_SW, 0.0).unwrap();
    let pwm = ComplementaryPwm::new(carrier, T_D).unwrap();
    let compensator = DeadtimeCompensator::new(T_D, F_SW, 0.0).unwrap();
    for duty in [0.1, 0.35, 0.5, 0.72, 0.9] {
        for i in [12.0, -12.0] {
            let error = (duty - actual_duty(&pwm, duty, i)) * V_DC;
            let predicted = compensator.voltage_error(i, V_DC);
            assert!(
                (error - predicted).abs() < 1e-9,
                "duty {duty}, i {i}: {error} V vs {predicted} V"
            );
        }
    }
}

#[test]
fn compensation_restores_commanded_average() {
    let carrier = Carrier::new(CarrierKind::CenterAligned, 1.0 / F_SW, 0.0).unwrap();
    let pwm = ComplementaryPwm::new(carrier, T_D).unwrap();
    let compensator = DeadtimeCompensator::new(T_D, F_SW, 0.0).unwrap();
    for duty in [0.2, 0.5, 0.8] {
        for i in [3.0, -3.0] {
            let compensated = compensator.compensate(duty, i);
            let actual = actual_duty(&pwm, compensated, i);
            assert!(
                (actual - duty).abs() < 1e-12,
                "duty {duty}, i {i}: {actual}"
            );
        }
    }
}

#[test]
fn band_is_continuous_and_odd() {
    // Inside the band the correction is linear in i, and it reaches the full value at
    // the band edge with no step. It is odd in i everywhere.
    let compensator = DeadtimeCompensator::new(T_D, F_SW, 0.5).unwrap();
    let full = T_D * F_SW;
    for k in -100..=100 {
        let i = k as f64 * 0.01;
        let correction = compensator.duty_correction(i);
        let expected = full * (i / 0.5).clamp(-1.0, 1.0);
        assert!((correction - expected).abs() < 1e-15, "i {i}: {correction}");
        assert_eq!(correction, -compensator.duty_correction(-i), "i {i}");
    }
    // 1e-12 A below the edge the linear zone gives full·(1 − 2e-12), so the values
    // differ by 2e-12·full. A step at the edge would be far larger than 3e-12·full.
    let below = compensator.duty_correction(0.5 - 1e-12);
    let at = compensator.duty_correction(0.5);
    assert!((at - below).abs() < 3e-12 * full, "{below} then {at}");
}
