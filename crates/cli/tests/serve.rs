//! `pelab serve` as a process: killed with SIGKILL in the middle of writes, it
//! restarts on an intact SQLite database that holds every acknowledged write, and the
//! queued jobs run.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// A `pelab serve` child, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(data_dir: &std::path::Path, workers: &str) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pelab"))
        .arg("serve")
        .env("PELAB_LISTEN", "127.0.0.1:0")
        .env("PELAB_DATA_DIR", data_dir)
        .env("PELAB_MQTT_MODE", "off")
        .env("PELAB_SEED", "false")
        .env("PELAB_WORKERS", workers)
        .env("RUST_LOG", "warn")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("pelab starts");
    let stderr = child.stderr.take().expect("the pipe exists");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("pelab serve exited before listening")
            .expect("the test step succeeds");
        if let Some(rest) = line.strip_prefix("pelab serve: http://") {
            break rest
                .split_whitespace()
                .next()
                .expect("stderr is readable")
                .to_string();
        }
    };
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base: format!("http://{addr}/api/v1"),
    }
}

/// Creates an admin API token with `pelab token create` on the server's data directory.
fn admin_token(data_dir: &std::path::Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pelab"))
        .args([
            "token",
            "create",
            "--name",
            "tests",
            "--scopes",
            "read,write",
        ])
        .env("PELAB_DATA_DIR", data_dir)
        .output()
        .expect("pelab token runs");
    assert!(
        out.status.success(),
        "pelab token create failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(token.starts_with("pelab_"), "unexpected output {token:?}");
    token
}

fn client(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}").parse().expect("a header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("the client builds")
}

fn design(project: &str) -> Value {
    json!({
        "project_id": project,
        "topology": "buck",
        "parameters": {"v_in": 48.0, "l": 2.2e-6, "r_l": 1.5e-3, "c": 200e-6, "r_c": 0.5e-3,
                       "r_load": 0.24, "f_sw": 500e3, "rectifier": "synchronous",
                       "r_on": 3.2e-3, "v_f": 1.8, "r_d": 10e-3, "t_dead": 10e-9},
        "controller": {"mode": "voltage", "v_ref": 12.0, "soft_start": 200e-6, "i_max": 80.0},
        "simulation": {"t_stop": 5e-4, "output_step": 10e-9}
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_writes_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = start(dir.path(), "0");
    let http = client(&admin_token(dir.path()));
    let base = server.base.clone();
    let project: Value = http
        .post(format!("{base}/projects"))
        .json(&json!({"name": "runs", "domain": "DC"}))
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
    let mut queued = Vec::new();
    for _ in 0..3 {
        let r: Value = http
            .post(format!("{base}/simulate/run"))
            .json(&design(&pid))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        queued.push(
            r["run_id"]
                .as_str()
                .expect("the field has the expected type")
                .to_string(),
        );
    }

    // Four writers create projects as fast as they can; the server is killed under
    // them.
    let mut writers = Vec::new();
    for w in 0..4 {
        let http = http.clone();
        let base = base.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for k in 0.. {
                let r = http
                    .post(format!("{base}/projects"))
                    .json(&json!({"name": format!("w{w}-{k}"), "domain": "EV"}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 201 => {
                        let p: Value = r.json().await.unwrap_or_default();
                        if let Some(id) = p["id"].as_str() {
                            acknowledged.push(id.to_string());
                        }
                    }
                    _ => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    drop(server); // SIGKILL
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.expect("the test step succeeds"));
    }
    assert!(
        acknowledged.len() > 20,
        "only {} writes before the kill",
        acknowledged.len()
    );

    // The database is intact.
    let url = format!("sqlite://{}", dir.path().join("pelab.db").display());
    let pool = sqlx::SqlitePool::connect(&url)
        .await
        .expect("the test step succeeds");
    let check: (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&pool)
        .await
        .expect("the test step succeeds");
    assert_eq!(check.0, "ok");
    pool.close().await;

    // Restart: every acknowledged project is there and the queued runs complete.
    let server = start(dir.path(), "1");
    let base = server.base.clone();
    let mut stored = std::collections::HashSet::new();
    let mut offset = 0;
    loop {
        let page: Vec<Value> = http
            .get(format!("{base}/projects?limit=1000&offset={offset}"))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        if page.is_empty() {
            break;
        }
        offset += page.len();
        stored.extend(page.iter().map(|p| {
            p["id"]
                .as_str()
                .expect("the field has the expected type")
                .to_string()
        }));
    }
    for id in &acknowledged {
        assert!(stored.contains(id), "acknowledged project {id} was lost");
    }
    for run in &queued {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let r: Value = http
                .get(format!("{base}/simulate/run/{run}"))
                .send()
                .await
                .expect("the server answers")
                .json()
                .await
                .expect("the body is the expected JSON");
            if r["status"] == "done" {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline && r["status"] != "failed",
                "run {run}: {r}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

#[test]
fn token_create_refuses_a_missing_database_and_bad_input() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_pelab"))
            .args(["token", "create"])
            .args(args)
            .env("PELAB_DATA_DIR", dir.path())
            .output()
            .expect("pelab token runs")
    };
    // No server ever ran here: an error naming the path, and no database is made.
    let out = run(&["--name", "t"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("no pelab database at") && err.contains("PELAB_DATA_DIR"),
        "{err}"
    );
    assert!(!dir.path().join("pelab.db").exists());
    // Once the server has started, bad scopes, unknown members and days are named.
    let server = start(dir.path(), "0");
    for (args, needle) in [
        (
            vec!["--name", "t", "--scopes", "root"],
            "--scopes: \"root\"",
        ),
        (
            vec!["--name", "t", "--email", "nobody@example.com"],
            "--email",
        ),
        (
            vec!["--name", "t", "--expires-in-days", "0"],
            "--expires-in-days",
        ),
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "no secret on failure");
    }
    let out = run(&["--name", "ci", "--scopes", "read"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .starts_with("pelab_")
    );
    drop(server);
}
