//! Space-vector modulation against an independent reference table, and the
//! carrier-based zero-sequence methods.

use core::f64::consts::PI;

use pelab_control::svpwm::{ModulationStatus, SpaceVectorModulator, ZeroSequence, modulate_phases};
use pelab_control::transforms::{AlphaBeta, inverse_clarke};
use proptest::prelude::*;

const V_DC: f64 = 400.0;
const TS: f64 = 100e-6;

const ALL_METHODS: [ZeroSequence; 6] = [
    ZeroSequence::MinMax,
    ZeroSequence::Dpwm0,
    ZeroSequence::Dpwm1,
    ZeroSequence::Dpwm2,
    ZeroSequence::DpwmMin,
    ZeroSequence::DpwmMax,
];

const DPWM_METHODS: [ZeroSequence; 5] = [
    ZeroSequence::Dpwm0,
    ZeroSequence::Dpwm1,
    ZeroSequence::Dpwm2,
    ZeroSequence::DpwmMin,
    ZeroSequence::DpwmMax,
];

/// Phase references of the vector of length `magnitude` at `angle` \[rad\].
fn phase_references(magnitude: f64, angle: f64) -> [f64; 3] {
    let abc = inverse_clarke(AlphaBeta {
        alpha: magnitude * libm::cos(angle),
        beta: magnitude * libm::sin(angle),
        zero: 0.0,
    });
    [abc.a, abc.b, abc.c]
}

fn parse_status(text: &str) -> ModulationStatus {
    match text {
        "linear" => ModulationStatus::Linear,
        "overmodulation" => ModulationStatus::Overmodulation,
        "clamped" => ModulationStatus::Clamped,
        other => panic!("unknown status {other:?} in svpwm_reference.csv"),
    }
}

#[test]
fn svpwm_matches_reference_table() {
    // The table comes from tests/data/make_svpwm_reference.py (polar formulas with
    // atan2 and sines), the Rust code uses cross products. Times are compared as
    // fractions of Ts: both sides round a few operations on values of order 1, so
    // they agree to about 1e-15, and 1e-12 leaves margin without hiding a wrong
    // formula, which would differ by 1e-3 or more.
    let table = include_str!("data/svpwm_reference.csv");
    let mut rows = 0;
    for (line_number, line) in table.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 12, "line {}", line_number + 1);
        let number = |i: usize| -> f64 { fields[i].parse().unwrap() };
        let (v_alpha, v_beta, v_dc, ts) = (number(0), number(1), number(2), number(3));
        let sector: u8 = fields[4].parse().unwrap();

        let modulator = SpaceVectorModulator::new(ts).unwrap();
        let result = modulator.modulate(v_alpha, v_beta, v_dc);
        let context = format!("line {}: v = ({v_alpha}, {v_beta})", line_number + 1);

        assert_eq!(result.sector, sector, "{context}");
        assert_eq!(result.status, parse_status(fields[11]), "{context}");
        assert!(
            (result.t1 - number(5)).abs() < 1e-12 * ts,
            "{context}: t1 {}",
            result.t1
        );
        assert!(
            (result.t2 - number(6)).abs() < 1e-12 * ts,
            "{context}: t2 {}",
            result.t2
        );
        assert!(
            (result.t0 - number(7)).abs() < 1e-12 * ts,
            "{context}: t0 {}",
            result.t0
        );
        for phase in 0..3 {
            let expected = number(8 + phase);
            let duty = result.duties[phase];
            assert!(
                (duty - expected).abs() < 1e-12,
                "{context}: phase {phase} {duty} vs {expected}"
            );
        }
        rows += 1;
    }
    assert_eq!(rows, 50);
}

#[test]
fn svpwm_rejects_invalid_period() {
    for ts in [0.0, -1e-4, f64::NAN, f64::INFINITY] {
        let error = SpaceVectorModulator::new(ts).unwrap_err();
        assert_eq!(error.field, "ts");
    }
}

#[test]
fn svpwm_invalid_input_gives_zero_vector() {
    let modulator = SpaceVectorModulator::new(TS).unwrap();
    for (v_alpha, v_beta, v_dc) in [
        (f64::NAN, 0.0, V_DC),
        (0.0, f64::INFINITY, V_DC),
        (10.0, 0.0, 0.0),
        (10.0, 0.0, -V_DC),
        (10.0, 0.0, f64::NAN),
    ] {
        let result = modulator.modulate(v_alpha, v_beta, v_dc);
        assert_eq!(result.status, ModulationStatus::InvalidInput);
        assert_eq!(result.duties, [0.5; 3]);
        assert_eq!(result.t0, TS);
    }
}

#[test]
fn svpwm_clamps_to_hexagon_edge() {
    // 2·v_dc at 30° is far outside the hexagon, whose edge there is at v_dc/√3: the
    // clamped vector is V1·Ts/2 + V2·Ts/2, so da = 1, db = 1/2, dc = 0.
    let modulator = SpaceVectorModulator::new(TS).unwrap();
    let angle = PI / 6.0;
    let result = modulator.modulate(
        2.0 * V_DC * libm::cos(angle),
        2.0 * V_DC * libm::sin(angle),
        V_DC,
    );
    assert_eq!(result.status, ModulationStatus::Clamped);
    assert_eq!(result.sector, 1);
    assert!((result.t1 - TS / 2.0).abs() < 1e-12 * TS);
    assert!((result.t2 - TS / 2.0).abs() < 1e-12 * TS);
    assert_eq!(result.t0, 0.0);
    assert!((result.duties[0] - 1.0).abs() < 1e-12);
    assert!((result.duties[1] - 0.5).abs() < 1e-12);
    assert!(result.duties[2].abs() < 1e-12);
}

#[test]
fn phases_invalid_input_gives_half_duties() {
    for method in ALL_METHODS {
        let nan = modulate_phases(method, [f64::NAN, 0.0, 0.0], V_DC);
        assert_eq!(nan.status, ModulationStatus::InvalidInput);
        assert_eq!(nan.duties, [0.5; 3]);
        let bad_link = modulate_phases(method, [10.0, -5.0, -5.0], 0.0);
        assert_eq!(bad_link.status, ModulationStatus::InvalidInput);
        assert_eq!(bad_link.duties, [0.5; 3]);
    }
}

#[test]
fn line_to_line_averages_match_references() {
    // (d_x − d_y)·v_dc must equal v_x − v_y for every method. The duties are of order
    // 1 and carry a few ulps of rounding (about 1e-16), which v_dc = 400 V turns into
    // about 1e-13 V, below the 1e-12 V tolerance.
    let modulator = SpaceVectorModulator::new(TS).unwrap();
    for index in [0.0, 0.2, 0.6, 0.95, 1.0] {
        for k in 0..720 {
            let angle = (k as f64 + 0.3) * PI / 360.0;
            let magnitude = index * V_DC / 3f64.sqrt();
            let references = phase_references(magnitude, angle);
            let mut outputs: Vec<(String, [f64; 3])> = ALL_METHODS
                .iter()
                .map(|&method| {
                    let result = modulate_phases(method, references, V_DC);
                    assert_ne!(result.status, ModulationStatus::Clamped);
                    (format!("{method:?}"), result.duties)
                })
                .collect();
            let svpwm = modulator.modulate(
                magnitude * libm::cos(angle),
                magnitude * libm::sin(angle),
                V_DC,
            );
            outputs.push(("SVPWM".into(), svpwm.duties));

            for (name, duties) in outputs {
                for (x, y) in [(0, 1), (1, 2), (2, 0)] {
                    let average = (duties[x] - duties[y]) * V_DC;
                    let expected = references[x] - references[y];
                    assert!(
                        (average - expected).abs() < 1e-12,
                        "{name} index {index} step {k} pair ({x}, {y}): {average} vs {expected}"
                    );
                }
                assert!(
                    duties.iter().all(|d| (0.0..=1.0).contains(d)),
                    "{name}: {duties:?}"
                );
            }
        }
    }
}

#[test]
fn clamped_references_keep_direction() {
    // Outside the hexagon every method scales the references to the edge: the
    // line-to-line averages are the references times v_dc/(v_max − v_min).
    let references = phase_references(1.5 * V_DC, 0.4);
    let max = references.iter().cloned().fold(f64::MIN, f64::max);
    let min = references.iter().cloned().fold(f64::MAX, f64::min);
    let shrink = V_DC / (max - min);
    for method in ALL_METHODS {
        let result = modulate_phases(method, references, V_DC);
        assert_eq!(result.status, ModulationStatus::Clamped, "{method:?}");
        for (x, y) in [(0, 1), (1, 2), (2, 0)] {
            let average = (result.duties[x] - result.duties[y]) * V_DC;
            let expected = (references[x] - references[y]) * shrink;
            assert!((average - expected).abs() < 1e-12, "{method:?} ({x}, {y})");
        }
    }
}

/// Phase a's clamp over one fundamental period: for each rail, the number of
/// samples clamped and the circular mean angle \[deg\] of those samples.
struct ClampSegments {
    upper_samples: usize,
    upper_centre_deg: Option<f64>,
    lower_samples: usize,
    lower_centre_deg: Option<f64>,
}

fn circular_mean_deg(angles: &[f64]) -> Option<f64> {
    if angles.is_empty() {
        return None;
    }
    let sin: f64 = angles.iter().map(|a| libm::sin(*a)).sum();
    let cos: f64 = angles.iter().map(|a| libm::cos(*a)).sum();
    Some(libm::atan2(sin, cos).to_degrees())
}

const SAMPLES: usize = 3600;

fn phase_a_segments(method: ZeroSequence, index: f64) -> ClampSegments {
    let mut upper = Vec::new();
    let mut lower = Vec::new();
    for k in 0..SAMPLES {
        // The half-step offset keeps every sample off the boundaries between
        // segments, where two phases tie.
        let angle = (k as f64 + 0.5) * 2.0 * PI / SAMPLES as f64;
        let references = phase_references(index * V_DC / 3f64.sqrt(), angle);
        let result = modulate_phases(method, references, V_DC);
        let at_rail: Vec<usize> = (0..3)
            .filter(|&x| result.duties[x] == 0.0 || result.duties[x] == 1.0)
            .collect();
        assert_eq!(
            at_rail.len(),
            1,
            "{method:?} at {angle} rad: {:?}",
            result.duties
        );
        assert_eq!(
            result.clamped_phase,
            Some(at_rail[0]),
            "{method:?} at {angle} rad"
        );
        if result.duties[0] == 1.0 {
            upper.push(angle);
        } else if result.duties[0] == 0.0 {
            lower.push(angle);
        }
    }
    ClampSegments {
        upper_samples: upper.len(),
        upper_centre_deg: circular_mean_deg(&upper),
        lower_samples: lower.len(),
        lower_centre_deg: circular_mean_deg(&lower),
    }
}

fn assert_centre(actual: Option<f64>, expected_deg: f64, label: &str) {
    let actual = actual.unwrap_or_else(|| panic!("{label}: no clamped samples"));
    let difference = (actual - expected_deg + 540.0).rem_euclid(360.0) - 180.0;
    // Samples are 0.1° apart, so the centre of a contiguous segment is exact to
    // well below 0.1°.
    assert!(
        difference.abs() < 0.1,
        "{label}: centre {actual}° vs {expected_deg}°"
    );
}

#[test]
fn dpwm_clamps_one_phase_with_documented_segments() {
    // Widths in samples of 0.1°: 60° = 600 samples, 120° = 1200 samples. With the
    // half-step offset each segment contains exactly that many samples.
    for index in [0.1, 0.5, 0.99] {
        let min = phase_a_segments(ZeroSequence::DpwmMin, index);
        assert_eq!(min.upper_samples, 0);
        assert_eq!(min.lower_samples, 1200);
        assert_centre(min.lower_centre_deg, 180.0, "DPWMMIN lower");

        let max = phase_a_segments(ZeroSequence::DpwmMax, index);
        assert_eq!(max.upper_samples, 1200);
        assert_eq!(max.lower_samples, 0);
        assert_centre(max.upper_centre_deg, 0.0, "DPWMMAX upper");

        for (method, shift) in [
            (ZeroSequence::Dpwm0, -30.0),
            (ZeroSequence::Dpwm1, 0.0),
            (ZeroSequence::Dpwm2, 30.0),
        ] {
            let segments = phase_a_segments(method, index);
            let label = format!("{method:?} index {index}");
            assert_eq!(segments.upper_samples, 600, "{label}");
            assert_eq!(segments.lower_samples, 600, "{label}");
            assert_centre(segments.upper_centre_deg, shift, &label);
            assert_centre(segments.lower_centre_deg, 180.0 + shift, &label);
        }
    }
}

#[test]
fn dpwm_ignores_input_zero_sequence() {
    let references = phase_references(150.0, 1.0);
    for method in DPWM_METHODS {
        let plain = modulate_phases(method, references, V_DC);
        let shifted = modulate_phases(method, references.map(|v| v + 37.0), V_DC);
        assert_eq!(plain.clamped_phase, shifted.clamped_phase, "{method:?}");
        for phase in 0..3 {
            assert!(
                (plain.duties[phase] - shifted.duties[phase]).abs() < 1e-12,
                "{method:?}"
            );
        }
    }
}

proptest! {
    #[test]
    fn svpwm_equals_min_max_injection(
        fraction in 0.0..=1.0f64,
        angle in -PI..PI,
        v_dc in 10.0..1000.0f64,
    ) {
        // Inside the linear range both forms give the same duties. They are computed
        // by different routes (vector times and the phase spread), so they agree to
        // rounding, a few ulps of 1.
        let magnitude = fraction * v_dc / 3f64.sqrt();
        let modulator = SpaceVectorModulator::new(TS).unwrap();
        let svpwm = modulator.modulate(magnitude * libm::cos(angle), magnitude * libm::sin(angle), v_dc);
        let injection = modulate_phases(ZeroSequence::MinMax, phase_references(magnitude, angle), v_dc);
        prop_assert_ne!(svpwm.status, ModulationStatus::Clamped);
        for phase in 0..3 {
            prop_assert!((svpwm.duties[phase] - injection.duties[phase]).abs() < 1e-12);
        }
    }
}
