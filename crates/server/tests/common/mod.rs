//! Shared helpers of the server's integration tests: a server on a free port with a
//! temporary data directory, and an interleaved-boost design.

#![allow(dead_code)]

use std::path::Path;

use pelab_server::{Config, Running};
use serde_json::{Value, json};

/// Starts a server on 127.0.0.1 with an ephemeral port, no MQTT, no demo seed.
pub async fn start(
    data_dir: &Path,
    database_url: Option<String>,
    extra: &[(&str, &str)],
) -> Running {
    let mut env: Vec<(String, String)> = vec![
        ("PELAB_LISTEN".into(), "127.0.0.1:0".into()),
        ("PELAB_DATA_DIR".into(), data_dir.display().to_string()),
        ("PELAB_MQTT_MODE".into(), "off".into()),
        ("PELAB_SEED".into(), "false".into()),
        ("PELAB_WORKERS".into(), "1".into()),
    ];
    if let Some(url) = database_url {
        env.push(("PELAB_DATABASE_URL".into(), url));
    }
    for (k, v) in extra {
        env.push(((*k).into(), (*v).into()));
    }
    let config = Config::load(None, env).expect("test configuration is valid");
    pelab_server::start(config).await.expect("server starts")
}

/// The API base URL of a running server.
pub fn base(running: &Running) -> String {
    format!("http://{}/api/v1", running.addr)
}

/// A two-phase interleaved boost (250 V to 400 V, 3.6 kW), 4 ms long.
pub fn boost_design(name: &str) -> Value {
    json!({
        "name": name,
        "topology": "interleaved_boost",
        "parameters": {
            "phases": 2, "v_in": 250.0, "l": 400e-6, "l_tolerance": [0.0, 0.10],
            "r_l": 30e-3, "c": 220e-6, "r_c": 5e-3, "r_load": 44.4, "f_sw": 65e3,
            "rectifier": "diode", "r_on": 60e-3, "v_f": 1.3, "r_d": 30e-3, "v_out0": 250.0
        },
        "controller": {"mode": "voltage", "v_ref": 400.0, "soft_start": 1e-3},
        "simulation": {"t_stop": 4e-3, "output_step": 200e-9}
    })
}

/// Polls a run until it reaches a final state (at most `secs` seconds).
pub async fn wait_final(client: &reqwest::Client, base: &str, run: &str, secs: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let r: Value = client
            .get(format!("{base}/simulate/run/{run}"))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        let status = r["status"].as_str().unwrap_or("").to_string();
        if ["done", "failed", "cancelled"].contains(&status.as_str()) {
            return r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "run {run} still {status} after {secs} s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
