//! The built-in parts, name lookup, the user library and the generated docs table.

use std::path::{Path, PathBuf};

use pelab_components::diagnostics::Severity;
use pelab_components::library::{
    Library, LibraryError, Source, built_in_names, built_in_table_markdown, load_built_in,
};
use pelab_components::semiconductor::DeviceKind;

fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "pelab-semis-{label}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary directory");
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const EXPECTED_KINDS: [(&str, DeviceKind); 23] = [
    ("CREE_C3M0016120K", DeviceKind::SicMosfet),
    ("CREE_C3M0060065J", DeviceKind::SicMosfet),
    ("CREE_C3M0065100J", DeviceKind::SicMosfet),
    ("CREE_C3M0120065J", DeviceKind::SicMosfet),
    ("CREE_C3M0120100J", DeviceKind::SicMosfet),
    ("CREE_CAB530M12BM3", DeviceKind::SicMosfet),
    ("CREE_WAB300M12BM3", DeviceKind::SicMosfet),
    ("Fuji_2MBI100XAA120-50", DeviceKind::Igbt),
    ("Fuji_2MBI200XAA065-50", DeviceKind::Igbt),
    ("Fuji_2MBI200XBE120-50", DeviceKind::Igbt),
    ("Fuji_2MBI300XBE065-50", DeviceKind::Igbt),
    ("Fuji_2MBI300XBE120-50", DeviceKind::Igbt),
    ("Fuji_2MBI400U2B-060", DeviceKind::Igbt),
    ("Fuji_2MBI400XBE065-50", DeviceKind::Igbt),
    ("Fuji_2MBI600XEE065-50", DeviceKind::Igbt),
    ("GaNSystems_GS66506T", DeviceKind::GanHemt),
    ("Infineon_FF200R12KE3", DeviceKind::Igbt),
    ("Infineon_FF300R12KE3", DeviceKind::Igbt),
    ("Infineon_IPBE65R050CFD7A", DeviceKind::SiMosfet),
    ("Mitsubishi_CM200DY-24T", DeviceKind::Igbt),
    ("ROHMSemiconductor_SCT3060AW7", DeviceKind::SicMosfet),
    ("Semikron_SKM400GB12T4", DeviceKind::Igbt),
    ("UnitedSiC_UF3SC065007K4S", DeviceKind::SicMosfet),
];

#[test]
fn every_built_in_part_loads() {
    assert_eq!(built_in_names().len(), 23);
    for (name, kind) in EXPECTED_KINDS {
        let part = load_built_in(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let errors = part
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        println!("{name}: {} findings, {errors} errors", part.findings.len());
        assert_eq!(part.transistor.kind, kind, "{name}");
        assert!(part.transistor.channel.is_some(), "{name}: channel");
        assert!(part.transistor.e_on.is_some(), "{name}: Eon");
        assert!(part.transistor.e_off.is_some(), "{name}: Eoff");
        assert!(
            part.transistor.thermal.r_th_jc_k_per_w.is_some(),
            "{name}: RthJC"
        );
        assert_eq!(
            part.transistor.findings, part.findings,
            "{name}: findings copy"
        );
    }
}

#[test]
fn reciprocal_foster_capacities_are_named() {
    // Fuji_2MBI100XAA120-50: r = 0.0301 K/W, τ = 0.0023 s and c_th = 13.09, which is
    // r/τ, not the capacity τ/r = 0.076 J/K.
    let part = load_built_in("Fuji_2MBI100XAA120-50").expect("loads");
    assert!(
        part.findings
            .iter()
            .any(|f| f.curve == "switch.thermal_foster"
                && f.message.contains("reciprocal of a capacity"))
    );
    let c = part.transistor.thermal.foster_c_j_per_k();
    assert!((c[0] - 0.0023 / 0.0301).abs() < 1e-12);
}

#[test]
fn trimmed_file_matches_original() {
    let dir = repository_root().join("data/transistors");
    let read = |path: PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).expect("file")).expect("JSON")
    };
    let mut original = read(dir.join("GaNSystems_GS66506T.json"));
    let trimmed = read(dir.join("trimmed/GaNSystems_GS66506T.json"));
    let removed = original
        .as_object_mut()
        .expect("object")
        .remove("raw_measurement_data");
    assert!(removed.is_some_and(|raw| raw.as_array().is_some_and(|a| !a.is_empty())));
    assert_eq!(original, trimmed);
}

#[test]
fn lookup_ignores_case_and_prefix() {
    let library = Library::new(None);
    let (name, source) = library.resolve("c3m0016120k").expect("part number");
    assert_eq!(name, "CREE_C3M0016120K");
    assert!(matches!(source, Source::BuiltIn { .. }));
    assert_eq!(
        library.resolve("gaNsystems_gs66506t").expect("full").0,
        "GaNSystems_GS66506T"
    );
    assert_eq!(
        library.resolve("SKM400GB12T4").expect("number").0,
        "Semikron_SKM400GB12T4"
    );
    let missing = library.resolve("XYZ123").expect_err("unknown part");
    assert!(matches!(missing, LibraryError::NotFound { .. }));
    assert!(missing.to_string().contains("pelab components list"));
}

#[test]
fn import_adds_part_and_refuses_overwrite() {
    let dir = TempDir::new("import");
    let library = Library::new(Some(dir.0.join("components")));
    let source = repository_root().join("data/transistors/CREE_C3M0120065J.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&source).expect("file")).expect("JSON");
    json["name"] = serde_json::Value::from("Test_PART1");
    let file = dir.0.join("part.json");
    std::fs::write(&file, serde_json::to_string(&json).expect("text")).expect("write");

    let imported = library.import(&file, false).expect("first import");
    assert!(!imported.replaced);
    assert_eq!(imported.path, dir.0.join("components/Test_PART1.json"));
    let (name, source) = library.resolve("part1").expect("found by part number");
    assert_eq!(name, "Test_PART1");
    assert!(matches!(source, Source::User { .. }));
    assert_eq!(
        library.load("test_part1").expect("loads").transistor.kind,
        DeviceKind::SicMosfet
    );

    let again = library.import(&file, false).expect_err("exists");
    assert!(
        matches!(again, LibraryError::AlreadyExists { .. }),
        "{again}"
    );
    let forced = library.import(&file, true).expect("forced");
    assert!(forced.replaced);
    let leftovers: Vec<_> = std::fs::read_dir(dir.0.join("components"))
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary files left: {leftovers:?}");
}

#[test]
fn import_rejects_invalid_file_without_writing() {
    let dir = TempDir::new("invalid");
    let library = Library::new(Some(dir.0.join("components")));
    let file = dir.0.join("broken.json");
    std::fs::write(
        &file,
        r#"{"name": "X", "type": "IGBT", "v_abs_max": "1200"}"#,
    )
    .expect("write");
    let error = library.import(&file, false).expect_err("invalid");
    let message = error.to_string();
    assert!(message.contains("v_abs_max"), "{message}");
    assert!(!dir.0.join("components").exists());
}

#[test]
fn import_rejects_name_without_letters() {
    let dir = TempDir::new("name");
    let library = Library::new(Some(dir.0.join("components")));
    let source = repository_root().join("data/transistors/CREE_C3M0120065J.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&source).expect("file")).expect("JSON");
    json["name"] = serde_json::Value::from("../..");
    let file = dir.0.join("part.json");
    std::fs::write(&file, serde_json::to_string(&json).expect("text")).expect("write");
    let error = library
        .import(&file, false)
        .expect_err("no usable file name");
    assert!(matches!(error, LibraryError::InvalidName { .. }), "{error}");
    assert!(!dir.0.join("components").exists());
}

#[test]
fn docs_table_is_current() {
    let docs_path = repository_root().join("docs/components.md");
    let docs = std::fs::read_to_string(&docs_path).expect("docs/components.md");
    let start_marker = "<!-- built-in parts: begin (generated by built_in_table_markdown) -->\n";
    let end_marker = "<!-- built-in parts: end -->";
    let start = docs.find(start_marker).expect("begin marker") + start_marker.len();
    let end = docs.find(end_marker).expect("end marker");
    let expected = built_in_table_markdown();
    if docs[start..end] != expected {
        if std::env::var_os("PELAB_UPDATE_DOCS").is_some() {
            let updated = format!("{}{expected}{}", &docs[..start], &docs[end..]);
            std::fs::write(&docs_path, updated).expect("docs written");
            return;
        }
        panic!(
            "the built-in parts table in docs/components.md is stale; rerun this test \
             with PELAB_UPDATE_DOCS=1 to regenerate it"
        );
    }
}
