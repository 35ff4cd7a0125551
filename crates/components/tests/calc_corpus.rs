//! The `calc_requests` fuzz target's property on its seed corpus and on random edits
//! of the seeds, so that `cargo test` exercises the JSON calculators without
//! cargo-fuzz: a response or an error, never a panic.

use std::path::Path;

use pelab_components::library::resolve_switch_model;
use pelab_components::loss::{LossRequest, calc_losses};
use pelab_components::thermal::{ThermalRequest, calc_thermal};
use proptest::prelude::*;

const SEEDS: [&str; 3] = [
    "losses-inverter.json",
    "losses-boost-passives.json",
    "thermal.json",
];

fn seed(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/calc_requests")
        .join(name);
    std::fs::read_to_string(path).expect("seed file")
}

/// Checks the property of `fuzz/fuzz_targets/calc_requests.rs` on `text`.
fn exercise(text: &str) {
    if let Ok(request) = serde_json::from_str::<LossRequest>(text)
        && let Ok(response) = calc_losses(&request, &resolve_switch_model)
    {
        assert!(!response.total_w.is_nan());
    }
    if let Ok(request) = serde_json::from_str::<ThermalRequest>(text) {
        let _ = calc_thermal(&request);
    }
}

#[test]
fn seeds_compute() {
    for name in SEEDS {
        let text = seed(name);
        exercise(&text);
    }
    let losses: LossRequest = serde_json::from_str(&seed("losses-boost-passives.json")).unwrap();
    assert!(calc_losses(&losses, &resolve_switch_model).is_ok());
    let thermal: ThermalRequest = serde_json::from_str(&seed("thermal.json")).unwrap();
    assert!(calc_thermal(&thermal).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn edited_seeds_never_panic(
        which in 0usize..3,
        cut in 0.0f64..1.0,
        length in 0usize..30,
        insert in prop::sample::select(vec![
            "", "-1", "0", "1e308", "-1e308", "1e-320", "[]", "null", "\"x\"", "{}",
            "[0, 0]", "1e9", "\"GS66506T\"", "\"svpwm\"", "true",
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
