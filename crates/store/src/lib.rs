//! Persistence for pelab: organisations, users, projects, designs, components, runs,
//! jobs, telemetry and the audit log, on SQLite (the default) or PostgreSQL, plus the
//! full-resolution waveform files of simulation runs.
//!
//! # Overview
//!
//! - [`Store::connect`] opens a database from a URL (`sqlite://path` or
//!   `postgres://…`), applies the migrations of that backend and returns a [`Store`].
//!   SQLite runs in WAL mode with `synchronous = NORMAL`, so a process killed during a
//!   write leaves a consistent database.
//! - Every query on a tenant-owned table takes the caller's `org_id` and filters on it;
//!   a row of another organisation reads as missing ([`StoreError::NotFound`]).
//! - Updates carry the version the caller read; a stale version is
//!   [`StoreError::Conflict`] with both versions.
//! - [`WaveformStore`] keeps one `.pwf` file per run (columnar `f64`, written to a
//!   temporary file and renamed), with an optional byte quota.
//!
//! The two backends share the SQL text where the dialects agree, because `$1`
//! placeholders work on both. The `on_pool!` macro compiles each query against each pool.

mod accounts;
mod audit;
mod bench;
mod error;
mod jobs;
mod model;
mod projects;
mod runs;
mod sweeps;
mod telemetry;
pub mod testing;
mod waveforms;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use accounts::{ApiToken, Invitation, NewApiToken, Rotation, SessionRow, check_email};
pub use audit::{AuditEntry, AuditFilter, NewAuditEntry};
pub use error::StoreError;
pub use jobs::{ClaimedJob, Job, JobStatus};
pub use model::*;
pub use runs::{NewRun, RunBrief, RunFilter, RunUpdate};
pub use sweeps::{MAX_SWEEP_VALUES, Sweep};
pub use telemetry::{
    MAX_BUCKETS, MAX_SAMPLES_PER_INGEST, MAX_SIGNAL_CHARS, TelemetryBucket, TelemetryQuery,
    TelemetrySample, TelemetrySource,
};
pub use waveforms::{WaveformError, WaveformStore};

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Database kind behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite file (embedded default).
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs `$body` with `$p` bound to the concrete pool, so one query text is compiled for
/// both backends.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads first and writes later fails
/// with `SQLITE_BUSY_SNAPSHOT` when another connection wrote in between, and the busy
/// timeout does not retry that. PostgreSQL needs nothing special.
pub(crate) trait BeginWrite {
    /// The database of the pool.
    type Db: sqlx::Database;
    /// Begins the transaction.
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>>
    + Send;
}

impl BeginWrite for sqlx::SqlitePool {
    type Db = sqlx::Sqlite;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl BeginWrite for sqlx::PgPool {
    type Db = sqlx::Postgres;
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A connection pool to the pelab database.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: Pool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend())
            .finish()
    }
}

/// Connection settings besides the URL.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a request waits for a connection before the database counts as
    /// unreachable.
    pub acquire_timeout: Duration,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

impl Store {
    /// Opens the database at `url` and applies pending migrations.
    ///
    /// `sqlite://PATH` creates the file when it is missing; `postgres://…` expects the
    /// database to exist.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an unsupported URL, [`StoreError::Unavailable`] when
    /// the server cannot be reached, [`StoreError::Database`] when a migration fails.
    pub async fn connect(url: &str, options: &ConnectOptions) -> Result<Store> {
        let store = if url.starts_with("sqlite:") {
            let connect = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::invalid("database.url", format!("{url}: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(StoreError::from)?;
            SQLITE_MIGRATIONS.run(&pool).await?;
            Store {
                pool: Pool::Sqlite(pool),
            }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let connect = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::invalid("database.url", format!("{e}")))?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.acquire_timeout)
                .connect_with(connect)
                .await
                .map_err(StoreError::from)?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Store {
                pool: Pool::Postgres(pool),
            }
        } else {
            return Err(StoreError::invalid(
                "database.url",
                format!("\"{url}\" is not supported (accepted: sqlite://PATH, postgres://…)"),
            ));
        };
        Ok(store)
    }

    /// Returns the backend in use.
    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Checks that the database responds to `SELECT 1`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when it does not respond.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every pooled connection.
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await);
    }

    /// Returns the SQLite pool, for callers that need backend-specific SQL.
    pub fn sqlite_pool(&self) -> Option<&sqlx::SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// Returns the PostgreSQL pool, for callers that need backend-specific SQL.
    pub fn postgres_pool(&self) -> Option<&sqlx::PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }
}

/// Returns a new UUIDv7 (time-ordered) id.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
