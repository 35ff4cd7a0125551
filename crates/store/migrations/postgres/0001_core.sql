-- Core tables of pelab on PostgreSQL. Ids are UUIDv7 text, timestamps timestamptz,
-- JSON documents jsonb. Every tenant-owned row carries org_id.

CREATE TABLE orgs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, email)
);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    domain TEXT NOT NULL CHECK (domain IN ('EV', 'PV', 'GRID', 'SST', 'DC')),
    notes TEXT NOT NULL DEFAULT '',
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_org ON projects (org_id, created_at);

CREATE TABLE designs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    topology TEXT NOT NULL,
    document JSONB NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX designs_project ON designs (org_id, project_id);

CREATE TABLE components (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    vendor TEXT NOT NULL,
    pn TEXT NOT NULL,
    params JSONB NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, pn)
);

CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    design_id TEXT REFERENCES designs(id) ON DELETE SET NULL,
    mode TEXT NOT NULL CHECK (mode IN ('SIM', 'HIL')),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    request JSONB NOT NULL,
    summary JSONB,
    error TEXT,
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    samples BIGINT NOT NULL DEFAULT 0,
    waveform TEXT,
    cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    started_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ
);
CREATE INDEX runs_org ON runs (org_id, created_at);
CREATE INDEX runs_project ON runs (org_id, project_id, created_at);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'dead', 'cancelled')),
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    available_at TIMESTAMPTZ NOT NULL,
    claimed_by TEXT,
    heartbeat_at TIMESTAMPTZ,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_ready ON jobs (status, available_at);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    time TIMESTAMPTZ NOT NULL,
    org_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    source TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE INDEX audit_org ON audit_log (org_id, time);
CREATE FUNCTION pelab_audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION pelab_audit_log_append_only();

CREATE TABLE bench_devices (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    label TEXT NOT NULL,
    can_profile TEXT NOT NULL,
    if_name TEXT NOT NULL,
    last_seen_at TIMESTAMPTZ
);

CREATE TABLE transformer_cores (
    id TEXT PRIMARY KEY,
    vendor TEXT NOT NULL,
    core_type TEXT NOT NULL,
    ae DOUBLE PRECISION NOT NULL,
    ve DOUBLE PRECISION NOT NULL,
    le DOUBLE PRECISION NOT NULL,
    window_area DOUBLE PRECISION NOT NULL,
    material_id TEXT
);

CREATE TABLE magnetic_materials (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    steinmetz_k DOUBLE PRECISION NOT NULL,
    alpha DOUBLE PRECISION NOT NULL,
    beta DOUBLE PRECISION NOT NULL,
    freq_range JSONB NOT NULL
);

CREATE TABLE device_curves (
    id TEXT PRIMARY KEY,
    pn TEXT NOT NULL UNIQUE,
    tech TEXT NOT NULL,
    vds DOUBLE PRECISION NOT NULL,
    id_max DOUBLE PRECISION NOT NULL,
    rds_on_25c DOUBLE PRECISION,
    rth_jc DOUBLE PRECISION,
    curves JSONB NOT NULL
);

CREATE TABLE sst_designs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    stage_chain JSONB NOT NULL,
    mft JSONB NOT NULL,
    constraints JSONB NOT NULL
);
