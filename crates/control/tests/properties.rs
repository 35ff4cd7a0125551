//! Property tests: PWM edge invariants, and controllers that stay finite and inside
//! their limits for any finite input.

use pelab_control::dcdc::{
    AcmcController, Converter, CurrentController, CurrentLoopConfig, Measurements, VoltageLaw,
    VoltageLoopConfig,
};
use pelab_control::pi::{AntiWindup, Pi, PiConfig};
use pelab_control::pwm::{Carrier, CarrierKind, ComplementaryPwm, DUTY_EPSILON, Pattern};
use pelab_control::shedding::{PhaseShedder, SheddingConfig, SheddingStep};
use pelab_control::softstart::{RampLimiter, RampRate};
use proptest::prelude::*;

fn carrier_kind() -> impl Strategy<Value = CarrierKind> {
    prop_oneof![
        Just(CarrierKind::TrailingEdge),
        Just(CarrierKind::LeadingEdge),
        Just(CarrierKind::CenterAligned),
    ]
}

fn anti_windup() -> impl Strategy<Value = AntiWindup> {
    prop_oneof![
        Just(AntiWindup::None),
        Just(AntiWindup::Clamping),
        (0.01_f64..=1.0).prop_map(|fraction| AntiWindup::BackCalculation { kb: fraction }),
    ]
}

/// Finite values from tiny to huge, both signs, including exact zero.
fn finite_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        -1e3_f64..1e3,
        -1e12_f64..1e12,
        Just(0.0),
        Just(f64::MAX),
        Just(-f64::MAX),
        Just(f64::MIN_POSITIVE),
    ]
}

/// Checks edges in `[0, T)`, sorted and alternating.
fn check_edges(pattern: &Pattern, period: f64) -> Result<(), TestCaseError> {
    if let Some([first, second]) = pattern.edges() {
        prop_assert!(first.time >= 0.0 && first.time < period);
        prop_assert!(second.time >= 0.0 && second.time < period);
        prop_assert!(first.time < second.time);
        prop_assert_ne!(first.kind, second.kind);
    }
    Ok(())
}

proptest! {
    #[test]
    fn pwm_edges_inside_period_and_ordered(
        kind in carrier_kind(),
        period in 1e-7_f64..1e-2,
        phase in -3.0_f64..3.0,
        duty in -0.5_f64..1.5,
    ) {
        let carrier = Carrier::new(kind, period, phase).unwrap();
        let pattern = carrier.pattern(duty);
        check_edges(&pattern, period)?;

        let d = duty.clamp(0.0, 1.0);
        let expected = if d < DUTY_EPSILON {
            0.0
        } else if d > 1.0 - DUTY_EPSILON {
            period
        } else {
            d * period
        };
        prop_assert!((pattern.on_time(period) - expected).abs() <= 1e-12 * period);
    }

    #[test]
    fn deadtime_on_times_follow_policy(
        kind in carrier_kind(),
        phase in 0.0_f64..1.0,
        duty in 0.0_f64..=1.0,
        dead_fraction in 0.0_f64..0.49,
    ) {
        let period = 10e-6;
        let t_dead = dead_fraction * period;
        let carrier = Carrier::new(kind, period, phase).unwrap();
        let pair = ComplementaryPwm::new(carrier, t_dead).unwrap();
        let pattern = pair.pattern(duty);
        check_edges(&pattern.high, period)?;
        check_edges(&pattern.low, period)?;

        let tolerance = 1e-12 * period;
        let high_on = pattern.high.on_time(period);
        let low_on = pattern.low.on_time(period);
        if pattern.duty == 0.0 || pattern.duty == 1.0 {
            // Clamped: no commutation, one switch on for the whole period.
            prop_assert!((high_on - pattern.duty * period).abs() <= tolerance);
            prop_assert!((high_on + low_on - period).abs() <= tolerance);
        } else {
            prop_assert_eq!(pattern.duty, duty);
            prop_assert!((high_on - (duty * period - t_dead)).abs() <= tolerance);
            prop_assert!((low_on - ((1.0 - duty) * period - t_dead)).abs() <= tolerance);
            prop_assert!((high_on + low_on + 2.0 * t_dead - period).abs() <= tolerance);
        }
        // The clamping only happens where a pulse would not exceed the deadtime.
        if pattern.duty != duty {
            let short = duty * period <= t_dead * (1.0 + 1e-9) + DUTY_EPSILON * period
                || (1.0 - duty) * period <= t_dead * (1.0 + 1e-9) + DUTY_EPSILON * period;
            prop_assert!(short);
        }
    }

    #[test]
    fn pi_output_finite_and_limited(
        kp in 0.0_f64..1e3,
        ki in 0.0_f64..1e6,
        ts in 1e-7_f64..1e-2,
        u_min in -1e3_f64..1e3,
        span in 1e-6_f64..1e3,
        anti_windup in anti_windup(),
        errors in prop::collection::vec(finite_value(), 1..64),
        feedforward in finite_value(),
    ) {
        // kb was drawn as a fraction of 1/ts.
        let anti_windup = match anti_windup {
            AntiWindup::BackCalculation { kb } => AntiWindup::BackCalculation { kb: kb / ts },
            other => other,
        };
        let u_max = u_min + span;
        let mut pi = Pi::new(PiConfig { kp, ki, ts, u_min, u_max, anti_windup }).unwrap();
        for (k, &e) in errors.iter().enumerate() {
            let u = if k % 3 == 0 {
                pi.update_with_feedforward(e, feedforward)
            } else {
                pi.update(e)
            };
            prop_assert!(u.is_finite());
            prop_assert!(u >= u_min && u <= u_max, "u = {} outside [{}, {}]", u, u_min, u_max);
            prop_assert!(pi.integral().is_finite());
        }
    }

    #[test]
    fn current_loop_duty_finite_and_limited(
        converter in prop_oneof![
            Just(Converter::Buck),
            Just(Converter::Boost),
            Just(Converter::HalfBridge),
        ],
        feedforward in any::<bool>(),
        anti_windup in anti_windup(),
        samples in prop::collection::vec(
            (finite_value(), finite_value(), finite_value(), finite_value()),
            1..64,
        ),
    ) {
        let ts = 10e-6;
        let anti_windup = match anti_windup {
            AntiWindup::BackCalculation { kb } => AntiWindup::BackCalculation { kb: kb / ts },
            other => other,
        };
        let mut controller = CurrentController::new(CurrentLoopConfig {
            converter,
            kp: 0.05,
            ki: 200.0,
            ts,
            d_min: 0.05,
            d_max: 0.95,
            anti_windup,
            feedforward,
        })
        .unwrap();
        for (i_ref, v_in, v_out, i_l) in samples {
            let duty = controller.update(i_ref, &Measurements { v_in, v_out, i_l });
            prop_assert!(duty.is_finite());
            prop_assert!((0.05..=0.95).contains(&duty), "duty {}", duty);
        }
    }

    #[test]
    fn acmc_duty_and_reference_limited(
        law in prop_oneof![Just(VoltageLaw::Linear), Just(VoltageLaw::Squared)],
        samples in prop::collection::vec(
            (0.0_f64..1000.0, -10.0_f64..1000.0, 0.0_f64..1000.0, -100.0_f64..100.0),
            1..64,
        ),
    ) {
        let mut controller = AcmcController::new(
            VoltageLoopConfig {
                law,
                kp: 0.5,
                ki: 300.0,
                anti_windup: AntiWindup::Clamping,
                i_min: -5.0,
                i_max: 20.0,
                v_port_min: 1.0,
            },
            CurrentLoopConfig {
                converter: Converter::Boost,
                kp: 0.05,
                ki: 150.0,
                ts: 10e-6,
                d_min: 0.0,
                d_max: 0.9,
                anti_windup: AntiWindup::BackCalculation { kb: 2e4 },
                feedforward: true,
            },
        )
        .unwrap();
        for (v_ref, v_out, v_in, i_l) in samples {
            let duty = controller.update(v_ref, &Measurements { v_in, v_out, i_l });
            prop_assert!(duty.is_finite());
            prop_assert!((0.0..=0.9).contains(&duty), "duty {}", duty);
            let i_ref = controller.current_reference();
            // For V², i_ref = p_ref/v_port with p_ref limited to i_limit·v_port, so
            // allow one rounding step.
            let limits = -5.0 * (1.0 + 1e-12)..=20.0 * (1.0 + 1e-12);
            prop_assert!(limits.contains(&i_ref), "i_ref {}", i_ref);
        }
    }

    #[test]
    fn ramp_respects_slew_rate(
        slew_rate in 1e-3_f64..1e6,
        targets in prop::collection::vec(-1e3_f64..1e3, 1..64),
    ) {
        let ts = 1e-4;
        let mut ramp = RampLimiter::new(RampRate::SlewRate(slew_rate), ts, 0.0).unwrap();
        let mut previous = 0.0;
        for target in targets {
            let v = ramp.update(target);
            prop_assert!(v.is_finite());
            prop_assert!((v - previous).abs() <= slew_rate * ts * (1.0 + 1e-9));
            previous = v;
        }
    }

    #[test]
    fn shedder_phases_in_range_and_monotonic(
        mut loads in prop::collection::vec(0.0_f64..50.0, 1..200),
    ) {
        let config = SheddingConfig {
            steps: [
                SheddingStep { up: 10.0, down: 8.0 },
                SheddingStep { up: 20.0, down: 17.0 },
            ],
            min_dwell: 0.0,
            ts: 1e-3,
        };
        let mut shedder = PhaseShedder::new(config, 1).unwrap();
        loads.sort_by(f64::total_cmp);
        let mut previous = 1;
        for load in loads {
            let phases = shedder.update(load);
            prop_assert!((1..=3).contains(&phases));
            prop_assert!(phases >= previous);
            previous = phases;
        }
    }
}
