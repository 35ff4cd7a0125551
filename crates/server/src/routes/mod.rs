//! HTTP routes under `/api/v1`.

pub mod accounts;
pub mod auth;
pub mod calc;
pub mod components;
pub mod kernels;
pub mod mqtt;
pub mod parts;
pub mod projects;
pub mod runs;
pub mod sweeps;
pub mod system;
pub mod telemetry;
pub mod ws;

use serde::Deserialize;
use utoipa::IntoParams;

/// Paging of list endpoints.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}
