//! Property tests for the grid and PV controllers: outputs stay finite and inside
//! their limits for any finite input.

use pelab_control::droop::{Droop, DroopConfig};
use pelab_control::mppt::{Mppt, MpptAlgorithm, MpptConfig, MpptStep};
use pelab_control::pll::{Pll, PllConfig, PllGains};
use proptest::prelude::*;

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

fn mppt_step() -> impl Strategy<Value = MpptStep> {
    prop_oneof![
        (0.01_f64..2.0).prop_map(MpptStep::Fixed),
        (1e-3_f64..1.0).prop_map(|k| MpptStep::Variable {
            k,
            step_min: 0.01,
            step_max: 1.0,
        }),
    ]
}

proptest! {
    #[test]
    fn pll_outputs_inside_limits(
        samples in prop::collection::vec((finite_value(), finite_value()), 1..60),
    ) {
        let rocof_max = 50.0;
        let ts = 1e-4;
        let mut pll = Pll::new(PllConfig {
            gains: PllGains::from_natural_frequency(200.0, 0.7).expect("valid gains"),
            ts,
            f_nominal: 50.0,
            f_min: 45.0,
            f_max: 55.0,
            rocof_max,
            amplitude_min: 1.0,
            lock_threshold: 0.05,
            lock_time: 1e-3,
        })
        .expect("valid PLL configuration");
        let mut previous = pll.output().frequency;
        for (v_alpha, v_beta) in samples {
            let out = pll.update(v_alpha, v_beta);
            prop_assert!((0.0..2.0 * core::f64::consts::PI).contains(&out.theta));
            prop_assert!((45.0..=55.0).contains(&out.frequency));
            // 1e-12 Hz covers the rounding of ω/2π.
            prop_assert!((out.frequency - previous).abs() <= rocof_max * ts + 1e-12);
            prop_assert!(out.vd.is_finite() && out.vq.is_finite() && out.amplitude.is_finite());
            previous = out.frequency;
        }
    }

    #[test]
    fn droop_outputs_inside_limits(
        samples in prop::collection::vec((finite_value(), finite_value()), 1..40),
        filtered in any::<bool>(),
    ) {
        let mut droop = Droop::new(DroopConfig {
            f0: 50.0,
            v0: 325.0,
            p0: 0.0,
            q0: 0.0,
            p_rated: 1e4,
            q_rated: 1e4,
            droop_p: 2.0,
            droop_q: 5.0,
            filter_cutoff: filtered.then_some(10.0),
            ts: 1e-4,
            f_min: 49.0,
            f_max: 51.0,
            v_min: 290.0,
            v_max: 360.0,
        })
        .expect("valid droop configuration");
        for (p, q) in samples {
            let out = droop.update(p, q);
            prop_assert!((49.0..=51.0).contains(&out.frequency));
            prop_assert!((290.0..=360.0).contains(&out.voltage));
        }
    }

    #[test]
    fn mppt_reference_inside_limits(
        samples in prop::collection::vec((finite_value(), finite_value()), 1..40),
        incremental_conductance in any::<bool>(),
        step in mppt_step(),
    ) {
        let algorithm = if incremental_conductance {
            MpptAlgorithm::IncrementalConductance
        } else {
            MpptAlgorithm::PerturbObserve
        };
        let mut mppt = Mppt::new(MpptConfig {
            algorithm,
            step,
            v_min: 5.0,
            v_max: 40.0,
            v_initial: 20.0,
        })
        .expect("valid MPPT configuration");
        for (v, i) in samples {
            let v_ref = mppt.update(v, i);
            prop_assert!((5.0..=40.0).contains(&v_ref));
        }
    }
}
