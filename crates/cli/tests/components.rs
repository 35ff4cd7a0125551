//! `pelab components` as a user runs it: listing, showing and importing parts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs pelab with the user library in `library`.
fn pelab(library: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pelab"))
        .args(args)
        .current_dir(workspace_root())
        .env("PELAB_LIBRARY", library)
        .output()
        .expect("the pelab binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn list_shows_all_built_in_parts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pelab(dir.path(), &["components", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(parsed.as_array().map(Vec::len), Some(23));

    let gan = pelab(
        dir.path(),
        &["components", "list", "--kind", "gan", "--json"],
    );
    let parsed: serde_json::Value = serde_json::from_slice(&gan.stdout).expect("JSON");
    assert_eq!(parsed[0]["name"], "GaNSystems_GS66506T");
    assert_eq!(parsed.as_array().map(Vec::len), Some(1));

    let igbt = pelab(dir.path(), &["components", "list", "--kind", "igbt"]);
    let text = stdout(&igbt);
    assert!(text.contains("Semikron_SKM400GB12T4"), "{text}");
    assert!(!text.contains("CREE_"), "{text}");

    let bad = pelab(dir.path(), &["components", "list", "--kind", "thyristor"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn show_prints_key_figures_and_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pelab(dir.path(), &["components", "show", "c3m0016120k"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "Rds_on 25 °C",
        "Eon",
        "Qg 210.8 nC",
        "Coss at 400 V",
        "RthJC",
        "findings",
    ] {
        assert!(text.contains(expected), "missing {expected}: {text}");
    }

    let json = pelab(dir.path(), &["components", "show", "GS66506T", "--json"]);
    assert!(json.status.success(), "{}", stderr(&json));
    let parsed: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(parsed["kind"], "gan_hemt");
    let rds = parsed["rds_on_25c_ohm"]["value"].as_f64().expect("Rds_on");
    // The file's r_channel_th gives 67 mΩ nominal at 6.7 A and 25 °C; at the rated
    // 18 A the channel curve gives a little more.
    assert!(rds > 0.05, "{rds}");
    assert!(rds < 0.1, "{rds}");
    assert!(parsed["findings"].as_array().is_some_and(|f| !f.is_empty()));
}

#[test]
fn list_reports_broken_user_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("Broken_X1.json"), "{not json").expect("write");
    let out = pelab(dir.path(), &["components", "list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let broken = parsed
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["name"] == "Broken_X1")
        .expect("listed");
    let error = broken["error"].as_str().expect("error text");
    assert!(error.contains("invalid JSON at line 1"), "{error}");
    assert_eq!(parsed.as_array().map(Vec::len), Some(24));
}

#[test]
fn show_unknown_part_fails_with_hint() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = pelab(dir.path(), &["components", "show", "NOPE123"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pelab components list"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_adds_part_and_needs_force_to_replace() {
    let dir = tempfile::tempdir().expect("temp dir");
    let library = dir.path().join("lib");
    let original = workspace_root().join("data/transistors/GaNSystems_GS66506T.json");
    let text = std::fs::read_to_string(&original).expect("part file");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    json["name"] = serde_json::Value::from("My_GS66506T_lot7");
    let renamed = dir.path().join("lot7.json");
    std::fs::write(&renamed, json.to_string()).expect("write");
    let renamed = renamed.to_str().expect("UTF-8 path");

    let first = pelab(&library, &["components", "import", renamed]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains("imported My_GS66506T_lot7"),
        "{}",
        stdout(&first)
    );
    assert!(library.join("My_GS66506T_lot7.json").exists());

    let again = pelab(&library, &["components", "import", renamed]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));

    let forced = pelab(&library, &["components", "import", renamed, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert!(stdout(&forced).contains("replaced"), "{}", stdout(&forced));

    // A file with a built-in part's name needs --force, because it would replace the
    // built-in part in every design.
    let original = original.to_str().expect("UTF-8 path");
    let shadowing = pelab(&library, &["components", "import", original]);
    assert_eq!(shadowing.status.code(), Some(2));
    assert!(
        stderr(&shadowing).contains("built-in part"),
        "{}",
        stderr(&shadowing)
    );
    let forced = pelab(&library, &["components", "import", original, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));

    // The user copy then shadows the built-in part in the list.
    let list = pelab(&library, &["components", "list", "--json"]);
    let parsed: serde_json::Value = serde_json::from_slice(&list.stdout).expect("JSON");
    let gan: Vec<&serde_json::Value> = parsed
        .as_array()
        .expect("array")
        .iter()
        .filter(|p| p["name"] == "GaNSystems_GS66506T")
        .collect();
    assert_eq!(gan.len(), 1);
    assert_eq!(gan[0]["source"]["kind"], "user");
}

#[test]
fn import_rejects_part_without_usable_data() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("empty.json");
    std::fs::write(
        &file,
        r#"{"name": "Empty_part", "type": "SiC-MOSFET", "v_abs_max": 600}"#,
    )
    .expect("write");
    let library = dir.path().join("lib");
    let out = pelab(
        &library,
        &["components", "import", file.to_str().expect("UTF-8")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no channel curve and no switching energies"),
        "{}",
        stderr(&out)
    );
    assert!(!library.join("Empty_part.json").exists());
}

#[test]
fn import_rejects_non_lea_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("design.json");
    std::fs::write(&file, r#"{"kernel": "buck"}"#).expect("write");
    let out = pelab(
        &dir.path().join("lib"),
        &["components", "import", file.to_str().expect("UTF-8")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("missing name"), "{}", stderr(&out));
    assert!(!dir.path().join("lib").exists());
}
