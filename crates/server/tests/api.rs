//! The HTTP and WebSocket API end to end, on SQLite and on a real PostgreSQL:
//! projects, designs with validation, a queued simulation streamed live, downsampled
//! waveforms, CSV export, the PDF report, and the error responses.

mod common;

use futures_util::StreamExt;
use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

async fn flow(database_url: Option<String>) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), database_url, &[("PELAB_BODY_LIMIT", "65536")]).await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;

    // A project, then a stale update.
    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "OBC front end", "domain": "EV"}))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    let pid = project["id"]
        .as_str()
        .expect("the field has the expected type")
        .to_string();
    let ok = http
        .patch(format!("{base}/projects/{pid}"))
        .json(&json!({"version": 1, "notes": "3.6 kW"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(ok.status(), 200);
    let stale = http
        .patch(format!("{base}/projects/{pid}"))
        .json(&json!({"version": 1, "notes": "again"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(stale.status(), 409);
    assert_eq!(stale.headers()["content-type"], "application/problem+json");
    let problem: Value = stale.json().await.expect("the body is the expected JSON");
    assert_eq!(problem["current_version"], 2);

    // A design that fails validation names the field.
    let mut bad = common::boost_design("bad");
    bad["parameters"]["v_in"] = json!(-5.0);
    let r = http
        .post(format!("{base}/projects/{pid}/designs"))
        .json(&bad)
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.expect("the body is the expected JSON");
    assert_eq!(
        problem["errors"][0]["field"], "parameters.v_in",
        "{problem}"
    );
    let mut bad = common::boost_design("bad");
    bad["controller"]["v_ref"] = json!("high");
    let problem: Value = http
        .post(format!("{base}/projects/{pid}/designs"))
        .json(&bad)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(
        problem["errors"][0]["field"], "controller.v_ref",
        "{problem}"
    );

    let design: Value = http
        .post(format!("{base}/projects/{pid}/designs"))
        .json(&common::boost_design("2-phase boost"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    let did = design["id"]
        .as_str()
        .expect("the field has the expected type")
        .to_string();

    // A step that cannot resolve the switching period is refused before queueing.
    let r = http
        .post(format!("{base}/simulate/run"))
        .json(&json!({"project_id": pid, "design_id": did, "step_hint": 1e-5}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);
    let problem: Value = r.json().await.expect("the body is the expected JSON");
    assert_eq!(problem["errors"][0]["field"], "step_hint", "{problem}");

    // Queue it and follow the WebSocket stream.
    let queued = http
        .post(format!("{base}/simulate/run"))
        .json(&json!({"project_id": pid, "design_id": did, "stream_points": 2000}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(queued.status(), 202);
    let queued: Value = queued.json().await.expect("the body is the expected JSON");
    let rid = queued["run_id"]
        .as_str()
        .expect("the field has the expected type")
        .to_string();
    let ws_url = format!("ws://{}/api/v1/simulate/stream/{rid}", server.addr);
    let ws_token = common::admin_token(&server).await;
    let (mut ws, _) = tokio_tungstenite::connect_async(common::ws_request(&ws_url, &ws_token))
        .await
        .expect("the WebSocket connects");
    let mut signals = 0;
    let mut buckets = 0;
    let mut seqs = Vec::new();
    let mut end = Value::Null;
    while let Some(msg) = ws.next().await {
        let Message::Text(text) = msg.expect("the test step succeeds") else {
            continue;
        };
        let m: Value = serde_json::from_str(&text).expect("the test step succeeds");
        match m["type"].as_str().expect("the field has the expected type") {
            "meta" => {
                signals = m["signals"]
                    .as_array()
                    .expect("the field has the expected type")
                    .len()
            }
            "chunk" => {
                buckets += m["t"]
                    .as_array()
                    .expect("the field has the expected type")
                    .len();
                seqs.push(m["seq"].as_u64().expect("the field has the expected type"));
                assert_eq!(
                    m["min"]
                        .as_array()
                        .expect("the field has the expected type")
                        .len(),
                    signals
                );
            }
            "end" => {
                end = m;
                break;
            }
            _ => {}
        }
    }
    assert_eq!(end["status"], "done", "{end}");
    assert!(signals > 3, "meta announced {signals} signals");
    assert!(
        (2000..=4600).contains(&buckets),
        "{buckets} buckets streamed"
    );
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");

    let run = common::wait_final(&http, &base, &rid, 60).await;
    assert_eq!(run["status"], "done");
    let v_out = run["summary"]["result"]["output_voltage"]["mean"]
        .as_f64()
        .expect("the field has the expected type");
    assert!((v_out - 400.0).abs() < 8.0, "v_out {v_out}");
    let samples = run["samples"]
        .as_u64()
        .expect("the field has the expected type");

    // A late joiner replays the stream from the stored recording, from an offset.
    let (mut ws, _) = tokio_tungstenite::connect_async(common::ws_request(
        &format!("{ws_url}?from=2"),
        &ws_token,
    ))
    .await
    .expect("the WebSocket connects");
    let mut first_seq = None;
    while let Some(Ok(Message::Text(text))) = ws.next().await {
        let m: Value = serde_json::from_str(&text).expect("the test step succeeds");
        if m["type"] == "chunk" && first_seq.is_none() {
            first_seq = m["seq"].as_u64();
        }
        if m["type"] == "end" {
            break;
        }
    }
    assert_eq!(first_seq, Some(2));

    // Downsampled waveforms.
    let view: Value = http
        .get(format!(
            "{base}/runs/{rid}/waveforms?points=500&signals=v(out)"
        ))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(
        view["signals"]
            .as_array()
            .expect("the field has the expected type")
            .len(),
        1,
        "{view}"
    );
    let t = view["signals"][0]["t"]
        .as_array()
        .expect("the field has the expected type")
        .len();
    assert!((450..=500).contains(&t), "{t}");
    // A zoomed view covers only its window, at full bucket count.
    let zoom: Value = http
        .get(format!(
            "{base}/runs/{rid}/waveforms?points=200&signals=v(out),i(L1)&from=0.002&to=0.0021"
        ))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(zoom["signals"].as_array().map(Vec::len), Some(2), "{zoom}");
    let times: Vec<f64> = zoom["signals"][1]["t"]
        .as_array()
        .expect("the field has the expected type")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    // 100 µs at 200 ns is 500 samples, so every one of the 200 buckets has samples.
    assert_eq!(times.len(), 200, "{zoom}");
    assert!(
        times.iter().all(|t| (0.002..=0.0021).contains(t)),
        "{times:?}"
    );
    let r = http
        .get(format!("{base}/runs/{rid}/waveforms?signals=nope"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);

    // CSV export: header and one row per sample.
    let csv = http
        .get(format!("{base}/runs/{rid}/export.csv"))
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("the body is readable");
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .expect("stderr is readable")
            .starts_with("time[s],")
    );
    assert_eq!(lines.count() as u64, samples);

    // PDF report.
    let pdf = http
        .get(format!("{base}/runs/{rid}/report.pdf"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    let bytes = pdf.bytes().await.expect("the body is readable");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    if let Ok(out) = std::process::Command::new("pdftotext")
        .args(["-", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("the pipe exists")
                .write_all(&bytes)?;
            child.wait_with_output()
        })
    {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("2-phase boost") || text.contains("interleaved"),
            "{text}"
        );
        assert!(text.contains("efficiency"), "{text}");
    }

    // Telemetry: ingest a batch, read it back downsampled.
    let t0 = chrono::DateTime::parse_from_rfc3339("2026-12-05T10:00:00Z")
        .expect("a valid time")
        .with_timezone(&chrono::Utc);
    let samples: Vec<Value> = (0..500)
        .map(|k| {
            json!({"time": (t0 + chrono::Duration::milliseconds(2 * k)).to_rfc3339(),
                   "signal": "tj_s1", "value": 25.0 + k as f64 * 0.01})
        })
        .collect();
    let r = http
        .post(format!("{base}/runs/{rid}/telemetry"))
        .json(&json!({"samples": samples}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 200);
    let buckets: Value = http
        .get(format!(
            "{base}/runs/{rid}/telemetry?signal=tj_s1&from=2026-12-05T10:00:00Z\
             &to=2026-12-05T10:00:01Z&buckets=10"
        ))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    let buckets = buckets.as_array().expect("a list of buckets");
    assert_eq!(buckets.len(), 10);
    assert_eq!(buckets[0]["count"], 50);
    assert_eq!(buckets[9]["max"].as_f64(), Some(25.0 + 499.0 * 0.01));
    let r = http
        .post(format!("{base}/runs/{rid}/telemetry"))
        .json(&json!({"samples": [{"time": t0.to_rfc3339(), "signal": "", "value": 1.0}]}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);

    // Lists and filters.
    let runs: Value = http
        .get(format!("{base}/runs?project_id={pid}&status=done"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(
        runs.as_array()
            .expect("the field has the expected type")
            .len(),
        1
    );
    let r = http
        .get(format!("{base}/runs?status=melted"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);

    // Errors: unknown id, malformed id, malformed JSON, body over the limit, no route.
    let unknown = uuid::Uuid::now_v7();
    let r = http
        .get(format!("{base}/simulate/run/{unknown}"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 404);
    let r = http
        .get(format!("{base}/projects/not-a-uuid"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/projects"))
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 400);
    let r = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "x".repeat(100_000), "domain": "EV"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 413);
    let r = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "x", "domain": "MARS"}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 422);
    let r = http
        .get(format!("{base}/nothing-here"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 404);

    // Every mutating request is in the audit log.
    let audit = server
        .state
        .store
        .list_audit(
            server.state.org_id,
            &pelab_store::AuditFilter {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .expect("the test step succeeds");
    assert!(
        audit
            .iter()
            .any(|a| a.action == "POST /api/v1/simulate/run" && a.result == "202")
    );
    assert!(audit.iter().any(|a| a.result == "409"));

    // Health, readiness, metrics, docs.
    let root = format!("http://{}", server.addr);
    let ready: Value = http
        .get(format!("{root}/ready"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(ready["status"], "ready");
    let metrics = http
        .get(format!("{root}/metrics"))
        .send()
        .await
        .expect("the server answers")
        .text()
        .await
        .expect("the body is readable");
    assert!(metrics.contains("pelab_http_requests_total"), "{metrics}");
    let docs = http
        .get(format!("{root}/api/docs/"))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(docs.status(), 200);
    let spec: Value = http
        .get(format!("{root}/api/openapi.json"))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("the body is the expected JSON");
    assert_eq!(spec["openapi"], "3.1.0");

    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_end_to_end() {
    flow(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_end_to_end() {
    let url = fresh_postgres_database()
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (or PELAB_TEST_POSTGRES) is needed");
    flow(Some(url.clone())).await;
    drop_postgres_database(&url)
        .await
        .expect("the test step succeeds");
}
