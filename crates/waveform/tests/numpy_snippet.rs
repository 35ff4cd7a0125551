//! Runs the numpy loading example from FORMAT.md against a file written by
//! `write_pwf_file`, so the documented snippet cannot drift from the format.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use pelab_waveform::{SignalInfo, SignalKind, Waveforms, pwf};

/// Returns the first fenced `python` block of FORMAT.md.
fn python_block() -> String {
    let format = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/FORMAT.md"))
        .expect("FORMAT.md is readable");
    let start = format
        .find("```python\n")
        .expect("FORMAT.md has a python block")
        + 10;
    let length = format[start..].find("```").expect("python block is closed");
    format[start..start + length].to_owned()
}

fn numpy_available() -> bool {
    Command::new("python3")
        .args(["-c", "import numpy"])
        .output()
        .is_ok_and(|output| output.status.success())
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory can be created");
    dir
}

#[test]
fn numpy_snippet_loads_pwf() {
    if !numpy_available() {
        eprintln!("skipped: python3 with numpy is not available");
        return;
    }
    let n = 1_001;
    let time: Vec<f64> = (0..n).map(|k| k as f64 * 1e-6).collect();
    let current: Vec<f64> = time.iter().map(|t| (t * 2e4).sin() + 0.1).collect();
    let gate: Vec<f64> = (0..n).map(|k| (k / 10 % 2) as f64).collect();
    let mut metadata = BTreeMap::new();
    metadata.insert("solver".to_owned(), "radau5".to_owned());
    let waves = Waveforms::new(
        vec![
            SignalInfo::new("i_L", "A", SignalKind::State),
            SignalInfo::new("gate_hs", "", SignalKind::Gate),
        ],
        time.clone(),
        vec![current.clone(), gate.clone()],
    )
    .expect("consistent columns")
    .with_metadata(metadata);

    let dir = scratch_dir("numpy-snippet");
    pwf::write_pwf_file(dir.join("run.pwf"), &waves).expect("file is written");

    // The snippet defines `time`, `signals` and `header`. Print them one
    // item per line, floats as repr (shortest round-trip form), because
    // serde_json does not parse every float to the nearest f64.
    let script = format!(
        "{}\nprint(header['signals'][1]['kind'])\nprint(header['metadata']['solver'])\n\
         for column in (time, signals['i_L'], signals['gate_hs']):\n    \
         print(','.join(repr(v) for v in column.tolist()))\n",
        python_block()
    );
    let output = Command::new("python3")
        .args(["-c", &script])
        .current_dir(&dir)
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("python prints UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "python output: {stdout}");
    assert_eq!(lines[0], "gate");
    assert_eq!(lines[1], "radau5");
    for (line, expected, name) in [
        (lines[2], &time, "time"),
        (lines[3], &current, "i_L"),
        (lines[4], &gate, "gate_hs"),
    ] {
        let loaded: Vec<f64> = line
            .split(',')
            .map(|text| text.parse().expect("python prints floats"))
            .collect();
        assert_eq!(loaded.len(), expected.len(), "{name} length");
        let mismatch = loaded
            .iter()
            .zip(expected.iter())
            .position(|(a, b)| a.to_bits() != b.to_bits());
        assert_eq!(mismatch, None, "{name}: first differing sample");
    }
    std::fs::remove_dir_all(&dir).expect("scratch directory can be removed");
}
