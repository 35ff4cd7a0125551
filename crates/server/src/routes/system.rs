//! Health, readiness and metrics.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Routes of this module (mounted at the root, not under `/api/v1`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(health))
        .routes(routes!(ready))
        .routes(routes!(metrics))
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// pelab version.
    pub version: String,
}

/// Readiness of each dependency.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready` or `unavailable`.
    pub status: String,
    /// `ok` or the database error.
    pub database: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// `local` or `redis`.
    pub queue: String,
    /// The MQTT broker in use, how it was chosen and whether it is connected (e.g.
    /// `embedded 127.0.0.1:1883, connected`), or `off`.
    pub mqtt: String,
}

/// The process is alive.
#[utoipa::path(get, path = "/health", tag = "system", responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
    })
}

/// The database answers (503 otherwise).
#[utoipa::path(get, path = "/ready", tag = "system",
    responses((status = 200, body = Ready), (status = 503, body = Ready)))]
async fn ready(State(s): State<AppState>) -> impl IntoResponse {
    let db = s.store.ping().await;
    let body = Ready {
        status: if db.is_ok() { "ready" } else { "unavailable" }.into(),
        database: match &db {
            Ok(()) => "ok".into(),
            Err(e) => e.to_string(),
        },
        backend: match s.store.backend() {
            pelab_store::Backend::Sqlite => "sqlite".into(),
            pelab_store::Backend::Postgres => "postgres".into(),
        },
        queue: match s.queue {
            crate::state::Queue::Local(_) => "local".into(),
            crate::state::Queue::Redis(_) => "redis".into(),
        },
        mqtt: s
            .mqtt
            .as_ref()
            .map_or_else(|| "off".to_string(), crate::mqtt::MqttHandle::describe),
    };
    let status = if db.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, content_type = "text/plain", body = String)))]
async fn metrics(State(s): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        s.metrics.render(),
    )
}
