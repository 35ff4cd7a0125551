//! Telemetry on PostgreSQL: monthly partitions created before ingest, samples sent
//! with binary `COPY ... FROM STDIN`, rollup rows upserted from UNNEST arrays.

use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::{BucketGrid, BucketRow, PreparedBatch, micros_to_time};
use crate::{Result, StoreError};

/// Most monthly partitions one ingest creates. Samples of further months land in the
/// default partition until a later ingest creates their month, which moves them. This
/// bounds the tables a single request can add.
const MAX_NEW_PARTITIONS: usize = 24;
/// Microseconds from the Unix epoch to the PostgreSQL epoch, 2000-01-01T00:00:00Z.
const PG_EPOCH_US: i64 = 946_684_800_000_000;
/// Bytes of COPY data sent per message.
const COPY_CHUNK_BYTES: usize = 1 << 20;

/// Start of the UTC month containing `micros`, and the start of the next month.
fn month_bounds(micros: i64) -> Result<(i64, i64)> {
    let time = micros_to_time(micros)?;
    let start = NaiveDate::from_ymd_opt(time.year(), time.month(), 1);
    let next = start.and_then(|d| d.checked_add_months(Months::new(1)));
    match (start, next) {
        (Some(start), Some(next)) => Ok((
            start
                .and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .timestamp_micros(),
            next.and_time(chrono::NaiveTime::MIN)
                .and_utc()
                .timestamp_micros(),
        )),
        _ => Err(StoreError::Database(format!(
            "no calendar month contains {micros} µs"
        ))),
    }
}

/// Starts of the distinct months of the batch, in order of first appearance, at most
/// [`MAX_NEW_PARTITIONS`].
fn batch_months(times: &[i64]) -> Result<Vec<DateTime<Utc>>> {
    let mut months: Vec<(i64, i64)> = Vec::new();
    for &t in times {
        if months.iter().any(|&(lo, hi)| (lo..hi).contains(&t)) {
            continue;
        }
        if months.len() == MAX_NEW_PARTITIONS {
            break;
        }
        months.push(month_bounds(t)?);
    }
    months.iter().map(|&(lo, _)| micros_to_time(lo)).collect()
}

/// Appends one row of binary COPY data for `telemetry (time, run_id, signal, value)`.
fn push_copy_row(buf: &mut Vec<u8>, time: i64, run: &[u8], signal: &[u8], value: f64) {
    buf.extend_from_slice(&4i16.to_be_bytes());
    buf.extend_from_slice(&8i32.to_be_bytes());
    buf.extend_from_slice(&(time - PG_EPOCH_US).to_be_bytes());
    // Both lengths are bounded: a UUID is 36 bytes, a signal at most 128 characters.
    buf.extend_from_slice(&(run.len() as i32).to_be_bytes());
    buf.extend_from_slice(run);
    buf.extend_from_slice(&(signal.len() as i32).to_be_bytes());
    buf.extend_from_slice(signal);
    buf.extend_from_slice(&8i32.to_be_bytes());
    buf.extend_from_slice(&value.to_bits().to_be_bytes());
}

pub(super) async fn ingest(pool: &PgPool, run_id: Uuid, batch: &PreparedBatch<'_>) -> Result<u64> {
    // Partitions are created and committed before the sample transaction, so that
    // transaction holds no DDL locks.
    let months = batch_months(&batch.times)?;
    sqlx::query(
        "SELECT pelab_ensure_month_partition('telemetry', m) FROM UNNEST($1::timestamptz[]) AS m",
    )
    .bind(&months)
    .execute(pool)
    .await?;

    let run = run_id.to_string();
    let mut tx = pool.begin().await?;
    let mut copy = tx
        .copy_in_raw("COPY telemetry (time, run_id, signal, value) FROM STDIN (FORMAT binary)")
        .await?;
    let mut buf: Vec<u8> = Vec::with_capacity(COPY_CHUNK_BYTES + 256);
    // Binary COPY header: signature, flags, header extension length.
    buf.extend_from_slice(b"PGCOPY\n\xff\r\n\0");
    buf.extend_from_slice(&0i32.to_be_bytes());
    buf.extend_from_slice(&0i32.to_be_bytes());
    for (sample, &time) in batch.samples.iter().zip(&batch.times) {
        push_copy_row(
            &mut buf,
            time,
            run.as_bytes(),
            sample.signal.as_bytes(),
            sample.value,
        );
        if buf.len() >= COPY_CHUNK_BYTES {
            copy.send(std::mem::take(&mut buf)).await?;
            buf.reserve(COPY_CHUNK_BYTES + 256);
        }
    }
    // Trailer: a field count of -1.
    buf.extend_from_slice(&(-1i16).to_be_bytes());
    copy.send(buf).await?;
    let copied = copy.finish().await?;

    let mut signals = Vec::with_capacity(batch.rollup.len());
    let mut starts = Vec::with_capacity(batch.rollup.len());
    let mut mins = Vec::with_capacity(batch.rollup.len());
    let mut maxs = Vec::with_capacity(batch.rollup.len());
    let mut sums = Vec::with_capacity(batch.rollup.len());
    let mut counts = Vec::with_capacity(batch.rollup.len());
    for &((signal, start), cell) in &batch.rollup {
        signals.push(signal);
        starts.push(micros_to_time(start)?);
        mins.push(cell.min);
        maxs.push(cell.max);
        sums.push(cell.sum);
        counts.push(cell.count);
    }
    sqlx::query(
        "INSERT INTO telemetry_rollup (run_id, signal, bucket_start, min, max, sum, count) \
         SELECT $1, u.signal, u.bucket_start, u.min, u.max, u.sum, u.count \
         FROM UNNEST($2::text[], $3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], \
                     $7::int8[]) AS u(signal, bucket_start, min, max, sum, count) \
         ON CONFLICT (run_id, signal, bucket_start) DO UPDATE SET \
         min = LEAST(telemetry_rollup.min, EXCLUDED.min), \
         max = GREATEST(telemetry_rollup.max, EXCLUDED.max), \
         sum = telemetry_rollup.sum + EXCLUDED.sum, \
         count = telemetry_rollup.count + EXCLUDED.count",
    )
    .bind(&run)
    .bind(&signals)
    .bind(&starts)
    .bind(&mins)
    .bind(&maxs)
    .bind(&sums)
    .bind(&counts)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(copied)
}

pub(super) async fn query(
    pool: &PgPool,
    run_id: Uuid,
    signal: &str,
    grid: &BucketGrid,
    use_rollup: bool,
) -> Result<Vec<BucketRow>> {
    // Bucket indexes are computed in whole microseconds (EXTRACT returns numeric, which
    // is exact), so they match the SQLite backend and the rollup bucket starts.
    let sql = if use_rollup {
        "SELECT ((EXTRACT(EPOCH FROM bucket_start) * 1000000)::bigint - $3) / $4 AS bucket, \
         MIN(min), MAX(max), SUM(sum), SUM(count)::bigint \
         FROM telemetry_rollup \
         WHERE run_id = $1 AND signal = $2 AND bucket_start >= $5 AND bucket_start < $6 \
         GROUP BY bucket ORDER BY bucket"
    } else {
        "SELECT ((EXTRACT(EPOCH FROM time) * 1000000)::bigint - $3) / $4 AS bucket, \
         MIN(value), MAX(value), SUM(value), COUNT(*) \
         FROM telemetry \
         WHERE run_id = $1 AND signal = $2 AND time >= $5 AND time < $6 \
         GROUP BY bucket ORDER BY bucket"
    };
    let rows: Vec<BucketRow> = sqlx::query_as(sql)
        .bind(run_id.to_string())
        .bind(signal)
        .bind(grid.origin)
        .bind(grid.width)
        .bind(micros_to_time(grid.origin)?)
        .bind(micros_to_time(grid.end)?)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_bounds_in_december() {
        // 2026-12-05T06:00:00Z
        let (lo, hi) = month_bounds(1_796_450_400_000_000).unwrap();
        assert_eq!(
            micros_to_time(lo).unwrap().to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        assert_eq!(
            micros_to_time(hi).unwrap().to_rfc3339(),
            "2027-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn batch_months_are_distinct_and_bounded() {
        let day = 86_400_000_000i64;
        let times: Vec<i64> = (0..1000).map(|i| i * 20 * day).collect();
        let months = batch_months(&times).unwrap();
        assert_eq!(months.len(), MAX_NEW_PARTITIONS);
        let same = batch_months(&[0, day, 2 * day]).unwrap();
        assert_eq!(same.len(), 1);
    }
}
