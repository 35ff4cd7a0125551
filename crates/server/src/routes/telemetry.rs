//! Run telemetry: ingest batches of time-stamped samples (bench and HIL data) and read
//! them back downsampled for charts.

use axum::Json;
use axum::extract::State;
use pelab_store::{TelemetryBucket, TelemetryQuery, TelemetrySample};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ingest, query))
        .routes(routes!(signals))
}

/// A batch of samples.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelemetryBatch {
    /// Samples, up to 1 000 000 per request (and within the body limit).
    pub samples: Vec<TelemetrySample>,
}

/// How many samples were stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ingested {
    /// Samples stored.
    pub stored: u64,
}

/// Stores a batch of telemetry samples of a run in one transaction (all or nothing).
#[utoipa::path(post, path = "/runs/{id}/telemetry", tag = "telemetry",
    params(("id" = uuid::Uuid, Path)), request_body = TelemetryBatch,
    responses((status = 200, body = Ingested), (status = 404, body = Problem),
              (status = 413, body = Problem), (status = 422, body = Problem)))]
async fn ingest(
    State(s): State<AppState>,
    p: Principal,
    Id(run): Id,
    ApiJson(batch): ApiJson<TelemetryBatch>,
) -> ApiResult<Json<Ingested>> {
    let stored = s
        .store
        .ingest_telemetry(p.org_id, run, &batch.samples)
        .await?;
    Ok(Json(Ingested { stored }))
}

/// Downsampling query parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TelemetryParams {
    /// Signal name.
    pub signal: String,
    /// Start (RFC 3339), inclusive.
    pub from: chrono::DateTime<chrono::Utc>,
    /// End (RFC 3339), exclusive.
    pub to: chrono::DateTime<chrono::Utc>,
    /// Buckets, 1 to 10 000 (default 1000).
    pub buckets: Option<u32>,
}

/// Min, max, mean and count per time bucket of one signal; buckets of 1 s and wider
/// are read from the rollup table.
#[utoipa::path(get, path = "/runs/{id}/telemetry", tag = "telemetry",
    params(("id" = uuid::Uuid, Path), TelemetryParams),
    responses((status = 200, body = Vec<TelemetryBucket>), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn query(
    State(s): State<AppState>,
    p: Principal,
    Id(run): Id,
    ApiQuery(q): ApiQuery<TelemetryParams>,
) -> ApiResult<Json<Vec<TelemetryBucket>>> {
    let query = TelemetryQuery {
        signal: q.signal,
        from: q.from,
        to: q.to,
        buckets: q.buckets.unwrap_or(1000),
    };
    Ok(Json(s.store.query_telemetry(p.org_id, run, &query).await?))
}

/// Names of the signals a run has telemetry for.
#[utoipa::path(get, path = "/runs/{id}/telemetry/signals", tag = "telemetry",
    params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<String>), (status = 404, body = Problem)))]
async fn signals(
    State(s): State<AppState>,
    p: Principal,
    Id(run): Id,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(s.store.telemetry_signals(p.org_id, run).await?))
}
