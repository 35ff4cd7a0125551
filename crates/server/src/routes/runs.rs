//! Simulation runs: queue, inspect, cancel, list, downsampled waveforms, CSV export.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use pelab_store::{NewRun, Run, RunBrief, RunFilter, RunMode, RunStatus};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::auth::Principal;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::projects::{DesignBody, design_document, validate_document_async};
use crate::state::AppState;
use crate::stream::MAX_STREAM_POINTS;
use crate::worker::{RunDocument, RunOptions};

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(simulate))
        .routes(routes!(get_run))
        .routes(routes!(cancel_run))
        .routes(routes!(list_runs))
        .routes(routes!(delete_run))
        .routes(routes!(run_waveforms))
        .routes(routes!(export_csv))
}

/// Largest recording a request may ask for.
pub const MAX_SAMPLES_LIMIT: usize = 50_000_000;

/// A simulation to queue: a stored design (`design_id`) or an inline one
/// (`topology` with its sections), plus run options.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// Project the run belongs to.
    pub project_id: Uuid,
    /// Stored design to run (its project must be `project_id`).
    #[serde(default)]
    pub design_id: Option<Uuid>,
    /// Kernel of an inline design; required unless `design_id` is given.
    #[serde(default)]
    pub topology: Option<String>,
    /// `[parameters]` of an inline design.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub parameters: Map<String, Value>,
    /// `[control]` of an inline design.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub controller: Map<String, Value>,
    /// `[simulation]` of an inline design.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub simulation: Map<String, Value>,
    /// `[devices]` of an inline design.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub devices: Map<String, Value>,
    /// Title of an inline design, shown in run lists, summaries and reports (1 to 200
    /// characters); default: the kernel name.
    #[serde(default)]
    pub title: Option<String>,
    /// Simulated time [s]; sets `simulation.t_stop`.
    #[serde(default)]
    pub timespan: Option<f64>,
    /// Output sample spacing [s]; sets `simulation.output_step`.
    #[serde(default)]
    pub step_hint: Option<f64>,
    /// Signals to record instead of the kernel's set.
    #[serde(default)]
    pub signals: Option<Vec<String>>,
    /// Sample budget (1 to 50 000 000).
    #[serde(default)]
    pub max_samples: Option<usize>,
    /// Live buckets per signal (16 to 200 000, default 4000).
    #[serde(default)]
    pub stream_points: Option<usize>,
}

/// Response to a queued simulation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunQueued {
    /// Run id.
    pub run_id: Uuid,
    /// `queued`.
    pub status: RunStatus,
    /// URL to poll for the run's status.
    pub status_url: String,
    /// WebSocket of the live waveforms.
    pub stream_url: String,
}

fn set_number(doc: &mut Value, key: &str, value: f64, field: &str) -> ApiResult<()> {
    if !value.is_finite() || value <= 0.0 {
        return Err(ApiError::field(
            field,
            format!("{value} (accepted: a positive number of seconds)"),
        ));
    }
    let Some(obj) = doc.as_object_mut() else {
        return Err(ApiError::internal("design document is not an object"));
    };
    let sim = obj
        .entry("simulation")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(sim) = sim.as_object_mut() {
        sim.insert(key.into(), Value::from(value));
    }
    Ok(())
}

/// Builds and validates the run document of a request.
pub(crate) async fn run_document(
    s: &AppState,
    org_id: Uuid,
    req: &SimulateRequest,
) -> ApiResult<RunDocument> {
    let mut design = match (&req.topology, req.design_id) {
        (Some(topology), _) => design_document(&DesignBody {
            name: topology.clone(),
            topology: topology.clone(),
            parameters: req.parameters.clone(),
            controller: req.controller.clone(),
            simulation: req.simulation.clone(),
            devices: req.devices.clone(),
            thermal: Map::new(),
            gate_drive: Map::new(),
            description: String::new(),
            title: req.title.clone(),
        })?,
        (None, Some(id)) => {
            let d = s.store.get_design(org_id, id).await?;
            if d.project_id != req.project_id {
                return Err(ApiError::field(
                    "design_id",
                    format!(
                        "design {id} belongs to project {}, not {}",
                        d.project_id, req.project_id
                    ),
                ));
            }
            d.document
        }
        (None, None) => {
            return Err(ApiError::field(
                "topology",
                "required unless design_id names a stored design",
            ));
        }
    };
    if let Some(t) = req.timespan {
        set_number(&mut design, "t_stop", t, "timespan")?;
    }
    if let Some(dt) = req.step_hint {
        set_number(&mut design, "output_step", dt, "step_hint")?;
    }
    if let Some(n) = req.max_samples
        && !(1..=MAX_SAMPLES_LIMIT).contains(&n)
    {
        return Err(ApiError::field(
            "max_samples",
            format!("{n} (accepted: 1 to {MAX_SAMPLES_LIMIT})"),
        ));
    }
    validate_document_async(design.clone(), req.max_samples)
        .await
        .map_err(|mut e| {
            for f in &mut e.0.errors {
                if req.timespan.is_some() && f.field == "simulation.t_stop" {
                    f.field = "timespan".into();
                } else if req.step_hint.is_some() && f.field == "simulation.output_step" {
                    f.field = "step_hint".into();
                }
            }
            e
        })?;
    if let Some(n) = req.stream_points
        && !(16..=MAX_STREAM_POINTS).contains(&n)
    {
        return Err(ApiError::field(
            "stream_points",
            format!("{n} (accepted: 16 to {MAX_STREAM_POINTS})"),
        ));
    }
    if let Some(signals) = &req.signals
        && (signals.is_empty() || signals.len() > 256)
    {
        return Err(ApiError::field(
            "signals",
            format!("{} names (accepted: 1 to 256)", signals.len()),
        ));
    }
    Ok(RunDocument {
        design,
        options: RunOptions {
            signals: req.signals.clone(),
            max_samples: req.max_samples,
            stream_points: req.stream_points,
        },
    })
}

/// Validates the design and queues a simulation run.
#[utoipa::path(post, path = "/simulate/run", tag = "runs", request_body = SimulateRequest,
    responses((status = 202, body = RunQueued), (status = 400, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem),
              (status = 503, body = Problem)))]
async fn simulate(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(req): ApiJson<SimulateRequest>,
) -> ApiResult<impl IntoResponse> {
    s.store.get_project(p.org_id, req.project_id).await?;
    let doc = run_document(&s, p.org_id, &req).await?;
    let request = serde_json::to_value(&doc)
        .map_err(|e| ApiError::internal(format!("cannot encode the run request: {e}")))?;
    let (run, job) = s
        .store
        .create_run(
            p.org_id,
            &NewRun {
                project_id: req.project_id,
                design_id: req.design_id,
                mode: RunMode::Sim,
                request,
                created_by: Some(p.user_id),
                max_attempts: s.config.max_attempts,
            },
        )
        .await?;
    s.queue.announce(job).await;
    tracing::info!(run_id = %run.id, "run queued");
    Ok((
        StatusCode::ACCEPTED,
        Json(RunQueued {
            run_id: run.id,
            status: run.status,
            status_url: format!("/api/v1/simulate/run/{}", run.id),
            stream_url: format!("/api/v1/simulate/stream/{}", run.id),
        }),
    ))
}

/// Status, progress and, once done, the summary of a run.
#[utoipa::path(get, path = "/simulate/run/{id}", tag = "runs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Run), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn get_run(State(s): State<AppState>, p: Principal, Id(id): Id) -> ApiResult<Json<Run>> {
    Ok(Json(s.store.get_run(p.org_id, id).await?))
}

/// Cancels a queued run at once, or a running one at its next sample.
#[utoipa::path(post, path = "/simulate/run/{id}/cancel", tag = "runs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Run), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn cancel_run(State(s): State<AppState>, p: Principal, Id(id): Id) -> ApiResult<Json<Run>> {
    let run = s.store.request_cancel(p.org_id, id).await?;
    if run.status == RunStatus::Cancelled {
        s.hub.finish(id, "cancelled");
    }
    Ok(Json(run))
}

/// Lists runs, newest first, with filters; each entry leaves out the request and
/// summary documents (`GET /simulate/run/{id}` has them).
#[utoipa::path(get, path = "/runs", tag = "runs", params(RunFilter),
    responses((status = 200, body = Vec<RunBrief>), (status = 422, body = Problem)))]
async fn list_runs(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(filter): ApiQuery<RunFilter>,
) -> ApiResult<Json<Vec<RunBrief>>> {
    Ok(Json(s.store.list_runs(p.org_id, &filter).await?))
}

/// Deletes a finished run and its waveforms.
#[utoipa::path(delete, path = "/runs/{id}", tag = "runs", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 422, body = Problem)))]
async fn delete_run(State(s): State<AppState>, p: Principal, Id(id): Id) -> ApiResult<StatusCode> {
    if let Some(name) = s.store.delete_run(p.org_id, id).await?
        && let Err(e) = s.waveforms.remove(&name)
    {
        tracing::warn!(error = %e, run_id = %id, "cannot remove the waveform file");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Part of a stored recording to read.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WaveformQuery {
    /// Comma-separated signal names (default: all).
    pub signals: Option<String>,
    /// Start time [s] (default: the first sample).
    pub from: Option<f64>,
    /// End time [s] (default: the last sample).
    pub to: Option<f64>,
    /// Min/max buckets, 1 to 20 000 (default 1000).
    pub points: Option<usize>,
}

/// One downsampled signal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SignalBuckets {
    /// Name.
    pub name: String,
    /// Unit.
    pub unit: String,
    /// Time of each bucket's first sample [s].
    pub t: Vec<f64>,
    /// Minimum per bucket.
    pub min: Vec<f64>,
    /// Maximum per bucket.
    pub max: Vec<f64>,
}

/// A downsampled view of a stored recording.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WaveformView {
    /// Samples in the stored recording.
    pub samples: usize,
    /// Time span of the view [s].
    pub from: f64,
    /// Time span of the view [s].
    pub to: f64,
    /// The signals.
    pub signals: Vec<SignalBuckets>,
}

/// Returns the file name of the stored recording of a finished run, or a 409 when it
/// has none.
async fn waveform_name(s: &AppState, org_id: Uuid, id: Uuid) -> ApiResult<String> {
    let run = s.store.get_run(org_id, id).await?;
    s.store.run_waveform(org_id, id).await?.ok_or_else(|| {
        ApiError::new(
            StatusCode::CONFLICT,
            "no-waveforms",
            format!("run {id} is {} and has no stored waveforms", run.status),
        )
    })
}

/// Min/max buckets of a stored recording, for charts.
#[utoipa::path(get, path = "/runs/{id}/waveforms", tag = "runs",
    params(("id" = Uuid, Path), WaveformQuery),
    responses((status = 200, body = WaveformView), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn run_waveforms(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiQuery(q): ApiQuery<WaveformQuery>,
) -> ApiResult<Json<WaveformView>> {
    let points = q.points.unwrap_or(1000);
    if !(1..=20_000).contains(&points) {
        return Err(ApiError::field(
            "points",
            format!("{points} (accepted: 1 to 20000)"),
        ));
    }
    for (field, v) in [("from", q.from), ("to", q.to)] {
        if let Some(v) = v
            && !v.is_finite()
        {
            return Err(ApiError::field(
                field,
                format!("{v} (accepted: a finite time in s)"),
            ));
        }
    }
    let name = waveform_name(&s, p.org_id, id).await?;
    let store = s.waveforms.clone();
    let signals = q.signals.clone();
    tokio::task::spawn_blocking(move || {
        let mut file = store
            .open_file(&name)
            .map_err(|e| ApiError::internal(e.to_string()))?;
        waveform_view(&mut file, q.from, q.to, points, signals.as_deref())
    })
    .await
    .map_err(|e| ApiError::internal(format!("reading waveforms stopped: {e}")))?
    .map(Json)
}

/// Rows read per block when a view is decimated from the file.
const VIEW_BLOCK_ROWS: usize = 65_536;

/// Min/max buckets of the stored file between `from` and `to` (default: the whole
/// recording), read block by block so that a zoomed view reads only its rows.
fn waveform_view(
    file: &mut pelab_waveform::pwf::PwfFile,
    from: Option<f64>,
    to: Option<f64>,
    points: usize,
    wanted: Option<&str>,
) -> ApiResult<WaveformView> {
    let samples = file.sample_count();
    if samples == 0 {
        return Ok(WaveformView {
            samples: 0,
            from: 0.0,
            to: 0.0,
            signals: Vec::new(),
        });
    }
    let read = |e: pelab_waveform::pwf::PwfError| ApiError::internal(e.to_string());
    let t0 = file.time_at(0).map_err(read)?;
    let t1 = file.time_at(samples - 1).map_err(read)?;
    let from = from.unwrap_or(t0);
    let to = to.unwrap_or(t1);
    if from >= to {
        return Err(ApiError::field(
            "from",
            format!("{from} is not before to = {to}"),
        ));
    }
    let wanted: Option<Vec<&str>> = wanted.map(|s| s.split(',').collect());
    if let Some(names) = &wanted {
        for name in names {
            if !file.signals().iter().any(|s| s.name == *name) {
                let known: Vec<&str> = file.signals().iter().map(|s| s.name.as_str()).collect();
                return Err(ApiError::field(
                    "signals",
                    format!(
                        "unknown signal \"{}\" (recorded: {})",
                        crate::extract::truncate(name, 64),
                        known.join(", ")
                    ),
                ));
            }
        }
    }
    let buckets = file
        .decimate(from, to, points, VIEW_BLOCK_ROWS)
        .map_err(|e| match e {
            pelab_waveform::pwf::FileDecimateError::Decimate(e) => {
                ApiError::field("from", e.to_string())
            }
            pelab_waveform::pwf::FileDecimateError::Pwf(e) => ApiError::internal(e.to_string()),
        })?;
    let signals = file
        .signals()
        .iter()
        .zip(buckets)
        .filter(|(info, _)| {
            wanted
                .as_ref()
                .is_none_or(|w| w.contains(&info.name.as_str()))
        })
        .map(|(info, b)| SignalBuckets {
            name: info.name.clone(),
            unit: info.unit.clone(),
            t: b.iter().map(|x| x.t_first).collect(),
            min: b.iter().map(|x| x.min).collect(),
            max: b.iter().map(|x| x.max).collect(),
        })
        .collect();
    Ok(WaveformView {
        samples: samples as usize,
        from,
        to,
        signals,
    })
}

/// Sends written bytes to a channel, blocking while the client is slow.
struct ChannelWriter(tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(buf.to_vec()))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Rows read from the file per block: 16 384 rows of 10 columns are 1.3 MB.
const CSV_BLOCK_ROWS: usize = 16_384;

/// Writes the CSV of `file` block by block, so memory stays bounded by one block
/// whatever the recording's length.
fn write_csv_blocks(
    file: &mut pelab_waveform::pwf::PwfFile,
    writer: &mut ChannelWriter,
) -> Result<(), String> {
    use pelab_waveform::csv::{write_csv_header, write_csv_rows};
    write_csv_header(writer, file.signals()).map_err(|e| e.to_string())?;
    while let Some(block) = file.next_block(CSV_BLOCK_ROWS) {
        let block = block.map_err(|e| e.to_string())?;
        write_csv_rows(writer, &block.time, &block.columns).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The full-resolution recording as CSV (`time[s],name[unit],…`), streamed.
#[utoipa::path(get, path = "/runs/{id}/export.csv", tag = "runs", params(("id" = Uuid, Path)),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn export_csv(State(s): State<AppState>, p: Principal, Id(id): Id) -> ApiResult<Response> {
    let name = waveform_name(&s, p.org_id, id).await?;
    let store = s.waveforms.clone();
    // Opening checks the header and the file size before the 200 is sent.
    let mut file = tokio::task::spawn_blocking(move || store.open_file(&name))
        .await
        .map_err(|e| ApiError::internal(format!("opening waveforms stopped: {e}")))?
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter(tx.clone());
        if let Err(e) = write_csv_blocks(&mut file, &mut writer) {
            let _ = tx.blocking_send(Err(std::io::Error::other(e)));
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"run-{id}.csv\""),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
