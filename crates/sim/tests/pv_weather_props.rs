//! Property tests of the TMY3 weather reader: random bytes and random edits of a
//! real file never panic, and whatever parses keeps its invariants.

use pelab_sim::models::pv::weather::{EMBEDDED_TMY3, Weather, parse_tmy3};
use proptest::prelude::*;

fn head(lines: usize) -> String {
    EMBEDDED_TMY3
        .lines()
        .take(lines)
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_invariants(weather: &Weather) {
    assert!(!weather.records.is_empty());
    for pair in weather.records.windows(2) {
        let index =
            |r: &pelab_sim::models::pv::weather::HourRecord| (r.day_of_year() - 1) * 24 + r.hour;
        assert_eq!(index(&pair[1]), index(&pair[0]) + 1);
    }
    for r in &weather.records {
        assert!(r.ghi.is_finite());
        assert!((0.0..=1500.0).contains(&r.ghi));
        assert!(r.temp_air.is_finite());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(weather) = parse_tmy3(&bytes) {
            check_invariants(&weather);
        }
    }

    #[test]
    fn edited_file_never_panics(
        position in 0usize..6000,
        replacement in proptest::collection::vec(any::<u8>(), 0..8),
        cut in 0usize..4,
    ) {
        let mut bytes = head(60).into_bytes();
        let at = position.min(bytes.len());
        let end = (at + cut).min(bytes.len());
        bytes.splice(at..end, replacement);
        if let Ok(weather) = parse_tmy3(&bytes) {
            check_invariants(&weather);
            if let Ok(window) = weather.day_window(1) {
                prop_assert!(window.sample(43_200.0).ghi.is_finite());
            }
        }
    }
}

#[test]
fn fuzz_corpus_parses_or_errors() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/tmy3_reader");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus folder").flatten() {
        let bytes = std::fs::read(entry.path()).expect("readable corpus file");
        match parse_tmy3(&bytes) {
            Ok(weather) => check_invariants(&weather),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
        count += 1;
    }
    assert!(count >= 5, "{count} corpus files");
}
