//! The built-in datasheet parts that designs name in `[devices]` (the same library as
//! `pelab components list`).

use axum::Json;
use axum::extract::State;
use pelab_components::library::{built_in_names, load_built_in};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_parts))
}

/// A built-in part with its main ratings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartSummary {
    /// Name to use in `[devices]`, e.g. `CREE_C3M0016120K`.
    pub name: String,
    /// Technology: `sic_mosfet`, `si_mosfet`, `gan_hemt` or `igbt`.
    pub kind: String,
    /// Manufacturer, when the data name it.
    pub manufacturer: Option<String>,
    /// Housing, e.g. `TO-247-4`.
    pub housing: Option<String>,
    /// Absolute maximum blocking voltage [V].
    pub v_abs_max_v: f64,
    /// Continuous current rating [A].
    pub i_cont_a: Option<f64>,
    /// Maximum junction temperature [°C].
    pub t_j_max_c: Option<f64>,
    /// Gaps and repairs found when the data were imported.
    pub findings: usize,
}

/// Lists the built-in datasheet parts.
#[utoipa::path(get, path = "/parts", tag = "components",
    responses((status = 200, body = Vec<PartSummary>)))]
async fn list_parts(State(_): State<AppState>) -> Json<Vec<PartSummary>> {
    let parts = tokio::task::spawn_blocking(|| {
        built_in_names()
            .into_iter()
            .filter_map(|name| {
                let part = load_built_in(name).ok()?;
                let t = &part.transistor;
                let kind = serde_json::to_value(t.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default();
                Some(PartSummary {
                    name: name.to_string(),
                    kind,
                    manufacturer: t.datasheet.manufacturer.clone(),
                    housing: t.datasheet.housing.clone(),
                    v_abs_max_v: t.ratings.v_abs_max_v,
                    i_cont_a: t.ratings.i_cont_a,
                    t_j_max_c: t.ratings.t_j_max_c,
                    findings: part.findings.len(),
                })
            })
            .collect()
    })
    .await
    .unwrap_or_default();
    Json(parts)
}
