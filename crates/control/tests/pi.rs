//! PI controller: step response, anti-windup and bumpless transfer.

use pelab_control::pi::{AntiWindup, Pi, PiConfig};
use pelab_control::{Expected, Status};

fn config(anti_windup: AntiWindup) -> PiConfig {
    PiConfig {
        kp: 2.0,
        ki: 100.0,
        ts: 1e-3,
        u_min: -10.0,
        u_max: 10.0,
        anti_windup,
    }
}

#[test]
fn step_response_matches_hand_calculation() {
    // Forward Euler: u[k] = kp·e + ki·ts·e·k = 2 + 0.1·k for a unit error step.
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    for k in 0..20 {
        let u = pi.update(1.0);
        let expected = 2.0 + 0.1 * k as f64;
        assert!(
            (u - expected).abs() < 1e-12,
            "u[{k}] = {u}, expected {expected}"
        );
    }
    assert_eq!(pi.status(), Status::Unsaturated);
}

#[test]
fn error_sequence_matches_hand_calculation() {
    // u[k] = kp·e[k] + x[k], x[k+1] = x[k] + ki·ts·e[k] with kp = 2, ki·ts = 0.1.
    let mut pi = Pi::new(config(AntiWindup::None)).unwrap();
    let errors = [1.0, -1.0, 0.5, 0.0, -3.0];
    let expected = [2.0, -1.9, 1.0, 0.05, -5.95];
    for (k, (&e, &u_expected)) in errors.iter().zip(&expected).enumerate() {
        let u = pi.update(e);
        assert!(
            (u - u_expected).abs() < 1e-12,
            "u[{k}] = {u}, expected {u_expected}"
        );
    }
    assert!((pi.integral() - (-0.25)).abs() < 1e-12);
}

#[test]
fn output_saturates_at_limits() {
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    assert_eq!(pi.update(100.0), 10.0);
    assert_eq!(pi.status(), Status::SaturatedHigh);
    pi.reset();
    assert_eq!(pi.update(-100.0), -10.0);
    assert_eq!(pi.status(), Status::SaturatedLow);
}

#[test]
fn feedforward_counts_toward_saturation() {
    let mut pi = Pi::new(PiConfig {
        u_min: 0.0,
        u_max: 1.0,
        ..config(AntiWindup::Clamping)
    })
    .unwrap();
    // u_ff + kp·e = 0.9 + 0.2 = 1.1 saturates, so the clamping stops the integrator.
    assert_eq!(pi.update_with_feedforward(0.1, 0.9), 1.0);
    assert_eq!(pi.status(), Status::SaturatedHigh);
    assert_eq!(pi.integral(), 0.0);
    // Inside the limits, the integrator advances by ki·ts·e = 0.01.
    let u = pi.update_with_feedforward(0.1, 0.5);
    assert!((u - 0.7).abs() < 1e-12);
    assert!((pi.integral() - 0.01).abs() < 1e-12);
}

/// Result of a windup run on a first-order plant.
struct WindupRun {
    /// Largest integral part during the saturated phase.
    max_integral: f64,
    /// Time [s] from the reference drop until the plant is within 2 % of the new
    /// reference for good.
    recovery_time: f64,
}

/// Drives `τ·dy/dt = u − y` (τ = 10 ms, u in [0, 1]) toward the unreachable reference
/// 2 for 0.5 s, then drops the reference to 0.5 and measures the recovery.
fn windup_run(anti_windup: AntiWindup) -> WindupRun {
    let ts = 1e-4;
    let tau = 10e-3;
    let mut pi = Pi::new(PiConfig {
        kp: 1.0,
        ki: 100.0,
        ts,
        u_min: 0.0,
        u_max: 1.0,
        anti_windup,
    })
    .expect("windup test configuration is valid");
    let mut y = 0.0;
    let mut max_integral = f64::MIN;
    for _ in 0..5000 {
        let u = pi.update(2.0 - y);
        max_integral = max_integral.max(pi.integral());
        y += ts / tau * (u - y);
    }
    let mut last_outside = 0;
    for k in 0..20_000 {
        let u = pi.update(0.5 - y);
        if (y - 0.5).abs() > 0.01 {
            last_outside = k;
        }
        y += ts / tau * (u - y);
    }
    WindupRun {
        max_integral,
        recovery_time: (last_outside + 1) as f64 * ts,
    }
}

#[test]
fn anti_windup_bounds_integrator() {
    let none = windup_run(AntiWindup::None);
    let clamping = windup_run(AntiWindup::Clamping);
    let back_calculation = windup_run(AntiWindup::BackCalculation { kb: 1000.0 });

    // Without anti-windup the integral part grows by ki·e ≈ 100 per second.
    assert!(none.max_integral > 40.0, "none: {}", none.max_integral);
    // Clamping stops integration before v passes u_max = 1.
    assert!(
        clamping.max_integral <= 1.0,
        "clamping: {}",
        clamping.max_integral
    );
    // Back-calculation settles where ki·e = kb·(v − u), so x ≤ u_max + ki·e/kb.
    assert!(
        back_calculation.max_integral <= 1.0 + 100.0 * 2.0 / 1000.0,
        "back-calculation: {}",
        back_calculation.max_integral
    );
}

#[test]
fn anti_windup_recovers_faster() {
    let none = windup_run(AntiWindup::None);
    let clamping = windup_run(AntiWindup::Clamping);
    let back_calculation = windup_run(AntiWindup::BackCalculation { kb: 1000.0 });

    assert!(none.recovery_time > 0.3, "none: {} s", none.recovery_time);
    assert!(
        clamping.recovery_time < 0.1 * none.recovery_time,
        "clamping {} s vs none {} s",
        clamping.recovery_time,
        none.recovery_time
    );
    assert!(
        back_calculation.recovery_time < 0.1 * none.recovery_time,
        "back-calculation {} s vs none {} s",
        back_calculation.recovery_time,
        none.recovery_time
    );
}

#[test]
fn tracking_gives_bumpless_switch() {
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    // An external source drives the plant at 3.7 while the error drifts.
    let mut e = 0.0;
    for k in 0..100 {
        e = 0.5 + 0.01 * k as f64;
        assert_eq!(pi.track(e, 3.7), 3.7);
    }
    // First automatic sample with the same error starts where the source left off.
    let u = pi.update(e);
    assert!((u - 3.7).abs() < 1e-12, "u = {u}");
    // The next sample moves only by ki·ts·e.
    let next = pi.update(e);
    assert!((next - u - 0.1 * e).abs() < 1e-12, "step {}", next - u);
}

#[test]
fn switch_without_tracking_jumps() {
    // Counter-check of the test above: without tracking, the output jumps.
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    let u = pi.update(1.49);
    assert!((u - 3.7).abs() > 0.5);
}

#[test]
fn reset_to_output_is_bumpless() {
    let mut pi = Pi::new(config(AntiWindup::BackCalculation { kb: 500.0 })).unwrap();
    for _ in 0..10 {
        pi.update(2.0);
    }
    pi.reset_to_output(-4.2, -0.3);
    let u = pi.update(-0.3);
    assert!((u + 4.2).abs() < 1e-12, "u = {u}");
}

#[test]
fn tracking_clamps_external_output() {
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    assert_eq!(pi.track(0.0, 25.0), 10.0);
    assert_eq!(pi.status(), Status::SaturatedHigh);
    assert_eq!(pi.update(0.0), 10.0);
}

#[test]
fn invalid_inputs_hold_state() {
    let mut pi = Pi::new(config(AntiWindup::BackCalculation { kb: 100.0 })).unwrap();
    let u = pi.update(0.7);
    let x = pi.integral();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(pi.update(bad), u);
        assert_eq!(pi.status(), Status::InvalidInput);
        assert_eq!(pi.update_with_feedforward(0.1, bad), u);
        assert_eq!(pi.track(0.1, bad), u);
        assert_eq!(pi.integral(), x);
    }
    // The next valid sample continues from the held state.
    let next = pi.update(0.7);
    assert!((next - (u + 0.07)).abs() < 1e-12);
}

#[test]
fn huge_finite_error_stays_finite() {
    let mut pi = Pi::new(PiConfig {
        kp: 1e10,
        ki: 1e10,
        ..config(AntiWindup::BackCalculation { kb: 1000.0 })
    })
    .unwrap();
    for e in [f64::MAX, -f64::MAX, 1e300, -1e300, 0.0] {
        let u = pi.update(e);
        assert!(
            u.is_finite() && (-10.0..=10.0).contains(&u),
            "u = {u} for e = {e}"
        );
        assert!(pi.integral().is_finite());
    }
}

#[test]
fn set_limits_validates() {
    let mut pi = Pi::new(config(AntiWindup::Clamping)).unwrap();
    let err = pi.set_limits(1.0, 1.0).unwrap_err();
    assert_eq!(err.field, "u_max");
    assert_eq!(pi.limits(), (-10.0, 10.0));
    pi.set_limits(0.0, 1.0).unwrap();
    assert_eq!(pi.update(100.0), 1.0);
}

#[test]
fn config_errors_name_field_and_range() {
    let cases = [
        (
            PiConfig {
                ki: f64::NAN,
                ..config(AntiWindup::None)
            },
            "ki",
        ),
        (
            PiConfig {
                ts: 0.0,
                ..config(AntiWindup::None)
            },
            "ts",
        ),
        (
            PiConfig {
                u_min: f64::NEG_INFINITY,
                ..config(AntiWindup::None)
            },
            "u_min",
        ),
        (config(AntiWindup::BackCalculation { kb: 0.0 }), "kb"),
    ];
    for (config, field) in cases {
        let err = Pi::new(config).unwrap_err();
        assert_eq!(err.field, field);
    }

    let err = Pi::new(PiConfig {
        ts: 0.0,
        ..config(AntiWindup::None)
    })
    .unwrap_err();
    assert_eq!(err.expected, Expected::Positive);
    assert_eq!(
        err.to_string(),
        "invalid ts = 0: expected a finite value > 0"
    );
}
