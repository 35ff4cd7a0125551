//! A run simulated by a worker with its own stream hub (another host, in effect)
//! streams live to a WebSocket client of the server through Redis.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use pelab_server::redis_queue::RedisQueue;
use pelab_server::stream::StreamHub;
use pelab_server::worker::{WorkerContext, run_local_worker};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

fn redis_url() -> String {
    std::env::var("PELAB_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Builds the run request of the 48 V to 12 V buck of `examples/dc-48v-12v-buck.toml`,
/// 60 ms at 100 ns.
fn buck_request(project: &str) -> Value {
    json!({
        "project_id": project,
        "topology": "buck",
        "parameters": {
            "v_in": 48.0, "l": 2.2e-6, "r_l": 1.5e-3, "c": 200e-6, "r_c": 0.5e-3,
            "r_load": 0.24, "f_sw": 500e3, "rectifier": "synchronous", "r_on": 3.2e-3,
            "v_f": 1.8, "r_d": 10e-3, "t_dead": 10e-9
        },
        "controller": {"mode": "voltage", "v_ref": 12.0, "soft_start": 200e-6, "i_max": 80.0},
        "simulation": {"t_stop": 60e-3, "output_step": 1e-7},
        "stream_points": 2000
    })
}

/// What a WebSocket client saw of one run.
struct Seen {
    end: Value,
    meta: Option<Value>,
    seqs: Vec<u64>,
    chunks_while_running: usize,
}

/// Runs the buck on a worker with its own hub, relaying through Redis when `relay`,
/// and records what a client of the server receives.
async fn watch_remote_run(relay: bool) -> Seen {
    let data = tempfile::tempdir().expect("temp dir");
    let prefix = format!("pelab-relay-test-{}", uuid::Uuid::now_v7().simple());
    let redis = redis_url();
    let server = common::start(
        data.path(),
        None,
        &[
            ("PELAB_REDIS_URL", &redis),
            ("PELAB_REDIS_PREFIX", &prefix),
            ("PELAB_WORKERS", "0"),
        ],
    )
    .await;
    let base = common::base(&server);
    let http = common::admin_client(&server).await;
    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "relay", "domain": "DC"}))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    let project = project["id"].as_str().expect("an id").to_string();
    let queued: Value = http
        .post(format!("{base}/simulate/run"))
        .json(&buck_request(&project))
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body");
    let run = queued["run_id"]
        .as_str()
        .unwrap_or_else(|| panic!("a run id in {queued}"))
        .to_string();

    // The client connects before any worker runs the job.
    let url = format!("ws://{}/api/v1/simulate/stream/{run}", server.addr);
    let token = common::admin_token(&server).await;
    let (mut socket, _) = tokio_tungstenite::connect_async(common::ws_request(&url, &token))
        .await
        .expect("the WebSocket opens");

    // The "remote" worker: same database and Redis, its own hub, as on another host.
    let state = &server.state;
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let ctx = WorkerContext {
        store: state.store.clone(),
        waveforms: state.waveforms.clone(),
        hub: Arc::new(StreamHub::default()),
        name: format!("relay-test:{}", std::process::id()),
        stale_after: Duration::from_secs(30),
        mqtt: None,
        live: relay.then(|| RedisQueue::with_prefix(&redis, &prefix).expect("a Redis URL")),
    };
    let worker_hub = ctx.hub.clone();
    let worker = tokio::spawn(run_local_worker(
        ctx,
        Arc::new(tokio::sync::Notify::new()),
        stop_rx,
    ));

    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seqs = Vec::new();
    let mut meta = None;
    let mut end = None;
    let mut chunks_while_running = 0;
    while Instant::now() < deadline {
        let frame = match tokio::time::timeout(Duration::from_secs(30), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                serde_json::from_str::<Value>(&text).expect("a JSON frame")
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("the stream stopped early: {other:?}"),
        };
        match frame["type"].as_str() {
            Some("meta") => meta = Some(frame),
            Some("chunk") => {
                seqs.push(frame["seq"].as_u64().expect("a seq"));
                // Live, not replayed: the worker is still simulating.
                if worker_hub
                    .get(run.parse().expect("a UUID"))
                    .is_some_and(|s| s.read_from(u64::MAX, 0).finished.is_none())
                {
                    chunks_while_running += 1;
                }
            }
            Some("end") => {
                end = Some(frame);
                break;
            }
            _ => {}
        }
    }
    let end = end.expect("the run ends within the deadline");
    let _ = stop.send(true);
    let _ = worker.await;
    server.shutdown().await;
    Seen {
        end,
        meta,
        seqs,
        chunks_while_running,
    }
}

fn check_complete(seen: &Seen) {
    assert_eq!(seen.end["status"], "done", "{}", seen.end);
    let meta = seen.meta.as_ref().expect("meta before the chunks");
    assert!(
        meta["signals"].as_array().is_some_and(|s| !s.is_empty()),
        "{meta}"
    );
    assert!(!seen.seqs.is_empty());
    let expected: Vec<u64> = (0..seen.seqs.len() as u64).collect();
    assert_eq!(seen.seqs, expected, "chunks arrive in order, none missing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_streams_remote_run_live() {
    let seen = watch_remote_run(true).await;
    check_complete(&seen);
    assert!(
        seen.chunks_while_running > 0,
        "no chunk arrived while the worker was simulating ({} chunks in all)",
        seen.seqs.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_silent_worker_gives_recording() {
    // No relay: the client waits, then gets the chunks rebuilt from the stored file.
    let seen = watch_remote_run(false).await;
    check_complete(&seen);
    assert_eq!(seen.chunks_while_running, 0);
}
