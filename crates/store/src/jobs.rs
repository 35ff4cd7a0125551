//! The durable job table behind the queue.
//!
//! A job row is the truth about a run's execution: who holds it, how often it was
//! tried and when it may be tried again. Queue transports (the in-process poller, Redis
//! Streams) only carry wake-ups and job ids; a worker must claim the row here before
//! it simulates, and only the current holder can write the run's result, so a job
//! reclaimed from a dead worker is completed once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::parse_uuid;
use crate::{Result, RunStatus, RunUpdate, Store, StoreError, on_pool};

/// State of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting (possibly for a retry time).
    Queued,
    /// Held by a worker.
    Running,
    /// Finished with a result.
    Done,
    /// Finished with an error that retrying cannot fix.
    Failed,
    /// Failed too often; kept for inspection.
    Dead,
    /// Cancelled before it ran.
    Cancelled,
}

impl JobStatus {
    /// Whether the job has ended (done, failed, dead or cancelled).
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }

    fn parse(text: &str) -> Result<JobStatus> {
        Ok(match text {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "done" => JobStatus::Done,
            "failed" => JobStatus::Failed,
            "dead" => JobStatus::Dead,
            "cancelled" => JobStatus::Cancelled,
            other => {
                return Err(StoreError::Database(format!(
                    "stored job status \"{other}\""
                )));
            }
        })
    }
}

/// A job row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Job {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// The run it executes.
    pub run_id: Uuid,
    /// State.
    pub status: JobStatus,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed before it is dead-lettered.
    pub max_attempts: i64,
    /// Worker holding it.
    pub claimed_by: Option<String>,
    /// Last error.
    pub last_error: Option<String>,
}

/// A job this worker holds.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// Job id.
    pub id: Uuid,
    /// Run id.
    pub run_id: Uuid,
    /// This claim's attempt number (1 for the first).
    pub attempt: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// Worker name.
    pub worker: String,
}

type JobTuple = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

fn job_from(t: JobTuple) -> Result<Job> {
    Ok(Job {
        id: parse_uuid("id", &t.0)?,
        org_id: parse_uuid("org_id", &t.1)?,
        run_id: parse_uuid("run_id", &t.2)?,
        status: JobStatus::parse(&t.3)?,
        attempts: t.4,
        max_attempts: t.5,
        claimed_by: t.6,
        last_error: t.7,
    })
}

impl Store {
    /// A job by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_job(&self, id: Uuid) -> Result<Job> {
        let row: Option<JobTuple> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, org_id, run_id, status, attempts, max_attempts, claimed_by, last_error \
             FROM jobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        job_from(row.ok_or_else(|| StoreError::not_found("job", id))?)
    }

    /// The jobs of a run, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn jobs_of_run(&self, run_id: Uuid) -> Result<Vec<Job>> {
        let rows: Vec<JobTuple> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, org_id, run_id, status, attempts, max_attempts, claimed_by, last_error \
             FROM jobs WHERE run_id = $1 ORDER BY created_at, id")
            .bind(run_id.to_string())
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(job_from).collect()
    }

    /// Claims one job for `worker`: the given job when `only` is set, else the oldest
    /// ready one. Ready means queued and due, or running with a heartbeat older than
    /// `stale_after` (its worker died). Jobs that used up their attempts become dead
    /// instead and their runs fail.
    ///
    /// # Errors
    /// Database errors.
    pub async fn claim_job(
        &self,
        worker: &str,
        only: Option<Uuid>,
        stale_after: Duration,
    ) -> Result<Option<ClaimedJob>> {
        let now = Utc::now();
        let stale = ago(now, stale_after);
        self.bury_exhausted(now, stale).await?;
        let only = only.map(|u| u.to_string());
        let pick = match self.backend() {
            crate::Backend::Sqlite => "",
            crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', claimed_by = $1, heartbeat_at = $2, \
             attempts = attempts + 1, updated_at = $2 \
             WHERE id = (SELECT id FROM jobs WHERE ($3 IS NULL OR id = $3) AND \
             ((status = 'queued' AND available_at <= $2) OR \
              (status = 'running' AND heartbeat_at < $4)) \
             AND attempts < max_attempts ORDER BY available_at, id LIMIT 1 {pick}) \
             RETURNING id, run_id, attempts, max_attempts"
        );
        let row: Option<(String, String, i64, i64)> = on_pool!(self, p => sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
            .bind(worker)
            .bind(now)
            .bind(only.clone())
            .bind(stale)
            .fetch_optional(p)
            .await)?;
        let Some((id, run_id, attempt, max_attempts)) = row else {
            return Ok(None);
        };
        let claimed = ClaimedJob {
            id: parse_uuid("id", &id)?,
            run_id: parse_uuid("run_id", &run_id)?,
            attempt,
            max_attempts,
            worker: worker.to_string(),
        };
        self.mark_run_started(claimed.run_id).await?;
        Ok(Some(claimed))
    }

    /// Jobs whose worker died on their last allowed attempt are dead; their runs fail.
    async fn bury_exhausted(&self, now: DateTime<Utc>, stale: DateTime<Utc>) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            let dead: Vec<(String, String)> = sqlx::query_as(
                "UPDATE jobs SET status = 'dead', updated_at = $1, \
                 last_error = COALESCE(last_error, 'the worker stopped answering') \
                 WHERE status = 'running' AND heartbeat_at < $2 AND attempts >= max_attempts \
                 RETURNING id, run_id")
                .bind(now)
                .bind(stale)
                .fetch_all(&mut *tx)
                .await?;
            for (_, run_id) in &dead {
                sqlx::query(
                    "UPDATE runs SET status = 'failed', finished_at = $1, \
                     error = 'the worker stopped answering on the last allowed attempt' \
                     WHERE id = $2 AND status IN ('queued', 'running')")
                    .bind(now)
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Renews the claim; `false` when the job is no longer held by this worker (it was
    /// reclaimed or cancelled), so the worker should stop.
    ///
    /// # Errors
    /// Database errors.
    pub async fn heartbeat_job(&self, job: &ClaimedJob) -> Result<bool> {
        let done = on_pool!(self, p => sqlx::query(
            "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND claimed_by = $3 \
             AND status = 'running' AND attempts = $4")
            .bind(Utc::now())
            .bind(job.id.to_string())
            .bind(&job.worker)
            .bind(job.attempt)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Writes the run's final state if this worker still holds the job; returns whether
    /// it did. A worker that lost its claim gets `false` and must discard its result.
    ///
    /// # Errors
    /// Database errors.
    pub async fn complete_job(&self, job: &ClaimedJob, update: &RunUpdate) -> Result<bool> {
        let now = Utc::now();
        let job_status = match update.status {
            RunStatus::Done => "done",
            RunStatus::Cancelled => "cancelled",
            _ => "failed",
        };
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            let held = sqlx::query(
                "UPDATE jobs SET status = $1, last_error = $2, updated_at = $3 \
                 WHERE id = $4 AND claimed_by = $5 AND status = 'running' AND attempts = $6")
                .bind(job_status)
                .bind(update.error.clone())
                .bind(now)
                .bind(job.id.to_string())
                .bind(&job.worker)
                .bind(job.attempt)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if held != 1 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query(
                "UPDATE runs SET status = $1, summary = $2, error = $3, samples = $4, \
                 waveform = $5, finished_at = $6, progress = CASE WHEN $1 = 'done' THEN 1.0 \
                 ELSE progress END WHERE id = $7 AND status IN ('queued', 'running')")
                .bind(update.status.as_str())
                .bind(update.summary.as_ref().map(sqlx::types::Json))
                .bind(update.error.clone())
                .bind(update.samples)
                .bind(update.waveform.clone())
                .bind(now)
                .bind(job.run_id.to_string())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        })
        .map_err(StoreError::from)
    }

    /// Gives a job back after a failure that may pass: queued again after `backoff`,
    /// or dead (and its run failed) when the attempts are used up. Returns the job's
    /// new status, or `None` when this worker no longer held it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn retry_job(
        &self,
        job: &ClaimedJob,
        error: &str,
        backoff: Duration,
    ) -> Result<Option<JobStatus>> {
        let now = Utc::now();
        let due = chrono::Duration::from_std(backoff)
            .ok()
            .and_then(|d| now.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let dead = job.attempt >= job.max_attempts;
        let status = if dead { "dead" } else { "queued" };
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            let held = sqlx::query(
                "UPDATE jobs SET status = $1, last_error = $2, available_at = $3, \
                 claimed_by = NULL, updated_at = $4 \
                 WHERE id = $5 AND claimed_by = $6 AND status = 'running' AND attempts = $7")
                .bind(status)
                .bind(error)
                .bind(due)
                .bind(now)
                .bind(job.id.to_string())
                .bind(&job.worker)
                .bind(job.attempt)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if held != 1 {
                tx.rollback().await?;
                return Ok(None);
            }
            if dead {
                sqlx::query(
                    "UPDATE runs SET status = 'failed', error = $1, finished_at = $2 \
                     WHERE id = $3 AND status IN ('queued', 'running')")
                    .bind(format!("failed {} times; last error: {error}", job.attempt))
                    .bind(now)
                    .bind(job.run_id.to_string())
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query("UPDATE runs SET status = 'queued' WHERE id = $1 AND status = 'running'")
                    .bind(job.run_id.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok::<Option<JobStatus>, sqlx::Error>(Some(if dead { JobStatus::Dead } else { JobStatus::Queued }))
        })
        .map_err(StoreError::from)
    }

    /// Dead-letters a job that no live worker holds: a queued job, or a running one
    /// whose heartbeat is older than `stale_after`. Its run fails with `reason`.
    /// Returns `false` and changes nothing when the job is final or a live worker holds
    /// it.
    ///
    /// # Errors
    /// Database errors.
    pub async fn bury_job(&self, id: Uuid, stale_after: Duration, reason: &str) -> Result<bool> {
        let now = Utc::now();
        let stale = ago(now, stale_after);
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            let buried: Option<(String,)> = sqlx::query_as(
                "UPDATE jobs SET status = 'dead', last_error = $1, claimed_by = NULL, \
                 updated_at = $2 WHERE id = $3 AND (status = 'queued' OR \
                 (status = 'running' AND heartbeat_at < $4)) RETURNING run_id")
                .bind(reason)
                .bind(now)
                .bind(id.to_string())
                .bind(stale)
                .fetch_optional(&mut *tx)
                .await?;
            let Some((run_id,)) = buried else {
                tx.rollback().await?;
                return Ok(false);
            };
            sqlx::query(
                "UPDATE runs SET status = 'failed', error = $1, finished_at = $2 \
                 WHERE id = $3 AND status IN ('queued', 'running')")
                .bind(reason)
                .bind(now)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok::<bool, sqlx::Error>(true)
        })
        .map_err(StoreError::from)
    }

    /// Ids of jobs that are queued and due or stale, oldest first (for transports that
    /// re-announce work after a restart).
    ///
    /// # Errors
    /// Database errors.
    pub async fn pending_jobs(&self, stale_after: Duration, limit: i64) -> Result<Vec<Uuid>> {
        let now = Utc::now();
        let stale = ago(now, stale_after);
        let rows: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT id FROM jobs WHERE ((status = 'queued' AND available_at <= $1) OR \
             (status = 'running' AND heartbeat_at < $2)) ORDER BY available_at, id LIMIT $3")
            .bind(now)
            .bind(stale)
            .bind(limit)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(|r| parse_uuid("id", &r.0)).collect()
    }
}

/// `now - d`, saturating at the earliest representable time.
fn ago(now: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(d)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}
