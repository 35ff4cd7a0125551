//! `pelab calc` as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pelab"))
        .args(args)
        .current_dir(workspace_root())
        .output()
        .expect("the pelab binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("temp file written");
    path.to_string_lossy().into_owned()
}

#[test]
fn losses_example_prints_json() {
    let output = pelab(&["calc", "losses", "examples/calc/losses-inverter.json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let inverter = &response["inverter_3ph"];
    let position = inverter["position"]["total_w"].as_f64().unwrap();
    let total = inverter["total_w"].as_f64().unwrap();
    assert!((total - 6.0 * position).abs() < 1e-9 * total);
    assert!(response["warnings"].as_array().unwrap().is_empty());
}

#[test]
fn losses_writes_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("result.json");
    let output = pelab(&[
        "calc",
        "losses",
        "examples/calc/losses-inverter.json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("\"conduction_forward_w\""));
}

#[test]
fn losses_rejects_invalid_requests() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("{ not json", "invalid request"),
        (r#"{ "devices": {} }"#, "nothing to compute"),
        (
            r#"{ "devices": { "T": { "part": "NO_SUCH_PART" } }, "inverter_3ph": null }"#,
            "devices.T.part: unknown part \"NO_SUCH_PART\"",
        ),
    ];
    for (index, (body, expected)) in cases.iter().enumerate() {
        let path = write(&dir, &format!("request{index}.json"), body);
        let output = pelab(&["calc", "losses", &path]);
        assert_eq!(output.status.code(), Some(2), "case {index}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "case {index}: {stderr}");
    }
    let output = pelab(&["calc", "losses", "/nonexistent/request.json"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn thermal_example_prints_json() {
    let output = pelab(&["calc", "thermal", "examples/calc/thermal.json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let tj_max = response["tj_max_c"].as_array().unwrap();
    assert!(!tj_max.is_empty());
    assert!(tj_max.iter().all(|t| t.as_f64().unwrap() > 0.0));
}

#[test]
fn thermal_rejects_negative_time_constant() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "thermal.json",
        r#"{ "sources": [ { "foster": { "r_k_per_w": [0.1], "tau_s": [-1] }, "power_w": 10 } ], "t_ambient_c": 25 }"#,
    );
    let output = pelab(&["calc", "thermal", &path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("tau_s"), "{stderr}");
}

#[test]
fn losses_warn_above_part_ratings() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        &dir,
        "request.json",
        r#"{ "devices": { "T": { "part": "C3M0060065J" } },
             "inverter_3ph": { "device": "T", "v_dc_v": 800, "i_peak_a": 20, "m": 0.9,
                 "phi_deg": 20, "f_sw_hz": 20000, "tj_c": 190, "modulation": "svpwm" } }"#,
    );
    let output = pelab(&["calc", "losses", &path]);
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("blocks up to 800.0 V, above its rating V_max = 650 V"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Tj reaches 190.0 °C, above Tj_max"),
        "{stderr}"
    );
}

#[test]
fn boost_and_passives_example_runs() {
    let output = pelab(&["calc", "losses", "examples/calc/losses-boost-passives.json"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let parts = [
        response["boost"]["total_w"].as_f64().unwrap(),
        response["waveforms"][0]["total_w"].as_f64().unwrap(),
        response["inductors"]["L1"]["total_w"].as_f64().unwrap(),
        response["capacitors"]["C_out"]["loss_w"].as_f64().unwrap(),
    ];
    assert!(parts.iter().all(|p| *p > 0.0), "{parts:?}");
    let total = response["total_w"].as_f64().unwrap();
    assert!((total - parts.iter().sum::<f64>()).abs() < 1e-9 * total);
}

#[test]
fn validate_checks_design_parts() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(workspace_root().join("examples/ev-boost-sic-losses.toml"))
        .unwrap()
        .replace("S2 = \"CREE_C3M0016120K\"", "S2 = \"NOPE\"");
    let path = write(&dir, "design.toml", &text);
    let output = pelab(&["sim", "validate", &path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("devices.S2: unknown part \"NOPE\""),
        "{stderr}"
    );
}
