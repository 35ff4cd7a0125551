//! The built-in datasheet parts that designs name in `[devices]` (the same library as
//! `pelab components list`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use pelab_components::curve::CurveFamily;
use pelab_components::library::{built_in_names, load_built_in};
use pelab_components::semiconductor::EnergyTable;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_parts))
        .routes(routes!(get_part))
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

/// One datasheet curve: points `[x, y]` at a parameter (Tj [°C]).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurveData {
    /// The parameter of the curve: Tj [°C] for on-state and energy curves.
    pub tj_c: f64,
    /// Datasheet points `[x, y]` in the units of the family.
    pub points: Vec<[f64; 2]>,
}

/// A family of datasheet curves with its axes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurveSet {
    /// Name of the family, e.g. `channel` or `e_on`.
    pub name: String,
    /// x axis, e.g. `I_D [A]`.
    pub x: String,
    /// y axis, e.g. `V_DS [V]`.
    pub y: String,
    /// Supply voltage of a switching-energy measurement [V].
    pub v_ref_v: Option<f64>,
    /// Gate resistance of a switching-energy measurement [Ω].
    pub r_g_ref_ohm: Option<f64>,
    /// One curve per Tj.
    pub curves: Vec<CurveData>,
}

/// A built-in part with its datasheet curves, for plotting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartDetail {
    /// Ratings and identity.
    pub summary: PartSummary,
    /// On-state, diode, switching-energy and capacitance curves that the data carry.
    pub curves: Vec<CurveSet>,
    /// Gaps and repairs found when the data were imported, one line each.
    pub findings: Vec<String>,
}

fn family(name: &str, x: &str, y: &str, f: &CurveFamily) -> CurveSet {
    CurveSet {
        name: name.into(),
        x: x.into(),
        y: y.into(),
        v_ref_v: None,
        r_g_ref_ohm: None,
        curves: f
            .parameters()
            .iter()
            .zip(f.curves())
            .map(|(&tj_c, c)| CurveData {
                tj_c,
                points: c.x().iter().zip(c.y()).map(|(&x, &y)| [x, y]).collect(),
            })
            .collect(),
    }
}

fn energy(name: &str, table: &EnergyTable) -> CurveSet {
    CurveSet {
        v_ref_v: Some(table.v_ref_v),
        r_g_ref_ohm: table.r_g_ref_ohm,
        ..family(name, "I [A]", "E [J]", &table.energy)
    }
}

/// A built-in part with its datasheet curves (on-state, diode, Eon, Eoff, Err, Coss).
#[utoipa::path(get, path = "/parts/{name}", tag = "components",
    params(("name" = String, Path, description = "part name as listed by GET /parts")),
    responses((status = 200, body = PartDetail), (status = 404, body = Problem)))]
async fn get_part(
    State(_): State<AppState>,
    Path(name): Path<String>,
) -> ApiResult<Json<PartDetail>> {
    let shown = crate::extract::truncate(&name, 100);
    let part = load_built_in(&name).map_err(|_| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no built-in part {shown:?} (GET /api/v1/parts lists them)"),
        )
    })?;
    let t = &part.transistor;
    let kind = serde_json::to_value(t.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let on = if kind == "igbt" {
        "V_CE [V]"
    } else {
        "V_DS [V]"
    };
    let mut curves = Vec::new();
    if let Some(f) = &t.channel {
        curves.push(family("channel", "I [A]", on, f));
    }
    if let Some(f) = &t.reverse_channel {
        curves.push(family("reverse_channel", "I [A]", on, f));
    }
    if let Some(d) = &t.diode {
        if let Some(f) = &d.forward {
            curves.push(family("diode_forward", "I_F [A]", "V_F [V]", f));
        }
        if let Some(e) = &d.recovery {
            curves.push(energy("e_rr", e));
        }
    }
    if let Some(e) = &t.e_on {
        curves.push(energy("e_on", e));
    }
    if let Some(e) = &t.e_off {
        curves.push(energy("e_off", e));
    }
    if let Some(c) = &t.coss {
        curves.push(CurveSet {
            name: "coss".into(),
            x: "V_DS [V]".into(),
            y: "C_oss [F]".into(),
            v_ref_v: None,
            r_g_ref_ohm: None,
            curves: vec![CurveData {
                tj_c: c.t_j_c,
                points: c
                    .coss
                    .x()
                    .iter()
                    .zip(c.coss.y())
                    .map(|(&x, &y)| [x, y])
                    .collect(),
            }],
        });
    }
    let findings = part
        .findings
        .iter()
        .map(|f| format!("{}: {}", f.curve, f.message))
        .collect();
    Ok(Json(PartDetail {
        summary: PartSummary {
            name: built_in_names()
                .into_iter()
                .find(|n| n.eq_ignore_ascii_case(&name))
                .unwrap_or(&name)
                .to_string(),
            kind,
            manufacturer: t.datasheet.manufacturer.clone(),
            housing: t.datasheet.housing.clone(),
            v_abs_max_v: t.ratings.v_abs_max_v,
            i_cont_a: t.ratings.i_cont_a,
            t_j_max_c: t.ratings.t_j_max_c,
            findings: part.findings.len(),
        },
        curves,
        findings,
    }))
}
