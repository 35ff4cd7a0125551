//! Runs: queued with their job, claimed, finished once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::{parse_opt_uuid, parse_uuid};
use crate::projects::check_page;
use crate::{Result, Run, RunMode, RunStatus, Store, StoreError, new_id, on_pool};

/// A run to queue.
#[derive(Debug, Clone)]
pub struct NewRun {
    /// Project.
    pub project_id: Uuid,
    /// Stored design, if the run comes from one.
    pub design_id: Option<Uuid>,
    /// SIM or HIL.
    pub mode: RunMode,
    /// The design document and run options.
    pub request: serde_json::Value,
    /// Who asked.
    pub created_by: Option<Uuid>,
    /// Attempts before the job is dead-lettered.
    pub max_attempts: u32,
}

/// Filters of the run list.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunFilter {
    /// Only runs of this project.
    pub project_id: Option<Uuid>,
    /// Only runs in this state.
    pub status: Option<RunStatus>,
    /// Only SIM or only HIL runs.
    pub mode: Option<RunMode>,
    /// Only runs created at or after this time (RFC 3339).
    pub created_after: Option<DateTime<Utc>>,
    /// Only runs created before this time (RFC 3339).
    pub created_before: Option<DateTime<Utc>>,
    /// Page size, 1 to 1000 (default 100).
    pub limit: Option<i64>,
    /// Rows to skip (default 0).
    pub offset: Option<i64>,
}

/// The final state of a run, written once.
#[derive(Debug, Clone)]
pub struct RunUpdate {
    /// Done, failed or cancelled.
    pub status: RunStatus,
    /// Results.
    pub summary: Option<serde_json::Value>,
    /// Failure reason.
    pub error: Option<String>,
    /// Recorded samples.
    pub samples: i64,
    /// Waveform file name in the waveform store.
    pub waveform: Option<String>,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    id: String,
    org_id: String,
    project_id: String,
    design_id: Option<String>,
    mode: String,
    status: String,
    request: Json<serde_json::Value>,
    summary: Option<Json<serde_json::Value>>,
    error: Option<String>,
    progress: f64,
    samples: i64,
    cancel_requested: bool,
    created_by: Option<String>,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<RunRow> for Run {
    type Error = StoreError;
    fn try_from(r: RunRow) -> Result<Run> {
        Ok(Run {
            id: parse_uuid("id", &r.id)?,
            org_id: parse_uuid("org_id", &r.org_id)?,
            project_id: parse_uuid("project_id", &r.project_id)?,
            design_id: parse_opt_uuid("design_id", r.design_id)?,
            mode: RunMode::parse("mode", &r.mode)?,
            status: RunStatus::parse("status", &r.status)?,
            request: r.request.0,
            summary: r.summary.map(|s| s.0),
            error: r.error,
            progress: r.progress,
            samples: r.samples,
            cancel_requested: r.cancel_requested,
            created_by: parse_opt_uuid("created_by", r.created_by)?,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

/// A run in a list: everything but the request and summary documents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunBrief {
    /// Id.
    pub id: Uuid,
    /// Project.
    pub project_id: Uuid,
    /// Stored design it ran, if any.
    pub design_id: Option<Uuid>,
    /// Kernel, e.g. `buck`.
    pub kernel: String,
    /// Design title.
    pub title: String,
    /// SIM or HIL.
    pub mode: RunMode,
    /// Life-cycle state.
    pub status: RunStatus,
    /// Why it failed.
    pub error: Option<String>,
    /// Fraction done, 0 to 1.
    pub progress: f64,
    /// Recorded samples.
    pub samples: i64,
    /// When it was queued (UTC).
    pub created_at: DateTime<Utc>,
    /// When it started (UTC).
    pub started_at: Option<DateTime<Utc>>,
    /// When it finished (UTC).
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct BriefRow {
    id: String,
    project_id: String,
    design_id: Option<String>,
    kernel: String,
    title: String,
    mode: String,
    status: String,
    error: Option<String>,
    progress: f64,
    samples: i64,
    created_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
}

impl TryFrom<BriefRow> for RunBrief {
    type Error = StoreError;
    fn try_from(r: BriefRow) -> Result<RunBrief> {
        Ok(RunBrief {
            id: parse_uuid("id", &r.id)?,
            project_id: parse_uuid("project_id", &r.project_id)?,
            design_id: parse_opt_uuid("design_id", r.design_id)?,
            kernel: r.kernel,
            title: r.title,
            mode: RunMode::parse("mode", &r.mode)?,
            status: RunStatus::parse("status", &r.status)?,
            error: r.error,
            progress: r.progress,
            samples: r.samples,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        })
    }
}

const BRIEF_COLUMNS: &str = "id, project_id, design_id, kernel, title, mode, status, error, \
    progress, samples, created_at, started_at, finished_at";

/// The kernel and title of a run request (`design.kernel`, `design.title`).
pub(crate) fn kernel_and_title(request: &serde_json::Value) -> (String, String) {
    let design = &request["design"];
    let text = |v: &serde_json::Value, max: usize| -> String {
        v.as_str().unwrap_or("").chars().take(max).collect()
    };
    (text(&design["kernel"], 64), text(&design["title"], 200))
}

const RUN_COLUMNS: &str = "id, org_id, project_id, design_id, mode, status, request, summary, \
    error, progress, samples, cancel_requested, created_by, created_at, started_at, finished_at";

impl Store {
    /// Stores a queued run and its job in one transaction; returns the run and the job
    /// id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the project (or design) is not in this
    /// organisation.
    pub async fn create_run(&self, org_id: Uuid, new: &NewRun) -> Result<(Run, Uuid)> {
        self.get_project(org_id, new.project_id).await?;
        if let Some(design) = new.design_id {
            let d = self.get_design(org_id, design).await?;
            if d.project_id != new.project_id {
                return Err(StoreError::invalid(
                    "design_id",
                    format!("design {design} belongs to another project"),
                ));
            }
        }
        let now = Utc::now();
        let run = Run {
            id: new_id(),
            org_id,
            project_id: new.project_id,
            design_id: new.design_id,
            mode: new.mode,
            status: RunStatus::Queued,
            request: new.request.clone(),
            summary: None,
            error: None,
            progress: 0.0,
            samples: 0,
            cancel_requested: false,
            created_by: new.created_by,
            created_at: now,
            started_at: None,
            finished_at: None,
        };
        let job_id = new_id();
        let (kernel, title) = kernel_and_title(&new.request);
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query(
                "INSERT INTO runs (id, org_id, project_id, design_id, mode, status, request, \
                 created_by, created_at, kernel, title) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .bind(run.id.to_string())
                .bind(org_id.to_string())
                .bind(run.project_id.to_string())
                .bind(run.design_id.map(|d| d.to_string()))
                .bind(run.mode.as_str())
                .bind(run.status.as_str())
                .bind(Json(&run.request))
                .bind(run.created_by.map(|u| u.to_string()))
                .bind(now)
                .bind(&kernel)
                .bind(&title)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO jobs (id, org_id, run_id, kind, status, attempts, max_attempts, \
                 available_at, created_at, updated_at) \
                 VALUES ($1, $2, $3, 'simulate', 'queued', 0, $4, $5, $6, $7)")
                .bind(job_id.to_string())
                .bind(org_id.to_string())
                .bind(run.id.to_string())
                .bind(i64::from(new.max_attempts.max(1)))
                .bind(now)
                .bind(now)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok((run, job_id))
    }

    /// One run of the organisation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_run(&self, org_id: Uuid, id: Uuid) -> Result<Run> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE org_id = $1 AND id = $2");
        let row: Option<RunRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| StoreError::not_found("run", id))?
            .try_into()
    }

    /// A run by id alone, for workers that hold its job.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_run_for_job(&self, id: Uuid) -> Result<Run> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM runs WHERE id = $1");
        let row: Option<RunRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.ok_or_else(|| StoreError::not_found("run", id))?
            .try_into()
    }

    /// Runs of the organisation, newest first, without their request and summary
    /// documents (see [`Store::get_run`]).
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a bad page.
    pub async fn list_runs(&self, org_id: Uuid, filter: &RunFilter) -> Result<Vec<RunBrief>> {
        let limit = filter.limit.unwrap_or(100);
        let offset = filter.offset.unwrap_or(0);
        check_page(limit, offset)?;
        let sql = format!(
            "SELECT {BRIEF_COLUMNS} FROM runs WHERE org_id = $1 \
             AND ($2 IS NULL OR project_id = $2) AND ($3 IS NULL OR status = $3) \
             AND ($4 IS NULL OR mode = $4) AND ($5 IS NULL OR created_at >= $5) \
             AND ($6 IS NULL OR created_at < $6) \
             ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
        );
        let project = filter.project_id.map(|p| p.to_string());
        let status = filter.status.map(|s| s.as_str().to_string());
        let mode = filter.mode.map(|m| m.as_str().to_string());
        let rows: Vec<BriefRow> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(org_id.to_string())
            .bind(project.clone())
            .bind(status.clone())
            .bind(mode.clone())
            .bind(filter.created_after)
            .bind(filter.created_before)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(RunBrief::try_from).collect()
    }

    /// Marks a run as started (first claim only sets `started_at`).
    ///
    /// # Errors
    /// Database errors.
    pub async fn mark_run_started(&self, run_id: Uuid) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "UPDATE runs SET status = 'running', started_at = COALESCE(started_at, $1) \
             WHERE id = $2 AND status IN ('queued', 'running')")
            .bind(Utc::now())
            .bind(run_id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Records progress (0 to 1) of a running run; returns whether a cancellation was
    /// asked for.
    ///
    /// # Errors
    /// Database errors.
    pub async fn set_run_progress(&self, run_id: Uuid, progress: f64) -> Result<bool> {
        let progress = if progress.is_finite() {
            progress.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let row: Option<(bool,)> = on_pool!(self, p => sqlx::query_as(
            "UPDATE runs SET progress = $1 WHERE id = $2 AND status = 'running' \
             RETURNING cancel_requested")
            .bind(progress)
            .bind(run_id.to_string())
            .fetch_optional(p)
            .await)?;
        Ok(row.is_some_and(|r| r.0))
    }

    /// Asks for a run to be cancelled. A queued run is cancelled at once; a running one
    /// stops at its next progress report.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Invalid`] when it already finished.
    pub async fn request_cancel(&self, org_id: Uuid, id: Uuid) -> Result<Run> {
        let run = self.get_run(org_id, id).await?;
        if run.status.is_final() {
            return Err(StoreError::invalid(
                "status",
                format!("run {id} is already {} and cannot be cancelled", run.status),
            ));
        }
        let now = Utc::now();
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query("UPDATE runs SET cancel_requested = TRUE WHERE org_id = $1 AND id = $2")
                .bind(org_id.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE runs SET status = 'cancelled', finished_at = $1, \
                 error = 'cancelled before it started' \
                 WHERE org_id = $2 AND id = $3 AND status = 'queued'")
                .bind(now)
                .bind(org_id.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE jobs SET status = 'cancelled', updated_at = $1 \
                 WHERE run_id = $2 AND status = 'queued'")
                .bind(now)
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        self.get_run(org_id, id).await
    }

    /// Deletes a finished run with its telemetry; returns its waveform file name, if any,
    /// for the caller to remove.
    ///
    /// # Errors
    /// [`StoreError::NotFound`]; [`StoreError::Invalid`] while it is queued or running.
    pub async fn delete_run(&self, org_id: Uuid, id: Uuid) -> Result<Option<String>> {
        let run = self.get_run(org_id, id).await?;
        if !run.status.is_final() {
            return Err(StoreError::invalid(
                "status",
                format!("run {id} is {}; cancel it first", run.status),
            ));
        }
        let waveform = self.run_waveform(org_id, id).await?;
        // The telemetry tables have no foreign key to runs (see the 0002 migration), so
        // the run's samples and rollup rows are deleted here with it.
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query("DELETE FROM telemetry WHERE run_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM telemetry_rollup WHERE run_id = $1")
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM runs WHERE org_id = $1 AND id = $2")
                .bind(org_id.to_string())
                .bind(id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(waveform)
    }

    /// The waveform file name of a run, if it has one.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn run_waveform(&self, org_id: Uuid, id: Uuid) -> Result<Option<String>> {
        let row: Option<(Option<String>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT waveform FROM runs WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        Ok(row.ok_or_else(|| StoreError::not_found("run", id))?.0)
    }
}
