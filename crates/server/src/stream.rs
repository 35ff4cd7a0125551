//! Live waveform chunks of running simulations.
//!
//! The simulation thread feeds a [`LiveTap`]: every sample lands in a min/max bucket.
//! When the simulated span is known (`simulation.t_stop`), the bucket width is the
//! span over the point budget, so the stream carries the budget exactly. Otherwise the
//! width starts at the first sample spacing and doubles whenever the buckets so far
//! would exceed the budget. Each doubling adds at most half a budget plus one bucket. Completed
//! buckets are flushed as a numbered [`Chunk`] every 256 buckets or 50 ms.
//!
//! Chunks are kept in the run's [`RunStream`] until shortly after the run ends, so a
//! client that joins late or reconnects asks for `from=SEQ` and gets every chunk from
//! there, then the live ones. Each client reads the shared log at its own pace; a slow
//! client slows only its own socket.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use pelab_waveform::{SampleConsumer, SignalInfo};
use serde::Serialize;
use tokio::sync::Notify;
use utoipa::ToSchema;
use uuid::Uuid;

/// A signal of a stream.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StreamSignal {
    /// Name, e.g. `i(L1)`.
    pub name: String,
    /// Unit, e.g. `A`.
    pub unit: String,
}

/// A numbered block of min/max buckets; every vector has one entry per bucket.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Chunk {
    /// Sequence number, from 0.
    pub seq: u64,
    /// Time of each bucket's first sample [s].
    pub t: Vec<f64>,
    /// Per signal, each bucket's minimum.
    pub min: Vec<Vec<f64>>,
    /// Per signal, each bucket's maximum.
    pub max: Vec<Vec<f64>>,
}

impl Chunk {
    /// Values carried: buckets × signals × 2.
    pub fn points(&self) -> usize {
        self.t.len() * self.min.len() * 2
    }
}

#[derive(Default)]
struct StreamState {
    signals: Vec<StreamSignal>,
    chunks: Vec<Arc<Chunk>>,
    progress: f64,
    finished: Option<String>,
}

/// The chunk log of one run.
#[derive(Default)]
pub struct RunStream {
    state: Mutex<StreamState>,
    changed: Notify,
}

/// Result of [`RunStream::read_from`].
pub struct StreamRead {
    /// Signals, once the simulation announced them.
    pub signals: Vec<StreamSignal>,
    /// Chunks with `seq >= from`.
    pub chunks: Vec<Arc<Chunk>>,
    /// Progress 0 to 1.
    pub progress: f64,
    /// Final status once the run ended.
    pub finished: Option<String>,
}

impl RunStream {
    fn lock(&self) -> std::sync::MutexGuard<'_, StreamState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Chunks from `from` on, at most `max` of them.
    pub fn read_from(&self, from: u64, max: usize) -> StreamRead {
        let state = self.lock();
        let start = usize::try_from(from)
            .unwrap_or(usize::MAX)
            .min(state.chunks.len());
        let end = start.saturating_add(max).min(state.chunks.len());
        StreamRead {
            signals: state.signals.clone(),
            chunks: state.chunks[start..end].to_vec(),
            progress: state.progress,
            finished: if end == state.chunks.len() {
                state.finished.clone()
            } else {
                None
            },
        }
    }

    /// Waits until something changes or `timeout` passes.
    pub async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.changed.notified()).await;
    }

    /// Starts the stream over with `signals`: earlier chunks, progress and end are
    /// dropped (a new attempt of the run).
    pub(crate) fn begin(&self, signals: Vec<StreamSignal>) {
        let mut state = self.lock();
        state.signals = signals;
        state.chunks.clear();
        state.progress = 0.0;
        state.finished = None;
        drop(state);
        self.changed.notify_waiters();
    }

    /// Appends a chunk, numbering it after the last one.
    pub(crate) fn push(&self, mut chunk: Chunk) {
        let mut state = self.lock();
        chunk.seq = state.chunks.len() as u64;
        state.chunks.push(Arc::new(chunk));
        drop(state);
        self.changed.notify_waiters();
    }

    /// Records progress.
    pub fn set_progress(&self, progress: f64) {
        self.lock().progress = progress;
        self.changed.notify_waiters();
    }

    /// Marks the stream as ended with the run's final status.
    pub fn finish(&self, status: &str) {
        self.lock().finished = Some(status.to_string());
        self.changed.notify_waiters();
    }
}

/// A run's stream and when it ended.
type Entry = (Arc<RunStream>, Option<Instant>);

/// Streams of the runs this process is simulating or finished recently.
#[derive(Default)]
pub struct StreamHub {
    runs: Mutex<HashMap<Uuid, Entry>>,
}

/// How long a finished stream stays in memory for late joiners; after that they are
/// served from the stored waveform file.
const KEEP_FINISHED: Duration = Duration::from_secs(120);

impl StreamHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Entry>> {
        self.runs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Returns the stream of a run, creating it when missing.
    pub fn open(&self, run: Uuid) -> Arc<RunStream> {
        let mut runs = self.lock();
        let now = Instant::now();
        runs.retain(|_, (_, ended)| ended.is_none_or(|t| now.duration_since(t) < KEEP_FINISHED));
        runs.entry(run)
            .or_insert_with(|| (Arc::new(RunStream::default()), None))
            .0
            .clone()
    }

    /// Creates the stream of an attempt of a run simulated in this process. It replaces
    /// what the hub had for the run: a finished earlier attempt, or a relay of the run
    /// from another host (which then stops).
    pub fn start_local(&self, run: Uuid) -> Arc<RunStream> {
        let stream = Arc::new(RunStream::default());
        self.lock().insert(run, (stream.clone(), None));
        stream
    }

    /// Creates a stream to fill from another host's relay when this process has none
    /// for the run. Returns `None` when it has one (local or already relayed).
    pub fn open_remote(&self, run: Uuid) -> Option<Arc<RunStream>> {
        let mut runs = self.lock();
        if runs.contains_key(&run) {
            return None;
        }
        let stream = Arc::new(RunStream::default());
        runs.insert(run, (stream.clone(), None));
        Some(stream)
    }

    /// Returns whether `stream` is still the hub's stream of `run`.
    pub fn is_current(&self, run: Uuid, stream: &Arc<RunStream>) -> bool {
        self.lock()
            .get(&run)
            .is_some_and(|(s, _)| Arc::ptr_eq(s, stream))
    }

    /// Forgets `stream` if it is still the hub's stream of `run`, so clients fall back
    /// to the database and the stored recording.
    pub fn forget(&self, run: Uuid, stream: &Arc<RunStream>) {
        let mut runs = self.lock();
        if runs.get(&run).is_some_and(|(s, _)| Arc::ptr_eq(s, stream)) {
            runs.remove(&run);
        }
    }

    /// Returns the stream of a run if this process has it.
    pub fn get(&self, run: Uuid) -> Option<Arc<RunStream>> {
        self.lock().get(&run).map(|(s, _)| s.clone())
    }

    /// Ends a run's stream and starts its expiry clock.
    pub fn finish(&self, run: Uuid, status: &str) {
        let mut runs = self.lock();
        if let Some((stream, ended)) = runs.get_mut(&run) {
            stream.finish(status);
            *ended = Some(Instant::now());
        }
    }
}

/// Largest point budget a request may ask for.
pub const MAX_STREAM_POINTS: usize = 200_000;

struct Bucketing {
    origin: f64,
    width: f64,
    index: Option<u64>,
    first_t: f64,
    min: Vec<f64>,
    max: Vec<f64>,
    pending: Chunk,
    last_flush: Instant,
    last_t: Option<f64>,
}

/// The [`SampleConsumer`] of a simulation: buckets samples into chunks for its
/// [`RunStream`], and stops the run when `cancel` is set.
pub struct LiveTap {
    stream: Arc<RunStream>,
    cancel: Arc<AtomicBool>,
    budget: usize,
    span: Option<f64>,
    state: Mutex<Option<Bucketing>>,
}

impl LiveTap {
    /// Creates a tap that streams about `budget` buckets per signal over a run of
    /// `span` seconds (when known).
    pub fn new(
        stream: Arc<RunStream>,
        cancel: Arc<AtomicBool>,
        budget: usize,
        span: Option<f64>,
    ) -> Self {
        LiveTap {
            stream,
            cancel,
            budget: budget.clamp(16, MAX_STREAM_POINTS),
            span: span.filter(|s| s.is_finite() && *s > 0.0),
            state: Mutex::new(None),
        }
    }

    /// Sends the partly filled bucket and chunk (call when the run ends).
    pub fn flush(&self) {
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(b) = guard.as_mut() {
            close_bucket(b);
            send(&self.stream, b);
        }
    }
}

fn close_bucket(b: &mut Bucketing) {
    if b.index.take().is_some() {
        b.pending.t.push(b.first_t);
        for (k, (lo, hi)) in b.min.iter().zip(&b.max).enumerate() {
            b.pending.min[k].push(*lo);
            b.pending.max[k].push(*hi);
        }
    }
}

fn send(stream: &RunStream, b: &mut Bucketing) {
    if b.pending.t.is_empty() {
        return;
    }
    let signals = b.pending.min.len();
    let chunk = std::mem::replace(
        &mut b.pending,
        Chunk {
            seq: 0,
            t: Vec::new(),
            min: vec![Vec::new(); signals],
            max: vec![Vec::new(); signals],
        },
    );
    stream.push(chunk);
    b.last_flush = Instant::now();
}

impl SampleConsumer for LiveTap {
    fn begin(&self, signals: &[SignalInfo]) {
        self.stream.begin(
            signals
                .iter()
                .map(|s| StreamSignal {
                    name: s.name.clone(),
                    unit: s.unit.clone(),
                })
                .collect(),
        );
        let n = signals.len();
        *self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Bucketing {
            origin: f64::NAN,
            width: self.span.map_or(0.0, |s| s / self.budget as f64),
            index: None,
            first_t: 0.0,
            min: vec![0.0; n],
            max: vec![0.0; n],
            pending: Chunk {
                seq: 0,
                t: Vec::new(),
                min: vec![Vec::new(); n],
                max: vec![Vec::new(); n],
            },
            last_flush: Instant::now(),
            last_t: None,
        });
    }

    fn sample(&self, t: f64, values: &[f64]) -> bool {
        if self.cancel.load(Ordering::Relaxed) {
            return false;
        }
        let mut guard = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let Some(b) = guard.as_mut() else {
            return true;
        };
        if b.origin.is_nan() {
            b.origin = t;
        }
        if b.width == 0.0 {
            // The first distinct step sets the finest resolution.
            match b.last_t {
                Some(prev) if t > prev => b.width = t - prev,
                _ => {}
            }
        }
        b.last_t = Some(t);
        let index = if b.width > 0.0 {
            // Double the width while the stream would exceed its budget.
            while (t - b.origin) / b.width > self.budget as f64 {
                b.width *= 2.0;
            }
            ((t - b.origin) / b.width).floor() as u64
        } else {
            0
        };
        match b.index {
            Some(current) if current == index => {
                for (k, &v) in values.iter().enumerate() {
                    if v < b.min[k] || b.min[k].is_nan() {
                        b.min[k] = v;
                    }
                    if v > b.max[k] || b.max[k].is_nan() {
                        b.max[k] = v;
                    }
                }
            }
            _ => {
                close_bucket(b);
                b.index = Some(index);
                b.first_t = t;
                b.min.copy_from_slice(values);
                b.max.copy_from_slice(values);
            }
        }
        if b.pending.t.len() >= 256 || b.last_flush.elapsed() > Duration::from_millis(50) {
            send(&self.stream, b);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pelab_waveform::SignalKind;

    #[test]
    fn doubling_bounds_the_buckets_and_keeps_the_extremes() {
        let stream = Arc::new(RunStream::default());
        let tap = LiveTap::new(stream.clone(), Arc::new(AtomicBool::new(false)), 100, None);
        tap.begin(&[SignalInfo::new("v", "V", SignalKind::Output)]);
        let n = 100_000;
        for k in 0..n {
            let t = k as f64 * 1e-6;
            let v = if k == 54_321 { 1000.0 } else { (t * 1e3).sin() };
            assert!(tap.sample(t, &[v]));
        }
        tap.flush();
        let read = stream.read_from(0, usize::MAX);
        let buckets: usize = read.chunks.iter().map(|c| c.t.len()).sum();
        // 100 000 samples at 1 µs from a 1 µs start: 10 doublings, each adding at
        // most half the budget plus one bucket.
        assert!(buckets > 100, "{buckets}");
        assert!(buckets <= 101 + 10 * 51, "{buckets}");
        let peak = read
            .chunks
            .iter()
            .flat_map(|c| c.max[0].iter().copied())
            .fold(f64::MIN, f64::max);
        assert_eq!(peak, 1000.0, "the spike survives decimation");
        let seqs: Vec<u64> = read.chunks.iter().map(|c| c.seq).collect();
        assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1));
        // Resume from an offset.
        let tail = stream.read_from(2, usize::MAX);
        assert_eq!(tail.chunks.first().map(|c| c.seq), Some(2));
    }

    #[test]
    fn tap_known_span_streams_budget() {
        let stream = Arc::new(RunStream::default());
        let tap = LiveTap::new(
            stream.clone(),
            Arc::new(AtomicBool::new(false)),
            500,
            Some(0.1),
        );
        tap.begin(&[SignalInfo::new("v", "V", SignalKind::Output)]);
        for k in 0..=100_000 {
            // Two samples at each of a few instants, as at switching events.
            let t = k as f64 * 1e-6;
            assert!(tap.sample(t, &[1.0]));
            if k % 7 == 0 {
                assert!(tap.sample(t, &[2.0]));
            }
        }
        tap.flush();
        let read = stream.read_from(0, usize::MAX);
        let buckets: usize = read.chunks.iter().map(|c| c.t.len()).sum();
        assert!((500..=501).contains(&buckets), "{buckets}");
    }

    #[test]
    fn cancel_stops_the_recording() {
        let stream = Arc::new(RunStream::default());
        let cancel = Arc::new(AtomicBool::new(false));
        let tap = LiveTap::new(stream, cancel.clone(), 100, None);
        tap.begin(&[SignalInfo::new("v", "V", SignalKind::Output)]);
        assert!(tap.sample(0.0, &[1.0]));
        cancel.store(true, Ordering::Relaxed);
        assert!(!tap.sample(1e-6, &[1.0]));
    }
}
