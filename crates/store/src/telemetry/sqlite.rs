//! Telemetry on SQLite: multi-row INSERT statements in one transaction.

use std::sync::OnceLock;

use sqlx::SqlitePool;
use uuid::Uuid;

use super::{BucketGrid, BucketRow, PreparedBatch, RollupRow};
use crate::Result;

/// Most bound parameters in one statement: SQLITE_MAX_VARIABLE_NUMBER, 32 766 by default
/// since SQLite 3.32 (the bundled libsqlite3-sys 0.40 has 3.54).
const MAX_PARAMS: usize = 32_766;
/// Sample rows per INSERT, four parameters each.
const SAMPLE_ROWS: usize = 2_000;
/// Rollup rows per upsert, seven parameters each.
const ROLLUP_ROWS: usize = 1_000;
const _: () = assert!(SAMPLE_ROWS * 4 <= MAX_PARAMS && ROLLUP_ROWS * 7 <= MAX_PARAMS);

// The statements use anonymous `?` parameters although the run id repeats in every
// row. sqlx looks up the name of every parameter it binds, and SQLite finds the name of
// a named parameter (`$1`, `?1`) by a linear scan. So binding n named parameters costs
// O(n^2): ingest was about 14 times slower with them at 2 000 rows per statement.

/// `INSERT INTO telemetry` for `rows` rows.
fn sample_insert(rows: usize) -> String {
    let mut sql = String::from("INSERT INTO telemetry (time, run_id, signal, value) VALUES ");
    sql.push_str(&vec!["(?, ?, ?, ?)"; rows].join(", "));
    sql
}

/// Rollup upsert for `rows` rows.
fn rollup_upsert(rows: usize) -> String {
    let mut sql = String::from(
        "INSERT INTO telemetry_rollup (run_id, signal, bucket_start, min, max, sum, count) VALUES ",
    );
    sql.push_str(&vec!["(?, ?, ?, ?, ?, ?, ?)"; rows].join(", "));
    sql.push_str(
        " ON CONFLICT (run_id, signal, bucket_start) DO UPDATE SET \
         min = min(telemetry_rollup.min, excluded.min), \
         max = max(telemetry_rollup.max, excluded.max), \
         sum = telemetry_rollup.sum + excluded.sum, \
         count = telemetry_rollup.count + excluded.count",
    );
    sql
}

/// Returns the SQL for full chunks, built once per process. sqlx caches the prepared
/// statement per connection.
fn full_chunk_sql(
    cell: &'static OnceLock<String>,
    build: fn(usize) -> String,
    rows: usize,
) -> &'static str {
    cell.get_or_init(|| build(rows))
}

pub(super) async fn ingest(
    pool: &SqlitePool,
    run_id: Uuid,
    batch: &PreparedBatch<'_>,
) -> Result<u64> {
    static SAMPLE_SQL: OnceLock<String> = OnceLock::new();
    static ROLLUP_SQL: OnceLock<String> = OnceLock::new();
    let run = run_id.to_string();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;

    for (samples, times) in batch
        .samples
        .chunks(SAMPLE_ROWS)
        .zip(batch.times.chunks(SAMPLE_ROWS))
    {
        let partial;
        let sql = if samples.len() == SAMPLE_ROWS {
            full_chunk_sql(&SAMPLE_SQL, sample_insert, SAMPLE_ROWS)
        } else {
            partial = sample_insert(samples.len());
            partial.as_str()
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (sample, time) in samples.iter().zip(times) {
            query = query
                .bind(*time)
                .bind(run.as_str())
                .bind(sample.signal.as_str())
                .bind(sample.value);
        }
        query.execute(&mut *tx).await?;
    }

    for rows in batch.rollup.chunks(ROLLUP_ROWS) {
        let partial;
        let sql = if rows.len() == ROLLUP_ROWS {
            full_chunk_sql(&ROLLUP_SQL, rollup_upsert, ROLLUP_ROWS)
        } else {
            partial = rollup_upsert(rows.len());
            partial.as_str()
        };
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for ((signal, bucket_start), cell) in rows.iter().map(|r: &RollupRow<'_>| (r.0, r.1)) {
            query = query
                .bind(run.as_str())
                .bind(signal)
                .bind(bucket_start)
                .bind(cell.min)
                .bind(cell.max)
                .bind(cell.sum)
                .bind(cell.count);
        }
        query.execute(&mut *tx).await?;
    }

    tx.commit().await?;
    Ok(batch.samples.len() as u64)
}

pub(super) async fn query(
    pool: &SqlitePool,
    run_id: Uuid,
    signal: &str,
    grid: &BucketGrid,
    use_rollup: bool,
) -> Result<Vec<BucketRow>> {
    // The range filter and the bucket index use the same column, so both sources agree
    // whenever every bucket is a whole number of rollup seconds.
    let sql = if use_rollup {
        "SELECT (bucket_start - $3) / $4 AS bucket, MIN(min), MAX(max), SUM(sum), SUM(count) \
         FROM telemetry_rollup \
         WHERE run_id = $1 AND signal = $2 AND bucket_start >= $3 AND bucket_start < $5 \
         GROUP BY bucket ORDER BY bucket"
    } else {
        "SELECT (time - $3) / $4 AS bucket, MIN(value), MAX(value), SUM(value), COUNT(*) \
         FROM telemetry \
         WHERE run_id = $1 AND signal = $2 AND time >= $3 AND time < $5 \
         GROUP BY bucket ORDER BY bucket"
    };
    let rows: Vec<BucketRow> = sqlx::query_as(sql)
        .bind(run_id.to_string())
        .bind(signal)
        .bind(grid.origin)
        .bind(grid.width)
        .bind(grid.end)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}
