//! Workers that take jobs from Redis Streams.
//!
//! Each worker task is one consumer of the group. It takes over entries that a dead
//! consumer left unacknowledged, or else waits for a new entry. Either way it claims
//! the job row in the database before it simulates. It acknowledges the entry once the
//! job reached a final state, went back to the queue, or turned out to belong to
//! another worker. Every few seconds it also claims due jobs straight from the
//! database, so jobs announced while Redis was down, or whose entry was lost, still
//! run.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use pelab_store::{ClaimedJob, JobStatus, StoreError};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::redis_queue::{Delivery, RedisQueue};
use crate::state::Queue;
use crate::worker::{WorkerContext, execute, retry_backoff, run_local_worker};

/// How long one read waits for a new entry; also bounds how late a stop request is
/// noticed between jobs.
const READ_BLOCK: Duration = Duration::from_secs(1);

/// How often an idle worker claims due jobs from the database directly.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Pause after a Redis error before the next attempt.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

/// Starts one worker task: a Redis consumer when the queue is Redis, else a worker
/// that is woken in-process and polls the database.
pub fn spawn_worker(
    ctx: WorkerContext,
    queue: &Queue,
    wake: Arc<Notify>,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    match queue {
        Queue::Redis(redis) => tokio::spawn(run_redis_worker(ctx, redis.clone(), stop)),
        Queue::Local(_) => tokio::spawn(run_local_worker(ctx, wake, stop)),
    }
}

/// Interval at which a busy worker resets the idle time of the entry it holds.
fn touch_interval(stale_after: Duration) -> Duration {
    (stale_after / 4).clamp(Duration::from_millis(250), Duration::from_secs(5))
}

/// Idle time after which an entry counts as abandoned. It exceeds the job's stale
/// time by more than one touch interval, so by the time the entry is taken over the
/// job's heartbeat is stale too and the job can be claimed.
fn abandoned_after(stale_after: Duration) -> Duration {
    stale_after + touch_interval(stale_after) + Duration::from_millis(500)
}

/// Whether Redis responds, so that an outage is logged once rather than every second.
#[derive(Default)]
struct Health {
    down_since: Option<Instant>,
}

impl Health {
    fn failed(&mut self, worker: &str, operation: &str, e: &redis::RedisError) {
        if self.down_since.is_none() {
            self.down_since = Some(Instant::now());
            tracing::warn!(%worker, error = %e, "Redis {operation} failed; claiming jobs from the database until Redis responds");
        }
    }

    fn ok(&mut self, worker: &str) {
        if let Some(since) = self.down_since.take() {
            tracing::info!(%worker, down_s = since.elapsed().as_secs(), "Redis responds again");
        }
    }
}

/// Consumes the jobs stream until `stop` turns true; the current job is finished
/// first.
pub async fn run_redis_worker(
    ctx: WorkerContext,
    queue: RedisQueue,
    mut stop: watch::Receiver<bool>,
) {
    let queue = queue.dedicated();
    let abandoned = abandoned_after(ctx.stale_after);
    let mut cursor = "0-0".to_string();
    let mut health = Health::default();
    let mut last_sweep = Instant::now();
    tracing::info!(worker = %ctx.name, stream = %queue.jobs_key(), group = %queue.group_name(), "worker is consuming");
    loop {
        if *stop.borrow() {
            break;
        }
        if last_sweep.elapsed() >= SWEEP_EVERY {
            last_sweep = Instant::now();
            sweep(&ctx, &queue).await;
            continue;
        }
        if let Err(e) = queue.promote_due().await {
            health.failed(&ctx.name, "moving due retries", &e);
        }
        let next = match queue.reclaim(&ctx.name, abandoned, &mut cursor).await {
            Ok(Some(delivery)) => {
                tracing::info!(worker = %ctx.name, entry = %delivery.entry, job_id = ?delivery.job, deliveries = delivery.deliveries, "took over an entry that another worker left unacknowledged");
                Ok(Some(delivery))
            }
            Ok(None) => queue.read(&ctx.name, READ_BLOCK).await,
            Err(e) => Err(e),
        };
        match next {
            Ok(Some(delivery)) => {
                health.ok(&ctx.name);
                handle(&ctx, &queue, delivery).await;
            }
            Ok(None) => health.ok(&ctx.name),
            Err(e) => {
                health.failed(&ctx.name, "reading the jobs stream", &e);
                tokio::select! {
                    _ = tokio::time::sleep(ERROR_PAUSE) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }
    match queue.remove_consumer(&ctx.name).await {
        Ok(true) => {
            tracing::info!(worker = %ctx.name, "worker stopped and left the consumer group")
        }
        Ok(false) => {
            tracing::info!(worker = %ctx.name, "worker stopped; its unacknowledged entries stay for other workers")
        }
        Err(e) => {
            tracing::warn!(worker = %ctx.name, error = %e, "worker stopped; cannot leave the consumer group")
        }
    }
}

/// Acknowledges an entry, logging a failure (the entry is then taken over later and
/// found to need nothing).
async fn ack(ctx: &WorkerContext, queue: &RedisQueue, entry: &str) {
    if let Err(e) = queue.ack(entry).await {
        tracing::warn!(worker = %ctx.name, %entry, error = %e, "cannot acknowledge the entry");
    }
}

/// Handles one delivered entry.
async fn handle(ctx: &WorkerContext, queue: &RedisQueue, delivery: Delivery) {
    let Some(job_id) = delivery.job else {
        tracing::warn!(worker = %ctx.name, entry = %delivery.entry, "dropped an entry without a valid job id");
        ack(ctx, queue, &delivery.entry).await;
        return;
    };
    let job = match ctx.store.get_job(job_id).await {
        Ok(job) => job,
        Err(StoreError::NotFound { .. }) => {
            // The run was deleted.
            ack(ctx, queue, &delivery.entry).await;
            return;
        }
        Err(e) => {
            // Left unacknowledged: another worker takes it over once it is idle.
            tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot load the announced job");
            return;
        }
    };
    if job.status.is_final() {
        ack(ctx, queue, &delivery.entry).await;
        return;
    }
    let max_attempts = u64::try_from(job.max_attempts).unwrap_or(0);
    if delivery.deliveries > max_attempts {
        let reason = format!(
            "the job was handed to workers {} times (max_attempts {}) and none finished it",
            delivery.deliveries, job.max_attempts
        );
        match ctx.store.bury_job(job_id, ctx.stale_after, &reason).await {
            Ok(true) => {
                tracing::warn!(worker = %ctx.name, job_id = %job_id, %reason, "job dead-lettered");
                dead_letter(ctx, queue, job_id, &reason, delivery.deliveries).await;
                ack(ctx, queue, &delivery.entry).await;
            }
            // Final, or held by a live worker that will finish it.
            Ok(false) => ack(ctx, queue, &delivery.entry).await,
            Err(e) => {
                tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot dead-letter the job");
            }
        }
        return;
    }
    match claim(ctx, queue, job_id, delivery.deliveries).await {
        Ok(Some(claimed)) => run_claimed(ctx, queue, claimed, Some(&delivery)).await,
        // Not due yet (its retry is scheduled), held by a live worker, or dead.
        Ok(None) => ack(ctx, queue, &delivery.entry).await,
        Err(e) => {
            tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot claim the announced job");
        }
    }
}

/// Claims `job_id` for this worker. When the claim fails because the database buried
/// the job (its last allowed worker stopped sending heartbeats), the job goes to the
/// dead-letter stream. The caller knows the job was not final before this call.
async fn claim(
    ctx: &WorkerContext,
    queue: &RedisQueue,
    job_id: Uuid,
    deliveries: u64,
) -> Result<Option<ClaimedJob>, StoreError> {
    if let Some(claimed) = ctx
        .store
        .claim_job(&ctx.name, Some(job_id), ctx.stale_after)
        .await?
    {
        return Ok(Some(claimed));
    }
    let job = ctx.store.get_job(job_id).await?;
    if job.status == JobStatus::Dead {
        let reason = job
            .last_error
            .unwrap_or_else(|| "the worker stopped answering".into());
        dead_letter(ctx, queue, job_id, &reason, deliveries).await;
    }
    Ok(None)
}

/// Executes a claimed job while keeping its entry (when it came with one) from being
/// taken over. Then schedules a retry or dead-letters the job, following the job row,
/// and acknowledges the entry.
async fn run_claimed(
    ctx: &WorkerContext,
    queue: &RedisQueue,
    claimed: ClaimedJob,
    delivery: Option<&Delivery>,
) {
    let job_id = claimed.id;
    let attempt = claimed.attempt;
    let toucher = delivery.map(|d| {
        let queue = queue.clone();
        let consumer = ctx.name.clone();
        let entry = d.entry.clone();
        let every = touch_interval(ctx.stale_after);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = queue.touch(&consumer, &entry).await {
                    tracing::warn!(worker = %consumer, %entry, error = %e, "cannot renew the entry");
                }
            }
        })
    });
    let status = execute(ctx, claimed).await;
    if let Some(task) = toucher {
        task.abort();
    }
    let deliveries = delivery.map_or(1, |d| d.deliveries);
    if status.is_none() {
        after_unfinished(ctx, queue, job_id, attempt, deliveries).await;
    }
    if let Some(d) = delivery {
        ack(ctx, queue, &d.entry).await;
    }
}

/// Follows up a job that this worker did not finish: schedules the announcement of a
/// retry, or records a dead job.
async fn after_unfinished(
    ctx: &WorkerContext,
    queue: &RedisQueue,
    job_id: Uuid,
    attempt: i64,
    deliveries: u64,
) {
    let job = match ctx.store.get_job(job_id).await {
        Ok(job) => job,
        Err(e) => {
            tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot read the job after its attempt; the database poll picks it up");
            return;
        }
    };
    match job.status {
        JobStatus::Queued => {
            let due = SystemTime::now() + retry_backoff(attempt);
            if let Err(e) = queue.schedule(job_id, due).await {
                tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot schedule the retry; the database poll picks it up");
            }
        }
        JobStatus::Dead => {
            let reason = job.last_error.unwrap_or_default();
            dead_letter(ctx, queue, job_id, &reason, deliveries).await;
        }
        _ => {}
    }
}

async fn dead_letter(
    ctx: &WorkerContext,
    queue: &RedisQueue,
    job_id: Uuid,
    reason: &str,
    deliveries: u64,
) {
    if let Err(e) = queue
        .dead_letter(job_id, reason, deliveries, &ctx.name)
        .await
    {
        tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot add the job to the dead-letter stream");
    }
}

/// Claims and runs at most one due job straight from the database.
async fn sweep(ctx: &WorkerContext, queue: &RedisQueue) {
    let pending = match ctx.store.pending_jobs(ctx.stale_after, 16).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(worker = %ctx.name, error = %e, "cannot list pending jobs");
            return;
        }
    };
    for job_id in pending {
        match claim(ctx, queue, job_id, 1).await {
            Ok(Some(claimed)) => {
                tracing::info!(worker = %ctx.name, job_id = %job_id, "claimed a job found in the database");
                run_claimed(ctx, queue, claimed, None).await;
                return;
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(worker = %ctx.name, job_id = %job_id, error = %e, "cannot claim a pending job");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abandoned_entries_outlast_stale_jobs() {
        for secs in [1, 2, 30, 3600] {
            let stale = Duration::from_secs(secs);
            let touch = touch_interval(stale);
            assert!(touch < stale, "touch {touch:?} for stale {stale:?}");
            assert!(abandoned_after(stale) > stale + touch);
        }
    }

    #[test]
    fn retry_backoff_doubles_up_to_a_minute() {
        assert_eq!(retry_backoff(1), Duration::from_secs(1));
        assert_eq!(retry_backoff(2), Duration::from_secs(2));
        assert_eq!(retry_backoff(3), Duration::from_secs(4));
        assert_eq!(retry_backoff(7), Duration::from_secs(60));
        assert_eq!(retry_backoff(100), Duration::from_secs(60));
    }
}
