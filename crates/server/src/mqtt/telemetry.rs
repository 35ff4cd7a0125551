//! Publishing a run's live chunks on `telemetry/{project}/{run}/{signal}` and its
//! progress and end on `telemetry/{project}/{run}/_status`.
//!
//! One task per run reads the run's [`RunStream`] log from the first chunk, the way
//! a WebSocket client of `/simulate/stream` does, so publishing never slows the
//! simulation: a broker that cannot keep up loses sample messages (counted), not
//! simulation time.
//!
//! Payloads are JSON:
//! - signal topic, QoS 0: `{seq, signal, unit, t: [..], min: [..], max: [..]}`, one
//!   message per chunk and signal, `t`/`min`/`max` one entry per min/max bucket;
//! - `_status`, QoS 1, retained: `{status: "running", progress, signals: [{name,
//!   unit, topic}]}` while running (`signals` is empty until the simulation
//!   announces them), then `{status, progress, chunks, buckets}` with the run's
//!   final status (`done`, `failed`, `cancelled`) and the totals published.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use uuid::Uuid;

use super::MqttHandle;
use super::topics::{signal_topic, status_topic};
use crate::stream::RunStream;

/// Smallest progress change that is published.
const PROGRESS_STEP: f64 = 0.01;

/// Starts the task that publishes the run's stream; it ends once the stream is
/// finished.
pub fn spawn_run_telemetry(
    mqtt: MqttHandle,
    project: Uuid,
    run: Uuid,
    stream: Arc<RunStream>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        publish_run(&mqtt, project, run, &stream).await;
    })
}

fn bytes(value: &serde_json::Value) -> Vec<u8> {
    value.to_string().into_bytes()
}

async fn publish_run(mqtt: &MqttHandle, project: Uuid, run: Uuid, stream: &RunStream) {
    let status = status_topic(project, run);
    let mut next = 0_u64;
    let mut signals: Vec<(String, String, String)> = Vec::new();
    let mut listed: Vec<serde_json::Value> = Vec::new();
    let mut last_progress = 0.0_f64;
    let mut chunks = 0_u64;
    let mut buckets = 0_u64;
    mqtt.publish_status(
        &status,
        bytes(&json!({"status": "running", "progress": 0.0, "signals": []})),
    )
    .await;
    loop {
        let read = stream.read_from(next, 64);
        if signals.is_empty() && !read.signals.is_empty() {
            signals = read
                .signals
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.unit.clone(),
                        signal_topic(project, run, &s.name),
                    )
                })
                .collect();
            listed = signals
                .iter()
                .map(|(name, unit, topic)| json!({"name": name, "unit": unit, "topic": topic}))
                .collect();
            mqtt.publish_status(
                &status,
                bytes(&json!({"status": "running", "progress": read.progress, "signals": listed})),
            )
            .await;
        }
        for chunk in &read.chunks {
            for (k, (name, unit, topic)) in signals.iter().enumerate() {
                let payload = json!({
                    "seq": chunk.seq,
                    "signal": name,
                    "unit": unit,
                    "t": chunk.t,
                    "min": chunk.min.get(k),
                    "max": chunk.max.get(k),
                });
                mqtt.publish_sample(topic, bytes(&payload));
            }
            next = chunk.seq + 1;
            chunks += 1;
            buckets += chunk.t.len() as u64;
        }
        if let Some(end) = read.finished {
            let progress = if end == "done" { 1.0 } else { read.progress };
            mqtt.publish_status(
                &status,
                bytes(&json!({
                    "status": end,
                    "progress": progress,
                    "chunks": chunks,
                    "buckets": buckets,
                })),
            )
            .await;
            tracing::debug!(%run, chunks, buckets, "published the run's telemetry");
            return;
        }
        if read.chunks.is_empty() {
            if read.progress - last_progress >= PROGRESS_STEP {
                last_progress = read.progress;
                mqtt.publish_status(
                    &status,
                    bytes(
                        &json!({"status": "running", "progress": read.progress, "signals": listed}),
                    ),
                )
                .await;
            }
            stream.wait(Duration::from_millis(500)).await;
        }
    }
}
