//! Run telemetry: time-stamped samples of named signals, ingested in batches and read
//! back downsampled to a number of buckets.
//!
//! Times are stored with microsecond resolution; finer parts of a
//! [`DateTime<Utc>`] are truncated. Every ingest also updates a rollup of whole-second
//! buckets (min, max, sum and count per run, signal and second), so a query whose
//! buckets are at least 1 s wide reads the rollup instead of the samples.

mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Pool, Result, Store, StoreError, on_pool};

/// Maximum number of samples in one [`Store::ingest_telemetry`] call.
pub const MAX_SAMPLES_PER_INGEST: usize = 1_000_000;
/// Maximum number of buckets of one [`Store::query_telemetry`] call.
pub const MAX_BUCKETS: u32 = 10_000;
/// Maximum length of a signal name, in characters.
pub const MAX_SIGNAL_CHARS: usize = 128;

/// Width of a rollup bucket, in microseconds.
const ROLLUP_WIDTH_US: i64 = 1_000_000;
/// Earliest accepted time: 0001-01-01T00:00:00Z, in microseconds since the Unix epoch.
const MIN_TIME_US: i64 = -62_135_596_800_000_000;
/// First time after the accepted range: 10000-01-01T00:00:00Z, in microseconds since the
/// Unix epoch.
const END_TIME_US: i64 = 253_402_300_800_000_000;
const TIME_RANGE: &str = "0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z";

/// One value of one signal at one time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelemetrySample {
    /// Sample time (UTC, stored with microsecond resolution).
    pub time: DateTime<Utc>,
    /// Signal name, 1 to 128 characters without control characters (e.g. `v_out`).
    pub signal: String,
    /// Value in the signal's SI unit; must be finite.
    pub value: f64,
}

/// A downsampling request: one signal over `[from, to)`, cut into `buckets` equal
/// buckets.
///
/// When the buckets are at least 1 s wide, the range is widened to whole seconds and the
/// width rounded up to whole seconds, so the 1 s rollup can serve the query. Finer buckets are
/// computed from the samples over exactly `[from, to)`, with the width rounded up to a
/// whole microsecond. Either way at most `buckets` buckets cover the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TelemetryQuery {
    /// Signal name.
    pub signal: String,
    /// Start of the range, inclusive (UTC).
    pub from: DateTime<Utc>,
    /// End of the range, exclusive (UTC); after `from`.
    pub to: DateTime<Utc>,
    /// Number of buckets, 1 to 10 000.
    pub buckets: u32,
}

/// Statistics of the samples in one bucket. Buckets without samples are left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TelemetryBucket {
    /// Start of the bucket (UTC).
    pub time: DateTime<Utc>,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Arithmetic mean of the values.
    pub mean: f64,
    /// Number of samples.
    pub count: i64,
}

/// Source of the buckets of [`Store::query_telemetry_from`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TelemetrySource {
    /// The rollup when the buckets are at least 1 s wide, the samples otherwise.
    Auto,
    /// Always the samples.
    Raw,
    /// Always the rollup; buckets narrower than 1 s are rejected.
    Rollup,
}

/// Bucket layout of a query, in microseconds since the Unix epoch. Bucket `i` covers
/// `[origin + i * width, origin + (i + 1) * width)`, and only times in `[origin, end)`
/// count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BucketGrid {
    pub(crate) origin: i64,
    pub(crate) width: i64,
    pub(crate) end: i64,
}

impl BucketGrid {
    /// Lays out the buckets of a validated query.
    fn new(from: i64, to: i64, buckets: u32) -> BucketGrid {
        let buckets = i64::from(buckets);
        let span = to - from;
        if span >= buckets * ROLLUP_WIDTH_US {
            let origin = from.div_euclid(ROLLUP_WIDTH_US) * ROLLUP_WIDTH_US;
            let end = ceil_div(to, ROLLUP_WIDTH_US) * ROLLUP_WIDTH_US;
            let seconds = ceil_div((end - origin) / ROLLUP_WIDTH_US, buckets);
            BucketGrid {
                origin,
                width: seconds * ROLLUP_WIDTH_US,
                end,
            }
        } else {
            BucketGrid {
                origin: from,
                width: ceil_div(span, buckets),
                end: to,
            }
        }
    }

    /// Returns whether every bucket is a whole number of rollup buckets.
    fn fits_rollup(&self) -> bool {
        self.origin.rem_euclid(ROLLUP_WIDTH_US) == 0 && self.width % ROLLUP_WIDTH_US == 0
    }
}

fn ceil_div(a: i64, b: i64) -> i64 {
    -((-a).div_euclid(b))
}

/// Min, max, sum and count of the samples of one signal in one rollup bucket.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RollupCell {
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) sum: f64,
    pub(crate) count: i64,
}

impl RollupCell {
    fn new(value: f64) -> RollupCell {
        RollupCell {
            min: value,
            max: value,
            sum: value,
            count: 1,
        }
    }

    fn add(&mut self, value: f64) {
        self.min = self.min.min(value);
        self.max = self.max.max(value);
        self.sum += value;
        self.count += 1;
    }

    fn merge(&mut self, other: &RollupCell) {
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.sum += other.sum;
        self.count += other.count;
    }
}

/// One row of the rollup table, keyed by signal and bucket start (microseconds).
pub(crate) type RollupRow<'a> = ((&'a str, i64), RollupCell);

/// A validated batch: sample times in microseconds and the rollup rows it adds,
/// sorted by key so concurrent upserts lock rows in the same order.
pub(crate) struct PreparedBatch<'a> {
    pub(crate) samples: &'a [TelemetrySample],
    pub(crate) times: Vec<i64>,
    pub(crate) rollup: Vec<RollupRow<'a>>,
}

/// Raw aggregate of one bucket as the backends return it: bucket index, min, max, sum,
/// count.
pub(crate) type BucketRow = (i64, f64, f64, f64, i64);

fn time_micros(field: &str, time: &DateTime<Utc>) -> Result<i64> {
    let micros = time.timestamp_micros();
    if !(MIN_TIME_US..END_TIME_US).contains(&micros) {
        return Err(StoreError::invalid(
            field,
            format!("{} (accepted: {TIME_RANGE})", time.to_rfc3339()),
        ));
    }
    Ok(micros)
}

pub(crate) fn micros_to_time(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros)
        .ok_or_else(|| StoreError::Database(format!("time {micros} µs is out of range")))
}

fn check_signal(field: &str, signal: &str) -> Result<()> {
    let n = signal.chars().count();
    if !(1..=MAX_SIGNAL_CHARS).contains(&n) {
        return Err(StoreError::invalid(
            field,
            format!("{n} characters (accepted: 1 to {MAX_SIGNAL_CHARS})"),
        ));
    }
    if signal.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            format!("{signal:?} contains a control character (accepted: printable characters)"),
        ));
    }
    Ok(())
}

/// Validates a batch and computes its rollup rows.
fn prepare(samples: &[TelemetrySample]) -> Result<PreparedBatch<'_>> {
    if samples.len() > MAX_SAMPLES_PER_INGEST {
        return Err(StoreError::invalid(
            "samples",
            format!(
                "{} samples (accepted: at most {MAX_SAMPLES_PER_INGEST} per call)",
                samples.len()
            ),
        ));
    }
    let mut times = Vec::with_capacity(samples.len());
    let mut cells: HashMap<(&str, i64), RollupCell> = HashMap::new();
    // Consecutive samples usually share signal and second, so they are accumulated in
    // `current` and merged into the map only when the key changes.
    let mut current: Option<((&str, i64), RollupCell)> = None;
    let mut last_signal: Option<&str> = None;
    for (i, sample) in samples.iter().enumerate() {
        if last_signal != Some(sample.signal.as_str()) {
            check_signal(&format!("samples[{i}].signal"), &sample.signal)?;
            last_signal = Some(sample.signal.as_str());
        }
        if !sample.value.is_finite() {
            return Err(StoreError::invalid(
                format!("samples[{i}].value"),
                format!("{} (accepted: finite numbers)", sample.value),
            ));
        }
        let micros = time_micros(&format!("samples[{i}].time"), &sample.time)?;
        times.push(micros);

        let key = (
            sample.signal.as_str(),
            micros.div_euclid(ROLLUP_WIDTH_US) * ROLLUP_WIDTH_US,
        );
        match &mut current {
            Some((k, cell)) if *k == key => cell.add(sample.value),
            _ => {
                if let Some((k, cell)) = current.replace((key, RollupCell::new(sample.value))) {
                    cells
                        .entry(k)
                        .and_modify(|c| c.merge(&cell))
                        .or_insert(cell);
                }
            }
        }
    }
    if let Some((k, cell)) = current {
        cells
            .entry(k)
            .and_modify(|c| c.merge(&cell))
            .or_insert(cell);
    }
    let mut rollup: Vec<RollupRow<'_>> = cells.into_iter().collect();
    rollup.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(PreparedBatch {
        samples,
        times,
        rollup,
    })
}

impl Store {
    /// Stores samples of a run and updates its 1 s rollup, all in one transaction;
    /// returns the number of samples stored.
    ///
    /// Samples need not be sorted. Nothing deduplicates them, so sending a batch twice
    /// stores its samples twice.
    ///
    /// # Errors
    /// - [`StoreError::NotFound`] when the run is not in this organisation.
    /// - [`StoreError::Invalid`] for more than [`MAX_SAMPLES_PER_INGEST`] samples, an
    ///   empty signal name, one longer than [`MAX_SIGNAL_CHARS`] characters or with
    ///   control characters, a value that is not finite, or a time outside years 1 to
    ///   9999. Nothing is stored when any sample is rejected.
    pub async fn ingest_telemetry(
        &self,
        org_id: Uuid,
        run_id: Uuid,
        samples: &[TelemetrySample],
    ) -> Result<u64> {
        let batch = prepare(samples)?;
        self.check_run(org_id, run_id).await?;
        if samples.is_empty() {
            return Ok(0);
        }
        match &self.pool {
            Pool::Sqlite(p) => sqlite::ingest(p, run_id, &batch).await,
            Pool::Postgres(p) => postgres::ingest(p, run_id, &batch).await,
        }
    }

    /// Downsamples one signal of a run: min, max, mean and count per bucket, oldest
    /// first, leaving out buckets without samples. Buckets at least 1 s wide come from
    /// the rollup, finer ones from the samples (see [`TelemetryQuery`]).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the run is not in this organisation;
    /// [`StoreError::Invalid`] for a bad signal name, `buckets` outside 1 to
    /// [`MAX_BUCKETS`], or `from` not before `to`.
    pub async fn query_telemetry(
        &self,
        org_id: Uuid,
        run_id: Uuid,
        q: &TelemetryQuery,
    ) -> Result<Vec<TelemetryBucket>> {
        self.query_telemetry_from(org_id, run_id, q, TelemetrySource::Auto)
            .await
    }

    /// [`Store::query_telemetry`] with a chosen source, to compare the rollup with the
    /// samples it was built from.
    ///
    /// # Errors
    /// As [`Store::query_telemetry`], and [`StoreError::Invalid`] when `source` is
    /// [`TelemetrySource::Rollup`] and the buckets are narrower than 1 s.
    pub async fn query_telemetry_from(
        &self,
        org_id: Uuid,
        run_id: Uuid,
        q: &TelemetryQuery,
        source: TelemetrySource,
    ) -> Result<Vec<TelemetryBucket>> {
        check_signal("signal", &q.signal)?;
        if !(1..=MAX_BUCKETS).contains(&q.buckets) {
            return Err(StoreError::invalid(
                "buckets",
                format!("{} (accepted: 1 to {MAX_BUCKETS})", q.buckets),
            ));
        }
        let from = time_micros("from", &q.from)?;
        let to = time_micros("to", &q.to)?;
        if q.from >= q.to {
            return Err(StoreError::invalid(
                "to",
                format!(
                    "{} is not after from = {} (accepted: a time after from)",
                    q.to.to_rfc3339(),
                    q.from.to_rfc3339()
                ),
            ));
        }
        // A `to` with a sub-microsecond part still includes the microsecond it falls in.
        let to = if q.to.timestamp_subsec_nanos().is_multiple_of(1000) {
            to
        } else {
            to + 1
        };
        self.check_run(org_id, run_id).await?;

        let grid = BucketGrid::new(from, to, q.buckets);
        let use_rollup = match source {
            TelemetrySource::Auto => grid.fits_rollup(),
            TelemetrySource::Raw => false,
            TelemetrySource::Rollup if grid.fits_rollup() => true,
            TelemetrySource::Rollup => {
                return Err(StoreError::invalid(
                    "buckets",
                    format!(
                        "{} buckets over {} µs are {} µs wide, narrower than the 1 s rollup \
                         (accepted: a range of at least {} s)",
                        q.buckets,
                        to - from,
                        grid.width,
                        q.buckets
                    ),
                ));
            }
        };
        let rows = match &self.pool {
            Pool::Sqlite(p) => sqlite::query(p, run_id, &q.signal, &grid, use_rollup).await?,
            Pool::Postgres(p) => postgres::query(p, run_id, &q.signal, &grid, use_rollup).await?,
        };
        rows.into_iter()
            .map(|(index, min, max, sum, count)| {
                Ok(TelemetryBucket {
                    time: micros_to_time(grid.origin + index * grid.width)?,
                    min,
                    max,
                    mean: sum / count as f64,
                    count,
                })
            })
            .collect()
    }

    /// Lists the signals a run has samples of, in byte order.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the run is not in this organisation.
    pub async fn telemetry_signals(&self, org_id: Uuid, run_id: Uuid) -> Result<Vec<String>> {
        self.check_run(org_id, run_id).await?;
        let rows: Vec<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT DISTINCT signal FROM telemetry_rollup WHERE run_id = $1 ORDER BY signal")
            .bind(run_id.to_string())
            .fetch_all(p)
            .await)?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Fails with [`StoreError::NotFound`] unless the run is in this organisation.
    async fn check_run(&self, org_id: Uuid, run_id: Uuid) -> Result<()> {
        let row: Option<(i32,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT 1 FROM runs WHERE org_id = $1 AND id = $2")
            .bind(org_id.to_string())
            .bind(run_id.to_string())
            .fetch_optional(p)
            .await)?;
        row.map(|_| ())
            .ok_or_else(|| StoreError::not_found("run", run_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fine_grid_keeps_range() {
        let grid = BucketGrid::new(1_500, 11_500, 4);
        assert_eq!(
            grid,
            BucketGrid {
                origin: 1_500,
                width: 2_500,
                end: 11_500
            }
        );
        assert!(!grid.fits_rollup());
    }

    #[test]
    fn fine_grid_rounds_width_up() {
        let grid = BucketGrid::new(0, 10, 3);
        assert_eq!(grid.width, 4);
    }

    #[test]
    fn second_grid_widens_to_seconds() {
        // 0.5 s to 10.5 s in 10 buckets: widened to [0 s, 11 s), 2 s per bucket, so
        // 6 buckets cover it.
        let grid = BucketGrid::new(500_000, 10_500_000, 10);
        assert_eq!(
            grid,
            BucketGrid {
                origin: 0,
                width: 2_000_000,
                end: 11_000_000
            }
        );
        assert!(grid.fits_rollup());
    }

    #[test]
    fn second_grid_before_epoch() {
        let grid = BucketGrid::new(-1_500_000, 2_000_000, 3);
        assert_eq!(grid.origin, -2_000_000);
        assert_eq!(grid.end, 2_000_000);
        assert_eq!(grid.width, 2_000_000);
    }

    #[test]
    fn prepare_merges_rollup_cells() {
        let t = |us: i64| DateTime::from_timestamp_micros(us).unwrap();
        let s = |us: i64, signal: &str, value: f64| TelemetrySample {
            time: t(us),
            signal: signal.into(),
            value,
        };
        let samples = [
            s(100, "a", 1.0),
            s(200, "b", 5.0),
            s(300, "a", 3.0),
            s(1_000_100, "a", -2.0),
            s(-1, "a", 7.0),
        ];
        let batch = prepare(&samples).unwrap();
        assert_eq!(batch.times, vec![100, 200, 300, 1_000_100, -1]);
        let keys: Vec<(&str, i64)> = batch.rollup.iter().map(|r| r.0).collect();
        assert_eq!(
            keys,
            vec![("a", -1_000_000), ("a", 0), ("a", 1_000_000), ("b", 0)]
        );
        let a0 = batch.rollup[1].1;
        assert_eq!((a0.min, a0.max, a0.sum, a0.count), (1.0, 3.0, 4.0, 2));
    }
}
