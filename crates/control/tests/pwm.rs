//! PWM edges and deadtime against a brute-force carrier comparison.
//!
//! The reference model samples the carrier comparison `c(τ) < d` at `SAMPLES` points
//! per period, with its own carrier formulas, and locates each edge between two
//! neighbouring samples. Every pattern edge must lie within one sample spacing of the
//! brute-force edge, and every sample away from the edges must agree.

use pelab_control::pwm::{
    Carrier, CarrierKind, ComplementaryPwm, DUTY_EPSILON, EdgeKind, Pattern, interleaved_phase,
    phase_from_degrees, phase_from_radians,
};

/// Samples per period of the brute-force comparison. The shortest pulse of the grids,
/// 0.002·T, spans four samples.
const SAMPLES: usize = 2000;
/// Switching period [s].
const PERIOD: f64 = 10e-6;

const KINDS: [CarrierKind; 3] = [
    CarrierKind::TrailingEdge,
    CarrierKind::LeadingEdge,
    CarrierKind::CenterAligned,
];

/// Duties 0, 0.01, …, 1 and a few values that are not multiples of 0.01.
fn duties() -> Vec<f64> {
    let mut duties: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
    duties.extend([0.003, 1.0 / 3.0, 0.4567, 0.997]);
    duties
}

/// Phases k/24, the interleaving phases k/N for N = 2..=6, and values outside [0, 1).
fn phases() -> Vec<f64> {
    let mut phases: Vec<f64> = (0..24).map(|k| k as f64 / 24.0).collect();
    for n in 2..=6 {
        phases.extend((0..n).map(|k| interleaved_phase(k, n)));
    }
    phases.extend([-0.3, 1.7, 0.999]);
    phases
}

/// Brute-force comparator with its own carrier formulas: on while `c(τ) < d`.
fn reference_is_on(kind: CarrierKind, duty: f64, phase: f64, t: f64) -> bool {
    let tau = (t / PERIOD - phase).rem_euclid(1.0);
    let carrier = match kind {
        CarrierKind::TrailingEdge => tau,
        CarrierKind::LeadingEdge => 1.0 - tau,
        CarrierKind::CenterAligned => {
            if tau < 0.5 {
                1.0 - 2.0 * tau
            } else {
                2.0 * tau - 1.0
            }
        }
    };
    carrier < duty
}

/// Sample time `i` of a brute-force grid of `n` samples: the middle of cell `i`.
fn sample_time(i: usize, n: usize) -> f64 {
    (i as f64 + 0.5) / n as f64 * PERIOD
}

/// Edges of a sampled waveform: the boundary time between the two samples and the
/// direction, in the order of the samples.
fn brute_force_edges(levels: &[bool]) -> Vec<(f64, EdgeKind)> {
    let n = levels.len();
    (0..n)
        .filter(|&i| levels[i] != levels[(i + n - 1) % n])
        .map(|i| {
            let kind = if levels[i] {
                EdgeKind::Rising
            } else {
                EdgeKind::Falling
            };
            (i as f64 / n as f64 * PERIOD, kind)
        })
        .collect()
}

/// Distance between two times on the circle of circumference `PERIOD`.
fn circular_distance(a: f64, b: f64) -> f64 {
    let d = (a - b).rem_euclid(PERIOD);
    d.min(PERIOD - d)
}

/// Checks `pattern` against the sampled `levels`: same number and direction of edges,
/// edge times within one sample spacing, and equal levels away from the edges.
fn assert_matches_samples(pattern: &Pattern, levels: &[bool], case: &str) {
    let spacing = PERIOD / levels.len() as f64;
    let expected = brute_force_edges(levels);
    match pattern.edges() {
        None => {
            assert!(
                expected.is_empty(),
                "{case}: brute force has edges {expected:?}"
            );
            let on = matches!(pattern, Pattern::AlwaysOn);
            assert!(levels.iter().all(|&l| l == on), "{case}: level differs");
        }
        Some(edges) => {
            assert_eq!(expected.len(), 2, "{case}: brute-force edges {expected:?}");
            for edge in edges {
                let matching = expected
                    .iter()
                    .find(|(_, kind)| *kind == edge.kind)
                    .expect("brute force has both edge kinds");
                let distance = circular_distance(edge.time, matching.0);
                assert!(
                    distance <= spacing * (1.0 + 1e-9),
                    "{case}: {:?} edge at {} vs brute force {} ({} samples)",
                    edge.kind,
                    edge.time,
                    matching.0,
                    distance / spacing
                );
            }
            for (i, &level) in levels.iter().enumerate() {
                let t = sample_time(i, levels.len());
                let near_edge = edges
                    .iter()
                    .any(|e| circular_distance(e.time, t) <= spacing);
                if !near_edge {
                    assert_eq!(pattern.is_on_at(t, PERIOD), level, "{case}: level at {t}");
                }
            }
        }
    }
}

/// Checks that the edges lie in `[0, T)`, are sorted and alternate.
fn assert_edges_well_formed(pattern: &Pattern, case: &str) {
    if let Some([first, second]) = pattern.edges() {
        for edge in [first, second] {
            assert!(
                (0.0..PERIOD).contains(&edge.time),
                "{case}: edge at {} outside the period",
                edge.time
            );
        }
        assert!(first.time < second.time, "{case}: edges not ordered");
        assert_ne!(first.kind, second.kind, "{case}: edges do not alternate");
    }
}

#[test]
fn pattern_matches_brute_force_grid() {
    let mut cases = 0;
    for kind in KINDS {
        for phase in phases() {
            let carrier = Carrier::new(kind, PERIOD, phase).unwrap();
            for duty in duties() {
                let case = format!("{kind:?} phase {phase} duty {duty}");
                let pattern = carrier.pattern(duty);
                let levels: Vec<bool> = (0..SAMPLES)
                    .map(|i| reference_is_on(kind, duty, phase, sample_time(i, SAMPLES)))
                    .collect();
                assert_edges_well_formed(&pattern, &case);
                assert_matches_samples(&pattern, &levels, &case);

                let on_time = pattern.on_time(PERIOD);
                assert!(
                    (on_time - duty * PERIOD).abs() < 1e-12 * PERIOD,
                    "{case}: on-time {on_time}"
                );
                let sampled_duty = levels.iter().filter(|&&l| l).count() as f64 / SAMPLES as f64;
                assert!(
                    (sampled_duty - duty).abs() <= 2.0 / SAMPLES as f64,
                    "{case}: sampled duty {sampled_duty}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 9000, "only {cases} cases");
}

#[test]
fn carrier_value_matches_comparison() {
    for kind in KINDS {
        let carrier = Carrier::new(kind, PERIOD, 0.3).unwrap();
        for i in 0..SAMPLES {
            let t = sample_time(i, SAMPLES);
            for duty in [0.2, 0.5, 0.9] {
                assert_eq!(
                    carrier.value(t) < duty,
                    reference_is_on(kind, duty, 0.3, t),
                    "{kind:?} at {t}"
                );
            }
        }
    }
}

#[test]
fn edges_at_phase_zero() {
    let d = 0.25;
    let trailing = Carrier::new(CarrierKind::TrailingEdge, PERIOD, 0.0).unwrap();
    let leading = Carrier::new(CarrierKind::LeadingEdge, PERIOD, 0.0).unwrap();
    let centre = Carrier::new(CarrierKind::CenterAligned, PERIOD, 0.0).unwrap();

    // Trailing edge: on at 0, off at d·T.
    assert_eq!(
        trailing.pattern(d),
        Pattern::Pulse {
            rise: 0.0,
            fall: d * PERIOD
        }
    );
    // Leading edge: on at (1 − d)·T, off at T, which wraps to 0.
    assert_eq!(
        leading.pattern(d),
        Pattern::Pulse {
            rise: 0.75 * PERIOD,
            fall: 0.0
        }
    );
    // Centre-aligned: on-time centred at T/2.
    assert_eq!(
        centre.pattern(d),
        Pattern::Pulse {
            rise: 0.375 * PERIOD,
            fall: 0.625 * PERIOD
        }
    );
}

#[test]
fn constant_duties_have_no_edges() {
    for kind in KINDS {
        let carrier = Carrier::new(kind, PERIOD, 0.4).unwrap();
        assert_eq!(carrier.pattern(0.0), Pattern::AlwaysOff);
        assert_eq!(carrier.pattern(1.0), Pattern::AlwaysOn);
        assert_eq!(carrier.pattern(-0.5), Pattern::AlwaysOff);
        assert_eq!(carrier.pattern(1.5), Pattern::AlwaysOn);
        assert_eq!(carrier.pattern(f64::NAN), Pattern::AlwaysOff);
        assert_eq!(carrier.pattern(0.5 * DUTY_EPSILON), Pattern::AlwaysOff);
        assert_eq!(carrier.pattern(1.0 - 0.5 * DUTY_EPSILON), Pattern::AlwaysOn);
        assert_eq!(carrier.pattern(0.0).edges(), None);
        assert_eq!(carrier.pattern(1.0).on_time(PERIOD), PERIOD);
    }
}

#[test]
fn interleaved_phases_shift_edges() {
    // Four interleaved trailing-edge phases: each turns on k·T/4 later.
    for k in 0..4 {
        let phase = interleaved_phase(k, 4);
        let carrier = Carrier::new(CarrierKind::TrailingEdge, PERIOD, phase).unwrap();
        let Some([first, _]) = carrier.pattern(0.1).edges() else {
            panic!("phase {k} has no edges");
        };
        assert_eq!(first.kind, EdgeKind::Rising);
        assert!((first.time - k as f64 * PERIOD / 4.0).abs() < 1e-18);
    }
}

#[test]
fn phase_conversions() {
    assert_eq!(interleaved_phase(2, 3), 2.0 / 3.0);
    assert_eq!(interleaved_phase(5, 3), 2.0 / 3.0);
    assert_eq!(interleaved_phase(1, 0), 0.0);
    assert_eq!(phase_from_degrees(90.0), 0.25);
    assert_eq!(phase_from_degrees(-90.0), 0.75);
    assert_eq!(phase_from_degrees(720.0), 0.0);
    assert!((phase_from_radians(core::f64::consts::PI) - 0.5).abs() < 1e-15);
    assert_eq!(phase_from_radians(f64::NAN), 0.0);
}

#[test]
fn carrier_rejects_bad_config() {
    let err = Carrier::new(CarrierKind::TrailingEdge, 0.0, 0.0).unwrap_err();
    assert_eq!(err.field, "period");
    let err = Carrier::new(CarrierKind::TrailingEdge, PERIOD, f64::NAN).unwrap_err();
    assert_eq!(err.field, "phase");
    let carrier = Carrier::new(CarrierKind::TrailingEdge, PERIOD, 0.0).unwrap();
    assert!(ComplementaryPwm::new(carrier, -1e-9).is_err());
    assert!(ComplementaryPwm::new(carrier, 0.5 * PERIOD).is_err());
}

/// Deadtimes as fractions of the period.
const DEADTIMES: [f64; 5] = [0.0, 0.01, 0.05, 0.2, 0.49];

/// Duties for the deadtime grid: steps of 0.02 plus values 0.002 on either side of
/// both clamping thresholds.
fn deadtime_duties(dead_fraction: f64) -> Vec<f64> {
    let mut duties: Vec<f64> = (0..=50).map(|k| k as f64 / 50.0).collect();
    for threshold in [dead_fraction, 1.0 - dead_fraction] {
        duties.extend([threshold - 0.002, threshold + 0.002]);
    }
    duties.retain(|d| (0.0..=1.0).contains(d));
    duties
}

/// Phases for the deadtime grid: k/12 and values outside [0, 1).
fn deadtime_phases() -> Vec<f64> {
    let mut phases: Vec<f64> = (0..12).map(|k| k as f64 / 12.0).collect();
    phases.extend([1.0 / 5.0, -0.3, 1.7, 0.999]);
    phases
}

#[test]
fn deadtime_matches_brute_force_grid() {
    for kind in KINDS {
        for phase in deadtime_phases() {
            let carrier = Carrier::new(kind, PERIOD, phase).unwrap();
            for dead_fraction in DEADTIMES {
                let t_dead = dead_fraction * PERIOD;
                let pair = ComplementaryPwm::new(carrier, t_dead).unwrap();
                for duty in deadtime_duties(dead_fraction) {
                    let case =
                        format!("{kind:?} phase {phase} duty {duty} deadtime {dead_fraction}·T");
                    let pattern = pair.pattern(duty);

                    // Policy: duties whose high or low pulse would not exceed the
                    // deadtime are clamped to 0 or 1.
                    let expected_duty = if duty - dead_fraction < DUTY_EPSILON {
                        0.0
                    } else if 1.0 - duty - dead_fraction < DUTY_EPSILON {
                        1.0
                    } else {
                        duty
                    };
                    assert_eq!(pattern.duty, expected_duty, "{case}");

                    // Brute force: a switch turns on only after its ideal command has
                    // been on for t_dead.
                    let ideal = |t: f64| reference_is_on(kind, pattern.duty, phase, t);
                    let high: Vec<bool> = (0..SAMPLES)
                        .map(|i| sample_time(i, SAMPLES))
                        .map(|t| ideal(t) && ideal(t - t_dead))
                        .collect();
                    let low: Vec<bool> = (0..SAMPLES)
                        .map(|i| sample_time(i, SAMPLES))
                        .map(|t| !ideal(t) && !ideal(t - t_dead))
                        .collect();
                    assert_edges_well_formed(&pattern.high, &case);
                    assert_edges_well_formed(&pattern.low, &case);
                    assert_matches_samples(&pattern.high, &high, &format!("{case} high"));
                    assert_matches_samples(&pattern.low, &low, &format!("{case} low"));

                    let (high_on, low_on) = if pattern.duty == 0.0 || pattern.duty == 1.0 {
                        (pattern.duty * PERIOD, (1.0 - pattern.duty) * PERIOD)
                    } else {
                        (
                            pattern.duty * PERIOD - t_dead,
                            (1.0 - pattern.duty) * PERIOD - t_dead,
                        )
                    };
                    let tolerance = 1e-12 * PERIOD;
                    assert!(
                        (pattern.high.on_time(PERIOD) - high_on).abs() < tolerance,
                        "{case}: high on-time {}",
                        pattern.high.on_time(PERIOD)
                    );
                    assert!(
                        (pattern.low.on_time(PERIOD) - low_on).abs() < tolerance,
                        "{case}: low on-time {}",
                        pattern.low.on_time(PERIOD)
                    );
                }
            }
        }
    }
}

#[test]
fn deadtime_never_turns_on_both() {
    let spacing = PERIOD / SAMPLES as f64;
    for kind in KINDS {
        let carrier = Carrier::new(kind, PERIOD, 0.37).unwrap();
        let pair = ComplementaryPwm::new(carrier, 0.03 * PERIOD).unwrap();
        for duty in duties() {
            let pattern = pair.pattern(duty);
            for i in 0..SAMPLES {
                let t = i as f64 * spacing;
                assert!(
                    !(pattern.high.is_on_at(t, PERIOD) && pattern.low.is_on_at(t, PERIOD)),
                    "{kind:?} duty {duty}: shoot-through at {t}"
                );
            }
        }
    }
}

#[test]
fn deadtime_clamps_short_pulses() {
    let carrier = Carrier::new(CarrierKind::CenterAligned, PERIOD, 0.0).unwrap();
    let pair = ComplementaryPwm::new(carrier, 0.05 * PERIOD).unwrap();

    // d·T = 0.04·T < t_dead: the high side never turns on, the low side stays on.
    let short = pair.pattern(0.04);
    assert_eq!(short.duty, 0.0);
    assert_eq!(short.high, Pattern::AlwaysOff);
    assert_eq!(short.low, Pattern::AlwaysOn);

    // (1 − d)·T = 0.03·T < t_dead: the high side stays on.
    let long = pair.pattern(0.97);
    assert_eq!(long.duty, 1.0);
    assert_eq!(long.high, Pattern::AlwaysOn);
    assert_eq!(long.low, Pattern::AlwaysOff);

    // Just above the threshold both switches commutate.
    let normal = pair.pattern(0.06);
    assert_eq!(normal.duty, 0.06);
    assert!((normal.high.on_time(PERIOD) - 0.01 * PERIOD).abs() < 1e-12 * PERIOD);
    assert_eq!(pair.applied_duty(f64::NAN), 0.0);
}
