-- Time-series tables on PostgreSQL without TimescaleDB: native declarative partitioning
-- by month on `time`, plus a 1 s rollup table that ingest keeps up to date.
-- infra/init-sql/timescaledb.sql shows the hypertable set-up for servers that have
-- the extension.
--
-- The tables carry no org_id: a telemetry row belongs to a run and a bench row to a
-- bench device, and the store checks that the run or device is in the caller's
-- organisation before it reads or writes these rows. They have no foreign keys either,
-- because a key check per sample would slow ingest. Deleting a run deletes its telemetry
-- and rollup rows in the same transaction.
--
-- Id and signal columns use the "C" collation: they are identifiers, so byte order is
-- enough, it matches SQLite's default BINARY collation (signal lists sort the same on
-- both backends), and index inserts compare bytes instead of calling strcoll().
--
-- Monthly partitions are named PARENT_yYYYYmMM (telemetry_y2026m12) and are created by
-- pelab_ensure_month_partition() before ingest writes into that month. Rows of a month
-- without a partition land in the PARENT_default partition; creating the month's
-- partition later moves them out of it.
--
-- NOTE: the store has no writer for bench_can and bench_signals yet. Whatever inserts
-- into them should call pelab_ensure_month_partition() first, as telemetry ingest
-- does, or every row stays in the default partition.

CREATE TABLE telemetry (
    time TIMESTAMPTZ NOT NULL,
    run_id TEXT COLLATE "C" NOT NULL,
    signal TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL
) PARTITION BY RANGE (time);
CREATE INDEX telemetry_run_signal_time ON telemetry (run_id, signal, time);
CREATE TABLE telemetry_default PARTITION OF telemetry DEFAULT;

-- One row per run, signal and whole second that has samples: min, max, sum and count of
-- the samples in [bucket_start, bucket_start + 1 s). Ingest upserts it in the same
-- transaction as the samples, so downsampling a long range reads one row per second
-- and signal instead of every sample.
CREATE TABLE telemetry_rollup (
    run_id TEXT COLLATE "C" NOT NULL,
    signal TEXT COLLATE "C" NOT NULL,
    bucket_start TIMESTAMPTZ NOT NULL,
    min DOUBLE PRECISION NOT NULL,
    max DOUBLE PRECISION NOT NULL,
    sum DOUBLE PRECISION NOT NULL,
    count BIGINT NOT NULL,
    PRIMARY KEY (run_id, signal, bucket_start)
);

-- Raw CAN frames seen by a bench agent. `ts_hw` is the controller's hardware timestamp
-- in microseconds when it has one.
CREATE TABLE bench_can (
    time TIMESTAMPTZ NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    can_id INTEGER NOT NULL CHECK (can_id BETWEEN 0 AND 536870911),
    dlc SMALLINT NOT NULL CHECK (dlc BETWEEN 0 AND 15),
    data BYTEA NOT NULL CHECK (length(data) <= 64),
    ts_hw BIGINT
) PARTITION BY RANGE (time);
CREATE INDEX bench_can_device_time ON bench_can (device_id, time);
CREATE TABLE bench_can_default PARTITION OF bench_can DEFAULT;

-- Decoded bench signals (one value per signal and time).
CREATE TABLE bench_signals (
    time TIMESTAMPTZ NOT NULL,
    device_id TEXT COLLATE "C" NOT NULL,
    signal TEXT COLLATE "C" NOT NULL,
    value DOUBLE PRECISION NOT NULL
) PARTITION BY RANGE (time);
CREATE INDEX bench_signals_device_time ON bench_signals (device_id, time);
CREATE TABLE bench_signals_default PARTITION OF bench_signals DEFAULT;

-- Creates the partition of `parent` for the UTC calendar month that contains `at`,
-- unless it exists. Returns whether it created one.
--
-- The new table is filled with the month's rows from the default partition and then
-- attached. ATTACH PARTITION takes a SHARE UPDATE EXCLUSIVE lock on the parent, so
-- concurrent inserts and queries keep running, where CREATE TABLE ... PARTITION OF
-- would block them with an ACCESS EXCLUSIVE lock. The function takes that lock first:
-- it conflicts with itself, so concurrent callers create a partition one at a time.
CREATE FUNCTION pelab_ensure_month_partition(parent TEXT, at TIMESTAMPTZ)
RETURNS BOOLEAN AS $$
DECLARE
    month_start TIMESTAMP := date_trunc('month', at AT TIME ZONE 'UTC');
    lower_bound TIMESTAMPTZ := month_start AT TIME ZONE 'UTC';
    upper_bound TIMESTAMPTZ := (month_start + INTERVAL '1 month') AT TIME ZONE 'UTC';
    partition_name TEXT := format('%s_y%sm%s', parent, to_char(month_start, 'FMYYYY'),
                                  to_char(month_start, 'MM'));
    default_name TEXT := parent || '_default';
BEGIN
    IF parent NOT IN ('telemetry', 'bench_can', 'bench_signals') THEN
        RAISE EXCEPTION 'parent: "%" is not a time-series table (accepted: telemetry, bench_can, bench_signals)', parent;
    END IF;
    -- The common case, an existing partition, takes no lock. The check is repeated
    -- under the lock because another caller may have created it in between. Taking a
    -- table lock also makes this backend read the catalog changes other sessions
    -- committed meanwhile, which an advisory lock would not, so to_regclass() could
    -- miss the new partition.
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN FALSE;
    END IF;
    EXECUTE format('LOCK TABLE %I IN SHARE UPDATE EXCLUSIVE MODE', parent);
    IF to_regclass(partition_name) IS NOT NULL THEN
        RETURN FALSE;
    END IF;

    -- Blocks inserts into the default partition until commit, so no row of this month
    -- can arrive there between the move and the attach.
    EXECUTE format('LOCK TABLE %I IN SHARE ROW EXCLUSIVE MODE', default_name);
    EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                   partition_name, parent);
    EXECUTE format('WITH moved AS (DELETE FROM %I WHERE time >= %L AND time < %L RETURNING *) '
                   'INSERT INTO %I SELECT * FROM moved',
                   default_name, lower_bound, upper_bound, partition_name);
    EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                   parent, partition_name, lower_bound, upper_bound);
    RETURN TRUE;
END;
$$ LANGUAGE plpgsql;
