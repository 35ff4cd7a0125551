//! Property tests of the drive-cycle CSV parser: arbitrary bytes never panic, and
//! every accepted cycle meets the limits the parser promises.

use pelab_sim::models::drive_cycle::cycle::{
    MAX_ACCELERATION_MPS2, MAX_GRADE, MAX_SPEED_MPS, MAX_TIME_STEP_S, parse_cycle,
};
use proptest::prelude::*;

/// Checks the promises of `parse_cycle` on an accepted cycle.
fn assert_valid(bytes: &[u8]) {
    let Ok(cycle) = parse_cycle(bytes) else {
        return;
    };
    assert!(cycle.time_s.len() >= 2);
    assert_eq!(cycle.time_s.len(), cycle.speed_mps.len());
    assert_eq!(cycle.time_s.len(), cycle.grade.len());
    for w in cycle.time_s.windows(2) {
        assert!(w[1] > w[0], "time {} after {}", w[1], w[0]);
        assert!(w[1] - w[0] <= MAX_TIME_STEP_S, "gap after {}", w[0]);
    }
    for (k, v) in cycle.speed_mps.iter().enumerate() {
        assert!((0.0..=MAX_SPEED_MPS).contains(v), "speed {v}");
        assert!(cycle.grade[k].abs() <= MAX_GRADE);
        if k > 0 {
            let a = (v - cycle.speed_mps[k - 1]) / (cycle.time_s[k] - cycle.time_s[k - 1]);
            assert!(
                a.abs() <= MAX_ACCELERATION_MPS2 * (1.0 + 1e-12),
                "acceleration {a}"
            );
        }
    }
}

/// Text that looks like a cycle file: a header from a small set and rows of numbers,
/// some of them broken.
fn cycle_like() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just("cycSecs,cycMps,cycGrade,cycRoadType"),
        Just("time_s,speed_kmh"),
        Just("t,speed_mph,grade"),
        Just("time,speed"),
        Just("speed_mps"),
    ];
    let row = (
        -5.0f64..2000.0,
        -10.0f64..150.0,
        -1.0f64..1.0,
        prop_oneof![Just(""), Just(",0"), Just(",x"), Just(",,")],
    )
        .prop_map(|(t, v, g, tail)| format!("{t},{v},{g}{tail}"));
    (header, proptest::collection::vec(row, 0..40))
        .prop_map(|(header, rows)| format!("{header}\n{}", rows.join("\n")))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parser_survives_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        assert_valid(&bytes);
    }

    #[test]
    fn parser_survives_cycle_like_text(text in cycle_like()) {
        assert_valid(text.as_bytes());
    }

    #[test]
    fn valid_traces_are_accepted(
        speeds in proptest::collection::vec(0.0f64..30.0, 2..200),
    ) {
        // Speeds 0..30 m/s at 5 s spacing keep every acceleration below 6 m/s².
        let mut text = String::from("time_s,speed_mps\n");
        for (k, v) in speeds.iter().enumerate() {
            text.push_str(&format!("{},{v}\n", 5 * k));
        }
        let cycle = parse_cycle(text.as_bytes()).expect("valid trace");
        prop_assert_eq!(cycle.speed_mps, speeds);
    }
}

#[test]
fn parser_survives_fuzz_corpus() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/drive_cycle_csv");
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("corpus {} is missing: {e}", dir.display()));
    let mut count = 0;
    for entry in entries {
        let path = entry.expect("readable corpus entry").path();
        assert_valid(&std::fs::read(&path).expect("readable corpus file"));
        count += 1;
    }
    assert!(count > 0, "empty corpus in {}", dir.display());
}
