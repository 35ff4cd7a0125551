//! Parameter sweeps: one queued run per value, stored with the sweep in one
//! transaction and gathered by index.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::types::Json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::parse_uuid;
use crate::{NewRun, Result, Run, Store, StoreError, new_id, on_pool};

/// A stored sweep.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sweep {
    /// Id.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Swept parameter path, e.g. `parameters.l`.
    pub parameter: String,
    /// Values, in run order.
    pub values: Vec<f64>,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
}

/// Most values in one sweep.
pub const MAX_SWEEP_VALUES: usize = 200;

impl Store {
    /// Stores a sweep and its runs (one per value, with their jobs) in one
    /// transaction; returns the sweep and each run's `(run_id, job_id)` in value order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] for a project outside the organisation,
    /// [`StoreError::Invalid`] when `runs` and `values` differ in length or exceed
    /// [`MAX_SWEEP_VALUES`].
    pub async fn create_sweep(
        &self,
        org_id: Uuid,
        project_id: Uuid,
        parameter: &str,
        values: &[f64],
        runs: &[NewRun],
    ) -> Result<(Sweep, Vec<(Uuid, Uuid)>)> {
        self.get_project(org_id, project_id).await?;
        if values.is_empty() || values.len() > MAX_SWEEP_VALUES || runs.len() != values.len() {
            return Err(StoreError::invalid(
                "values",
                format!(
                    "{} values for {} runs (accepted: 1 to {MAX_SWEEP_VALUES}, one run each)",
                    values.len(),
                    runs.len()
                ),
            ));
        }
        let now = Utc::now();
        let sweep = Sweep {
            id: new_id(),
            project_id,
            parameter: parameter.to_string(),
            values: values.to_vec(),
            created_at: now,
        };
        let ids: Vec<(Uuid, Uuid)> = runs.iter().map(|_| (new_id(), new_id())).collect();
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query(
                "INSERT INTO sweeps (id, org_id, project_id, parameter, sweep_values, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(sweep.id.to_string())
                .bind(org_id.to_string())
                .bind(project_id.to_string())
                .bind(parameter)
                .bind(Json(&sweep.values))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for (index, (run, (run_id, job_id))) in runs.iter().zip(&ids).enumerate() {
                sqlx::query(
                    "INSERT INTO runs (id, org_id, project_id, design_id, mode, status, request, \
                     created_by, created_at, sweep_id, sweep_index, kernel, title) \
                     VALUES ($1, $2, $3, $4, $5, 'queued', $6, $7, $8, $9, $10, $11, $12)")
                    .bind(run_id.to_string())
                    .bind(org_id.to_string())
                    .bind(project_id.to_string())
                    .bind(run.design_id.map(|d| d.to_string()))
                    .bind(run.mode.as_str())
                    .bind(Json(&run.request))
                    .bind(run.created_by.map(|u| u.to_string()))
                    .bind(now)
                    .bind(sweep.id.to_string())
                    .bind(index as i64)
                    .bind(crate::runs::kernel_and_title(&run.request).0)
                    .bind(crate::runs::kernel_and_title(&run.request).1)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO jobs (id, org_id, run_id, kind, status, attempts, max_attempts, \
                     available_at, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'simulate', 'queued', 0, $4, $5, $6, $7)")
                    .bind(job_id.to_string())
                    .bind(org_id.to_string())
                    .bind(run_id.to_string())
                    .bind(i64::from(run.max_attempts.max(1)))
                    .bind(now)
                    .bind(now)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok((sweep, ids))
    }

    /// A sweep and its runs in value order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] outside the organisation.
    pub async fn get_sweep(&self, org_id: Uuid, id: Uuid) -> Result<(Sweep, Vec<Run>)> {
        type Row = (String, String, String, Json<Vec<f64>>, DateTime<Utc>);
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, project_id, parameter, sweep_values, created_at FROM sweeps \
             WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        let (sid, project, parameter, values, created_at) =
            row.ok_or_else(|| StoreError::not_found("sweep", id))?;
        let ids: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM runs WHERE org_id = $1 AND sweep_id = $2 ORDER BY sweep_index")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_all(p)
            .await)?;
        let mut runs = Vec::with_capacity(ids.len());
        for (run_id,) in ids {
            runs.push(self.get_run(org_id, parse_uuid("id", &run_id)?).await?);
        }
        Ok((
            Sweep {
                id: parse_uuid("id", &sid)?,
                project_id: parse_uuid("project_id", &project)?,
                parameter,
                values: values.0,
                created_at,
            },
            runs,
        ))
    }
}
