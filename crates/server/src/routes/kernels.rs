//! The simulation kernels and the JSON Schema of their design documents.

use axum::Json;
use axum::extract::{Path, State};
use pelab_sim::kernels;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_kernels))
        .routes(routes!(kernel_schema))
}

/// A kernel and its parameters.
#[derive(Debug, Serialize, ToSchema)]
pub struct KernelDoc {
    /// Name used as `topology`.
    pub name: String,
    /// One-line description.
    pub summary: String,
    /// `circuit` (netlist template) or `model` (own state equations).
    pub family: String,
    /// Parameter specs of `[parameters]`, with units, ranges and defaults.
    #[schema(value_type = Vec<Object>)]
    pub parameters: Value,
    /// Specs of `[control]`.
    #[schema(value_type = Vec<Object>)]
    pub controller: Value,
    /// Specs of `[simulation]`.
    #[schema(value_type = Vec<Object>)]
    pub simulation: Value,
}

/// Every simulation kernel with its parameter specs.
#[utoipa::path(get, path = "/kernels", tag = "kernels",
    responses((status = 200, body = Vec<KernelDoc>)))]
async fn list_kernels(State(_): State<AppState>) -> Json<Vec<KernelDoc>> {
    Json(
        kernels::registry()
            .into_iter()
            .map(|k| {
                let info = k.info();
                KernelDoc {
                    name: info.name.to_string(),
                    summary: info.summary.to_string(),
                    family: match k {
                        kernels::KernelRef::Circuit(_) => "circuit".into(),
                        kernels::KernelRef::Model(_) => "model".into(),
                    },
                    parameters: serde_json::to_value(&info.parameters).unwrap_or_default(),
                    controller: serde_json::to_value(&info.control).unwrap_or_default(),
                    simulation: serde_json::to_value(&info.simulation).unwrap_or_default(),
                }
            })
            .collect(),
    )
}

/// The JSON Schema (2020-12) of a kernel's design document.
#[utoipa::path(get, path = "/kernels/{name}/schema", tag = "kernels",
    params(("name" = String, Path, description = "kernel name")),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
async fn kernel_schema(
    State(_): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<Value>> {
    crate::schema::design_schema(&name)
        .map(Json)
        .ok_or_else(|| ApiError::not_found("kernel", crate::extract::truncate(&name, 64)))
}
