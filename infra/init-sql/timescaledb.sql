-- TimescaleDB set-up for the pelab time-series tables: telemetry, bench_can and
-- bench_signals become hypertables, a continuous aggregate keeps 1 s buckets of
-- telemetry, old chunks are compressed, and a retention policy is shown as an example.
--
-- NOT TESTED: the PostgreSQL 15 server pelab is developed and tested against has no
-- timescaledb extension (pg_available_extensions lists none), so this script has never
-- been run. It is written against the TimescaleDB 2.13+ API (by_range dimensions) and
-- uses the compression API, which 2.18 renamed to "columnstore" but still supports.
--
-- When to run it: once, on a database where `pelab serve` has already applied its
-- migrations (0002_telemetry creates the tables with native monthly partitions), with
-- every pelab process stopped, as a user that may create extensions:
--
--     psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -f infra/init-sql/timescaledb.sql
--
-- create_hypertable() rejects a table that is already partitioned, so each table is
-- rebuilt: the partitioned table is renamed, a plain table with the same columns and
-- index is created and turned into a hypertable, the rows are copied over and the old
-- table is dropped. Everything runs in one transaction.
--
-- What pelab still does afterwards: the store keeps upserting and reading its own
-- telemetry_rollup table, so downsampling queries behave exactly as without
-- TimescaleDB. The continuous aggregate below is for SQL and dashboard users (Grafana
-- and similar); it is not read by pelab.

\set ON_ERROR_STOP on

CREATE EXTENSION IF NOT EXISTS timescaledb;

BEGIN;

-- Hypertables create their chunks themselves, so the store's partition function
-- becomes a no-op that keeps its signature (the store calls it before every ingest).
CREATE OR REPLACE FUNCTION pelab_ensure_month_partition(parent TEXT, at TIMESTAMPTZ)
RETURNS BOOLEAN AS $$
    SELECT FALSE;
$$ LANGUAGE sql;

-- telemetry: one chunk per day. At 8 signals sampled at 1 kHz a run writes 691
-- million rows a day, so size the interval to your sample rates.
ALTER TABLE telemetry RENAME TO telemetry_partitioned;
ALTER INDEX telemetry_run_signal_time RENAME TO telemetry_partitioned_run_signal_time;
CREATE TABLE telemetry (
    time TIMESTAMPTZ NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    signal TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL
);
SELECT create_hypertable('telemetry', by_range('time', INTERVAL '1 day'));
CREATE INDEX telemetry_run_signal_time ON telemetry (run_id, signal, time);
INSERT INTO telemetry SELECT time, run_id, signal, value FROM telemetry_partitioned;
DROP TABLE telemetry_partitioned;

-- bench_can: raw frames, one chunk per day.
ALTER TABLE bench_can RENAME TO bench_can_partitioned;
ALTER INDEX bench_can_device_time RENAME TO bench_can_partitioned_device_time;
CREATE TABLE bench_can (
    time TIMESTAMPTZ NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    can_id INTEGER NOT NULL CHECK (can_id BETWEEN 0 AND 536870911),
    dlc SMALLINT NOT NULL CHECK (dlc BETWEEN 0 AND 15),
    data BYTEA NOT NULL CHECK (length(data) <= 64),
    ts_hw BIGINT
);
SELECT create_hypertable('bench_can', by_range('time', INTERVAL '1 day'));
CREATE INDEX bench_can_device_time ON bench_can (device_id, time);
INSERT INTO bench_can SELECT time, device_id, can_id, dlc, data, ts_hw FROM bench_can_partitioned;
DROP TABLE bench_can_partitioned;

-- bench_signals: decoded values, one chunk per day.
ALTER TABLE bench_signals RENAME TO bench_signals_partitioned;
ALTER INDEX bench_signals_device_time RENAME TO bench_signals_partitioned_device_time;
CREATE TABLE bench_signals (
    time TIMESTAMPTZ NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    signal TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL
);
SELECT create_hypertable('bench_signals', by_range('time', INTERVAL '1 day'));
CREATE INDEX bench_signals_device_time ON bench_signals (device_id, time);
INSERT INTO bench_signals SELECT time, device_id, signal, value FROM bench_signals_partitioned;
DROP TABLE bench_signals_partitioned;

COMMIT;

-- Continuous aggregate: min, max, sum and count per run, signal and second, the same
-- columns as telemetry_rollup. The policy refreshes the last day every minute and
-- leaves the newest minute alone, because samples of a running session still arrive
-- for it.
CREATE MATERIALIZED VIEW telemetry_1s
WITH (timescaledb.continuous) AS
SELECT run_id,
       signal,
       time_bucket(INTERVAL '1 second', time) AS bucket_start,
       min(value) AS min,
       max(value) AS max,
       sum(value) AS sum,
       count(*) AS count
FROM telemetry
GROUP BY run_id, signal, time_bucket(INTERVAL '1 second', time)
WITH NO DATA;

SELECT add_continuous_aggregate_policy('telemetry_1s',
    start_offset => INTERVAL '1 day',
    end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute');

-- Compression: chunks older than 7 days are compressed, segmented by series so a
-- query for one run and signal decompresses only that series, and ordered by time
-- within a segment. Deleting a run deletes rows in compressed chunks, which
-- TimescaleDB supports from 2.11.0 (its docs, "Modify compressed data").
ALTER TABLE telemetry SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'run_id, signal',
    timescaledb.compress_orderby = 'time'
);
SELECT add_compression_policy('telemetry', compress_after => INTERVAL '7 days');

ALTER TABLE bench_signals SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'device_id, signal',
    timescaledb.compress_orderby = 'time'
);
SELECT add_compression_policy('bench_signals', compress_after => INTERVAL '7 days');

ALTER TABLE bench_can SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'device_id',
    timescaledb.compress_orderby = 'time'
);
SELECT add_compression_policy('bench_can', compress_after => INTERVAL '7 days');

-- Retention example, left commented out because it deletes data: drop raw CAN frames
-- after 90 days. Decoded signals and run telemetry are kept. Uncomment and adjust the
-- interval to use it.
-- SELECT add_retention_policy('bench_can', drop_after => INTERVAL '90 days');
