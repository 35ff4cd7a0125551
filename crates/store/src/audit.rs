//! The append-only audit log of mutating requests.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{Result, Store, on_pool};

/// An entry to append.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    /// Organisation.
    pub org_id: Uuid,
    /// Who: a user id or e-mail, or `system`.
    pub actor: String,
    /// What: method and route, e.g. `POST /api/v1/projects`.
    pub action: String,
    /// Target id or path.
    pub target: String,
    /// Source address.
    pub source: String,
    /// Result: the HTTP status.
    pub result: String,
}

/// A stored audit entry.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AuditEntry {
    /// Sequence number.
    pub id: i64,
    /// When (UTC).
    pub time: DateTime<Utc>,
    /// Organisation.
    pub org_id: String,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Target.
    pub target: String,
    /// Source address.
    pub source: String,
    /// Result.
    pub result: String,
}

impl Store {
    /// Appends an entry. Rows are never updated or deleted (triggers refuse it).
    ///
    /// # Errors
    /// Database errors.
    pub async fn append_audit(&self, entry: &NewAuditEntry) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO audit_log (time, org_id, actor, action, target, source, result) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(Utc::now())
            .bind(entry.org_id.to_string())
            .bind(&entry.actor)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.source)
            .bind(&entry.result)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// The organisation's entries that match `filter`, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_audit(&self, org_id: Uuid, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let limit = filter.limit.clamp(1, 10_000);
        let like = |v: &Option<String>| {
            v.as_deref().map(|t| {
                format!(
                    "%{}%",
                    t.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            })
        };
        let rows: Vec<AuditEntry> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, time, org_id, actor, action, target, source, result FROM audit_log \
             WHERE org_id = $1 \
             AND ($2 IS NULL OR lower(actor) LIKE lower($2) ESCAPE '\\') \
             AND ($3 IS NULL OR lower(action) LIKE lower($3) ESCAPE '\\') \
             AND ($4 IS NULL OR result = $4) \
             AND ($5 IS NULL OR time >= $5) \
             AND ($6 IS NULL OR time < $6) \
             ORDER BY id DESC LIMIT $7")
            .bind(org_id.to_string())
            .bind(like(&filter.actor))
            .bind(like(&filter.action))
            .bind(filter.result.clone())
            .bind(filter.since)
            .bind(filter.until)
            .bind(limit)
            .fetch_all(p)
            .await)?;
        Ok(rows)
    }
}

/// Which audit entries to list. Text filters match a part of the field, ignoring case.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Part of the actor.
    pub actor: Option<String>,
    /// Part of the action, e.g. `DELETE` or `/members`.
    pub action: Option<String>,
    /// The exact result (HTTP status), e.g. `403`.
    pub result: Option<String>,
    /// Entries at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries before this time.
    pub until: Option<DateTime<Utc>>,
    /// At most this many (1 to 10 000).
    pub limit: i64,
}
