//! Accounts: members, sign-in links, sessions, API tokens and invitations.
//!
//! Secrets never reach the database. Sign-in links are stored by their JWT id, refresh
//! tokens and API tokens by the SHA-256 hash the server computes, so a copy of the
//! database cannot be used to sign in.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::model::{check_text, parse_uuid};
use crate::{Org, Result, Role, Store, StoreError, User, new_id, on_pool};

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    /// A new session row replaced the presented one.
    Rotated(SessionRow),
    /// The token was rotated before, outside the grace period: it leaked, so the
    /// whole family is now revoked.
    Reused {
        /// The revoked family.
        family: Uuid,
    },
    /// The session was ended (sign-out, removal or an earlier reuse).
    Revoked,
    /// The session expired.
    Expired,
    /// No session has this token.
    Unknown,
}

/// A session row: one refresh token of a family of rotations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// Row id.
    pub id: Uuid,
    /// The first row's id, shared by every rotation; access tokens name it.
    pub family: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Member.
    pub user_id: Uuid,
    /// When the refresh token stops working.
    pub expires_at: DateTime<Utc>,
}

/// An API token as listed; the secret itself is shown once, at creation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// The member the token acts as.
    pub user_id: Uuid,
    /// Name chosen by its owner, e.g. `bench agent 3`.
    pub name: String,
    /// Scopes: `read`, `write`, `telemetry`, `admin`.
    pub scopes: Vec<String>,
    /// The token's first characters, to recognise it.
    pub prefix: String,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// Last use (UTC), updated at most once a minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Expiry (UTC); none means no expiry.
    pub expires_at: Option<DateTime<Utc>>,
    /// Revocation time (UTC).
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to store.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// Organisation.
    pub org_id: Uuid,
    /// Owner.
    pub user_id: Uuid,
    /// Name.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Visible prefix.
    pub prefix: String,
    /// SHA-256 of the secret, hex.
    pub token_hash: String,
    /// Expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An invitation to join an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Invitation {
    /// Id.
    pub id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Invited address.
    pub email: String,
    /// Role given on acceptance.
    pub role: Role,
    /// E-mail address of the admin who invited.
    pub invited_by: String,
    /// Creation time (UTC).
    pub created_at: DateTime<Utc>,
    /// After this time (UTC) the invitation is void.
    pub expires_at: DateTime<Utc>,
    /// When the invitee first signed in (UTC).
    pub accepted_at: Option<DateTime<Utc>>,
    /// Revocation time (UTC).
    pub revoked_at: Option<DateTime<Utc>>,
}

type UserRow = (String, String, String, String, DateTime<Utc>);

fn user_from(row: UserRow) -> Result<User> {
    let (id, org, email, role, created_at) = row;
    Ok(User {
        id: parse_uuid("id", &id)?,
        org_id: parse_uuid("org_id", &org)?,
        email,
        role: Role::parse("role", &role)?,
        created_at,
    })
}

type TokenRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

macro_rules! token_columns {
    () => {
        "id, org_id, user_id, name, scopes, prefix, created_at, last_used_at, expires_at, \
         revoked_at"
    };
}

fn token_from(row: TokenRow) -> Result<ApiToken> {
    let (id, org, user, name, scopes, prefix, created_at, last_used_at, expires_at, revoked_at) =
        row;
    Ok(ApiToken {
        id: parse_uuid("id", &id)?,
        org_id: parse_uuid("org_id", &org)?,
        user_id: parse_uuid("user_id", &user)?,
        name,
        scopes: scopes
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        prefix,
        created_at,
        last_used_at,
        expires_at,
        revoked_at,
    })
}

type InvitationRow = (
    String,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
);

macro_rules! invitation_columns {
    () => {
        "id, org_id, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at"
    };
}

fn invitation_from(row: InvitationRow) -> Result<Invitation> {
    let (id, org, email, role, invited_by, created_at, expires_at, accepted_at, revoked_at) = row;
    Ok(Invitation {
        id: parse_uuid("id", &id)?,
        org_id: parse_uuid("org_id", &org)?,
        email,
        role: Role::parse("role", &role)?,
        invited_by,
        created_at,
        expires_at,
        accepted_at,
        revoked_at,
    })
}

/// Checks the shape of an e-mail address: one `@`, no spaces, 3 to 320 characters.
///
/// # Errors
/// [`StoreError::Invalid`] naming `email`.
pub fn check_email(email: &str) -> Result<()> {
    check_text("email", email, 3, 320)?;
    let parts: Vec<&str> = email.split('@').collect();
    if parts.len() != 2
        || parts[0].is_empty()
        || parts[1].is_empty()
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(StoreError::invalid(
            "email",
            format!("\"{email}\" is not an e-mail address"),
        ));
    }
    Ok(())
}

impl Store {
    /// Returns the secret stored under `name`, storing `candidate` first when there is
    /// none. Every server sharing the database so signs with the same key.
    ///
    /// # Errors
    /// Database errors.
    pub async fn server_secret(&self, name: &str, candidate: &str) -> Result<String> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO server_keys (name, secret, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .bind(Utc::now())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        let (secret,): (String,) = on_pool!(self, p => sqlx::query_as(
            "SELECT secret FROM server_keys WHERE name = $1")
            .bind(name)
            .fetch_one(p)
            .await)?;
        Ok(secret)
    }

    /// Returns an organisation by id.
    ///
    /// # Errors
    /// [`StoreError::NotFound`].
    pub async fn get_org(&self, id: Uuid) -> Result<Org> {
        let row: Option<(String, DateTime<Utc>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT name, created_at FROM orgs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        let (name, created_at) = row.ok_or_else(|| StoreError::not_found("organisation", id))?;
        Ok(Org {
            id,
            name,
            created_at,
        })
    }

    /// Renames an organisation.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty or overlong name.
    pub async fn rename_org(&self, id: Uuid, name: &str) -> Result<Org> {
        check_text("name", name, 1, 200)?;
        on_pool!(self, p => sqlx::query("UPDATE orgs SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        self.get_org(id).await
    }

    /// Returns a current (not removed) member by id, in any organisation.
    ///
    /// # Errors
    /// Database errors.
    pub async fn active_user(&self, id: Uuid) -> Result<Option<User>> {
        let row: Option<UserRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, org_id, email, role, created_at FROM users \
             WHERE id = $1 AND removed_at IS NULL")
            .bind(id.to_string())
            .fetch_optional(p)
            .await)?;
        row.map(user_from).transpose()
    }

    /// Current memberships of an address, oldest first. Addresses compare without case.
    ///
    /// # Errors
    /// Database errors.
    pub async fn users_by_email(&self, email: &str) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, org_id, email, role, created_at FROM users \
             WHERE lower(email) = lower($1) AND removed_at IS NULL ORDER BY created_at, id")
            .bind(email)
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(user_from).collect()
    }

    /// Current members of an organisation, oldest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_members(&self, org_id: Uuid) -> Result<Vec<User>> {
        let rows: Vec<UserRow> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, org_id, email, role, created_at FROM users \
             WHERE org_id = $1 AND removed_at IS NULL ORDER BY created_at, id")
            .bind(org_id.to_string())
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(user_from).collect()
    }

    async fn member(&self, org_id: Uuid, id: Uuid) -> Result<User> {
        self.list_members(org_id)
            .await?
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("member", id))
    }

    /// Changes a member's role. The last admin cannot step down.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] outside the organisation, [`StoreError::Refused`] for the
    /// last admin.
    pub async fn set_member_role(&self, org_id: Uuid, id: Uuid, role: Role) -> Result<User> {
        let members = self.list_members(org_id).await?;
        let user = members
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("member", id))?;
        if user.role == Role::Admin
            && role != Role::Admin
            && members.iter().filter(|u| u.role == Role::Admin).count() == 1
        {
            return Err(StoreError::Refused {
                field: "role".into(),
                message: format!(
                    "{} is the organisation's last admin: make another member admin first",
                    user.email
                ),
            });
        }
        on_pool!(self, p => sqlx::query("UPDATE users SET role = $1 WHERE org_id = $2 AND id = $3")
            .bind(role.as_str())
            .bind(org_id.to_string())
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        self.member(org_id, id).await
    }

    /// Removes a member: sessions and API tokens end, authored rows stay. The last admin
    /// cannot be removed.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] outside the organisation, [`StoreError::Refused`] for the
    /// last admin.
    pub async fn remove_member(&self, org_id: Uuid, id: Uuid) -> Result<()> {
        let members = self.list_members(org_id).await?;
        let user = members
            .iter()
            .find(|u| u.id == id)
            .ok_or_else(|| StoreError::not_found("member", id))?;
        if user.role == Role::Admin && members.iter().filter(|u| u.role == Role::Admin).count() == 1
        {
            return Err(StoreError::Refused {
                field: "id".into(),
                message: format!("{} is the organisation's last admin", user.email),
            });
        }
        let now = Utc::now();
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query("UPDATE users SET removed_at = $1 WHERE org_id = $2 AND id = $3")
                .bind(now).bind(org_id.to_string()).bind(id.to_string())
                .execute(&mut *tx).await?;
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now).bind(id.to_string())
                .execute(&mut *tx).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now).bind(id.to_string())
                .execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(())
    }

    /// Records a sign-in link by its JWT id.
    ///
    /// # Errors
    /// Database errors.
    pub async fn insert_login_link(
        &self,
        jti: &str,
        email: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO login_links (jti, email, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(jti)
            .bind(email)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Marks a sign-in link used and returns its address, or `None` when it is unknown,
    /// already used or expired. Only one of two concurrent callers gets the address.
    ///
    /// # Errors
    /// Database errors.
    pub async fn consume_login_link(&self, jti: &str) -> Result<Option<String>> {
        let now = Utc::now();
        let changed = on_pool!(self, p => sqlx::query(
            "UPDATE login_links SET used_at = $1 WHERE jti = $2 AND used_at IS NULL")
            .bind(now)
            .bind(jti)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if changed != 1 {
            return Ok(None);
        }
        let row: Option<(String, DateTime<Utc>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT email, expires_at FROM login_links WHERE jti = $1")
            .bind(jti)
            .fetch_optional(p)
            .await)?;
        Ok(row.and_then(|(email, expires_at)| (expires_at > now).then_some(email)))
    }

    /// Starts a session family with its first refresh token.
    ///
    /// # Errors
    /// Database errors.
    pub async fn create_session(
        &self,
        org_id: Uuid,
        user_id: Uuid,
        refresh_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<SessionRow> {
        let id = new_id();
        let row = SessionRow {
            id,
            family: id,
            org_id,
            user_id,
            expires_at,
        };
        self.insert_session(&row, refresh_hash).await?;
        Ok(row)
    }

    async fn insert_session(&self, row: &SessionRow, refresh_hash: &str) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "INSERT INTO sessions (id, family, org_id, user_id, refresh_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(row.id.to_string())
            .bind(row.family.to_string())
            .bind(row.org_id.to_string())
            .bind(row.user_id.to_string())
            .bind(refresh_hash)
            .bind(Utc::now())
            .bind(row.expires_at)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Exchanges a refresh token for a new one in the same family. A token presented
    /// again more than `grace` after its rotation means it leaked: the family is
    /// revoked, ending the session for the thief and the owner alike. Within `grace`
    /// it is a race between two tabs of one browser, and it rotates once more.
    ///
    /// # Errors
    /// Database errors.
    pub async fn rotate_session(
        &self,
        refresh_hash: &str,
        new_hash: &str,
        new_expires_at: DateTime<Utc>,
        grace: chrono::Duration,
    ) -> Result<Rotation> {
        type Row = (
            String,
            String,
            String,
            String,
            DateTime<Utc>,
            Option<DateTime<Utc>>,
            Option<DateTime<Utc>>,
        );
        let row: Option<Row> = on_pool!(self, p => sqlx::query_as(
            "SELECT id, family, org_id, user_id, expires_at, rotated_at, revoked_at \
             FROM sessions WHERE refresh_hash = $1")
            .bind(refresh_hash)
            .fetch_optional(p)
            .await)?;
        let Some((id, family, org, user, expires_at, rotated_at, revoked_at)) = row else {
            return Ok(Rotation::Unknown);
        };
        let family = parse_uuid("family", &family)?;
        let now = Utc::now();
        if revoked_at.is_some() {
            return Ok(Rotation::Revoked);
        }
        if rotated_at.is_some_and(|t| now - t > grace) {
            self.revoke_session_family(family).await?;
            return Ok(Rotation::Reused { family });
        }
        if expires_at <= now {
            return Ok(Rotation::Expired);
        }
        if rotated_at.is_none() {
            let claimed = on_pool!(self, p => sqlx::query(
                "UPDATE sessions SET rotated_at = $1 WHERE id = $2 AND rotated_at IS NULL \
                 AND revoked_at IS NULL")
                .bind(now)
                .bind(&id)
                .execute(p)
                .await.map(|r| r.rows_affected()))?;
            if claimed != 1 && grace <= chrono::Duration::zero() {
                // A concurrent call rotated it first: the same token came twice.
                self.revoke_session_family(family).await?;
                return Ok(Rotation::Reused { family });
            }
        }
        let next = SessionRow {
            id: new_id(),
            family,
            org_id: parse_uuid("org_id", &org)?,
            user_id: parse_uuid("user_id", &user)?,
            expires_at: new_expires_at,
        };
        self.insert_session(&next, new_hash).await?;
        Ok(Rotation::Rotated(next))
    }

    /// Revokes every refresh token of a family (sign-out, or a reused token).
    ///
    /// # Errors
    /// Database errors.
    pub async fn revoke_session_family(&self, family: Uuid) -> Result<()> {
        on_pool!(self, p => sqlx::query(
            "UPDATE sessions SET revoked_at = $1 WHERE family = $2 AND revoked_at IS NULL")
            .bind(Utc::now())
            .bind(family.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Checks whether a session family still has an unrevoked, unexpired refresh token.
    ///
    /// # Errors
    /// Database errors.
    pub async fn session_active(&self, family: Uuid) -> Result<bool> {
        let rows: Vec<(DateTime<Utc>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT expires_at FROM sessions WHERE family = $1 AND revoked_at IS NULL \
             AND rotated_at IS NULL")
            .bind(family.to_string())
            .fetch_all(p)
            .await)?;
        let now = Utc::now();
        Ok(rows.iter().any(|(expires_at,)| *expires_at > now))
    }

    /// Stores an API token.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for an empty or overlong name.
    pub async fn create_api_token(&self, new: &NewApiToken) -> Result<ApiToken> {
        check_text("name", &new.name, 1, 100)?;
        let token = ApiToken {
            id: new_id(),
            org_id: new.org_id,
            user_id: new.user_id,
            name: new.name.clone(),
            scopes: new.scopes.clone(),
            prefix: new.prefix.clone(),
            created_at: Utc::now(),
            last_used_at: None,
            expires_at: new.expires_at,
            revoked_at: None,
        };
        on_pool!(self, p => sqlx::query(
            "INSERT INTO api_tokens (id, org_id, user_id, name, scopes, prefix, token_hash, \
             created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
            .bind(token.id.to_string())
            .bind(token.org_id.to_string())
            .bind(token.user_id.to_string())
            .bind(&token.name)
            .bind(token.scopes.join(","))
            .bind(&token.prefix)
            .bind(&new.token_hash)
            .bind(token.created_at)
            .bind(token.expires_at)
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        Ok(token)
    }

    /// Lists a member's API tokens, newest first, revoked ones included.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_api_tokens(&self, org_id: Uuid, user_id: Uuid) -> Result<Vec<ApiToken>> {
        let sql = concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE org_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<TokenRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(org_id.to_string())
            .bind(user_id.to_string())
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(token_from).collect()
    }

    /// Revokes one of a member's API tokens.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the member has no such token.
    pub async fn revoke_api_token(&self, org_id: Uuid, user_id: Uuid, id: Uuid) -> Result<()> {
        let changed = on_pool!(self, p => sqlx::query(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) \
             WHERE org_id = $2 AND user_id = $3 AND id = $4")
            .bind(Utc::now())
            .bind(org_id.to_string())
            .bind(user_id.to_string())
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("API token", id));
        }
        Ok(())
    }

    /// Returns the live (unrevoked, unexpired) token with this hash and records its use.
    ///
    /// # Errors
    /// Database errors.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let sql = concat!(
            "SELECT ",
            token_columns!(),
            " FROM api_tokens WHERE token_hash = $1"
        );
        let row: Option<TokenRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(token_hash)
            .fetch_optional(p)
            .await)?;
        let Some(token) = row.map(token_from).transpose()? else {
            return Ok(None);
        };
        let now = Utc::now();
        if token.revoked_at.is_some() || token.expires_at.is_some_and(|t| t <= now) {
            return Ok(None);
        }
        if token
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::minutes(1))
        {
            on_pool!(self, p => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(token.id.to_string())
                .execute(p)
                .await.map(|r| r.rows_affected()))?;
        }
        Ok(Some(token))
    }

    /// Invites an address. A pending invitation of the same address is replaced.
    ///
    /// # Errors
    /// [`StoreError::Invalid`] for a malformed address, [`StoreError::Refused`] when it
    /// is already a member.
    pub async fn create_invitation(
        &self,
        org_id: Uuid,
        email: &str,
        role: Role,
        invited_by: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<Invitation> {
        check_email(email)?;
        if self
            .users_by_email(email)
            .await?
            .iter()
            .any(|u| u.org_id == org_id)
        {
            return Err(StoreError::Refused {
                field: "email".into(),
                message: format!("{email} is already a member of this organisation"),
            });
        }
        let now = Utc::now();
        let invitation = Invitation {
            id: new_id(),
            org_id,
            email: email.to_string(),
            role,
            invited_by: invited_by.to_string(),
            created_at: now,
            expires_at,
            accepted_at: None,
            revoked_at: None,
        };
        on_pool!(self, p => {
            let mut tx = crate::BeginWrite::begin_write(p).await?;
            sqlx::query(
                "UPDATE invitations SET revoked_at = $1 WHERE org_id = $2 \
                 AND lower(email) = lower($3) AND accepted_at IS NULL AND revoked_at IS NULL")
                .bind(now).bind(org_id.to_string()).bind(email)
                .execute(&mut *tx).await?;
            sqlx::query(concat!(
                "INSERT INTO invitations (", invitation_columns!(), ") \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)"))
                .bind(invitation.id.to_string())
                .bind(org_id.to_string())
                .bind(&invitation.email)
                .bind(role.as_str())
                .bind(invited_by)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx).await?;
            tx.commit().await
        })?;
        Ok(invitation)
    }

    /// Lists the organisation's invitations, newest first.
    ///
    /// # Errors
    /// Database errors.
    pub async fn list_invitations(&self, org_id: Uuid) -> Result<Vec<Invitation>> {
        let sql = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations WHERE org_id = $1 ORDER BY created_at DESC, id DESC"
        );
        let rows: Vec<InvitationRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(org_id.to_string())
            .fetch_all(p)
            .await)?;
        rows.into_iter().map(invitation_from).collect()
    }

    /// Revokes a pending invitation.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] outside the organisation.
    pub async fn revoke_invitation(&self, org_id: Uuid, id: Uuid) -> Result<()> {
        let changed = on_pool!(self, p => sqlx::query(
            "UPDATE invitations SET revoked_at = COALESCE(revoked_at, $1) \
             WHERE org_id = $2 AND id = $3")
            .bind(Utc::now())
            .bind(org_id.to_string())
            .bind(id.to_string())
            .execute(p)
            .await.map(|r| r.rows_affected()))?;
        if changed == 0 {
            return Err(StoreError::not_found("invitation", id));
        }
        Ok(())
    }

    /// Turns every pending, unexpired invitation of an address into a membership, and
    /// returns the address's memberships afterwards.
    ///
    /// # Errors
    /// Database errors.
    pub async fn accept_invitations(&self, email: &str) -> Result<Vec<User>> {
        let sql = concat!(
            "SELECT ",
            invitation_columns!(),
            " FROM invitations WHERE lower(email) = lower($1) \
             AND accepted_at IS NULL AND revoked_at IS NULL ORDER BY created_at"
        );
        let rows: Vec<InvitationRow> = on_pool!(self, p => sqlx::query_as(sql)
            .bind(email)
            .fetch_all(p)
            .await)?;
        let now = Utc::now();
        for invitation in rows.into_iter().map(invitation_from) {
            let invitation = invitation?;
            if invitation.expires_at <= now {
                continue;
            }
            let org = invitation.org_id.to_string();
            on_pool!(self, p => {
                let mut tx = crate::BeginWrite::begin_write(p).await?;
                let revived = sqlx::query(
                    "UPDATE users SET removed_at = NULL, role = $1 \
                     WHERE org_id = $2 AND lower(email) = lower($3) AND removed_at IS NOT NULL")
                    .bind(invitation.role.as_str()).bind(&org).bind(email)
                    .execute(&mut *tx).await?.rows_affected();
                if revived == 0 {
                    sqlx::query(
                        "INSERT INTO users (id, org_id, email, role, created_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, email) DO NOTHING")
                        .bind(new_id().to_string()).bind(&org).bind(email.to_lowercase())
                        .bind(invitation.role.as_str()).bind(now)
                        .execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE invitations SET accepted_at = $1 WHERE id = $2")
                    .bind(now).bind(invitation.id.to_string())
                    .execute(&mut *tx).await?;
                tx.commit().await
            })?;
        }
        self.users_by_email(email).await
    }

    /// Checks whether an address has a pending, unexpired invitation.
    ///
    /// # Errors
    /// Database errors.
    pub async fn has_pending_invitation(&self, email: &str) -> Result<bool> {
        let rows: Vec<(DateTime<Utc>,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT expires_at FROM invitations WHERE lower(email) = lower($1) \
             AND accepted_at IS NULL AND revoked_at IS NULL")
            .bind(email)
            .fetch_all(p)
            .await)?;
        let now = Utc::now();
        Ok(rows.iter().any(|(t,)| *t > now))
    }

    /// Returns the family of the session with this refresh token, whatever its state.
    ///
    /// # Errors
    /// Database errors.
    pub async fn session_family(&self, refresh_hash: &str) -> Result<Option<Uuid>> {
        let row: Option<(String,)> = on_pool!(self, p => sqlx::query_as(
            "SELECT family FROM sessions WHERE refresh_hash = $1")
            .bind(refresh_hash)
            .fetch_optional(p)
            .await)?;
        row.map(|(f,)| parse_uuid("family", &f)).transpose()
    }
}
