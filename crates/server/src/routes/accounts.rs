//! The organisation, its members and invitations, API tokens, and the audit log.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Duration, Utc};
use pelab_store::{ApiToken, AuditEntry, AuditFilter, Invitation, Org, Role, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::policy::{SCOPES, rank, scope_min_role};
use crate::auth::{AuditNote, Principal};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_org, rename_org))
        .routes(routes!(list_members))
        .routes(routes!(set_role, remove_member))
        .routes(routes!(list_invitations, invite))
        .routes(routes!(revoke_invitation))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(list_audit))
        .routes(routes!(export_audit))
}

/// Days an invitation stays open.
const INVITATION_DAYS: i64 = 7;

/// A new organisation name.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUpdate {
    /// 1 to 200 characters.
    pub name: String,
}

/// The caller's organisation.
#[utoipa::path(get, path = "/org", tag = "accounts",
    responses((status = 200, body = Org), (status = 401, body = Problem)))]
async fn get_org(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Org>> {
    Ok(Json(s.store.get_org(p.org_id).await?))
}

/// Renames the organisation (Admin).
#[utoipa::path(put, path = "/org", tag = "accounts", request_body = OrgUpdate,
    responses((status = 200, body = Org), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn rename_org(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<OrgUpdate>,
) -> ApiResult<(Extension<AuditNote>, Json<Org>)> {
    let org = s.store.rename_org(p.org_id, body.name.trim()).await?;
    let note = AuditNote(format!("name={:?}", org.name));
    Ok((Extension(note), Json(org)))
}

/// The organisation's members.
#[utoipa::path(get, path = "/members", tag = "accounts",
    responses((status = 200, body = Vec<User>), (status = 401, body = Problem)))]
async fn list_members(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(s.store.list_members(p.org_id).await?))
}

/// A role change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleUpdate {
    /// The new role.
    pub role: Role,
}

/// Changes a member's role (Admin). 409 when it would leave no admin.
#[utoipa::path(put, path = "/members/{id}", tag = "accounts", request_body = RoleUpdate,
    params(("id" = uuid::Uuid, Path, description = "Member id")),
    responses((status = 200, body = User), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn set_role(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
    ApiJson(body): ApiJson<RoleUpdate>,
) -> ApiResult<Json<User>> {
    Ok(Json(
        s.store.set_member_role(p.org_id, id, body.role).await?,
    ))
}

/// Removes a member (Admin): their sessions and API tokens end at once.
#[utoipa::path(delete, path = "/members/{id}", tag = "accounts",
    params(("id" = uuid::Uuid, Path, description = "Member id")),
    responses((status = 204, description = "removed"), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
async fn remove_member(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    s.store.remove_member(p.org_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An invitation to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// The invitee's address.
    pub email: String,
    /// Role on acceptance.
    pub role: Role,
}

/// The organisation's invitations, newest first (Admin).
#[utoipa::path(get, path = "/invitations", tag = "accounts",
    responses((status = 200, body = Vec<Invitation>), (status = 403, body = Problem)))]
async fn list_invitations(
    State(s): State<AppState>,
    p: Principal,
) -> ApiResult<Json<Vec<Invitation>>> {
    Ok(Json(s.store.list_invitations(p.org_id).await?))
}

/// Invites an address (Admin) and mails it a sign-in link. The invitation stays open
/// for 7 days, so a later link request of the address also works.
#[utoipa::path(post, path = "/invitations", tag = "accounts", request_body = NewInvitation,
    responses((status = 201, body = Invitation), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
async fn invite(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<NewInvitation>,
) -> ApiResult<(StatusCode, Extension<AuditNote>, Json<Invitation>)> {
    let email = body.email.trim().to_lowercase();
    let invitation = s
        .store
        .create_invitation(
            p.org_id,
            &email,
            body.role,
            &p.email,
            Utc::now() + Duration::days(INVITATION_DAYS),
        )
        .await?;
    let org = s.store.get_org(p.org_id).await?;
    super::auth::send_link(
        &s,
        &email,
        &format!("You are invited to {} on pelab", org.name),
    )
    .await?;
    let note = AuditNote(format!(
        "invitation {} {email} role={}",
        invitation.id, invitation.role
    ));
    Ok((StatusCode::CREATED, Extension(note), Json(invitation)))
}

/// Revokes an invitation (Admin).
#[utoipa::path(delete, path = "/invitations/{id}", tag = "accounts",
    params(("id" = uuid::Uuid, Path, description = "Invitation id")),
    responses((status = 204, description = "revoked"), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
async fn revoke_invitation(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    s.store.revoke_invitation(p.org_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An API token to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// 1 to 100 characters, e.g. `bench agent 3`.
    pub name: String,
    /// Any of `read`, `write`, `telemetry`, `admin`; at least one, within the role.
    pub scopes: Vec<String>,
    /// Days until it expires, 1 to 3650; none means no expiry.
    pub expires_in_days: Option<u32>,
}

/// A new API token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    /// The stored token.
    pub token: ApiToken,
    /// The secret: send it as `Authorization: Bearer <secret>`. pelab keeps only its
    /// hash and cannot show it again.
    pub secret: String,
}

/// The caller's API tokens, newest first.
#[utoipa::path(get, path = "/tokens", tag = "accounts",
    responses((status = 200, body = Vec<ApiToken>), (status = 403, body = Problem)))]
async fn list_tokens(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(s.store.list_api_tokens(p.org_id, p.user_id).await?))
}

/// Creates an API token for the caller (browser sessions only).
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = TokenRequest,
    responses((status = 201, body = CreatedToken), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn create_token(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    if body.scopes.is_empty() {
        return Err(ApiError::field(
            "scopes",
            format!("choose at least one of {}", SCOPES.join(", ")),
        ));
    }
    let mut scopes: Vec<String> = Vec::new();
    for scope in &body.scopes {
        if !SCOPES.contains(&scope.as_str()) {
            return Err(ApiError::field(
                "scopes",
                format!(
                    "\"{scope}\" is not accepted (accepted: {})",
                    SCOPES.join(", ")
                ),
            ));
        }
        let needed = scope_min_role(scope);
        if rank(p.role) < rank(needed) {
            return Err(ApiError::field(
                "scopes",
                format!("\"{scope}\" needs the {needed} role; you are {}", p.role),
            ));
        }
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    let expires_at = match body.expires_in_days {
        None => None,
        Some(d) if (1..=3650).contains(&d) => Some(Utc::now() + Duration::days(i64::from(d))),
        Some(d) => {
            return Err(ApiError::field(
                "expires_in_days",
                format!("{d} (accepted: 1 to 3650)"),
            ));
        }
    };
    let user = s
        .store
        .active_user(p.user_id)
        .await?
        .ok_or_else(crate::auth::unauthenticated)?;
    let (token, secret) =
        crate::auth::issue_api_token(&s.store, &user, &body.name, scopes, expires_at).await?;
    let note = AuditNote(format!(
        "token {} {:?} scopes={}",
        token.id,
        token.name,
        token.scopes.join(",")
    ));
    let mut response = (
        StatusCode::CREATED,
        Extension(note),
        Json(CreatedToken { token, secret }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes one of the caller's API tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    params(("id" = uuid::Uuid, Path, description = "Token id")),
    responses((status = 204, description = "revoked"), (status = 404, body = Problem)))]
async fn revoke_token(
    State(s): State<AppState>,
    p: Principal,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    s.store.revoke_api_token(p.org_id, p.user_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Part of the actor (address), ignoring case.
    pub actor: Option<String>,
    /// Part of the action (`DELETE`, `/members`), ignoring case.
    pub action: Option<String>,
    /// The HTTP status, e.g. `403`.
    pub result: Option<String>,
    /// Entries at or after this time (RFC 3339, e.g. `2026-12-05T10:00:00Z`).
    pub since: Option<String>,
    /// Entries before this time (RFC 3339).
    pub until: Option<String>,
    /// At most this many, 1 to 10000 (default 200).
    pub limit: Option<i64>,
}

fn audit_filter(q: AuditQuery) -> ApiResult<AuditFilter> {
    let limit = q.limit.unwrap_or(200);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::field(
            "limit",
            format!("{limit} (accepted: 1 to 10000)"),
        ));
    }
    let text = |name: &str, v: Option<String>| -> ApiResult<Option<String>> {
        match v {
            Some(t) if t.chars().count() > 200 => {
                Err(ApiError::field(name, "at most 200 characters".to_string()))
            }
            Some(t) if t.is_empty() => Ok(None),
            other => Ok(other),
        }
    };
    let time = |name: &str, v: Option<String>| -> ApiResult<Option<DateTime<Utc>>> {
        match v.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => DateTime::parse_from_rfc3339(t)
                .map(|d| Some(d.with_timezone(&Utc)))
                .map_err(|_| {
                    ApiError::field(
                        name,
                        format!(
                            "\"{}\" is not an RFC 3339 time (accepted: e.g. \
                             2026-12-05T10:00:00Z or 2026-12-05T11:00:00+01:00)",
                            crate::extract::truncate(t, 60)
                        ),
                    )
                }),
        }
    };
    let result = text("result", q.result)?;
    if let Some(r) = &result
        && !r.parse::<u16>().is_ok_and(|n| (100..=599).contains(&n))
    {
        return Err(ApiError::field(
            "result",
            format!(
                "\"{}\" (accepted: an HTTP status from 100 to 599, e.g. 403)",
                crate::extract::truncate(r, 20)
            ),
        ));
    }
    let since = time("since", q.since)?;
    let until = time("until", q.until)?;
    if let (Some(a), Some(b)) = (since, until)
        && a >= b
    {
        return Err(ApiError::field(
            "until",
            format!("{b} is not after since ({a})"),
        ));
    }
    Ok(AuditFilter {
        actor: text("actor", q.actor)?,
        action: text("action", q.action)?,
        result,
        since,
        until,
        limit,
    })
}

/// The audit log of mutating requests, newest first (Admin).
#[utoipa::path(get, path = "/audit", tag = "accounts", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntry>), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
async fn list_audit(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    Ok(Json(s.store.list_audit(p.org_id, &audit_filter(q)?).await?))
}

/// Formats a CSV field, quoted when it contains a comma, quote or line break, with a leading `'`
/// before `=`, `+`, `-` or `@` so spreadsheets do not run it as a formula.
fn csv_field(v: &str) -> String {
    let guarded = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// The same entries as `GET /audit`, as CSV (Admin).
#[utoipa::path(get, path = "/audit.csv", tag = "accounts", params(AuditQuery),
    responses((status = 200, content_type = "text/csv", body = String),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
async fn export_audit(
    State(s): State<AppState>,
    p: Principal,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Response> {
    let rows = s.store.list_audit(p.org_id, &audit_filter(q)?).await?;
    let mut text = String::from("id,time,actor,action,target,source,result\n");
    for r in rows {
        let line = [
            r.id.to_string(),
            r.time.to_rfc3339(),
            csv_field(&r.actor),
            csv_field(&r.action),
            csv_field(&r.target),
            csv_field(&r.source),
            csv_field(&r.result),
        ]
        .join(",");
        text.push_str(&line);
        text.push('\n');
    }
    let mut response = text.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"pelab-audit.csv\""),
    );
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_guarded() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
    }
}
