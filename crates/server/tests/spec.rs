//! The committed API description stays in step with the code: `spec/openapi.json`
//! and the design JSON Schemas in `spec/schemas/` are regenerated from the Rust types.
//! Run with `PELAB_UPDATE_SPEC=1` to rewrite them after an API change.

use std::path::PathBuf;

fn spec_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../spec")
}

fn check(path: PathBuf, fresh: &str) {
    if std::env::var("PELAB_UPDATE_SPEC").is_ok() {
        std::fs::write(&path, fresh).expect("the spec file is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `PELAB_UPDATE_SPEC=1 cargo test -p pelab-server --test spec` \
         and commit the result",
        path.display()
    );
}

#[test]
fn openapi_document_is_current() {
    let text = pelab_server::app::openapi_json();
    let doc: serde_json::Value = serde_json::from_str(&text).expect("the test step succeeds");
    assert_eq!(doc["openapi"], "3.1.0");
    for path in [
        "/api/v1/simulate/run",
        "/api/v1/simulate/run/{id}",
        "/api/v1/simulate/stream/{id}",
        "/api/v1/calc/losses",
        "/api/v1/calc/thermal",
        "/api/v1/projects",
        "/api/v1/components",
        "/api/v1/runs",
        "/api/v1/runs/{id}/export.csv",
        "/api/v1/runs/{id}/report.pdf",
        "/health",
        "/ready",
        "/metrics",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} is missing");
    }
    check(spec_dir().join("openapi.json"), &text);
}

#[test]
fn design_schemas_are_current() {
    let dir = spec_dir().join("schemas");
    std::fs::create_dir_all(&dir).expect("the test step succeeds");
    for name in pelab_server::schema::kernel_names() {
        let schema = pelab_server::schema::design_schema(name).expect("the test step succeeds");
        let mut text = serde_json::to_string_pretty(&schema).expect("the test step succeeds");
        text.push('\n');
        check(dir.join(format!("design-{name}.json")), &text);
    }
}

/// Every shipped example validates against its kernel's schema's required fields and
/// parameter names (the simulator's own validation is the full check).
#[test]
fn examples_use_only_schema_parameters() {
    let examples = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for entry in std::fs::read_dir(examples).expect("the test step succeeds") {
        let path = entry.expect("the test step succeeds").path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let table: toml::Table =
            toml::from_str(&std::fs::read_to_string(&path).expect("the test step succeeds"))
                .expect("the test step succeeds");
        let kernel = table["kernel"]
            .as_str()
            .expect("the field has the expected type");
        let schema = pelab_server::schema::design_schema(kernel).expect("the test step succeeds");
        for section in ["parameters", "control", "simulation"] {
            let Some(values) = table.get(section).and_then(|v| v.as_table()) else {
                continue;
            };
            let props = &schema["properties"][section]["properties"];
            for key in values.keys() {
                assert!(
                    props[key].is_object(),
                    "{}: {section}.{key} is not in the schema",
                    path.display()
                );
            }
        }
    }
}
