//! WebSocket streaming throughput of `WS /api/v1/simulate/stream/{id}`.
//!
//! Starts a server in this process, queues an interleaved-boost run with a large
//! stream resolution, and reads its stream with one client three ways:
//! - **live**: connected before the run starts, so chunks arrive as the simulation
//!   produces them;
//! - **late joiner, in memory**: connected after the run ended, while the server
//!   still keeps the chunk log (pure streaming of stored chunks);
//! - **late joiner, from the recording**: a second server on the same data directory
//!   has no chunk log, so it rebuilds the chunks from the stored waveform file.
//!
//! Points count as in `Chunk::points`: buckets × signals × 2 (min and max). The
//! client parses every message into numbers, as a chart would, and checks the shape
//! of every chunk.
//!
//! Run with `cargo bench -p pelab-server --bench ws_stream`. Settings (environment):
//! `WS_BENCH_PORT` (default: first free of 3935 to 3939), `WS_BENCH_STREAM_POINTS`
//! (buckets per signal, default 200000), `WS_BENCH_T_STOP` (simulated seconds,
//! default 0.04), `WS_BENCH_REPEATS` (replays of each late-joiner kind, default 5).

#![allow(clippy::print_stdout, clippy::unwrap_used, missing_docs)]

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use pelab_server::{Config, Running};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// One message of the stream; only `chunk` messages carry `t`, `min` and `max`.
#[derive(Deserialize)]
struct Incoming {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    seq: u64,
    #[serde(default)]
    t: Vec<f64>,
    #[serde(default)]
    min: Vec<Vec<f64>>,
    #[serde(default)]
    max: Vec<Vec<f64>>,
    #[serde(default)]
    status: Option<String>,
}

/// Counts and timings of one client's read of one stream.
struct Reading {
    chunks: u64,
    points: u64,
    bytes: u64,
    /// From the WebSocket handshake's completion to the `end` message.
    elapsed: Duration,
    /// From the first chunk to the `end` message.
    streaming: Duration,
    status: String,
}

impl Reading {
    fn points_per_second(&self) -> f64 {
        self.points as f64 / self.elapsed.as_secs_f64()
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(text) => text.parse().unwrap_or_else(|_| {
            panic!("{name}={text} is not a valid value");
        }),
        Err(_) => default,
    }
}

fn listen_address() -> String {
    if let Ok(port) = std::env::var("WS_BENCH_PORT") {
        return format!("127.0.0.1:{port}");
    }
    for port in 3935..=3939 {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        if TcpListener::bind(addr).is_ok() {
            return addr.to_string();
        }
    }
    panic!("ports 3935 to 3939 are all in use; set WS_BENCH_PORT");
}

async fn start(data_dir: &Path, listen: &str) -> Running {
    let env: Vec<(String, String)> = vec![
        ("PELAB_LISTEN".into(), listen.into()),
        ("PELAB_DATA_DIR".into(), data_dir.display().to_string()),
        ("PELAB_MQTT_MODE".into(), "off".into()),
        ("PELAB_SEED".into(), "false".into()),
        ("PELAB_WORKERS".into(), "1".into()),
    ];
    let config = Config::load(None, env).expect("benchmark configuration is valid");
    pelab_server::start(config).await.expect("server starts")
}

/// Builds the simulate request of a two-phase diode interleaved boost (250 V to 400 V,
/// 3.6 kW) that streams every recorded signal.
fn design(project_id: &str, t_stop: f64, stream_points: usize) -> Value {
    json!({
        "project_id": project_id,
        "topology": "interleaved_boost",
        "parameters": {
            "phases": 2, "v_in": 250.0, "l": 400e-6, "l_tolerance": [0.0, 0.10],
            "r_l": 30e-3, "c": 220e-6, "r_c": 5e-3, "r_load": 44.4, "f_sw": 65e3,
            "rectifier": "diode", "r_on": 60e-3, "v_f": 1.3, "r_d": 30e-3, "v_out0": 250.0
        },
        "controller": {"mode": "voltage", "v_ref": 400.0, "soft_start": 1e-3},
        "simulation": {"t_stop": t_stop, "output_step": 100e-9},
        "stream_points": stream_points
    })
}

async fn read_stream(url: &str, token: &str) -> Reading {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .unwrap_or_else(|e| panic!("cannot connect to {url}: {e}"));
    let start = Instant::now();
    let mut first_chunk = None;
    let mut reading = Reading {
        chunks: 0,
        points: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
        streaming: Duration::ZERO,
        status: String::new(),
    };
    while let Some(message) = ws.next().await {
        let text = match message.expect("the stream stays open until `end`") {
            Message::Text(text) => text,
            Message::Close(_) => break,
            _ => continue,
        };
        reading.bytes += text.len() as u64;
        let m: Incoming = serde_json::from_str(&text).expect("every message is valid JSON");
        match m.kind.as_str() {
            "chunk" => {
                first_chunk.get_or_insert_with(Instant::now);
                assert_eq!(m.seq, reading.chunks, "chunks arrive in order");
                assert_eq!(m.min.len(), m.max.len(), "chunk {}: min and max", m.seq);
                for series in m.min.iter().chain(&m.max) {
                    assert_eq!(series.len(), m.t.len(), "chunk {}: bucket count", m.seq);
                }
                reading.chunks += 1;
                reading.points += (m.t.len() * m.min.len() * 2) as u64;
            }
            "end" => {
                reading.elapsed = start.elapsed();
                reading.streaming = first_chunk.map_or(Duration::ZERO, |t| t.elapsed());
                reading.status = m.status.unwrap_or_default();
                break;
            }
            _ => {}
        }
    }
    reading
}

fn report(label: &str, r: &Reading) {
    println!(
        "{label:<34} {:>9} points {:>5} chunks {:>7.1} MB {:>8.1} ms {:>6.2} M points/s \
         ({:.2} M points/s from the first chunk) status {}",
        r.points,
        r.chunks,
        r.bytes as f64 / 1e6,
        r.elapsed.as_secs_f64() * 1e3,
        r.points_per_second() / 1e6,
        r.points as f64 / r.streaming.as_secs_f64().max(1e-9) / 1e6,
        r.status,
    );
}

fn summarise(label: &str, readings: &[Reading]) {
    let mut rates: Vec<f64> = readings.iter().map(Reading::points_per_second).collect();
    rates.sort_by(f64::total_cmp);
    let median = rates[rates.len() / 2];
    println!(
        "{label:<34} median {:.2} M points/s, min {:.2}, max {:.2} over {} reads",
        median / 1e6,
        rates[0] / 1e6,
        rates[rates.len() - 1] / 1e6,
        rates.len()
    );
}

/// Size of the benchmark run.
struct Settings {
    /// Buckets per signal of the stream.
    stream_points: usize,
    /// Simulated time [s].
    t_stop: f64,
    /// Reads of each late-joiner kind.
    repeats: usize,
}

async fn bench(settings: Settings) {
    let Settings {
        stream_points,
        t_stop,
        repeats,
    } = settings;
    let listen = listen_address();
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &listen).await;
    let base = format!("http://{}/api/v1", server.addr);
    let ws_base = format!("ws://{}/api/v1", server.addr);
    let admin = server
        .state
        .store
        .active_user(server.state.user_id)
        .await
        .unwrap()
        .unwrap();
    let scopes = ["read", "write"].map(str::to_string).to_vec();
    let (_, token) =
        pelab_server::auth::issue_api_token(&server.state.store, &admin, "bench", scopes, None)
            .await
            .unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();

    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "WebSocket benchmark", "domain": "DC"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let project_id = project["id"].as_str().expect("the project has an id");

    let queued = http
        .post(format!("{base}/simulate/run"))
        .json(&design(project_id, t_stop, stream_points))
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), 202, "{}", queued.text().await.unwrap());
    let queued: Value = queued.json().await.unwrap();
    let run = queued["run_id"].as_str().unwrap().to_string();
    let url = format!("{ws_base}/simulate/stream/{run}");

    println!(
        "interleaved boost, t_stop {t_stop} s, stream_points {stream_points}, server at {}",
        server.addr
    );
    let live = read_stream(&url, &token).await;
    report("live (simulating while streaming)", &live);
    assert_eq!(live.status, "done", "the benchmark run must succeed");
    let run_row: Value = http
        .get(format!("{base}/simulate/run/{run}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    println!(
        "run: {} samples stored, {} simulation steps",
        run_row["samples"], run_row["summary"]["steps"]
    );

    let mut memory = Vec::new();
    for k in 0..repeats {
        let r = read_stream(&url, &token).await;
        report(&format!("late joiner, in memory #{k}"), &r);
        memory.push(r);
    }
    summarise("late joiner, in memory", &memory);

    // A fresh server on the same data directory has no chunk log of the run.
    server.shutdown().await;
    let server = start(dir.path(), &listen).await;
    let url = format!("ws://{}/api/v1/simulate/stream/{run}", server.addr);
    let mut stored = Vec::new();
    for k in 0..repeats {
        let r = read_stream(&url, &token).await;
        report(&format!("late joiner, from recording #{k}"), &r);
        stored.push(r);
    }
    summarise("late joiner, from recording", &stored);
    server.shutdown().await;
}

fn main() {
    // `cargo bench` passes `--bench`. Without it (`cargo test --benches`, usually an
    // unoptimised build) a small run checks that the benchmark still works.
    let full = std::env::args().any(|a| a == "--bench");
    let settings = Settings {
        stream_points: env_or("WS_BENCH_STREAM_POINTS", if full { 200_000 } else { 2000 }),
        t_stop: env_or("WS_BENCH_T_STOP", if full { 0.04 } else { 0.004 }),
        repeats: env_or("WS_BENCH_REPEATS", if full { 5 } else { 1 }),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(bench(settings));
}
