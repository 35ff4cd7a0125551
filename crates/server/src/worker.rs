//! Executing a claimed simulation job: parse the stored request, simulate on a
//! blocking thread while streaming chunks, reporting progress and renewing the claim,
//! store the waveforms and write the result once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use pelab_sim::design::{Design, Format};
use pelab_sim::simulate::{RunRequest, SimulationOutput, simulate_design_with};
use pelab_store::{ClaimedJob, RunStatus, RunUpdate, Store, StoreError, WaveformStore};
use pelab_waveform::SampleTap;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::stream::{LiveTap, StreamHub};

/// Resources a worker uses.
#[derive(Clone)]
pub struct WorkerContext {
    /// Database.
    pub store: Store,
    /// Waveform files.
    pub waveforms: WaveformStore,
    /// Live streams of this process.
    pub hub: Arc<StreamHub>,
    /// Worker name, unique per process and task (`host:pid:n`).
    pub name: String,
    /// Heartbeat age after which another worker may reclaim a job.
    pub stale_after: Duration,
    /// MQTT client that publishes each run's telemetry, when MQTT is on.
    pub mqtt: Option<crate::mqtt::MqttHandle>,
    /// Redis, when jobs go through it: each run's live stream is relayed there for
    /// servers on other hosts (see [`crate::live_relay`]).
    pub live: Option<crate::redis_queue::RedisQueue>,
}

/// Run options stored with a run, besides the design.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunOptions {
    /// Signals to record instead of the kernel's default set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signals: Option<Vec<String>>,
    /// Sample budget of the recording (1 to 50 000 000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_samples: Option<usize>,
    /// Min/max buckets per signal streamed live (16 to 200 000, default 4000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_points: Option<usize>,
}

/// The `request` document of a run.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunDocument {
    /// The design in the design-file layout.
    pub design: serde_json::Value,
    /// Run options.
    #[serde(default)]
    pub options: RunOptions,
}

/// Default live stream resolution.
pub const DEFAULT_STREAM_POINTS: usize = 4000;

/// How often a running job reports progress and renews its claim.
const PULSE: Duration = Duration::from_millis(250);

/// How a simulation attempt ended.
enum Outcome {
    /// A final state to record: done, cancelled, or failed in a way that retrying
    /// cannot fix (an invalid design, a failed simulation).
    Finished(RunUpdate),
    /// A failure that may pass (storage I/O, a full waveform quota): try again later.
    Transient(String),
}

/// The wait before attempt `attempt + 1` after a transient failure: 1 s doubled per
/// attempt, at most 60 s.
pub fn retry_backoff(attempt: i64) -> Duration {
    let doublings = attempt.clamp(1, 7) - 1;
    Duration::from_secs(1u64 << doublings).min(Duration::from_secs(60))
}

/// Executes one claimed job to its end. Errors are recorded on the run; the returned
/// status is the run's final status, or `None` when this worker lost the job.
pub async fn execute(ctx: &WorkerContext, job: ClaimedJob) -> Option<RunStatus> {
    let span =
        tracing::info_span!("job", run_id = %job.run_id, job_id = %job.id, attempt = job.attempt);
    let _guard = span.enter();
    let run = match ctx.store.get_run_for_job(job.run_id).await {
        Ok(run) => run,
        Err(e) => {
            tracing::warn!(error = %e, "cannot load the run of a claimed job");
            let _ = ctx
                .store
                .retry_job(&job, &e.to_string(), retry_backoff(job.attempt))
                .await;
            return None;
        }
    };
    if run.status.is_final() {
        let update = RunUpdate {
            status: run.status,
            summary: run.summary.clone(),
            error: run.error.clone(),
            samples: run.samples,
            waveform: None,
        };
        let _ = ctx.store.complete_job(&job, &update).await;
        return Some(run.status);
    }
    // A fresh stream per attempt; simulate_run fills it through the hub.
    let stream = ctx.hub.start_local(run.id);
    if let Some(mqtt) = &ctx.mqtt {
        crate::mqtt::telemetry::spawn_run_telemetry(
            mqtt.clone(),
            run.project_id,
            run.id,
            stream.clone(),
        );
    }
    if let Some(queue) = &ctx.live {
        crate::live_relay::spawn_publisher(queue.clone(), run.id, stream);
    }
    let update = match simulate_run(ctx, &job, run.id, &run.request).await {
        Outcome::Finished(update) => update,
        Outcome::Transient(error) => {
            retry(ctx, &job, &error).await;
            ctx.hub.finish(run.id, RunStatus::Queued.as_str());
            return None;
        }
    };
    let status = update.status;
    let written = finish(ctx, &job, &update).await;
    ctx.hub.finish(run.id, status.as_str());
    if written {
        tracing::info!(status = %status, samples = update.samples, "run finished");
        Some(status)
    } else {
        if let Some(name) = &update.waveform {
            let _ = ctx.waveforms.remove(name);
        }
        tracing::warn!("the job was reclaimed by another worker; this result is discarded");
        None
    }
}

/// Gives the job back after a transient failure: queued again after the backoff, or
/// dead once its attempts are used up.
async fn retry(ctx: &WorkerContext, job: &ClaimedJob, error: &str) {
    let backoff = retry_backoff(job.attempt);
    match ctx.store.retry_job(job, error, backoff).await {
        Ok(Some(status)) => {
            tracing::warn!(%error, ?status, backoff_ms = backoff.as_millis() as u64, "attempt failed; the job was given back");
        }
        Ok(None) => tracing::warn!(%error, "attempt failed and the job was already reclaimed"),
        Err(e) => {
            tracing::error!(%error, store_error = %e, "attempt failed and the job cannot be given back; it is reclaimed once its claim is stale");
        }
    }
}

/// Writes the result, retrying while the database is unreachable.
async fn finish(ctx: &WorkerContext, job: &ClaimedJob, update: &RunUpdate) -> bool {
    let mut delay = Duration::from_millis(200);
    for _ in 0..8 {
        match ctx.store.complete_job(job, update).await {
            Ok(written) => return written,
            Err(StoreError::Unavailable(e)) => {
                tracing::warn!(error = %e, "database unavailable; retrying the result");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot write the result");
                return false;
            }
        }
    }
    false
}

fn failed(error: impl Into<String>) -> RunUpdate {
    RunUpdate {
        status: RunStatus::Failed,
        summary: None,
        error: Some(error.into()),
        samples: 0,
        waveform: None,
    }
}

async fn simulate_run(
    ctx: &WorkerContext,
    job: &ClaimedJob,
    run_id: Uuid,
    request: &serde_json::Value,
) -> Outcome {
    let doc: RunDocument = match serde_json::from_value(request.clone()) {
        Ok(doc) => doc,
        Err(e) => {
            return Outcome::Finished(failed(format!("the stored request is unreadable: {e}")));
        }
    };
    let design = match Design::parse(&doc.design.to_string(), Format::Json) {
        Ok(d) => d,
        Err(e) => return Outcome::Finished(failed(format!("invalid design: {e}"))),
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let stream = ctx.hub.open(run_id);
    let span = design.simulation.optional_number("t_stop");
    let tap = Arc::new(LiveTap::new(
        stream.clone(),
        cancel.clone(),
        doc.options.stream_points.unwrap_or(DEFAULT_STREAM_POINTS),
        span,
    ));
    let (progress_tx, progress_rx) = tokio::sync::watch::channel(0.0_f64);
    let options = doc.options.clone();
    let sim_tap = tap.clone();
    let mut handle = tokio::task::spawn_blocking(move || {
        let request = RunRequest {
            signals: options.signals,
            max_samples: options.max_samples,
            grid_only: false,
            tap: Some(SampleTap::new(sim_tap.clone())),
        };
        let mut progress = |f: f64| {
            let _ = progress_tx.send(f);
        };
        let result = simulate_design_with(&design, &request, &mut progress);
        sim_tap.flush();
        result
    });
    let mut pulse = tokio::time::interval(PULSE);
    let joined = loop {
        tokio::select! {
            joined = &mut handle => break joined,
            _ = pulse.tick() => {
                let progress = *progress_rx.borrow();
                stream.set_progress(progress);
                match ctx.store.set_run_progress(run_id, progress).await {
                    Ok(true) => cancel.store(true, Ordering::Relaxed),
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot record progress"),
                }
                match ctx.store.heartbeat_job(job).await {
                    Ok(false) => cancel.store(true, Ordering::Relaxed),
                    Ok(true) => {}
                    Err(e) => tracing::warn!(error = %e, "cannot renew the claim"),
                }
            }
        }
    };
    let cancelled = cancel.load(Ordering::Relaxed);
    match joined {
        Err(e) => Outcome::Finished(failed(format!("the simulator stopped unexpectedly: {e}"))),
        Ok(Err(_)) if cancelled => Outcome::Finished(RunUpdate {
            status: RunStatus::Cancelled,
            summary: None,
            error: Some("cancelled while running".into()),
            samples: 0,
            waveform: None,
        }),
        Ok(Err(e)) => Outcome::Finished(failed(e.to_string())),
        Ok(Ok(output)) => store_output(ctx, job, run_id, output).await,
    }
}

/// The run's summary document: the circuit summary or the model results.
pub fn summary_document(output: &SimulationOutput) -> serde_json::Value {
    let body = match (&output.summary, &output.model) {
        (Some(s), _) => serde_json::to_value(s),
        (None, Some(m)) => serde_json::to_value(m),
        (None, None) => Ok(serde_json::Value::Null),
    };
    let signals: Vec<serde_json::Value> = output
        .waveforms
        .signals()
        .iter()
        .map(|s| serde_json::json!({"name": s.name, "unit": s.unit}))
        .collect();
    serde_json::json!({
        "kind": if output.model.is_some() { "model" } else { "circuit" },
        "result": body.unwrap_or(serde_json::Value::Null),
        "signals": signals,
        "steps": output.report.stats.steps,
    })
}

async fn store_output(
    ctx: &WorkerContext,
    job: &ClaimedJob,
    run_id: Uuid,
    output: SimulationOutput,
) -> Outcome {
    let summary = summary_document(&output);
    let samples = output.waveforms.len() as i64;
    let waveforms = ctx.waveforms.clone();
    let attempt = job.attempt;
    let written =
        tokio::task::spawn_blocking(move || waveforms.write(run_id, attempt, &output.waveforms))
            .await;
    match written {
        Ok(Ok(name)) => Outcome::Finished(RunUpdate {
            status: RunStatus::Done,
            summary: Some(summary),
            error: None,
            samples,
            waveform: Some(name),
        }),
        // Storage errors may pass (space freed, disk remounted), so the run is retried.
        Ok(Err(e)) => Outcome::Transient(e.to_string()),
        Err(e) => Outcome::Finished(failed(format!(
            "storing the waveforms stopped unexpectedly: {e}"
        ))),
    }
}

/// Claims and executes jobs until `shutdown` turns true. `wake` is notified when a
/// job is queued; without it the loop polls every second (retries and reclaims).
pub async fn run_local_worker(
    ctx: WorkerContext,
    wake: Arc<tokio::sync::Notify>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match ctx.store.claim_job(&ctx.name, None, ctx.stale_after).await {
            Ok(Some(job)) => {
                execute(&ctx, job).await;
                continue;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, worker = %ctx.name, "cannot claim a job"),
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = shutdown.changed() => {}
        }
    }
}
