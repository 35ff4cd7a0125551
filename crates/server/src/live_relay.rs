//! Live waveforms of runs simulated on other hosts, relayed through Redis.
//!
//! A `pelab worker` process fills a [`RunStream`] in its own memory, which no
//! WebSocket client can reach. When jobs go through Redis, the worker also appends
//! every stream message to the Redis stream `PREFIX:live:<run>` ([`spawn_publisher`]),
//! one entry per message with the JSON text in the field `m`:
//!
//! - `{"type":"meta","signals":[{name,unit}]}` when the simulation starts;
//! - `{"type":"chunk",seq,t,min,max}` for each chunk;
//! - `{"type":"progress","progress":p}` when progress moves and no chunk is due;
//! - `{"type":"end","status":s}` when the attempt ends.
//!
//! A client may ask a server for a run that the server does not simulate. That server
//! reads the run's key from its first entry into a stream of its own hub
//! ([`spawn_follower`]). The client then gets the same messages as for a local run,
//! history included. The key expires
//! [`KEEP_AFTER_END`] after the end, and later clients are served from the stored
//! file. So are clients of a run whose worker publishes nothing, because the follower
//! stops when the database shows that the run ended.

use std::sync::Arc;
use std::time::Duration;

use pelab_store::Store;
use redis::RedisResult;
use redis::streams::StreamReadReply;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::redis_queue::RedisQueue;
use crate::stream::{Chunk, RunStream, StreamHub, StreamSignal};

/// How long the messages of an ended run stay in Redis.
pub const KEEP_AFTER_END: Duration = Duration::from_secs(600);

/// Entries kept per run. A stream of 200 000 points per signal is about 800 chunks.
const MAX_ENTRIES: u64 = 20_000;

/// How long one read waits for new entries before the follower checks the database.
const READ_BLOCK: Duration = Duration::from_millis(1000);

fn live_key(queue: &RedisQueue, run: Uuid) -> String {
    queue.key(&format!("live:{run}"))
}

async fn append(queue: &RedisQueue, run: Uuid, message: &Value) -> RedisResult<()> {
    queue
        .query::<String>(
            redis::cmd("XADD")
                .arg(live_key(queue, run))
                .arg("MAXLEN")
                .arg("~")
                .arg(MAX_ENTRIES)
                .arg("*")
                .arg("m")
                .arg(message.to_string()),
        )
        .await
        .map(|_| ())
}

/// Publishes the messages of `stream`, the local stream of one attempt of `run`,
/// until the attempt ends. Messages of an earlier attempt are deleted first.
pub fn spawn_publisher(
    queue: RedisQueue,
    run: Uuid,
    stream: Arc<RunStream>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = publish(&queue, run, &stream).await {
            tracing::warn!(error = %e, run_id = %run, "live relay to Redis stopped; clients of other servers see progress only");
        }
    })
}

async fn publish(queue: &RedisQueue, run: Uuid, stream: &RunStream) -> RedisResult<()> {
    let key = live_key(queue, run);
    queue.query::<i64>(redis::cmd("DEL").arg(&key)).await?;
    let mut next = 0_u64;
    let mut meta_sent = false;
    let mut last_progress = -1.0_f64;
    loop {
        let read = stream.read_from(next, 64);
        if !meta_sent && !read.signals.is_empty() {
            append(
                queue,
                run,
                &json!({"type": "meta", "signals": read.signals}),
            )
            .await?;
            meta_sent = true;
        }
        for chunk in &read.chunks {
            let mut message = serde_json::to_value(chunk.as_ref()).unwrap_or_default();
            if let Some(obj) = message.as_object_mut() {
                obj.insert("type".into(), json!("chunk"));
            }
            append(queue, run, &message).await?;
            next = chunk.seq + 1;
        }
        if let Some(status) = read.finished {
            append(queue, run, &json!({"type": "end", "status": status})).await?;
            queue
                .query::<i64>(redis::cmd("EXPIRE").arg(&key).arg(KEEP_AFTER_END.as_secs()))
                .await?;
            return Ok(());
        }
        if read.chunks.is_empty() {
            if (read.progress - last_progress).abs() > 1e-3 {
                last_progress = read.progress;
                append(
                    queue,
                    run,
                    &json!({"type": "progress", "progress": read.progress}),
                )
                .await?;
            }
            stream.wait(Duration::from_millis(500)).await;
        }
    }
}

/// Fills `stream`, a relay stream of `hub` for `run`, from the run's Redis messages
/// until the run ends or a local attempt replaces the relay.
pub fn spawn_follower(
    queue: RedisQueue,
    store: Store,
    org: Uuid,
    run: Uuid,
    hub: Arc<StreamHub>,
    stream: Arc<RunStream>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        follow(&queue, &store, org, run, &hub, &stream).await;
    })
}

async fn follow(
    queue: &RedisQueue,
    store: &Store,
    org: Uuid,
    run: Uuid,
    hub: &StreamHub,
    stream: &Arc<RunStream>,
) {
    let key = live_key(queue, run);
    let mut last_id = "0".to_string();
    while hub.is_current(run, stream) {
        let reply: RedisResult<Option<StreamReadReply>> = queue
            .query(
                redis::cmd("XREAD")
                    .arg("COUNT")
                    .arg(64)
                    .arg("BLOCK")
                    .arg(READ_BLOCK.as_millis() as u64)
                    .arg("STREAMS")
                    .arg(&key)
                    .arg(&last_id),
            )
            .await;
        let entries: Vec<_> = match reply {
            Ok(reply) => reply
                .into_iter()
                .flat_map(|r| r.keys)
                .flat_map(|k| k.ids)
                .collect(),
            Err(e) => {
                tracing::debug!(error = %e, run_id = %run, "live relay read failed");
                tokio::time::sleep(READ_BLOCK).await;
                Vec::new()
            }
        };
        if entries.is_empty() {
            // Quiet: the run may have ended without its end message (a worker without
            // Redis, or one that died), so the database decides. Clients then get the
            // stored recording instead of a relay that stopped short.
            match store.get_run(org, run).await {
                Ok(r) if r.status.is_final() => {
                    hub.forget(run, stream);
                    return;
                }
                Ok(r) => stream.set_progress(r.progress),
                Err(e) => {
                    tracing::debug!(error = %e, run_id = %run, "live relay cannot read the run")
                }
            }
            continue;
        }
        for entry in entries {
            last_id = entry.id.clone();
            let text: Option<String> = entry.get("m");
            let Some(message) = text.and_then(|t| serde_json::from_str::<Value>(&t).ok()) else {
                continue;
            };
            if apply(stream, &message) == Applied::Ended {
                let status = message["status"].as_str().unwrap_or("failed");
                hub.finish(run, status);
                return;
            }
        }
    }
}

#[derive(Debug, PartialEq)]
enum Applied {
    Continue,
    Ended,
}

/// Applies one relayed message to `stream`. An end with status `queued` (an attempt
/// that will be retried) does not end the relay: the next attempt's `meta` starts the
/// stream over.
fn apply(stream: &RunStream, message: &Value) -> Applied {
    match message["type"].as_str() {
        Some("meta") => {
            let signals: Vec<StreamSignal> = message["signals"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|s| StreamSignal {
                            name: s["name"].as_str().unwrap_or_default().to_string(),
                            unit: s["unit"].as_str().unwrap_or_default().to_string(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            stream.begin(signals);
        }
        Some("chunk") => {
            if let Ok(chunk) = serde_json::from_value::<Chunk>(message.clone()) {
                stream.push(chunk);
            }
        }
        Some("progress") => {
            if let Some(p) = message["progress"].as_f64() {
                stream.set_progress(p);
            }
        }
        Some("end") if message["status"] != "queued" => return Applied::Ended,
        _ => {}
    }
    Applied::Continue
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_rebuild_the_stream() {
        let stream = RunStream::default();
        let meta = json!({"type": "meta", "signals": [{"name": "v_out", "unit": "V"}]});
        assert_eq!(apply(&stream, &meta), Applied::Continue);
        let chunk = json!({"type": "chunk", "seq": 0, "t": [0.0, 1e-3],
                           "min": [[1.0, 2.0]], "max": [[1.5, 2.5]]});
        assert_eq!(apply(&stream, &chunk), Applied::Continue);
        assert_eq!(
            apply(&stream, &json!({"type": "progress", "progress": 0.5})),
            Applied::Continue
        );
        let read = stream.read_from(0, 10);
        assert_eq!(read.signals.len(), 1);
        assert_eq!(read.chunks.len(), 1);
        assert_eq!(read.chunks[0].max[0], vec![1.5, 2.5]);
        assert!((read.progress - 0.5).abs() < 1e-12);

        // A retried attempt starts over, and only a final end stops the relay.
        let retry = json!({"type": "end", "status": "queued"});
        assert_eq!(apply(&stream, &retry), Applied::Continue);
        assert_eq!(apply(&stream, &meta), Applied::Continue);
        assert!(stream.read_from(0, 10).chunks.is_empty());
        let done = json!({"type": "end", "status": "done"});
        assert_eq!(apply(&stream, &done), Applied::Ended);
    }

    #[test]
    fn broken_messages_change_nothing() {
        let stream = RunStream::default();
        for m in [
            json!({"type": "chunk", "seq": "x"}),
            json!({"type": "progress"}),
            json!({"no": "type"}),
            json!([1, 2]),
        ] {
            assert_eq!(apply(&stream, &m), Applied::Continue);
        }
        let read = stream.read_from(0, 10);
        assert!(read.chunks.is_empty());
        assert!(read.signals.is_empty());
    }
}
