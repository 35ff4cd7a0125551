//! Telemetry on SQLite and on a real PostgreSQL (127.0.0.1:5432 or
//! `PELAB_TEST_POSTGRES`): round trip, downsampling against a brute-force computation,
//! rollup against raw samples, tenancy, validation and monthly partitions.

use chrono::{DateTime, TimeZone, Utc};
use pelab_store::testing::{drop_postgres_database, fresh_postgres_database};
use pelab_store::{
    ConnectOptions, Domain, NewProject, NewRun, RunMode, Store, StoreError, TelemetryBucket,
    TelemetryQuery, TelemetrySample, TelemetrySource,
};
use serde_json::json;
use uuid::Uuid;

const SECOND_US: i64 = 1_000_000;

/// An organisation with one project and one queued run.
struct Fixture {
    org: Uuid,
    other_org: Uuid,
    run: Uuid,
}

async fn fixture(store: &Store) -> Fixture {
    let org = store
        .create_org("Acme Power")
        .await
        .expect("creating an org succeeds");
    let other = store
        .create_org("Other")
        .await
        .expect("creating an org succeeds");
    let run = new_run(store, org.id).await;
    Fixture {
        org: org.id,
        other_org: other.id,
        run,
    }
}

async fn new_run(store: &Store, org: Uuid) -> Uuid {
    let project = store
        .create_project(
            org,
            &NewProject {
                name: "Traction".into(),
                domain: Domain::Ev,
                notes: String::new(),
            },
        )
        .await
        .expect("creating a project succeeds");
    let (run, _job) = store
        .create_run(
            org,
            &NewRun {
                project_id: project.id,
                design_id: None,
                mode: RunMode::Hil,
                request: json!({"kernel": "boost"}),
                created_by: None,
                max_attempts: 1,
            },
        )
        .await
        .expect("creating a run succeeds");
    run.id
}

fn at(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).expect("the time is in range")
}

fn sample(micros: i64, signal: &str, value: f64) -> TelemetrySample {
    TelemetrySample {
        time: at(micros),
        signal: signal.into(),
        value,
    }
}

/// Deterministic pseudo-random numbers (64-bit LCG, Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 11
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Irregularly spaced samples of `i_l` and `v_out` over about two minutes starting at
/// `start`, unsorted across signals.
fn random_samples(start: i64, n: usize, seed: u64) -> Vec<TelemetrySample> {
    let mut rng = Lcg(seed);
    let mut t = start;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        t += 1 + rng.below(60_000) as i64;
        let signal = if rng.below(3) == 0 { "v_out" } else { "i_l" };
        let value = (rng.below(2_000_001) as f64 - 1_000_000.0) / 1024.0;
        out.push(sample(t, signal, value));
    }
    out
}

/// Computes the documented bucket layout as (origin, width, end) in microseconds:
/// whole seconds when the buckets are at least 1 s wide, the exact range otherwise. It
/// is written out again here so the test shares no code with the store.
fn expected_grid(from: i64, to: i64, buckets: i64) -> (i64, i64, i64) {
    let span = to - from;
    if span >= buckets * SECOND_US {
        let origin = from.div_euclid(SECOND_US) * SECOND_US;
        let end = (to + SECOND_US - 1).div_euclid(SECOND_US) * SECOND_US;
        let seconds = ((end - origin) / SECOND_US + buckets - 1) / buckets;
        (origin, seconds * SECOND_US, end)
    } else {
        (from, (span + buckets - 1) / buckets, to)
    }
}

/// Buckets computed sample by sample.
fn brute_force(samples: &[TelemetrySample], q: &TelemetryQuery) -> Vec<TelemetryBucket> {
    let (origin, width, end) = expected_grid(
        q.from.timestamp_micros(),
        q.to.timestamp_micros(),
        i64::from(q.buckets),
    );
    let mut cells: std::collections::BTreeMap<i64, (f64, f64, f64, i64)> = Default::default();
    for s in samples.iter().filter(|s| s.signal == q.signal) {
        let t = s.time.timestamp_micros();
        if t < origin || t >= end {
            continue;
        }
        let cell =
            cells
                .entry((t - origin) / width)
                .or_insert((f64::INFINITY, f64::NEG_INFINITY, 0.0, 0));
        cell.0 = cell.0.min(s.value);
        cell.1 = cell.1.max(s.value);
        cell.2 += s.value;
        cell.3 += 1;
    }
    cells
        .into_iter()
        .map(|(i, (min, max, sum, count))| TelemetryBucket {
            time: at(origin + i * width),
            min,
            max,
            mean: sum / count as f64,
            count,
        })
        .collect()
}

fn assert_same_buckets(label: &str, got: &[TelemetryBucket], want: &[TelemetryBucket]) {
    assert_eq!(got.len(), want.len(), "{label}: bucket count");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.time, w.time, "{label}: time");
        assert_eq!(g.count, w.count, "{label}: count at {}", w.time);
        assert_eq!(g.min, w.min, "{label}: min at {}", w.time);
        assert_eq!(g.max, w.max, "{label}: max at {}", w.time);
        let tolerance = 1e-12 * w.mean.abs().max(1.0);
        assert!(
            (g.mean - w.mean).abs() <= tolerance,
            "{label}: mean at {} is {}, expected {}",
            w.time,
            g.mean,
            w.mean
        );
    }
}

fn query(signal: &str, from: i64, to: i64, buckets: u32) -> TelemetryQuery {
    TelemetryQuery {
        signal: signal.into(),
        from: at(from),
        to: at(to),
        buckets,
    }
}

fn start_us() -> i64 {
    Utc.with_ymd_and_hms(2026, 12, 5, 6, 0, 0)
        .single()
        .expect("the date is valid")
        .timestamp_micros()
}

async fn round_trip(store: &Store) {
    let f = fixture(store).await;
    let t0 = start_us();
    let samples = vec![
        sample(t0 + 10, "v_out", 400.0),
        sample(t0, "i_l", 1.5),
        sample(t0 + 20, "v_out", 402.0),
        sample(t0 + 5, "i_l", -0.5),
    ];
    assert_eq!(
        store
            .ingest_telemetry(f.org, f.run, &samples)
            .await
            .expect("ingesting valid samples succeeds"),
        4
    );
    assert_eq!(
        store
            .ingest_telemetry(f.org, f.run, &[])
            .await
            .expect("ingesting valid samples succeeds"),
        0
    );
    assert_eq!(
        store
            .telemetry_signals(f.org, f.run)
            .await
            .expect("listing signals succeeds"),
        vec!["i_l".to_string(), "v_out".to_string()]
    );

    // One bucket per microsecond returns every sample as it was sent.
    let fine = store
        .query_telemetry(f.org, f.run, &query("v_out", t0, t0 + 30, 30))
        .await
        .expect("querying telemetry succeeds");
    let values: Vec<(DateTime<Utc>, f64, i64)> =
        fine.iter().map(|b| (b.time, b.mean, b.count)).collect();
    assert_eq!(
        values,
        vec![(at(t0 + 10), 400.0, 1), (at(t0 + 20), 402.0, 1)]
    );

    let one = store
        .query_telemetry(f.org, f.run, &query("i_l", t0, t0 + SECOND_US, 1))
        .await
        .expect("querying telemetry succeeds");
    assert_eq!(
        one,
        vec![TelemetryBucket {
            time: at(t0),
            min: -0.5,
            max: 1.5,
            mean: 0.5,
            count: 2
        }]
    );

    // A signal without samples has no buckets, and a run without samples no signals.
    assert!(
        store
            .query_telemetry(f.org, f.run, &query("p_in", t0, t0 + SECOND_US, 10))
            .await
            .expect("querying telemetry succeeds")
            .is_empty()
    );
    let empty_run = new_run(store, f.org).await;
    assert!(
        store
            .telemetry_signals(f.org, empty_run)
            .await
            .expect("listing signals succeeds")
            .is_empty()
    );

    // Deleting the run deletes its telemetry.
    store
        .request_cancel(f.org, f.run)
        .await
        .expect("cancelling a queued run succeeds");
    store
        .delete_run(f.org, f.run)
        .await
        .expect("deleting a cancelled run succeeds");
    let again = new_run(store, f.org).await;
    store
        .ingest_telemetry(f.org, again, &samples[..1])
        .await
        .expect("ingesting valid samples succeeds");
    assert!(matches!(
        store.telemetry_signals(f.org, f.run).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store
            .telemetry_signals(f.org, again)
            .await
            .expect("listing signals succeeds"),
        vec!["v_out".to_string()]
    );
}

async fn downsampling_matches_brute_force(store: &Store) {
    let f = fixture(store).await;
    let t0 = start_us() + 123_456;
    let samples = random_samples(t0, 20_000, 7);
    // Two interleaved batches, so rollup rows of the same second are merged by the
    // upsert as well as in memory.
    let (even, odd): (Vec<_>, Vec<_>) = samples
        .iter()
        .cloned()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let even: Vec<TelemetrySample> = even.into_iter().map(|(_, s)| s).collect();
    let odd: Vec<TelemetrySample> = odd.into_iter().map(|(_, s)| s).collect();
    store
        .ingest_telemetry(f.org, f.run, &even)
        .await
        .expect("ingesting valid samples succeeds");
    store
        .ingest_telemetry(f.org, f.run, &odd)
        .await
        .expect("ingesting valid samples succeeds");
    let last = samples
        .last()
        .expect("the samples are not empty")
        .time
        .timestamp_micros();

    let cases = [
        ("i_l", t0, last + 1, 1),
        ("i_l", t0, last + 1, 100),
        ("v_out", t0, last + 1, 7),
        ("v_out", t0 - 3 * SECOND_US, last + 5 * SECOND_US, 13),
        ("i_l", t0 + 2_500_000, t0 + 40_700_000, 9),
        ("i_l", t0 + 1_000_001, t0 + 1_900_000, 1_000),
        ("v_out", t0 + 17, t0 + 60 * SECOND_US, 10_000),
    ];
    let known = samples[100].time.timestamp_micros();
    let cases = cases
        .into_iter()
        .chain([(samples[100].signal.as_str(), known - 1, known + 2, 2)]);
    for (signal, from, to, buckets) in cases {
        let q = query(signal, from, to, buckets);
        let label = format!("{signal} [{from}, {to}) in {buckets}");
        let want = brute_force(&samples, &q);
        assert!(!want.is_empty(), "{label}: the case has samples");
        let got = store
            .query_telemetry(f.org, f.run, &q)
            .await
            .expect("querying telemetry succeeds");
        assert_same_buckets(&label, &got, &want);
        assert!(
            got.len() <= buckets as usize,
            "{label}: at most {buckets} buckets"
        );
    }
}

async fn rollup_agrees_with_raw(store: &Store) {
    let f = fixture(store).await;
    let t0 = start_us() - 30 * SECOND_US + 1;
    let samples = random_samples(t0, 10_000, 11);
    store
        .ingest_telemetry(f.org, f.run, &samples)
        .await
        .expect("ingesting valid samples succeeds");
    let last = samples
        .last()
        .expect("the samples are not empty")
        .time
        .timestamp_micros();
    for (signal, from, to, buckets) in [
        ("i_l", t0, last + 1, 1),
        ("i_l", t0, last + 1, 60),
        ("v_out", t0 + 700_000, last - 700_000, 11),
        ("v_out", t0 - 10 * SECOND_US, last + 10 * SECOND_US, 3),
    ] {
        let q = query(signal, from, to, buckets);
        let label = format!("{signal} [{from}, {to}) in {buckets}");
        let raw = store
            .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Raw)
            .await
            .expect("querying telemetry succeeds");
        let rollup = store
            .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Rollup)
            .await
            .expect("querying telemetry succeeds");
        assert!(!raw.is_empty(), "{label}: the case has samples");
        assert_same_buckets(&label, &rollup, &raw);
    }

    // Samples before the Unix epoch fall into the right seconds too.
    let before = vec![
        sample(-1_500_000, "pre", 1.0),
        sample(-500_000, "pre", 2.0),
        sample(-400_000, "pre", 4.0),
        sample(100, "pre", 8.0),
    ];
    store
        .ingest_telemetry(f.org, f.run, &before)
        .await
        .expect("ingesting valid samples succeeds");
    let q = query("pre", -2 * SECOND_US, SECOND_US, 3);
    let raw = store
        .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Raw)
        .await
        .expect("querying telemetry succeeds");
    let rollup = store
        .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Rollup)
        .await
        .expect("querying telemetry succeeds");
    assert_same_buckets("before the epoch", &raw, &brute_force(&before, &q));
    assert_same_buckets("before the epoch", &rollup, &raw);
    let counts: Vec<i64> = raw.iter().map(|b| b.count).collect();
    assert_eq!(counts, vec![1, 2, 1]);

    // Buckets narrower than a second cannot come from the rollup.
    let fine = query("i_l", t0, t0 + SECOND_US, 10);
    match store
        .query_telemetry_from(f.org, f.run, &fine, TelemetrySource::Rollup)
        .await
    {
        Err(StoreError::Invalid { field, .. }) => assert_eq!(field, "buckets"),
        other => panic!("expected an invalid bucket width, got {other:?}"),
    }
}

async fn rollup_spanning_many_seconds(store: &Store) {
    // 2 500 seconds with samples in one batch, so the rollup is written in several
    // statements, and a second batch that lands in the same seconds.
    let f = fixture(store).await;
    let t0 = start_us();
    let first: Vec<TelemetrySample> = (0..2_500)
        .map(|i| sample(t0 + i * SECOND_US + 250_000, "p_out", i as f64))
        .collect();
    let second: Vec<TelemetrySample> = (0..2_500)
        .map(|i| sample(t0 + i * SECOND_US + 750_000, "p_out", -(i as f64)))
        .collect();
    store
        .ingest_telemetry(f.org, f.run, &first)
        .await
        .expect("ingesting valid samples succeeds");
    store
        .ingest_telemetry(f.org, f.run, &second)
        .await
        .expect("ingesting valid samples succeeds");

    let all: Vec<TelemetrySample> = first.into_iter().chain(second).collect();
    for buckets in [1, 7, 2_500] {
        let q = query("p_out", t0, t0 + 2_500 * SECOND_US, buckets);
        let want = brute_force(&all, &q);
        let rollup = store
            .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Rollup)
            .await
            .expect("querying telemetry succeeds");
        let raw = store
            .query_telemetry_from(f.org, f.run, &q, TelemetrySource::Raw)
            .await
            .expect("querying telemetry succeeds");
        assert_same_buckets(&format!("rollup in {buckets}"), &rollup, &want);
        assert_same_buckets(&format!("raw in {buckets}"), &raw, &want);
    }
}

async fn other_org_run_not_found(store: &Store) {
    let f = fixture(store).await;
    let t0 = start_us();
    let samples = vec![sample(t0, "v_out", 1.0)];
    store
        .ingest_telemetry(f.org, f.run, &samples)
        .await
        .expect("ingesting valid samples succeeds");
    let q = query("v_out", t0, t0 + SECOND_US, 1);

    let ingest = store.ingest_telemetry(f.other_org, f.run, &samples).await;
    assert!(
        matches!(ingest, Err(StoreError::NotFound { entity: "run", .. })),
        "{ingest:?}"
    );
    let read = store.query_telemetry(f.other_org, f.run, &q).await;
    assert!(
        matches!(read, Err(StoreError::NotFound { entity: "run", .. })),
        "{read:?}"
    );
    let signals = store.telemetry_signals(f.other_org, f.run).await;
    assert!(
        matches!(signals, Err(StoreError::NotFound { entity: "run", .. })),
        "{signals:?}"
    );
    let unknown = store
        .ingest_telemetry(f.org, Uuid::now_v7(), &samples)
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );

    // The rejected ingest stored nothing.
    let buckets = store
        .query_telemetry(f.org, f.run, &q)
        .await
        .expect("querying telemetry succeeds");
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].count, 1);
}

/// Asserts that `result` is [`StoreError::Invalid`] on `field` and that the message
/// contains `needle`.
fn assert_invalid<T: std::fmt::Debug>(result: Result<T, StoreError>, field: &str, needle: &str) {
    match result {
        Err(StoreError::Invalid { field: f, message }) => {
            assert_eq!(f, field, "field of {message:?}");
            assert!(
                message.contains(needle),
                "{field}: {message:?} lacks {needle:?}"
            );
        }
        other => panic!("expected {field} to be invalid, got {other:?}"),
    }
}

async fn invalid_input_rejected(store: &Store) {
    let f = fixture(store).await;
    let t0 = start_us();
    let good = sample(t0, "v_out", 1.0);
    let ingest = |samples: Vec<TelemetrySample>| {
        let store = store.clone();
        let (org, run) = (f.org, f.run);
        async move { store.ingest_telemetry(org, run, &samples).await }
    };

    assert_invalid(
        ingest(vec![good.clone(), sample(t0, "v_out", f64::NAN)]).await,
        "samples[1].value",
        "finite",
    );
    assert_invalid(
        ingest(vec![sample(t0, "v_out", f64::INFINITY)]).await,
        "samples[0].value",
        "inf",
    );
    assert_invalid(
        ingest(vec![sample(t0, "", 1.0)]).await,
        "samples[0].signal",
        "1 to 128",
    );
    let long = "x".repeat(129);
    assert_invalid(
        ingest(vec![good.clone(), sample(t0, &long, 1.0)]).await,
        "samples[1].signal",
        "129 characters",
    );
    assert_invalid(
        ingest(vec![sample(t0, "v\nout", 1.0)]).await,
        "samples[0].signal",
        "control character",
    );
    let year_10000 = Utc
        .with_ymd_and_hms(10_000, 1, 1, 0, 0, 0)
        .single()
        .expect("the date is valid");
    assert_invalid(
        ingest(vec![TelemetrySample {
            time: year_10000,
            ..good.clone()
        }])
        .await,
        "samples[0].time",
        "9999-12-31",
    );
    let too_many = vec![good.clone(); 1_000_001];
    assert_invalid(ingest(too_many).await, "samples", "at most 1000000");

    // The longest accepted name is stored; none of the rejected batches left a sample.
    let longest = "é".repeat(128);
    assert_eq!(
        ingest(vec![sample(t0, &longest, 2.0)])
            .await
            .expect("ingesting a 128-character signal name succeeds"),
        1
    );
    assert_eq!(
        store
            .telemetry_signals(f.org, f.run)
            .await
            .expect("listing signals succeeds"),
        vec![longest]
    );

    let read = |q: TelemetryQuery| {
        let store = store.clone();
        let (org, run) = (f.org, f.run);
        async move { store.query_telemetry(org, run, &q).await }
    };
    assert_invalid(
        read(query("v_out", t0, t0 + 1, 0)).await,
        "buckets",
        "1 to 10000",
    );
    assert_invalid(
        read(query("v_out", t0, t0 + SECOND_US, 10_001)).await,
        "buckets",
        "10001",
    );
    assert_invalid(read(query("v_out", t0, t0, 1)).await, "to", "not after");
    assert_invalid(read(query("v_out", t0 + 1, t0, 1)).await, "to", "not after");
    assert_invalid(
        read(query("", t0, t0 + 1, 1)).await,
        "signal",
        "0 characters",
    );
    assert!(read(query("v_out", t0, t0 + 1, 10_000)).await.is_ok());
}

async fn sqlite_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a temporary directory can be created");
    let url = format!("sqlite://{}", dir.path().join("pelab.db").display());
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store opens and migrates its database");
    (dir, store)
}

async fn postgres_store() -> (String, Store) {
    let url = fresh_postgres_database()
        .await
        .expect("PostgreSQL on 127.0.0.1:5432 (or PELAB_TEST_POSTGRES) is needed for this test");
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .expect("the store opens and migrates its database");
    (url, store)
}

/// Runs each named test body once on SQLite and once on PostgreSQL.
macro_rules! on_both_backends {
    ($($body:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $body() {
                    let (_dir, store) = super::sqlite_store().await;
                    super::$body(&store).await;
                    store.close().await;
                }
            )+
        }

        mod postgres {
            $(
                #[tokio::test]
                async fn $body() {
                    let (url, store) = super::postgres_store().await;
                    super::$body(&store).await;
                    store.close().await;
                    pelab_store::testing::drop_postgres_database(&url).await.expect("the test database can be dropped");
                }
            )+
        }
    };
}

on_both_backends!(
    round_trip,
    downsampling_matches_brute_force,
    rollup_agrees_with_raw,
    rollup_spanning_many_seconds,
    other_org_run_not_found,
    invalid_input_rejected,
);

/// Partitions of `telemetry` and their row counts, by name.
async fn partition_rows(pool: &sqlx::PgPool) -> Vec<(String, i64)> {
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'telemetry'::regclass ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("the catalog query succeeds");
    let mut out = Vec::new();
    for (name,) in names {
        let sql = format!("SELECT COUNT(*) FROM {name}");
        let (n,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_one(pool)
            .await
            .expect("the query succeeds");
        out.push((name, n));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_monthly_partitions() {
    let (url, store) = postgres_store().await;
    let f = fixture(&store).await;
    let pool = store
        .postgres_pool()
        .expect("the store is on PostgreSQL")
        .clone();
    let november = Utc
        .with_ymd_and_hms(2026, 11, 30, 23, 59, 59)
        .single()
        .expect("the date is valid");
    let december = Utc
        .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .expect("the date is valid");

    // A row of January 2027 inserted directly lands in the default partition.
    sqlx::query(
        "INSERT INTO telemetry (time, run_id, signal, value) VALUES ($1, $2, 'v_out', 3.0)",
    )
    .bind(
        Utc.with_ymd_and_hms(2027, 1, 15, 0, 0, 0)
            .single()
            .expect("the date is valid"),
    )
    .bind(f.run.to_string())
    .execute(&pool)
    .await
    .expect("the insert succeeds");
    assert_eq!(
        partition_rows(&pool).await,
        vec![("telemetry_default".to_string(), 1)]
    );

    let samples = vec![
        TelemetrySample {
            time: november,
            signal: "v_out".into(),
            value: 1.0,
        },
        TelemetrySample {
            time: december,
            signal: "v_out".into(),
            value: 2.0,
        },
    ];
    store
        .ingest_telemetry(f.org, f.run, &samples)
        .await
        .expect("ingesting valid samples succeeds");
    assert_eq!(
        partition_rows(&pool).await,
        vec![
            ("telemetry_default".to_string(), 1),
            ("telemetry_y2026m11".to_string(), 1),
            ("telemetry_y2026m12".to_string(), 1),
        ]
    );

    // Ingesting into January creates its partition and moves the stray row into it.
    let january = TelemetrySample {
        time: Utc
            .with_ymd_and_hms(2027, 1, 31, 12, 0, 0)
            .single()
            .expect("the date is valid"),
        signal: "v_out".into(),
        value: 4.0,
    };
    store
        .ingest_telemetry(f.org, f.run, &[january.clone(), january])
        .await
        .expect("ingesting valid samples succeeds");
    assert_eq!(
        partition_rows(&pool).await,
        vec![
            ("telemetry_default".to_string(), 0),
            ("telemetry_y2026m11".to_string(), 1),
            ("telemetry_y2026m12".to_string(), 1),
            ("telemetry_y2027m01".to_string(), 3),
        ]
    );

    // Concurrent ingests into a month without a partition create it once.
    let march = Utc
        .with_ymd_and_hms(2027, 3, 10, 0, 0, 0)
        .single()
        .expect("the date is valid");
    let mut tasks = Vec::new();
    for k in 0..4 {
        let store = store.clone();
        let (org, run) = (f.org, f.run);
        let batch = vec![TelemetrySample {
            time: march + chrono::Duration::seconds(k),
            signal: "v_out".into(),
            value: 5.0,
        }];
        tasks.push(tokio::spawn(async move {
            store.ingest_telemetry(org, run, &batch).await
        }));
    }
    for task in tasks {
        assert_eq!(
            task.await
                .expect("the ingest task completes")
                .expect("concurrent ingest succeeds"),
            1
        );
    }
    let rows = partition_rows(&pool).await;
    assert_eq!(
        rows.last(),
        Some(&("telemetry_y2027m03".to_string(), 4)),
        "{rows:?}"
    );
    assert_eq!(rows.len(), 5, "{rows:?}");

    // Every partition has the (run_id, signal, time) index of the parent.
    let (indexed,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM pg_indexes WHERE tablename LIKE 'telemetry_y%' \
         AND indexdef LIKE '%(run_id, signal, \"time\")%'",
    )
    .fetch_one(&pool)
    .await
    .expect("the query succeeds");
    assert_eq!(indexed, 4);

    // The samples read back across the partition boundary.
    let q = TelemetryQuery {
        signal: "v_out".into(),
        from: november,
        to: Utc
            .with_ymd_and_hms(2026, 12, 1, 0, 0, 1)
            .single()
            .expect("the date is valid"),
        buckets: 2,
    };
    let buckets = store
        .query_telemetry(f.org, f.run, &q)
        .await
        .expect("querying telemetry succeeds");
    let values: Vec<(DateTime<Utc>, f64)> = buckets.iter().map(|b| (b.time, b.mean)).collect();
    assert_eq!(values, vec![(november, 1.0), (december, 2.0)]);

    store.close().await;
    drop_postgres_database(&url)
        .await
        .expect("the test database can be dropped");
}
