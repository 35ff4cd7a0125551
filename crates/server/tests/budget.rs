//! Sample budgets are checked when a design or a run is submitted, not when a worker
//! has already started it.

mod common;

use serde_json::{Value, json};

/// Builds a design body from an example file, as the web UI or a script sends it.
fn example_body(file: &str) -> Value {
    let path = format!("{}/../../examples/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the example is readable");
    let doc: toml::Value = toml::from_str(&text).expect("the example is TOML");
    let doc = serde_json::to_value(doc).expect("TOML converts to JSON");
    let mut body = json!({
        "name": doc["title"],
        "topology": doc["kernel"],
    });
    for (section, field) in [
        ("parameters", "parameters"),
        ("control", "controller"),
        ("simulation", "simulation"),
        ("devices", "devices"),
        ("thermal", "thermal"),
    ] {
        if let Some(v) = doc.get(section) {
            body[field] = v.clone();
        }
    }
    body
}

async fn post(http: &reqwest::Client, url: String, body: &Value) -> (u16, Value) {
    let r = http
        .post(url)
        .json(body)
        .send()
        .await
        .expect("the server answers");
    let status = r.status().as_u16();
    (status, r.json().await.expect("a JSON body"))
}

fn first_field(problem: &Value) -> (String, String) {
    let e = &problem["errors"][0];
    (
        e["field"].as_str().unwrap_or_default().to_string(),
        e["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_budgets_rejected_at_submission() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = common::start(data.path(), None, &[]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let (status, project) = post(
        &http,
        format!("{base}/projects"),
        &json!({"name": "budgets", "domain": "EV"}),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let project_id = project["id"].as_str().expect("an id").to_string();

    // A model kernel (PMSM drive): 0.05 s at 5 µs records about 10 000 samples.
    let mut drive = example_body("ev-traction-400v.toml");
    drive["simulation"]["max_samples"] = json!(1000);
    let (status, problem) = post(
        &http,
        format!("{base}/projects/{project_id}/designs"),
        &drive,
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (field, message) = first_field(&problem);
    assert_eq!(field, "simulation.max_samples", "{problem}");
    assert!(message.contains("1000"), "{message}");

    // The same design with room for its samples is stored, with its own title.
    drive["simulation"]["max_samples"] = json!(20_000);
    drive["name"] = json!("traction 400 V");
    drive["title"] = json!("EV traction 400 V at 6000 rpm");
    let (status, stored) = post(
        &http,
        format!("{base}/projects/{project_id}/designs"),
        &drive,
    )
    .await;
    assert_eq!(status, 201, "{stored}");
    assert_eq!(stored["name"], "traction 400 V");
    assert_eq!(stored["document"]["title"], "EV traction 400 V at 6000 rpm");

    // A run request's own budget overrides the design's and is checked too.
    let run = json!({"project_id": project_id, "design_id": stored["id"], "max_samples": 500});
    let (status, problem) = post(&http, format!("{base}/simulate/run"), &run).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(first_field(&problem).0, "max_samples", "{problem}");

    // A circuit kernel (interleaved boost): 4 ms at 200 ns is 20 000 samples.
    let mut boost = common::boost_design("boost");
    boost["project_id"] = json!(project_id);
    boost["topology"] = json!("interleaved_boost");
    boost.as_object_mut().expect("an object").remove("name");
    boost["max_samples"] = json!(100);
    let (status, problem) = post(&http, format!("{base}/simulate/run"), &boost).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(first_field(&problem).0, "max_samples", "{problem}");

    // Nothing was queued by the refused requests.
    let runs: Value = http
        .get(format!("{base}/runs?project_id={project_id}"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    assert_eq!(runs.as_array().map(Vec::len), Some(0), "{runs}");

    server.shutdown().await;
}
