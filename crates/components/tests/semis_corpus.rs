//! The fuzz target's property on its seed corpus and on random edits of the seeds,
//! so that `cargo test` exercises it without cargo-fuzz.

use std::path::Path;

use pelab_components::import::lea::parse_str;
use pelab_components::loss::{Edge, SwitchModel};
use pelab_components::semiconductor::TransistorSummary;
use proptest::prelude::*;

fn seed(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/lea_import")
        .join(name);
    std::fs::read_to_string(path).expect("seed file")
}

const SEEDS: [&str; 3] = [
    "sic_trimmed.json",
    "igbt_pairs_and_string.json",
    "damaged.json",
];

/// Checks the property of `fuzz/fuzz_targets/lea_import.rs` on `text`.
fn exercise(text: &str) {
    let Ok(part) = parse_str(text) else {
        return;
    };
    let t = &part.transistor;
    for finding in &part.findings {
        assert_eq!(finding.part, t.name);
    }
    for (i, tj) in [(0.0, 25.0), (1.0, -40.0), (1e3, 175.0), (f64::NAN, 25.0)] {
        let _ = t.forward_voltage(i, tj);
        let _ = t.reverse_voltage(i, tj, true);
        let _ = t.reverse_voltage(i, tj, false);
        let _ = t.switching_energy(Edge::TurnOn, i, 400.0, tj);
        let _ = t.switching_energy(Edge::TurnOff, i, 400.0, tj);
        let _ = t.recovery_energy(i, 400.0, tj);
        let _ = t.rds_on(i, tj);
    }
    let _ = t.coss_energy(400.0);
    let _ = TransistorSummary::of(t);
}

#[test]
fn seeds_import() {
    for name in SEEDS {
        let part = parse_str(&seed(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        println!("{name}: {} findings", part.findings.len());
        exercise(&seed(name));
    }
    let damaged = parse_str(&seed("damaged.json")).expect("imports with findings");
    assert!(damaged.findings.len() >= 5, "{:#?}", damaged.findings);
    let igbt = parse_str(&seed("igbt_pairs_and_string.json")).expect("imports");
    assert!(igbt.transistor.channel.is_some(), "pairs layout read");
    assert!(
        igbt.transistor
            .e_on
            .as_ref()
            .is_some_and(|t| t.gate_resistance.is_some()),
        "string-encoded E(Rg) read"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edited_seeds_never_panic(
        which in 0usize..3,
        cut in 0.0f64..1.0,
        length in 0usize..40,
        insert in prop::sample::select(vec![
            "", "NaN", "-1e308", "1e308", "[]", "[[]]", "null", "\"x\"", "{}", "[[0,1],[0]]",
            "[[1,1],[2,2]]", "-Infinity", "0", "[[0,0],[0,0],[0,0]]",
        ]),
    ) {
        let text = seed(SEEDS[which]);
        let bytes = text.as_bytes();
        let start = ((bytes.len() as f64) * cut) as usize;
        let end = (start + length).min(bytes.len());
        let mut edited = bytes[..start].to_vec();
        edited.extend_from_slice(insert.as_bytes());
        edited.extend_from_slice(&bytes[end..]);
        if let Ok(edited) = String::from_utf8(edited) {
            exercise(&edited);
        }
    }
}
