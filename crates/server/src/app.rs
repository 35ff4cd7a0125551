//! The HTTP application: routes, OpenAPI document, middleware.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::ApiError;
use crate::routes;
use crate::state::AppState;

/// The OpenAPI document's fixed parts; paths and schemas come from the routes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "pelab API",
        description = "Projects, designs, components, simulation runs with live streaming, \
                       telemetry and calculators of pelab, the power-electronics lab. \
                       Errors are RFC 7807 problem documents.",
        license(name = "MIT", identifier = "MIT")
    ),
    tags(
        (name = "auth", description = "Sign-in by e-mail link or Google, sessions and sign-out"),
        (name = "accounts", description = "The organisation, members, invitations, API tokens and audit log"),
        (name = "projects", description = "Projects"),
        (name = "designs", description = "Designs, validated against the kernel's ranges"),
        (name = "components", description = "The organisation's component library"),
        (name = "runs", description = "Simulation runs, live streams and exports"),
        (name = "telemetry", description = "Time-series samples of runs, downsampled on read"),
        (name = "calc", description = "Loss and thermal calculators"),
        (name = "kernels", description = "Simulation kernels and design schemas"),
        (name = "mqtt", description = "MQTT messages bridged to WebSocket clients"),
        (name = "system", description = "Health, readiness and metrics")
    )
)]
struct ApiDoc;

/// Builds the API routes and their OpenAPI document.
pub fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let v1 = OpenApiRouter::new()
        .merge(routes::auth::router())
        .merge(routes::accounts::router())
        .merge(routes::projects::router())
        .merge(routes::components::router())
        .merge(routes::parts::router())
        .merge(routes::runs::router())
        .merge(routes::sweeps::router())
        .merge(routes::telemetry::router())
        .merge(routes::ws::router())
        .merge(routes::mqtt::router())
        .merge(routes::calc::router())
        .merge(routes::kernels::router())
        .merge(crate::report::router());
    let (router, mut api) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .merge(routes::system::router())
        .split_for_parts();
    crate::problem_docs::document_problem_responses(&mut api);
    crate::problem_docs::document_auth(&mut api);
    (router, api)
}

/// Renders the OpenAPI document as committed in `spec/openapi.json`.
pub fn openapi_json() -> String {
    let (_, api) = api();
    let mut text = api.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}

/// Builds the complete application with middleware, for `axum::serve`.
pub fn build(state: AppState) -> Router {
    let (router, api) = api();
    let limit = state.config.body_limit;
    let request_id = HeaderName::from_static("x-request-id");
    router
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::authorize,
        ))
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", api))
        .fallback(crate::web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), audit))
        .layer(middleware::from_fn(record_metrics))
        .layer(DefaultBodyLimit::max(limit))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}

/// Builds the 404 problem document of a path that no route serves.
pub(crate) async fn not_found(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "no-route",
        format!(
            "no route {} {} (see /api/docs)",
            req.method(),
            crate::extract::truncate(req.uri().path(), 200)
        ),
    )
}

async fn method_not_allowed(req: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!(
            "{} is not accepted on {} (see /api/docs)",
            req.method(),
            crate::extract::truncate(req.uri().path(), 200)
        ),
    )
}

async fn record_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("pelab_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("pelab_http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    response
}

/// The id in the path, then the handler's note, e.g. `0192… role=viewer`.
fn audit_target(path: &str, note: Option<&crate::auth::AuditNote>) -> String {
    let id = path
        .rsplit('/')
        .find(|seg| uuid::Uuid::parse_str(seg).is_ok())
        .unwrap_or("");
    let note = note.map_or("", |n| n.0.as_str());
    crate::extract::truncate(format!("{id} {note}").trim(), 500)
}

/// Appends every mutating request of a signed-in member to the audit log, with its
/// result, and so does a Google sign-in (a GET). Requests no member made (a refused
/// token, an unknown route) belong to no organisation and are left to the access log.
/// Calculators change nothing and are not logged.
async fn audit(State(s): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mutating = matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let sign_in = path.ends_with("/auth/oidc/google/callback");
    if !(mutating || sign_in) || path.starts_with("/api/v1/calc/") {
        return next.run(req).await;
    }
    let source = crate::auth::source_ip(
        req.extensions(),
        req.headers(),
        s.auth.config.trust_forwarded_for,
    );
    let response = next.run(req).await;
    let Some(principal) = response.extensions().get::<crate::auth::Principal>() else {
        return response;
    };
    let entry = pelab_store::NewAuditEntry {
        org_id: principal.org_id,
        actor: principal.actor(),
        action: format!("{method} {}", crate::extract::truncate(&path, 300)),
        target: audit_target(&path, response.extensions().get::<crate::auth::AuditNote>()),
        source,
        result: response.status().as_u16().to_string(),
    };
    if let Err(e) = s.store.append_audit(&entry).await {
        tracing::warn!(error = %e, "cannot write the audit log");
    }
    response
}
