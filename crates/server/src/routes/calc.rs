//! Calculators: losses and thermal (the same JSON as `pelab calc`), and the design
//! calculators of `pelab_sim::calc` (inductor ripple, LLC tank, LCL filter, PV curve,
//! FOC tuning), described in docs/calculators.md.

use axum::Json;
use axum::extract::State;
use pelab_components::library::resolve_switch_model;
use pelab_components::loss::{LossRequest, LossResponse, calc_losses};
use pelab_components::thermal::{ThermalError, ThermalRequest, ThermalResponse, calc_thermal};
use pelab_sim::calc::CalcError;
use pelab_sim::calc::foc_tuning::{FocTuningRequest, FocTuningResponse, foc_tuning};
use pelab_sim::calc::lcl::{LclRequest, LclResponse, lcl};
use pelab_sim::calc::llc_tank::{LlcTankRequest, LlcTankResponse, llc_tank};
use pelab_sim::calc::pv_curve::{
    PvCurveRequest, PvCurveResponse, PvModuleBrief, pv_curve, pv_modules,
};
use pelab_sim::calc::ripple::{RippleRequest, RippleResponse, ripple};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(losses))
        .routes(routes!(thermal))
        .routes(routes!(ripple_calc))
        .routes(routes!(llc_tank_calc))
        .routes(routes!(lcl_calc))
        .routes(routes!(pv_curve_calc))
        .routes(routes!(foc_tuning_calc))
        .routes(routes!(list_pv_modules))
}

/// Runs a design calculator on a blocking thread and maps its error to a 422 that
/// names the field.
async fn run_calc<Q, R>(request: Q, calc: fn(&Q) -> Result<R, CalcError>) -> ApiResult<Json<R>>
where
    Q: Send + 'static,
    R: Send + 'static,
{
    tokio::task::spawn_blocking(move || calc(&request))
        .await
        .map_err(|e| ApiError::internal(format!("the calculation stopped: {e}")))?
        .map(Json)
        .map_err(|e| ApiError::field(e.path, e.message))
}

/// Inductor ripple of a buck, boost or inverting buck-boost in CCM with interleaved
/// phases, the CCM/DCM boundary and the mode at a given load.
#[utoipa::path(post, path = "/calc/ripple", tag = "calc", request_body = RippleRequest,
    responses((status = 200, body = RippleResponse),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn ripple_calc(ApiJson(request): ApiJson<RippleRequest>) -> ApiResult<Json<RippleResponse>> {
    run_calc(request, ripple).await
}

/// First-harmonic gain curves of an LLC tank for one or more loads.
#[utoipa::path(post, path = "/calc/llc-tank", tag = "calc", request_body = LlcTankRequest,
    responses((status = 200, body = LlcTankResponse),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn llc_tank_calc(
    ApiJson(request): ApiJson<LlcTankRequest>,
) -> ApiResult<Json<LlcTankResponse>> {
    run_calc(request, llc_tank).await
}

/// LCL grid filter sizing for a three-phase two-level inverter (Liserre et al. 2005),
/// with resonance, passive damping and design checks.
#[utoipa::path(post, path = "/calc/lcl", tag = "calc", request_body = LclRequest,
    responses((status = 200, body = LclResponse),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn lcl_calc(ApiJson(request): ApiJson<LclRequest>) -> ApiResult<Json<LclResponse>> {
    run_calc(request, lcl).await
}

/// I-V and P-V curves of a CEC module (or a series string of them) at an irradiance
/// and cell temperature, with the maximum power point.
#[utoipa::path(post, path = "/calc/pv-curve", tag = "calc", request_body = PvCurveRequest,
    responses((status = 200, body = PvCurveResponse),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn pv_curve_calc(
    ApiJson(request): ApiJson<PvCurveRequest>,
) -> ApiResult<Json<PvCurveResponse>> {
    run_calc(request, pv_curve).await
}

/// PMSM FOC tuning: loop gains, current and speed step responses with the real
/// controllers, and the torque-speed envelope.
#[utoipa::path(post, path = "/calc/foc-tuning", tag = "calc", request_body = FocTuningRequest,
    responses((status = 200, body = FocTuningResponse),
              (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn foc_tuning_calc(
    ApiJson(request): ApiJson<FocTuningRequest>,
) -> ApiResult<Json<FocTuningResponse>> {
    run_calc(request, foc_tuning).await
}

/// Search of the CEC module database.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PvModuleQuery {
    /// Words that must all appear in the module name (case ignored); empty lists the
    /// first modules.
    pub q: Option<String>,
    /// Most modules returned, 1 to 100 (default 20).
    pub limit: Option<usize>,
}

/// CEC modules whose name contains every word of `q`.
#[utoipa::path(get, path = "/pv/modules", tag = "calc", params(PvModuleQuery),
    responses((status = 200, body = Vec<PvModuleBrief>), (status = 422, body = Problem)))]
async fn list_pv_modules(
    ApiQuery(q): ApiQuery<PvModuleQuery>,
) -> ApiResult<Json<Vec<PvModuleBrief>>> {
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("{limit} (accepted: 1 to 100)"),
        ));
    }
    let query = q.q.unwrap_or_default();
    if query.len() > 200 {
        return Err(ApiError::field(
            "q",
            format!("{} characters (accepted: at most 200)", query.len()),
        ));
    }
    let list = tokio::task::spawn_blocking(move || pv_modules(&query, limit))
        .await
        .map_err(|e| ApiError::internal(format!("the module search stopped: {e}")))?;
    Ok(Json(list))
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
