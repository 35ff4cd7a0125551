-- Time-series tables on SQLite. `time` is INTEGER microseconds since the Unix epoch
-- (UTC): eight bytes per row, compared and grouped as plain integers.
--
-- The tables carry no org_id: a telemetry row belongs to a run and a bench row to a
-- bench device, and the store checks that the run or device is in the caller's
-- organisation before it reads or writes these rows. They have no foreign keys either,
-- because a key check per sample would slow ingest. Deleting a run deletes its telemetry
-- and rollup rows in the same transaction.

CREATE TABLE telemetry (
    time INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    signal TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX telemetry_run_signal_time ON telemetry (run_id, signal, time);

-- One row per run, signal and whole second that has samples: min, max, sum and count of
-- the samples in [bucket_start, bucket_start + 1 s). Ingest upserts it in the same
-- transaction as the samples, so downsampling a long range reads one row per second
-- and signal instead of every sample.
CREATE TABLE telemetry_rollup (
    run_id TEXT NOT NULL,
    signal TEXT NOT NULL,
    bucket_start INTEGER NOT NULL,
    min REAL NOT NULL,
    max REAL NOT NULL,
    sum REAL NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, signal, bucket_start)
) WITHOUT ROWID;

-- Raw CAN frames seen by a bench agent. `ts_hw` is the controller's hardware timestamp
-- in microseconds when it has one.
CREATE TABLE bench_can (
    time INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    can_id INTEGER NOT NULL CHECK (can_id BETWEEN 0 AND 536870911),
    dlc INTEGER NOT NULL CHECK (dlc BETWEEN 0 AND 15),
    data BLOB NOT NULL CHECK (length(data) <= 64),
    ts_hw INTEGER
);
CREATE INDEX bench_can_device_time ON bench_can (device_id, time);

-- Decoded bench signals (one value per signal and time).
CREATE TABLE bench_signals (
    time INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    signal TEXT NOT NULL,
    value REAL NOT NULL
);
CREATE INDEX bench_signals_device_time ON bench_signals (device_id, time);
