//! `WS /mqtt/ws?topic=FILTER`: MQTT messages of a filter, forwarded to a WebSocket.
//!
//! The filter must start with `telemetry/{project}/` or `bench/{kind}/{device}/`,
//! naming a project or bench device of the caller's organisation, be a valid MQTT
//! filter and be at most 256 bytes long (422 otherwise, 404 for another
//! organisation's project or device). Every message is a JSON text frame:
//! - `{type: "message", topic, payload, encoding, retain}`: `payload` is the MQTT
//!   payload as text when it is UTF-8 (`encoding: "utf8"`), otherwise standard
//!   base64 (`encoding: "base64"`);
//! - `{type: "dropped", count}`: messages lost so far because this client read too
//!   slowly. The server buffers 256 messages per client, drops new ones once the
//!   buffer is full, and reports the running total once per second while it grows.

use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiQuery, truncate};
use crate::mqtt::Subscription;
use crate::mqtt::topics::check_bridge_filter;
use crate::state::AppState;

/// How often the dropped-message total is checked and sent when it grew.
const DROPPED_REPORT: Duration = Duration::from_secs(1);

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(bridge))
}

/// The filter to forward.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BridgeQuery {
    /// MQTT filter under `telemetry/{project}/` (a project of the caller's
    /// organisation) or `bench/{kind}/{device}/` (one of its bench devices), at most
    /// 256 bytes, e.g. `telemetry/{project}/+/_status`.
    pub topic: String,
}

/// Keeps a filter inside the caller's organisation: `telemetry/{project}/…` must name
/// one of its projects, and `bench/{kind}/{device}/…` one of its bench devices. A
/// wildcard at those levels would reach other tenants (422); an id of another
/// organisation answers 404, as one that exists nowhere.
async fn check_tenant(s: &AppState, p: &Principal, topic: &str) -> ApiResult<()> {
    let levels: Vec<&str> = topic.split('/').collect();
    let shape = |what: &str| {
        ApiError::field(
            "topic",
            format!(
                "\"{}\": {what}, without wildcards at those levels",
                truncate(topic, 80)
            ),
        )
    };
    if levels.first() == Some(&"telemetry") {
        let project = levels
            .get(1)
            .and_then(|l| uuid::Uuid::parse_str(l).ok())
            .ok_or_else(|| {
                shape("a telemetry filter names one of your projects (telemetry/{project}/…)")
            })?;
        s.store.get_project(p.org_id, project).await?;
        return Ok(());
    }
    let kind_ok = levels
        .get(1)
        .is_some_and(|k| !k.is_empty() && !["+", "#"].contains(k));
    let device = levels
        .get(2)
        .and_then(|l| uuid::Uuid::parse_str(l).ok())
        .filter(|_| kind_ok)
        .ok_or_else(|| {
            shape("a bench filter names one of your bench devices (bench/{kind}/{device}/…)")
        })?;
    if !s.store.bench_device_in_org(p.org_id, device).await? {
        return Err(ApiError::not_found("bench device", device));
    }
    Ok(())
}

/// MQTT messages of a filter over WebSocket (see the module documentation for
/// frames).
#[utoipa::path(get, path = "/mqtt/ws", tag = "mqtt", params(BridgeQuery),
    responses((status = 101, description = "switching to the WebSocket protocol"),
              (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem), (status = 503, body = Problem)))]
async fn bridge(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<BridgeQuery>,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    check_bridge_filter(&q.topic)
        .map_err(|m| ApiError::field("topic", format!("\"{}\" {m}", truncate(&q.topic, 80))))?;
    check_tenant(&s, &p, &q.topic).await?;
    let ws = ws.map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "websocket-required",
            format!("this endpoint needs a WebSocket upgrade request: {e}"),
        )
    })?;
    let Some(mqtt) = &s.mqtt else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "mqtt-off",
            "MQTT is off on this server (set mqtt.mode to embedded or external)",
        ));
    };
    let subscription = mqtt
        .subscribe(&q.topic)
        .map_err(|m| ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "mqtt-busy", m))?;
    Ok(ws
        .on_upgrade(move |socket| forward(subscription, socket))
        .into_response())
}

fn message_frame(publish: &rumqttc::Publish) -> serde_json::Value {
    let (payload, encoding) = match std::str::from_utf8(&publish.payload) {
        Ok(text) => (text.to_string(), "utf8"),
        Err(_) => (
            base64::engine::general_purpose::STANDARD.encode(&publish.payload),
            "base64",
        ),
    };
    json!({
        "type": "message",
        "topic": publish.topic,
        "payload": payload,
        "encoding": encoding,
        "retain": publish.retain,
    })
}

async fn forward(mut subscription: Subscription, mut socket: WebSocket) {
    let mut report = tokio::time::interval(DROPPED_REPORT);
    let mut reported = 0_u64;
    loop {
        let frame = tokio::select! {
            message = subscription.messages.recv() => match message {
                Some(publish) => message_frame(&publish),
                None => break,
            },
            _ = report.tick() => {
                let dropped = subscription.dropped.load(Ordering::Relaxed);
                if dropped == reported {
                    continue;
                }
                reported = dropped;
                json!({"type": "dropped", "count": dropped})
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => continue,
            },
        };
        if socket
            .send(Message::Text(frame.to_string().into()))
            .await
            .is_err()
        {
            break;
        }
    }
    tracing::debug!(filter = %subscription.filter, dropped = reported, "bridge client left");
}
