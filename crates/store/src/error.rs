//! Errors of the store.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row with this id in the caller's organisation.
    #[error("{entity} {id} not found")]
    NotFound {
        /// Kind of row ("project", "run", …).
        entity: &'static str,
        /// The id that was asked for.
        id: String,
    },
    /// The row changed since the caller read it.
    #[error("{entity} {id} is at version {current}, not {expected}: reload and retry")]
    Conflict {
        /// Kind of row.
        entity: &'static str,
        /// Row id.
        id: String,
        /// Version the caller sent.
        expected: i64,
        /// Version stored now.
        current: i64,
    },
    /// A value is out of range or malformed.
    #[error("{field}: {message}")]
    Invalid {
        /// Field path, e.g. `pn`.
        field: String,
        /// What is wrong and what is accepted.
        message: String,
    },
    /// A unique value is already taken.
    #[error("{field}: \"{value}\" already exists")]
    Duplicate {
        /// Field that must be unique.
        field: String,
        /// The value.
        value: String,
    },
    /// The change would break a rule of the organisation (e.g. remove its last admin).
    #[error("{field}: {message}")]
    Refused {
        /// Field or id the rule concerns.
        field: String,
        /// The rule and what to do instead.
        message: String,
    },
    /// The database cannot be reached.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(String),
}

impl StoreError {
    pub(crate) fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    pub(crate) fn not_found(entity: &'static str, id: impl ToString) -> Self {
        StoreError::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e.to_string()),
            // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED: another writer held the
            // database past the busy timeout; retrying later succeeds.
            sqlx::Error::Database(db)
                if matches!(db.code().as_deref(), Some("5" | "517" | "6")) =>
            {
                StoreError::Unavailable(format!("the database is busy: {db}"))
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate {
                field: db.constraint().unwrap_or("unique").to_string(),
                value: String::new(),
            },
            _ => StoreError::Database(e.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Database(format!("migration failed: {e}"))
    }
}
