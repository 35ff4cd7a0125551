//! Sign-in: e-mail links, Google (OpenID Connect), session refresh and sign-out.
//!
//! No password exists anywhere. A sign-in link is an HS256 JWT (audience
//! `pelab-login-link`, 15 minutes by default) whose id is recorded when it is sent and
//! marked used when it is redeemed, so it works once. The link opens the page
//! `/login/verify`, which posts the token: mail scanners that fetch links do not use
//! it up.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use pelab_store::{Org, Rotation, User};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::tokens::{self, AUD_LINK, AUD_OIDC_STATE, ISSUER, LinkClaims, OidcStateClaims};
use crate::auth::{
    self, CSRF_HEADER, Me, Principal, REFRESH_COOKIE, SourceIp, Via, cookies, secs, with_principal,
};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery};
use crate::state::AppState;

/// Routes of this module.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth_config))
        .routes(routes!(request_link))
        .routes(routes!(verify_link))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(my_orgs))
        .routes(routes!(switch_org))
        .routes(routes!(create_org))
        .routes(routes!(oidc_start))
        .routes(routes!(oidc_callback))
}

/// Cookie of the OpenID Connect state.
const OIDC_COOKIE: &str = "pelab_oidc";
/// Window of the sign-in rate limits.
const RATE_WINDOW: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The sign-in methods the login page offers.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthConfigView {
    /// E-mail sign-in links are available.
    pub magic_link: bool,
    /// Google sign-in is configured.
    pub google: bool,
    /// Sign-in links are also written to the server log.
    pub dev_log_links: bool,
    /// A hint for the first admin's sign-in, when links go to the log.
    pub admin_hint: Option<String>,
    /// How long a sign-in link works [s].
    pub link_ttl_secs: u64,
}

/// A sign-in link request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    /// The member's or invitee's e-mail address.
    pub email: String,
}

/// The response to a link request: the same whether or not the address is known.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkSent {
    /// The next step for the user.
    pub message: String,
}

/// A sign-in link's token, posted by the `/login/verify` page.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkToken {
    /// The `token` parameter of the link.
    pub token: String,
}

/// A new or refreshed session. The tokens themselves travel in HttpOnly cookies.
#[derive(Debug, Serialize, ToSchema)]
pub struct Session {
    /// The member.
    pub user: User,
    /// The organisation.
    pub org: Org,
    /// Send this in `X-CSRF-Token` with mutating requests (also in the `pelab_csrf`
    /// cookie).
    pub csrf_token: String,
    /// When the access token expires (UTC); refresh before.
    pub access_expires_at: DateTime<Utc>,
}

/// A refused sign-in request: 429 with `Retry-After`, naming the limit that was hit.
#[derive(Debug)]
struct RateLimited(std::time::Duration, &'static str);

impl IntoResponse for RateLimited {
    fn into_response(self) -> Response {
        let secs = self.0.as_secs().max(1);
        let mut r = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            format!(
                "too many sign-in requests {}: try again in {secs} s",
                self.1
            ),
        )
        .into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

fn limit(s: &AppState, key: String, n: u32, what: &'static str) -> Result<(), RateLimited> {
    s.auth
        .limiter
        .check(&key, n, RATE_WINDOW)
        .map_err(|wait| RateLimited(wait, what))
}

/// Says a duration in words: whole minutes, or seconds.
fn duration_text(secs: u64) -> String {
    match secs {
        60 => "1 minute".into(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}

/// Says how to sign in: used by the login page.
#[utoipa::path(get, path = "/auth/config", tag = "auth",
    responses((status = 200, body = AuthConfigView)))]
async fn auth_config(State(s): State<AppState>) -> Json<AuthConfigView> {
    let logs = s.auth.logs_links();
    Json(AuthConfigView {
        magic_link: true,
        google: s.auth.oidc.is_some(),
        dev_log_links: logs,
        link_ttl_secs: s.auth.config.link_ttl_secs,
        admin_hint: logs.then(|| {
            format!(
                "No mail server is configured, so sign-in links are written to the server \
                 log: request a link, then look for \"sign-in link\" in the output of \
                 `pelab serve`. The first admin is {}.",
                s.auth.config.admin_email
            )
        }),
    })
}

/// Sends a sign-in link to a member or invitee. Always 202, so the response does not
/// tell whether an address is known; 429 past the rate limit.
#[utoipa::path(post, path = "/auth/magic-link", tag = "auth", request_body = LinkRequest,
    responses((status = 202, body = LinkSent), (status = 422, body = Problem),
              (status = 429, body = Problem)))]
async fn request_link(
    State(s): State<AppState>,
    SourceIp(ip): SourceIp,
    ApiJson(body): ApiJson<LinkRequest>,
) -> Result<Response, Response> {
    let email = body.email.trim().to_lowercase();
    pelab_store::check_email(&email).map_err(|e| ApiError::from(e).into_response())?;
    let rate = s.auth.config.login_rate;
    limit(
        &s,
        format!("link-ip:{ip}"),
        rate.saturating_mul(4),
        "from your network address",
    )
    .map_err(IntoResponse::into_response)?;
    limit(
        &s,
        format!("link-email:{email}"),
        rate,
        "for this e-mail address",
    )
    .map_err(IntoResponse::into_response)?;
    let ttl = s.auth.config.link_ttl_secs;
    let known = !s
        .store
        .users_by_email(&email)
        .await
        .map_err(|e| ApiError::from(e).into_response())?
        .is_empty()
        || s.store
            .has_pending_invitation(&email)
            .await
            .map_err(|e| ApiError::from(e).into_response())?;
    if known {
        send_link(&s, &email, "Sign in to pelab")
            .await
            .map_err(IntoResponse::into_response)?;
    } else {
        tracing::info!(%email, "sign-in link requested for an address with no membership or invitation");
    }
    let message = format!(
        "If {email} belongs to a member or has an invitation, a sign-in link is on its way. \
         It works once, within {}.",
        duration_text(ttl)
    );
    Ok((StatusCode::ACCEPTED, Json(LinkSent { message })).into_response())
}

/// Creates a single-use link for `email` and hands it to the mailer (in the
/// background) and, in development, to the log.
pub(crate) async fn send_link(s: &AppState, email: &str, subject: &str) -> ApiResult<()> {
    let now = Utc::now();
    let exp = now + Duration::seconds(secs(s.auth.config.link_ttl_secs));
    let jti = tokens::random_secret();
    let claims = LinkClaims {
        iss: ISSUER.into(),
        aud: AUD_LINK.into(),
        sub: email.to_string(),
        jti: jti.clone(),
        iat: now.timestamp(),
        exp: exp.timestamp(),
    };
    let token = s
        .auth
        .keys
        .sign(&claims)
        .map_err(|e| ApiError::internal(format!("cannot sign the link: {e}")))?;
    s.store.insert_login_link(&jti, email, exp).await?;
    let link = format!("{}/login/verify?token={token}", s.auth.public_url);
    if s.auth.logs_links() {
        tracing::info!(%email, %link, "sign-in link (written to the log because no SMTP server is configured or auth.log_links is on)");
    }
    let auth = s.auth.clone();
    let to = email.to_string();
    let subject = subject.to_string();
    let within = duration_text(s.auth.config.link_ttl_secs);
    let login = format!("{}/login", s.auth.public_url);
    tokio::spawn(async move {
        let body = format!(
            "Open this link to sign in to pelab:\n\n{link}\n\nIt works once, within {within}. \
             After that, ask for a new link at {login} with this address.\n\
             If you did not ask for it, ignore this message.\n"
        );
        if let Err(e) = auth.mailer.send(&to, &subject, body).await {
            tracing::warn!(error = %e, "cannot send the sign-in mail");
        }
    });
    Ok(())
}

/// Starts a session for a member: stores the refresh token's hash, signs the access
/// token and sets the cookies.
async fn start_session(s: &AppState, user: User, status: StatusCode) -> ApiResult<Response> {
    let refresh = tokens::random_secret();
    let row = s
        .store
        .create_session(
            user.org_id,
            user.id,
            &tokens::hash_secret(&refresh),
            Utc::now() + Duration::seconds(secs(s.auth.config.refresh_ttl_secs)),
        )
        .await?;
    session_response(s, user, row.family, &refresh, status).await
}

async fn session_response(
    s: &AppState,
    user: User,
    family: uuid::Uuid,
    refresh: &str,
    status: StatusCode,
) -> ApiResult<Response> {
    let (access, access_expires_at) = s.auth.access_token(&user, family)?;
    let org = s.store.get_org(user.org_id).await?;
    let principal = Principal {
        user_id: user.id,
        org_id: user.org_id,
        email: user.email.clone(),
        role: user.role,
        via: Via::Session {
            family,
            cookie: true,
        },
    };
    let body = Session {
        user,
        org,
        csrf_token: s.auth.keys.csrf_token(family),
        access_expires_at,
    };
    let mut response = (status, Json(body)).into_response();
    for c in auth::session_cookies(&s.auth, &access, refresh, family) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    no_store(&mut response);
    Ok(with_principal(response, principal))
}

fn no_store(response: &mut Response) {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn bad_link(detail: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-link",
        format!("{detail}: request a new sign-in link"),
    )
}

/// Redeems a sign-in link: accepts pending invitations of the address and starts a
/// session in its first organisation.
#[utoipa::path(post, path = "/auth/magic-link/verify", tag = "auth", request_body = LinkToken,
    responses((status = 200, body = Session), (status = 401, body = Problem),
              (status = 429, body = Problem)))]
async fn verify_link(
    State(s): State<AppState>,
    SourceIp(ip): SourceIp,
    ApiJson(body): ApiJson<LinkToken>,
) -> Result<Response, Response> {
    limit(
        &s,
        format!("verify-ip:{ip}"),
        s.auth.config.login_rate.saturating_mul(6),
        "from your network address",
    )
    .map_err(IntoResponse::into_response)?;
    let claims: LinkClaims = s
        .auth
        .keys
        .verify(&body.token, AUD_LINK)
        .map_err(|_| bad_link("the sign-in link is invalid or expired").into_response())?;
    let email = s
        .store
        .consume_login_link(&claims.jti)
        .await
        .map_err(|e| ApiError::from(e).into_response())?
        .ok_or_else(|| {
            bad_link("the sign-in link was already used or has expired").into_response()
        })?;
    let user = first_membership(&s, &email)
        .await
        .map_err(IntoResponse::into_response)?;
    start_session(&s, user, StatusCode::OK)
        .await
        .map_err(IntoResponse::into_response)
}

async fn first_membership(s: &AppState, email: &str) -> ApiResult<User> {
    s.store
        .accept_invitations(email)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "not-a-member",
                format!(
                    "{email} is not a member of any organisation and has no open invitation \
                     (it may have been revoked): ask an admin to invite you"
                ),
            )
        })
}

/// Trades the refresh cookie for new session cookies. A refresh token that was already
/// used ends its whole session: one of the two holders is not the member.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth",
    responses((status = 200, body = Session), (status = 401, body = Problem)))]
async fn refresh(State(s): State<AppState>, headers: HeaderMap) -> Result<Response, Response> {
    let ended = |detail: &str| {
        let mut r = ApiError::new(
            StatusCode::UNAUTHORIZED,
            "session-ended",
            detail.to_string(),
        )
        .into_response();
        for c in auth::cleared_cookies(&s.auth) {
            r.headers_mut().append(header::SET_COOKIE, c);
        }
        r
    };
    let Some(presented) = cookies::get(&headers, REFRESH_COOKIE) else {
        return Err(ended("no refresh cookie: sign in"));
    };
    let next = tokens::random_secret();
    let rotation = s
        .store
        .rotate_session(
            &tokens::hash_secret(presented),
            &tokens::hash_secret(&next),
            Utc::now() + Duration::seconds(secs(s.auth.config.refresh_ttl_secs)),
            Duration::seconds(secs(s.auth.config.refresh_grace_secs)),
        )
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    match rotation {
        Rotation::Rotated(row) => {
            let user = s
                .store
                .active_user(row.user_id)
                .await
                .map_err(|e| ApiError::from(e).into_response())?
                .filter(|u| u.org_id == row.org_id);
            let Some(user) = user else {
                let _ = s.store.revoke_session_family(row.family).await;
                return Err(ended("the member was removed: sign in again"));
            };
            session_response(&s, user, row.family, &next, StatusCode::OK)
                .await
                .map_err(IntoResponse::into_response)
        }
        Rotation::Reused { family } => {
            tracing::warn!(%family, "a refresh token was presented twice; the session is revoked");
            Err(ended(
                "this refresh token was already used, so the session was ended for safety: sign in again",
            ))
        }
        Rotation::Revoked => Err(ended("the session has ended: sign in again")),
        Rotation::Expired => Err(ended("the session expired: sign in again")),
        Rotation::Unknown => Err(ended("the session is unknown: sign in again")),
    }
}

/// Ends the session: its refresh tokens are revoked and the cookies cleared. A request
/// made with cookies must carry the CSRF token.
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    responses((status = 204, description = "signed out"), (status = 403, body = Problem)))]
async fn logout(State(s): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let by_cookie = cookies::get(&headers, REFRESH_COOKIE).is_some()
        || cookies::get(&headers, auth::ACCESS_COOKIE).is_some();
    let principal = auth::resolve(&s, &headers).await.ok().flatten();
    let family = match cookies::get(&headers, REFRESH_COOKIE) {
        Some(r) => s.store.session_family(&tokens::hash_secret(r)).await?,
        None => None,
    }
    .or(match &principal {
        Some(Principal {
            via: Via::Session { family, .. },
            ..
        }) => Some(*family),
        _ => None,
    });
    if let Some(family) = family {
        if by_cookie {
            let presented = headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !s.auth.keys.csrf_matches(family, presented) {
                return Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "sign-out with cookies must repeat the pelab_csrf cookie in X-CSRF-Token",
                ));
            }
        }
        s.store.revoke_session_family(family).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    for c in auth::cleared_cookies(&s.auth) {
        response.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(match principal {
        Some(p) => with_principal(response, p),
        None => response,
    })
}

/// The signed-in member, organisation and how the request authenticated.
#[utoipa::path(get, path = "/auth/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = Problem)))]
async fn me(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Me>> {
    let user = s
        .store
        .active_user(p.user_id)
        .await?
        .ok_or_else(auth::unauthenticated)?;
    let org = s.store.get_org(p.org_id).await?;
    let (kind, scopes) = match p.via {
        Via::Session { .. } => ("session", Vec::new()),
        Via::ApiToken { scopes, .. } => ("api_token", scopes),
    };
    Ok(Json(Me {
        user,
        org,
        auth: kind.into(),
        scopes,
    }))
}

/// One of the caller's memberships.
#[derive(Debug, Serialize, ToSchema)]
pub struct Membership {
    /// The organisation.
    pub org: Org,
    /// The caller's role there.
    pub role: pelab_store::Role,
    /// Whether the current session acts in it.
    pub current: bool,
}

/// Lists the organisations the caller's address belongs to.
#[utoipa::path(get, path = "/auth/orgs", tag = "auth",
    responses((status = 200, body = Vec<Membership>), (status = 401, body = Problem)))]
async fn my_orgs(State(s): State<AppState>, p: Principal) -> ApiResult<Json<Vec<Membership>>> {
    let mut out = Vec::new();
    for user in s.store.users_by_email(&p.email).await? {
        out.push(Membership {
            org: s.store.get_org(user.org_id).await?,
            role: user.role,
            current: user.org_id == p.org_id,
        });
    }
    Ok(Json(out))
}

/// The organisation to switch to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchOrg {
    /// One of the caller's organisations (`GET /auth/orgs`).
    pub org_id: uuid::Uuid,
}

/// Ends the current session and starts one in another of the caller's
/// organisations (browser sessions only).
#[utoipa::path(post, path = "/auth/switch", tag = "auth", request_body = SwitchOrg,
    responses((status = 200, body = Session), (status = 404, body = Problem)))]
async fn switch_org(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<SwitchOrg>,
) -> ApiResult<Response> {
    let user = s
        .store
        .users_by_email(&p.email)
        .await?
        .into_iter()
        .find(|u| u.org_id == body.org_id)
        .ok_or_else(|| ApiError::not_found("organisation", body.org_id))?;
    if let Via::Session { family, .. } = p.via {
        s.store.revoke_session_family(family).await?;
    }
    let mut response = start_session(&s, user, StatusCode::OK).await?;
    // The audit entry belongs to the organisation left, where the switch was made.
    response.extensions_mut().insert(p.clone());
    response.extensions_mut().insert(auth::AuditNote(format!(
        "switched to organisation {}",
        body.org_id
    )));
    Ok(response)
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    /// 1 to 200 characters.
    pub name: String,
}

/// Creates an organisation with the caller as its admin (browser sessions only). The
/// session stays where it is; `POST /auth/switch` moves to the new organisation.
#[utoipa::path(post, path = "/orgs", tag = "accounts", request_body = NewOrg,
    responses((status = 201, body = Org), (status = 422, body = Problem)))]
async fn create_org(
    State(s): State<AppState>,
    p: Principal,
    ApiJson(body): ApiJson<NewOrg>,
) -> ApiResult<(StatusCode, axum::Extension<auth::AuditNote>, Json<Org>)> {
    let org = s.store.create_org(body.name.trim()).await?;
    s.store
        .create_user(org.id, &p.email, pelab_store::Role::Admin)
        .await?;
    tracing::info!(org_id = %org.id, email = %p.email, "organisation created");
    let note = auth::AuditNote(format!("created organisation {} {:?}", org.id, org.name));
    Ok((StatusCode::CREATED, axum::Extension(note), Json(org)))
}

/// The page to open after the Google sign-in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StartQuery {
    /// A path on this server (default `/`).
    pub return_to: Option<String>,
}

/// Returns a path on this server, or `/`: never another site (no open redirect).
fn local_path(p: Option<&str>) -> String {
    match p {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".into(),
    }
}

fn redirect(to: &str, cookies: Vec<HeaderValue>) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    for c in cookies {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    no_store(&mut r);
    r
}

fn login_error(message: &str) -> Response {
    let encoded: String = reqwest::Url::parse_with_params("http://x/login", &[("error", message)])
        .map(|u| u.query().unwrap_or("").to_string())
        .unwrap_or_default();
    redirect(&format!("/login?{encoded}"), Vec::new())
}

/// Sends the browser to Google with state, nonce and a PKCE challenge.
#[utoipa::path(get, path = "/auth/oidc/google/start", tag = "auth", params(StartQuery),
    responses((status = 302, description = "to the provider's sign-in page"),
              (status = 404, body = Problem), (status = 429, body = Problem),
              (status = 502, body = Problem)))]
async fn oidc_start(
    State(s): State<AppState>,
    SourceIp(ip): SourceIp,
    ApiQuery(q): ApiQuery<StartQuery>,
) -> Result<Response, Response> {
    let Some(oidc) = &s.auth.oidc else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not-configured",
            "Google sign-in is not configured (auth.oidc_client_id)",
        )
        .into_response());
    };
    limit(
        &s,
        format!("oidc-ip:{ip}"),
        s.auth.config.login_rate.saturating_mul(4),
        "from your network address",
    )
    .map_err(IntoResponse::into_response)?;
    let state = tokens::random_secret();
    let nonce = tokens::random_secret();
    let verifier = tokens::random_secret();
    let url = oidc
        .authorize_url(&state, &nonce, &tokens::pkce_challenge(&verifier))
        .await
        .map_err(|e| {
            ApiError::new(
                StatusCode::BAD_GATEWAY,
                "oidc",
                format!("Google sign-in: {e}"),
            )
            .into_response()
        })?;
    let claims = OidcStateClaims {
        iss: ISSUER.into(),
        aud: AUD_OIDC_STATE.into(),
        state,
        nonce,
        verifier,
        return_to: local_path(q.return_to.as_deref()),
        exp: (Utc::now() + Duration::minutes(10)).timestamp(),
    };
    let signed = s
        .auth
        .keys
        .sign(&claims)
        .map_err(|e| ApiError::internal(e.to_string()).into_response())?;
    let cookie = cookies::set(
        OIDC_COOKIE,
        &signed,
        "/api/v1/auth/oidc",
        600,
        true,
        "Lax",
        s.auth.secure_cookies,
    );
    Ok(redirect(&url, cookie.into_iter().collect()))
}

/// The provider's redirect parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackQuery {
    /// Authorisation code.
    pub code: Option<String>,
    /// The state sent at the start.
    pub state: Option<String>,
    /// An error code from the provider.
    pub error: Option<String>,
}

/// Finishes the Google sign-in and redirects to the page the user started from, or
/// to `/login?error=…`.
#[utoipa::path(get, path = "/auth/oidc/google/callback", tag = "auth", params(CallbackQuery),
    responses((status = 302, description = "signed in, or back to the login page with the reason")))]
async fn oidc_callback(
    State(s): State<AppState>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<CallbackQuery>,
) -> Response {
    let Some(oidc) = &s.auth.oidc else {
        return login_error("Google sign-in is not configured");
    };
    if let Some(e) = q.error {
        return login_error(&format!(
            "Google refused the sign-in ({})",
            crate::extract::truncate(&e, 100)
        ));
    }
    let Some(claims) = cookies::get(&headers, OIDC_COOKIE).and_then(|c| {
        s.auth
            .keys
            .verify::<OidcStateClaims>(c, AUD_OIDC_STATE)
            .ok()
    }) else {
        return login_error(
            "the Google sign-in took too long or started in another browser: try again",
        );
    };
    if q.state.as_deref() != Some(claims.state.as_str()) {
        return login_error("the Google sign-in answer does not belong to this browser: try again");
    }
    let Some(code) = q.code else {
        return login_error("Google sent no authorisation code");
    };
    let email = match oidc.sign_in(&code, &claims.verifier, &claims.nonce).await {
        Ok(email) => email.to_lowercase(),
        Err(e) => {
            tracing::warn!(error = %e, "Google sign-in failed");
            return login_error(&format!("Google sign-in failed: {e}"));
        }
    };
    let user = match first_membership(&s, &email).await {
        Ok(u) => u,
        Err(_) => {
            return login_error(&format!(
                "{email} is not a member of any organisation: ask an admin for an invitation"
            ));
        }
    };
    let response = match start_session(&s, user, StatusCode::OK).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let principal = response.extensions().get::<Principal>().cloned();
    let mut cookies: Vec<HeaderValue> = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .cloned()
        .collect();
    cookies.extend(cookies::set(
        OIDC_COOKIE,
        "",
        "/api/v1/auth/oidc",
        0,
        true,
        "Lax",
        s.auth.secure_cookies,
    ));
    let r = redirect(&claims.return_to, cookies);
    match principal {
        Some(p) => with_principal(r, p),
        None => r,
    }
}
