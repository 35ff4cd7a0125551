//! The organisation's component library.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use pelab_store::{Component, NewComponent};
use serde::Deserialize;
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
        .routes(routes!(list_components, create_component))
        .routes(routes!(get_component, update_component, delete_component))
}

/// Filters of the component list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ComponentQuery {
    /// Only components of this kind.
    pub kind: Option<String>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// A component update.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentUpdate {
    /// The version the change is based on (409 when it is stale).
    pub version: i64,
    /// The new values.
    pub component: NewComponent,
}

/// Lists components by part number.
#[utoipa::path(get, path = "/components", tag = "components", params(ComponentQuery),
    responses((status = 200, body = Vec<Component>), (status = 422, body = Problem)))]
async fn list_components(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ComponentQuery>,
) -> ApiResult<Json<Vec<Component>>> {
    let list = s
        .store
        .list_components(
            p.org_id,
            q.kind.as_deref(),
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(list))
}

/// Adds a component.
#[utoipa::path(post, path = "/components", tag = "components", request_body = NewComponent,
    responses((status = 201, body = Component), (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn create_component(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<NewComponent>,
) -> ApiResult<impl IntoResponse> {
    let c = s.store.create_component(p.org_id, &body).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// One component.
#[utoipa::path(get, path = "/components/{id}", tag = "components", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Component), (status = 404, body = Problem)))]
async fn get_component(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<Json<Component>> {
    Ok(Json(s.store.get_component(p.org_id, id).await?))
}

/// Replaces a component; `version` must be the one last read (409 otherwise).
#[utoipa::path(put, path = "/components/{id}", tag = "components", params(("id" = uuid::Uuid, Path)),
    request_body = ComponentUpdate,
    responses((status = 200, body = Component), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_component(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiJson(body): ApiJson<ComponentUpdate>,
) -> ApiResult<Json<Component>> {
    let c = s
        .store
        .update_component(p.org_id, id, body.version, &body.component)
        .await?;
    Ok(Json(c))
}

/// Deletes a component.
#[utoipa::path(delete, path = "/components/{id}", tag = "components", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_component(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    s.store.delete_component(p.org_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
