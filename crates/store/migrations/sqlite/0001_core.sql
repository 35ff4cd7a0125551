-- Core tables of pelab on SQLite. Ids are UUIDv7 text, timestamps RFC 3339 text (UTC),
-- JSON documents text. Every tenant-owned row carries org_id.

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer')),
    created_at TEXT NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    domain TEXT NOT NULL CHECK (domain IN ('EV', 'PV', 'GRID', 'SST', 'DC')),
    notes TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX projects_org ON projects (org_id, created_at);

CREATE TABLE designs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    topology TEXT NOT NULL,
    document TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX designs_project ON designs (org_id, project_id);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    vendor TEXT NOT NULL,
    pn TEXT NOT NULL,
    params TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, pn)
);

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    design_id TEXT REFERENCES designs(id) ON DELETE SET NULL,
    mode TEXT NOT NULL CHECK (mode IN ('SIM', 'HIL')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    request TEXT NOT NULL,
    summary TEXT,
    error TEXT,
    progress REAL NOT NULL DEFAULT 0,
    samples INTEGER NOT NULL DEFAULT 0,
    waveform TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_by TEXT REFERENCES users(id),
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX runs_org ON runs (org_id, created_at);
CREATE INDEX runs_project ON runs (org_id, project_id, created_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    available_at TEXT NOT NULL,
    claimed_by TEXT,
    heartbeat_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX jobs_ready ON jobs (status, available_at);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    org_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX audit_org ON audit_log (org_id, time);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE bench_devices (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    label TEXT NOT NULL,
    can_profile TEXT NOT NULL,
    if_name TEXT NOT NULL,
    last_seen_at TEXT
);

CREATE TABLE transformer_cores (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    core_type TEXT NOT NULL,
    ae REAL NOT NULL,
    ve REAL NOT NULL,
    le REAL NOT NULL,
    window_area REAL NOT NULL,
    material_id TEXT
);

CREATE TABLE magnetic_materials (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    steinmetz_k REAL NOT NULL,
    alpha REAL NOT NULL,
    beta REAL NOT NULL,
    freq_range TEXT NOT NULL
);

CREATE TABLE device_curves (
    id TEXT PRIMARY KEY,
    pn TEXT NOT NULL UNIQUE,
    tech TEXT NOT NULL,
    vds REAL NOT NULL,
    id_max REAL NOT NULL,
    rds_on_25c REAL,
    rth_jc REAL,
    curves TEXT NOT NULL
);

CREATE TABLE sst_designs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    stage_chain TEXT NOT NULL,
    mft TEXT NOT NULL,
    constraints TEXT NOT NULL
);
