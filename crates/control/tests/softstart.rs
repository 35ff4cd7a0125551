//! Soft-start ramp timing.

use pelab_control::softstart::{RampLimiter, RampRate, RampStatus};

const TS: f64 = 10e-6;

#[test]
fn slew_rate_ramp_timing() {
    // 4800 V/s from 0 V: 0.048 V per sample, 48 V after 10 ms = 1000 samples.
    let mut ramp = RampLimiter::new(RampRate::SlewRate(4800.0), TS, 0.0).unwrap();
    let mut reached = None;
    for k in 1..=1100 {
        let v = ramp.update(48.0);
        let expected = (0.048 * k as f64).min(48.0);
        assert!((v - expected).abs() < 1e-9, "sample {k}: {v} vs {expected}");
        if reached.is_none() && v == 48.0 {
            reached = Some(k);
        }
    }
    let reached = reached.expect("ramp never reached 48 V");
    assert!(
        (999..=1000).contains(&reached),
        "reached at sample {reached}"
    );
    assert_eq!(ramp.status(), RampStatus::Settled);
}

#[test]
fn duration_ramp_timing() {
    // 5 ms = 500 samples from the measured 11.8 V to 48 V, whatever the distance.
    let mut ramp = RampLimiter::new(RampRate::Duration(5e-3), TS, 0.0).unwrap();
    ramp.reset(11.8);
    for k in 1..=600 {
        let v = ramp.update(48.0);
        match k {
            250 => assert!((v - (11.8 + 0.5 * 36.2)).abs() < 1e-9, "midpoint {v}"),
            499 => assert!(v < 48.0, "reached early: {v}"),
            500.. => assert_eq!(v, 48.0, "sample {k}"),
            _ => {}
        }
        if k < 500 {
            assert_eq!(ramp.status(), RampStatus::Ramping);
        }
    }
    assert!(ramp.is_settled());
}

#[test]
fn duration_ramp_restarts_on_new_target() {
    let mut ramp = RampLimiter::new(RampRate::Duration(1e-3), TS, 0.0).unwrap();
    for _ in 0..50 {
        ramp.update(10.0);
    }
    let start = ramp.output();
    assert!((start - 5.0).abs() < 1e-9);
    // A new target starts a new 100-sample ramp from 5 V down to 2 V.
    for k in 1..=100 {
        let v = ramp.update(2.0);
        let expected = start + (2.0 - start) * k as f64 / 100.0;
        assert!((v - expected).abs() < 1e-9, "sample {k}: {v}");
    }
    assert_eq!(ramp.output(), 2.0);
}

#[test]
fn slew_rate_ramp_falls_too() {
    let mut ramp = RampLimiter::new(RampRate::SlewRate(1000.0), TS, 5.0).unwrap();
    let v = ramp.update(0.0);
    assert!((v - 4.99).abs() < 1e-12);
}

#[test]
fn invalid_target_holds_output() {
    let mut ramp = RampLimiter::new(RampRate::SlewRate(1000.0), TS, 0.0).unwrap();
    let v = ramp.update(1.0);
    assert_eq!(ramp.update(f64::NAN), v);
    assert_eq!(ramp.status(), RampStatus::InvalidInput);
    ramp.reset(f64::INFINITY);
    assert_eq!(ramp.output(), v);
    assert_eq!(ramp.status(), RampStatus::InvalidInput);
}

#[test]
fn rejects_bad_config() {
    let cases = [
        (RampRate::SlewRate(0.0), TS, 0.0, "slew_rate"),
        (RampRate::SlewRate(f64::NAN), TS, 0.0, "slew_rate"),
        (RampRate::Duration(-1.0), TS, 0.0, "duration"),
        (RampRate::Duration(1e9), TS, 0.0, "duration"),
        (RampRate::SlewRate(1.0), 0.0, 0.0, "ts"),
        (RampRate::SlewRate(1.0), TS, f64::NAN, "initial"),
    ];
    for (rate, ts, initial, field) in cases {
        let err = RampLimiter::new(rate, ts, initial).unwrap_err();
        assert_eq!(err.field, field, "{rate:?}");
    }
}
