//! `WS /simulate/stream/{id}`: live waveform chunks of a run.
//!
//! Messages are JSON text frames with a `type`:
//! - `meta`: `{signals: [{name, unit}]}`, once, before the first chunk;
//! - `chunk`: a [`Chunk`] (`seq`, `t`, `min`, `max`), numbered from 0;
//! - `progress`: `{status, progress}` while the run is queued or running;
//! - `end`: `{status, error}`; the server then closes the socket.
//!
//! `?from=SEQ` resumes after a dropped connection: chunks before `SEQ` are skipped.
//! A client that joins after the run ended gets the chunks rebuilt from the stored
//! recording at the run's stream resolution. Runs simulated by `pelab worker` on
//! another host stream live through Redis ([`crate::live_relay`]).

use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use pelab_store::{Run, RunStatus};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Id};
use crate::state::{AppState, Queue};
use crate::stream::{Chunk, StreamSignal};
use crate::worker::{DEFAULT_STREAM_POINTS, RunDocument};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

/// Where to resume.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StreamQuery {
    /// First chunk to send (default 0).
    pub from: Option<u64>,
}

/// Live waveform chunks over WebSocket (see the module documentation for messages).
#[utoipa::path(get, path = "/simulate/stream/{id}", tag = "runs",
    params(("id" = Uuid, Path), StreamQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"),
              (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn stream(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiQuery(q): ApiQuery<StreamQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let run = s.store.get_run(p.org_id, id).await?;
    let from = q.from.unwrap_or(0);
    Ok(ws.on_upgrade(move |socket| async move {
        if let Err(e) = serve(s, run, from, socket).await {
            tracing::debug!(error = %e, run_id = %id, "stream ended early");
        }
    }))
}

async fn send(socket: &mut WebSocket, value: serde_json::Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(value.to_string().into())).await
}

async fn send_chunk(socket: &mut WebSocket, chunk: &Chunk) -> Result<(), axum::Error> {
    let mut value = serde_json::to_value(chunk).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert("type".into(), json!("chunk"));
    }
    send(socket, value).await
}

async fn serve(s: AppState, run: Run, from: u64, mut socket: WebSocket) -> Result<(), axum::Error> {
    let id = run.id;
    let org_id = run.org_id;
    let mut next = from;
    let mut meta_sent = false;
    let mut last_progress = -1.0;
    loop {
        if let Some(live) = s.hub.get(id) {
            let read = live.read_from(next, 64);
            if !meta_sent && !read.signals.is_empty() {
                send(
                    &mut socket,
                    json!({"type": "meta", "signals": read.signals}),
                )
                .await?;
                meta_sent = true;
            }
            for chunk in &read.chunks {
                send_chunk(&mut socket, chunk).await?;
                next = chunk.seq + 1;
            }
            if let Some(status) = read.finished {
                return end(&s, org_id, id, &status, &mut socket).await;
            }
            if read.chunks.is_empty() {
                if (read.progress - last_progress).abs() > 1e-3 {
                    last_progress = read.progress;
                    send(
                        &mut socket,
                        json!({"type": "progress", "status": "running", "progress": read.progress}),
                    )
                    .await?;
                }
                live.wait(Duration::from_millis(500)).await;
            }
            continue;
        }
        let run = match s.store.get_run(org_id, id).await {
            Ok(run) => run,
            Err(e) => {
                send(
                    &mut socket,
                    json!({"type": "end", "status": "failed", "error": e.to_string()}),
                )
                .await?;
                return socket.send(Message::Close(None)).await;
            }
        };
        if run.status.is_final() {
            if run.status == RunStatus::Done {
                replay(&s, &run, next, meta_sent, &mut socket).await?;
            }
            return end(&s, org_id, id, run.status.as_str(), &mut socket).await;
        }
        // Another host may simulate it: follow its messages on Redis, once per run.
        if let Queue::Redis(queue) = &s.queue
            && let Some(relay) = s.hub.open_remote(id)
        {
            crate::live_relay::spawn_follower(
                queue.dedicated(),
                s.store.clone(),
                org_id,
                id,
                s.hub.clone(),
                relay,
            );
            continue;
        }
        if (run.progress - last_progress).abs() > 1e-3 || last_progress < 0.0 {
            last_progress = run.progress;
            send(
                &mut socket,
                json!({"type": "progress", "status": run.status, "progress": run.progress}),
            )
            .await?;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

async fn end(
    s: &AppState,
    org_id: Uuid,
    id: Uuid,
    status: &str,
    socket: &mut WebSocket,
) -> Result<(), axum::Error> {
    let error = s.store.get_run(org_id, id).await.ok().and_then(|r| r.error);
    send(
        socket,
        json!({"type": "end", "status": status, "error": error}),
    )
    .await?;
    socket.send(Message::Close(None)).await
}

/// Rebuilds the chunks of a finished run from its stored recording.
async fn replay(
    s: &AppState,
    run: &Run,
    from: u64,
    meta_sent: bool,
    socket: &mut WebSocket,
) -> Result<(), axum::Error> {
    let Ok(Some(name)) = s.store.run_waveform(run.org_id, run.id).await else {
        return Ok(());
    };
    let points = serde_json::from_value::<RunDocument>(run.request.clone())
        .ok()
        .and_then(|d| d.options.stream_points)
        .unwrap_or(DEFAULT_STREAM_POINTS);
    let store = s.waveforms.clone();
    let decimated = tokio::task::spawn_blocking(move || {
        let mut file = store.open_file(&name).ok()?;
        let signals: Vec<StreamSignal> = file
            .signals()
            .iter()
            .map(|i| StreamSignal {
                name: i.name.clone(),
                unit: i.unit.clone(),
            })
            .collect();
        let (_, buckets) = file
            .decimate_all(points, crate::report::PLOT_BLOCK_ROWS)
            .ok()??;
        Some((signals, buckets))
    })
    .await;
    let Ok(Some((signals, buckets))) = decimated else {
        return Ok(());
    };
    if !meta_sent {
        send(socket, json!({"type": "meta", "signals": signals})).await?;
    }
    let n = buckets.first().map_or(0, Vec::len);
    for (seq, start) in (0..n).step_by(256).enumerate() {
        if (seq as u64) < from {
            continue;
        }
        let end = (start + 256).min(n);
        let chunk = Chunk {
            seq: seq as u64,
            t: buckets[0][start..end].iter().map(|b| b.t_first).collect(),
            min: buckets
                .iter()
                .map(|s| s[start..end].iter().map(|b| b.min).collect())
                .collect(),
            max: buckets
                .iter()
                .map(|s| s[start..end].iter().map(|b| b.max).collect())
                .collect(),
        };
        send_chunk(socket, &chunk).await?;
    }
    Ok(())
}
