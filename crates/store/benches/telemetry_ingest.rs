//! Telemetry ingest rate into SQLite (a file in WAL mode) and PostgreSQL: 1 000 000
//! samples of 8 signals sent in batches of 10 000, each batch one
//! `Store::ingest_telemetry` call. Prints samples per second for each backend.
//!
//! `cargo bench -j1 -p pelab-store --bench telemetry_ingest [-- SAMPLES BATCH]`
//!
//! PostgreSQL is the server of `PELAB_TEST_POSTGRES` (default 127.0.0.1:5432). The bench
//! creates a `pelab_test_*` database and drops it afterwards.
//! `PELAB_BENCH_SKIP_POSTGRES=1` measures SQLite only.

#![allow(
    clippy::print_stdout,
    reason = "the bench reports its figures on stdout"
)]

use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use pelab_store::{
    ConnectOptions, Domain, NewProject, NewRun, RunMode, Store, TelemetryQuery, TelemetrySample,
};
use uuid::Uuid;

const SIGNALS: [&str; 8] = [
    "v_in",
    "i_in",
    "v_out",
    "i_out",
    "i_l",
    "t_junction",
    "duty",
    "f_sw",
];
/// Time between two samples of one signal: 1 kHz per signal.
const PERIOD_US: i64 = 1_000;

type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

fn parse_arg(args: &[String], index: usize, default: usize) -> BenchResult<usize> {
    match args.get(index) {
        None => Ok(default),
        Some(text) => text
            .parse()
            .map_err(|e| format!("argument {index} \"{text}\": {e} (expected a count)").into()),
    }
}

/// Samples `first..first + count` of a recording in which every signal has one sample
/// per period.
fn samples(start: DateTime<Utc>, first: usize, count: usize) -> Vec<TelemetrySample> {
    (first..first + count)
        .map(|n| {
            let step = (n / SIGNALS.len()) as i64;
            let k = n % SIGNALS.len();
            TelemetrySample {
                time: start + chrono::Duration::microseconds(step * PERIOD_US),
                signal: SIGNALS[k].to_string(),
                value: (step as f64 * 1e-3 * (k + 1) as f64).sin() * 400.0,
            }
        })
        .collect()
}

async fn queued_run(store: &Store) -> BenchResult<(Uuid, Uuid)> {
    let org = store.create_org("Bench").await?;
    let project = store
        .create_project(
            org.id,
            &NewProject {
                name: "Ingest".into(),
                domain: Domain::Dc,
                notes: String::new(),
            },
        )
        .await?;
    let (run, _job) = store
        .create_run(
            org.id,
            &NewRun {
                project_id: project.id,
                design_id: None,
                mode: RunMode::Hil,
                request: serde_json::json!({}),
                created_by: None,
                max_attempts: 1,
            },
        )
        .await?;
    Ok((org.id, run.id))
}

/// Ingests `total` samples in batches and prints the rate. The batches are built before
/// the clock starts.
async fn measure(label: &str, store: &Store, total: usize, batch: usize) -> BenchResult<()> {
    let (org, run) = queued_run(store).await?;
    let start = Utc
        .with_ymd_and_hms(2026, 12, 5, 6, 0, 0)
        .single()
        .ok_or("bench start time")?;
    let batches: Vec<Vec<TelemetrySample>> = (0..total)
        .step_by(batch)
        .map(|first| samples(start, first, batch.min(total - first)))
        .collect();

    let clock = Instant::now();
    let mut stored = 0u64;
    for b in &batches {
        stored += store.ingest_telemetry(org, run, b).await?;
    }
    let seconds = clock.elapsed().as_secs_f64();
    println!(
        "{label}: {stored} samples in {seconds:.2} s = {:.0} samples/s (batches of {batch})",
        stored as f64 / seconds
    );

    // One downsampling query over the whole recording in 100 buckets (over 1 s wide, so
    // served by the rollup), and one over its first second in 1000 buckets (served by
    // the raw samples).
    let span = chrono::Duration::microseconds((total / SIGNALS.len()) as i64 * PERIOD_US);
    for (what, to, buckets) in [
        ("whole range, rollup", start + span, 100),
        (
            "first second, raw",
            start + chrono::Duration::seconds(1),
            1_000,
        ),
    ] {
        let q = TelemetryQuery {
            signal: "v_out".into(),
            from: start,
            to,
            buckets,
        };
        let clock = Instant::now();
        let result = store.query_telemetry(org, run, &q).await?;
        println!(
            "{label}: query {what}: {} buckets in {:.1} ms",
            result.len(),
            clock.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}

async fn run(total: usize, batch: usize) -> BenchResult<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Store::connect(&url, &ConnectOptions::default()).await?;
    measure("sqlite (file, WAL)", &store, total, batch).await?;
    store.close().await;

    if std::env::var_os("PELAB_BENCH_SKIP_POSTGRES").is_some() {
        return Ok(());
    }
    let url = fresh_postgres_database().await?;
    let store = Store::connect(&url, &ConnectOptions::default()).await?;
    let result = measure("postgres", &store, total, batch).await;
    store.close().await;
    drop_postgres_database(&url).await?;
    result
}

fn main() -> BenchResult<()> {
    // `cargo bench` passes `--bench`; only the positional numbers are read.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let total = parse_arg(&args, 0, 1_000_000)?;
    let batch = parse_arg(&args, 1, 10_000)?.max(1);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(total, batch))
}
