//! Projects and their designs.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use pelab_sim::design::{Design as SimDesign, Format};
use pelab_store::{Design, Domain, NewProject, Project, ProjectPatch};
use serde::Deserialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_projects, create_project))
        .routes(routes!(get_project, update_project, delete_project))
        .routes(routes!(list_designs, create_design))
        .routes(routes!(get_design, update_design, delete_design))
}

/// Filters of the project list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProjectQuery {
    /// Only projects of this domain.
    pub domain: Option<Domain>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// Lists the projects, newest first.
#[utoipa::path(get, path = "/projects", tag = "projects", params(ProjectQuery),
    responses((status = 200, body = Vec<Project>), (status = 422, body = Problem)))]
async fn list_projects(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<ProjectQuery>,
) -> ApiResult<Json<Vec<Project>>> {
    let list = s
        .store
        .list_projects(
            p.org_id,
            q.domain,
            q.limit.unwrap_or(100),
            q.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(list))
}

/// Creates a project.
#[utoipa::path(post, path = "/projects", tag = "projects", request_body = NewProject,
    responses((status = 201, body = Project), (status = 400, body = Problem), (status = 422, body = Problem)))]
async fn create_project(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<NewProject>,
) -> ApiResult<impl IntoResponse> {
    let project = s.store.create_project(p.org_id, &body).await?;
    Ok((StatusCode::CREATED, Json(project)))
}

/// One project.
#[utoipa::path(get, path = "/projects/{id}", tag = "projects", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Project), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn get_project(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<Json<Project>> {
    Ok(Json(s.store.get_project(p.org_id, id).await?))
}

/// Changes a project; `version` must be the one last read (409 otherwise).
#[utoipa::path(patch, path = "/projects/{id}", tag = "projects", params(("id" = uuid::Uuid, Path)),
    request_body = ProjectPatch,
    responses((status = 200, body = Project), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_project(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiJson(body): ApiJson<ProjectPatch>,
) -> ApiResult<Json<Project>> {
    Ok(Json(s.store.update_project(p.org_id, id, &body).await?))
}

/// Deletes a project with its designs and runs.
#[utoipa::path(delete, path = "/projects/{id}", tag = "projects", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_project(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    for name in s.store.delete_project(p.org_id, id).await? {
        if let Err(e) = s.waveforms.remove(&name) {
            tracing::warn!(error = %e, project_id = %id, "cannot remove a waveform file");
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// A design as the API takes it: the kernel (`topology`) and the sections of a design
/// file. Every value is checked against the kernel's ranges before it is stored.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignBody {
    /// Name (1 to 200 characters).
    pub name: String,
    /// Kernel name, e.g. `interleaved_boost` (see `GET /kernels`).
    pub topology: String,
    /// `[parameters]`: plant values.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub parameters: Map<String, Value>,
    /// `[control]`: controller settings.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub controller: Map<String, Value>,
    /// `[simulation]`: t_stop, output_step and the like.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub simulation: Map<String, Value>,
    /// `[devices]`: a library part per switch position.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub devices: Map<String, Value>,
    /// `[thermal]`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub thermal: Map<String, Value>,
    /// `[gate_drive]`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub gate_drive: Map<String, Value>,
    /// Free-text description.
    #[serde(default)]
    pub description: String,
    /// Title shown in run summaries and reports (1 to 200 characters); default: the
    /// name.
    #[serde(default)]
    pub title: Option<String>,
}

/// A design update: the body of a new design plus the version last read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DesignUpdate {
    /// The version the change is based on (409 when it is stale).
    pub version: i64,
    /// The new design.
    pub design: DesignBody,
}

/// Maps a design-file path to the API's field names.
fn api_path(path: &str) -> String {
    if path == "kernel" {
        return "topology".into();
    }
    match path.strip_prefix("control") {
        Some(rest) if rest.is_empty() || rest.starts_with('.') => format!("controller{rest}"),
        _ => path.to_string(),
    }
}

/// Builds the design-file document of `body` (validate it with
/// [`validate_document_async`]).
pub fn design_document(body: &DesignBody) -> ApiResult<Value> {
    let mut doc = Map::new();
    doc.insert("kernel".into(), Value::String(body.topology.clone()));
    let title = match &body.title {
        Some(t) if t.trim().is_empty() || t.chars().count() > 200 => {
            return Err(ApiError::field(
                "title",
                format!(
                    "{} characters (accepted: 1 to 200, not only spaces)",
                    t.chars().count()
                ),
            ));
        }
        Some(t) => t.clone(),
        None => body.name.clone(),
    };
    doc.insert("title".into(), Value::String(title));
    if !body.description.is_empty() {
        doc.insert(
            "description".into(),
            Value::String(body.description.clone()),
        );
    }
    for (key, section) in [
        ("parameters", &body.parameters),
        ("control", &body.controller),
        ("simulation", &body.simulation),
        ("devices", &body.devices),
        ("thermal", &body.thermal),
        ("gate_drive", &body.gate_drive),
    ] {
        if !section.is_empty() {
            doc.insert(key.into(), Value::Object(section.clone()));
        }
    }
    Ok(Value::Object(doc))
}

/// Validates a design-file document: the values against their ranges, then the
/// combinations the kernel checks before a run (step sizes against the switching
/// period, sample budgets, stability bounds), so a design that is accepted also runs.
pub fn validate_document(doc: &Value, request_max: Option<usize>) -> ApiResult<SimDesign> {
    let field =
        |e: pelab_sim::kernels::params::DesignError| ApiError::field(api_path(&e.path), e.message);
    let design = SimDesign::parse(&doc.to_string(), Format::Json).map_err(field)?;
    // The field that sets the budget: the request's override, else the design's.
    let budget_field = if request_max.is_some() {
        "max_samples"
    } else {
        "simulation.max_samples"
    };
    if design.is_model() {
        let model = design.build_model().map_err(field)?;
        let budget = pelab_sim::simulate::model_max_samples(&design, request_max);
        let expected = model.expected_samples();
        if expected > budget {
            return Err(ApiError::field(
                budget_field,
                format!(
                    "{budget} samples, but the run records {expected} (accepted: at least \
                     {expected}, or a longer output_step or shorter t_stop)"
                ),
            ));
        }
    } else {
        let mut prepared = design.prepare().map_err(field)?;
        if let Some(n) = request_max {
            prepared.options.max_samples = n;
            prepared
                .options
                .validate()
                .map_err(|e| ApiError::field(budget_field, e.to_string()))?;
        }
    }
    Ok(design)
}

/// [`validate_document`] on a blocking thread (building a model can take a moment).
/// `request_max` is a run request's sample budget, which overrides the design's.
pub async fn validate_document_async(doc: Value, request_max: Option<usize>) -> ApiResult<()> {
    tokio::task::spawn_blocking(move || validate_document(&doc, request_max).map(|_| ()))
        .await
        .map_err(|e| ApiError::internal(format!("validation stopped: {e}")))?
}

/// Designs of a project, newest first.
#[utoipa::path(get, path = "/projects/{id}/designs", tag = "designs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Vec<Design>), (status = 404, body = Problem)))]
async fn list_designs(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<Json<Vec<Design>>> {
    Ok(Json(s.store.list_designs(p.org_id, id).await?))
}

/// Validates and stores a design in a project.
#[utoipa::path(post, path = "/projects/{id}/designs", tag = "designs", params(("id" = uuid::Uuid, Path)),
    request_body = DesignBody,
    responses((status = 201, body = Design), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn create_design(
    State(s): State<AppState>,
    p: Principal,
    Id(project): Id,
    ApiJson(body): ApiJson<DesignBody>,
) -> ApiResult<impl IntoResponse> {
    let doc = design_document(&body)?;
    validate_document_async(doc.clone(), None).await?;
    let design = s
        .store
        .create_design(
            p.org_id,
            project,
            &body.name,
            &body.topology,
            &doc,
            Some(p.user_id),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(design)))
}

/// One design.
#[utoipa::path(get, path = "/designs/{id}", tag = "designs", params(("id" = uuid::Uuid, Path)),
    responses((status = 200, body = Design), (status = 404, body = Problem)))]
async fn get_design(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<Json<Design>> {
    Ok(Json(s.store.get_design(p.org_id, id).await?))
}

/// Replaces a design; `version` must be the one last read (409 otherwise).
#[utoipa::path(put, path = "/designs/{id}", tag = "designs", params(("id" = uuid::Uuid, Path)),
    request_body = DesignUpdate,
    responses((status = 200, body = Design), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn update_design(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiJson(body): ApiJson<DesignUpdate>,
) -> ApiResult<Json<Design>> {
    let doc = design_document(&body.design)?;
    validate_document_async(doc.clone(), None).await?;
    let design = s
        .store
        .update_design(
            p.org_id,
            id,
            body.version,
            &body.design.name,
            &body.design.topology,
            &doc,
        )
        .await?;
    Ok(Json(design))
}

/// Deletes a design; runs keep their own copy.
#[utoipa::path(delete, path = "/designs/{id}", tag = "designs", params(("id" = uuid::Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem)))]
async fn delete_design(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    s.store.delete_design(p.org_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
