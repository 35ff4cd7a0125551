//! Clarke and Park transforms on balanced three-phase sets.

use core::f64::consts::PI;

use pelab_control::transforms::{Abc, AlphaBeta, Dq, abc_to_dq, clarke, dq_to_abc, park};
use proptest::prelude::*;

fn balanced(amplitude: f64, angle: f64) -> Abc {
    Abc {
        a: amplitude * libm::cos(angle),
        b: amplitude * libm::cos(angle - 2.0 * PI / 3.0),
        c: amplitude * libm::cos(angle + 2.0 * PI / 3.0),
    }
}

#[test]
fn balanced_set_gives_constant_dq() {
    // a = V·cos(θ + φ) and its positive sequence, with θ the Park angle, gives
    // d = V·cos φ and q = V·sin φ at every θ. The values are of order 325, and the
    // rounding error of the sines and sums is a few ulps of that (about 1e-13).
    let amplitude = 325.0;
    let phi = 0.4;
    for k in 0..360 {
        let theta = k as f64 * 2.0 * PI / 360.0;
        let dq = abc_to_dq(balanced(amplitude, theta + phi), theta);
        assert!(
            (dq.d - amplitude * libm::cos(phi)).abs() < 1e-11,
            "d at {k}°: {}",
            dq.d
        );
        assert!(
            (dq.q - amplitude * libm::sin(phi)).abs() < 1e-11,
            "q at {k}°: {}",
            dq.q
        );
        assert!(dq.zero.abs() < 1e-11, "zero at {k}°: {}", dq.zero);
    }
}

#[test]
fn d_axis_on_vector_gives_zero_q() {
    // With the d axis on the vector, d equals its length and q is 0.
    let ab = AlphaBeta {
        alpha: 3.0,
        beta: 4.0,
        zero: 0.0,
    };
    let dq = park(ab, libm::atan2(4.0, 3.0));
    assert!((dq.d - 5.0).abs() < 1e-14, "d = {}", dq.d);
    assert!(dq.q.abs() < 1e-14, "q = {}", dq.q);
}

#[test]
fn negative_sequence_rotates_at_twice_the_angle() {
    // Swapping b and c gives the negative sequence, which appears in the d-q frame as
    // a vector of the same length at −2θ: d = V·cos 2θ, q = −V·sin 2θ.
    for k in 0..36 {
        let theta = k as f64 * PI / 18.0;
        let positive = balanced(1.0, theta);
        let negative = Abc {
            a: positive.a,
            b: positive.c,
            c: positive.b,
        };
        let dq = abc_to_dq(negative, theta);
        assert!((dq.d - libm::cos(2.0 * theta)).abs() < 1e-14, "d at {k}");
        assert!((dq.q + libm::sin(2.0 * theta)).abs() < 1e-14, "q at {k}");
    }
}

proptest! {
    #[test]
    fn abc_dq_round_trip(
        a in -1e3..1e3f64,
        b in -1e3..1e3f64,
        c in -1e3..1e3f64,
        theta in -10.0..10.0f64,
    ) {
        // Components up to 1e3 and a handful of operations: rounding below 1e-11.
        let back = dq_to_abc(abc_to_dq(Abc { a, b, c }, theta), theta);
        prop_assert!((back.a - a).abs() < 1e-11);
        prop_assert!((back.b - b).abs() < 1e-11);
        prop_assert!((back.c - c).abs() < 1e-11);
    }

    #[test]
    fn clarke_keeps_zero_sequence(common in -1e3..1e3f64, angle in -4.0..4.0f64) {
        let mut abc = balanced(100.0, angle);
        abc.a += common;
        abc.b += common;
        abc.c += common;
        let ab = clarke(abc);
        let dq: Dq = park(ab, angle);
        prop_assert!((ab.zero - common).abs() < 1e-11);
        prop_assert!((dq.zero - common).abs() < 1e-11);
        prop_assert!((dq.d - 100.0).abs() < 1e-11);
    }
}
