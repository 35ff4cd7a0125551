//! Parameter sweeps: one run per value of one parameter, queued as separate jobs (so
//! any number of workers share them) and gathered into one table.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use pelab_store::{MAX_SWEEP_VALUES, NewRun, RunMode, RunStatus, Sweep};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, Id};
use crate::routes::projects::validate_document_async;
use crate::routes::runs::{SimulateRequest, run_document};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_sweep))
        .routes(routes!(get_sweep))
}

/// A sweep: the base run and the values of one parameter.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepRequest {
    /// The run every value starts from (a stored or inline design and options).
    pub base: SimulateRequest,
    /// `parameters.NAME`, `controller.NAME` or `simulation.NAME`.
    pub parameter: String,
    /// Values, 1 to 200, each checked against the parameter's range.
    pub values: Vec<f64>,
}

/// Response to a queued sweep.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepQueued {
    /// Sweep id.
    pub sweep_id: Uuid,
    /// One run per value, in order.
    pub run_ids: Vec<Uuid>,
}

/// One value of a gathered sweep.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepRow {
    /// Parameter value.
    pub value: f64,
    /// The run.
    pub run_id: Uuid,
    /// Its state.
    pub status: RunStatus,
    /// Failure reason.
    pub error: Option<String>,
    /// Scalar results by name (efficiency, losses, ripple, or the model's metrics).
    pub metrics: BTreeMap<String, f64>,
}

/// A sweep with its gathered results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SweepResult {
    /// The sweep.
    pub sweep: Sweep,
    /// Runs per state.
    pub counts: BTreeMap<String, usize>,
    /// Whether every run has finished.
    pub complete: bool,
    /// One row per value.
    pub rows: Vec<SweepRow>,
}

fn set_path(doc: &mut Value, parameter: &str, value: f64) -> ApiResult<()> {
    let (section, key) = parameter.split_once('.').unwrap_or(("", parameter));
    let section = match section {
        "parameters" => "parameters",
        "controller" => "control",
        "simulation" => "simulation",
        _ => {
            return Err(ApiError::field(
                "parameter",
                format!(
                    "\"{}\" (accepted: parameters.NAME, controller.NAME or simulation.NAME)",
                    crate::extract::truncate(parameter, 80)
                ),
            ));
        }
    };
    if key.is_empty() || key.contains('.') {
        return Err(ApiError::field(
            "parameter",
            "needs a parameter name after the section",
        ));
    }
    let Some(obj) = doc.as_object_mut() else {
        return Err(ApiError::internal("design document is not an object"));
    };
    let entry = obj
        .entry(section)
        .or_insert_with(|| Value::Object(serde_json::Map::new()));
    if let Some(map) = entry.as_object_mut() {
        map.insert(key.to_string(), Value::from(value));
    }
    Ok(())
}

/// Queues one run per value of a parameter.
#[utoipa::path(post, path = "/simulate/sweep", tag = "runs", request_body = SweepRequest,
    responses((status = 202, body = SweepQueued), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
async fn create_sweep(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<SweepRequest>,
) -> ApiResult<impl IntoResponse> {
    if req.values.is_empty() || req.values.len() > MAX_SWEEP_VALUES {
        return Err(ApiError::field(
            "values",
            format!(
                "{} values (accepted: 1 to {MAX_SWEEP_VALUES})",
                req.values.len()
            ),
        ));
    }
    s.store.get_project(p.org_id, req.base.project_id).await?;
    let base = run_document(&s, p.org_id, &req.base)
        .await
        .map_err(|mut e| {
            for f in &mut e.0.errors {
                f.field = format!("base.{}", f.field);
            }
            e
        })?;
    let mut runs = Vec::with_capacity(req.values.len());
    for (i, &value) in req.values.iter().enumerate() {
        let mut doc = base.clone();
        set_path(&mut doc.design, &req.parameter, value)?;
        validate_document_async(doc.design.clone(), doc.options.max_samples)
            .await
            .map_err(|e| {
                let why =
                    e.0.errors
                        .first()
                        .map_or(e.0.detail.clone(), |f| f.message.clone());
                ApiError::field(format!("values[{i}]"), format!("{value}: {why}"))
            })?;
        let request = serde_json::to_value(&doc)
            .map_err(|e| ApiError::internal(format!("cannot encode the run request: {e}")))?;
        runs.push(NewRun {
            project_id: req.base.project_id,
            design_id: req.base.design_id,
            mode: RunMode::Sim,
            request,
            created_by: Some(p.user_id),
            max_attempts: s.config.max_attempts,
        });
    }
    let (sweep, ids) = s
        .store
        .create_sweep(
            p.org_id,
            req.base.project_id,
            &req.parameter,
            &req.values,
            &runs,
        )
        .await?;
    for (_, job) in &ids {
        s.queue.announce(*job).await;
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(SweepQueued {
            sweep_id: sweep.id,
            run_ids: ids.into_iter().map(|(run, _)| run).collect(),
        }),
    ))
}

/// Scalar results of a run summary: the model's metrics, or the circuit's efficiency,
/// losses and ripple.
pub fn gather_metrics(summary: Option<&Value>) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let Some(result) = summary.map(|s| &s["result"]) else {
        return out;
    };
    let mut put = |name: &str, v: &Value| {
        if let Some(x) = v.as_f64().filter(|x| x.is_finite()) {
            out.insert(name.to_string(), x);
        }
    };
    if let Some(list) = result["metrics"].as_array() {
        for m in list {
            if let Some(name) = m["name"].as_str() {
                put(name, &m["value"]);
            }
        }
        return out;
    }
    put("efficiency", &result["efficiency"]);
    put("loss_total", &result["loss_total"]);
    put("v_out_mean", &result["output_voltage"]["mean"]);
    put("v_out_ripple_pp", &result["output_voltage"]["ripple_pp"]);
    put("i_in_rms", &result["input_current"]["rms"]);
    if let Some(l) = result["inductors"].as_array().and_then(|l| l.first()) {
        put("i_l_ripple_pp", &l["ripple_pp"]);
        put("i_l_rms", &l["rms"]);
    }
    put(
        "efficiency_with_datasheet_losses",
        &result["semiconductors"]["efficiency_with_datasheet_losses"],
    );
    out
}

/// A sweep with each value's status and scalar results.
#[utoipa::path(get, path = "/simulate/sweep/{id}", tag = "runs", params(("id" = Uuid, Path)),
    responses((status = 200, body = SweepResult), (status = 404, body = Problem)))]
async fn get_sweep(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<Json<SweepResult>> {
    let (sweep, runs) = s.store.get_sweep(p.org_id, id).await?;
    let mut counts = BTreeMap::new();
    let rows: Vec<SweepRow> = sweep
        .values
        .iter()
        .zip(&runs)
        .map(|(&value, run)| {
            *counts.entry(run.status.to_string()).or_insert(0) += 1;
            SweepRow {
                value,
                run_id: run.id,
                status: run.status,
                error: run.error.clone(),
                metrics: gather_metrics(run.summary.as_ref()),
            }
        })
        .collect();
    let complete = runs.iter().all(|r| r.status.is_final());
    Ok(Json(SweepResult {
        sweep,
        counts,
        complete,
        rows,
    }))
}
