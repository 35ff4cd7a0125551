//! `GET /runs/{id}/report.pdf` (wired when pelab-report lands).

use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
