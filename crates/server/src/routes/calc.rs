//! Loss and thermal calculators; the same JSON as `pelab calc`.

use axum::Json;
use axum::extract::State;
use pelab_components::library::resolve_switch_model;
use pelab_components::loss::{LossRequest, LossResponse, calc_losses};
use pelab_components::thermal::{ThermalError, ThermalRequest, ThermalResponse, calc_thermal};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::ApiJson;
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(losses))
        .routes(routes!(thermal))
}

/// Semiconductor losses at an operating point or from waveforms (see docs/losses.md).
#[utoipa::path(post, path = "/calc/losses", tag = "calc",
    request_body(content = Object, description = "a loss request as in docs/losses.md"),
    responses((status = 200, body = Object, description = "the loss response of docs/losses.md"),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn losses(
    State(_): State<AppState>,
    ApiJson(request): ApiJson<LossRequest>,
) -> ApiResult<Json<LossResponse>> {
    let response =
        tokio::task::spawn_blocking(move || calc_losses(&request, &resolve_switch_model))
            .await
            .map_err(|e| ApiError::internal(format!("the loss calculation stopped: {e}")))?
            .map_err(|e| ApiError::field(e.path.clone(), e.message.clone()))?;
    Ok(Json(response))
}

/// Junction temperatures of thermal networks under a power profile (see
/// docs/thermal.md).
#[utoipa::path(post, path = "/calc/thermal", tag = "calc",
    request_body(content = Object, description = "a thermal request as in docs/thermal.md"),
    responses((status = 200, body = Object, description = "the thermal response of docs/thermal.md"),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn thermal(
    State(_): State<AppState>,
    ApiJson(request): ApiJson<ThermalRequest>,
) -> ApiResult<Json<ThermalResponse>> {
    let response = tokio::task::spawn_blocking(move || calc_thermal(&request))
        .await
        .map_err(|e| ApiError::internal(format!("the thermal calculation stopped: {e}")))?
        .map_err(|e: ThermalError| ApiError::field("", e.to_string()))?;
    Ok(Json(response))
}
