-- Parameter sweeps: one run per value, gathered by sweep_id.
CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    parameter TEXT NOT NULL,
    sweep_values TEXT NOT NULL,
    created_at TEXT NOT NULL
);
ALTER TABLE runs ADD COLUMN sweep_id TEXT REFERENCES sweeps(id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN sweep_index INTEGER;
CREATE INDEX runs_sweep ON runs (sweep_id);
