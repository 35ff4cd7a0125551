//! Authentication and authorisation.
//!
//! A request proves who it is in one of three ways:
//! - the `pelab_access` cookie, set at sign-in: a 15-minute access JWT. Mutating
//!   requests made with it must repeat the session's CSRF token in `X-CSRF-Token`
//!   (the `pelab_csrf` cookie gives it to the page);
//! - `Authorization: Bearer <access JWT>`, with no CSRF check (browsers never add it
//!   on their own);
//! - `Authorization: Bearer pelab_…`, an API token: scoped and revocable.
//!
//! [`authorize`] runs after routing: it classes the route ([`policy::classify`]),
//! refuses cross-origin mutations, resolves the member, and checks role and scopes
//! before any handler looks an id up. A member of another organisation therefore gets
//! the same answer for an id that exists elsewhere as for one that exists nowhere.

pub mod cookies;
pub mod mail;
pub mod oidc;
pub mod policy;
pub mod rate;
pub mod tokens;

use std::sync::Arc;

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use pelab_store::{Org, Role, Store, User};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::config::AuthConfig;
use crate::error::ApiError;
use crate::state::AppState;
use policy::Access;
use tokens::{AUD_ACCESS, AccessClaims, ISSUER, Keys};

/// Name of the access token cookie.
pub const ACCESS_COOKIE: &str = "pelab_access";
/// Name of the refresh token cookie.
pub const REFRESH_COOKIE: &str = "pelab_refresh";
/// Name of the cookie that hands the CSRF token to the page.
pub const CSRF_COOKIE: &str = "pelab_csrf";
/// Header that must repeat the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The credential a request authenticated with.
#[derive(Debug, Clone)]
pub enum Via {
    /// A session's access token.
    Session {
        /// Session family.
        family: Uuid,
        /// Whether it came in a cookie (then mutations need the CSRF token).
        cookie: bool,
    },
    /// An API token.
    ApiToken {
        /// Token id.
        id: Uuid,
        /// Token name.
        name: String,
        /// Scopes.
        scopes: Vec<String>,
    },
}

/// The member a request acts as, inserted by [`authorize`].
#[derive(Debug, Clone)]
pub struct Principal {
    /// Member id.
    pub user_id: Uuid,
    /// Organisation.
    pub org_id: Uuid,
    /// Address.
    pub email: String,
    /// Role.
    pub role: Role,
    /// The credential used.
    pub via: Via,
}

impl Principal {
    /// Returns the actor for the audit log: the address, plus the token's name.
    pub fn actor(&self) -> String {
        match &self.via {
            Via::Session { .. } => self.email.clone(),
            Via::ApiToken { name, .. } => format!("{} (API token \"{name}\")", self.email),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(unauthenticated)
    }
}

/// A handler's addition to its audit entry's target, beyond the id in the path: the
/// new role, the invited address, the token created. Returned as a response
/// extension (`axum::Extension(AuditNote(..))`).
#[derive(Debug, Clone)]
pub struct AuditNote(pub String);

/// A signed-in member as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Me {
    /// The member.
    pub user: User,
    /// The organisation.
    pub org: Org,
    /// `session` or `api_token`.
    pub auth: String,
    /// Scopes of the API token; empty for sessions.
    pub scopes: Vec<String>,
}

/// Signing keys, mail, rate limits and OpenID Connect of one server.
pub struct AuthService {
    /// Settings.
    pub config: AuthConfig,
    /// The address users reach the server at.
    pub public_url: String,
    /// Whether cookies carry `Secure`.
    pub secure_cookies: bool,
    /// Signing keys.
    pub keys: Keys,
    /// Sign-in mail.
    pub mailer: mail::Mailer,
    /// Login rate limits.
    pub limiter: rate::RateLimiter,
    /// Google sign-in, when configured.
    pub oidc: Option<oidc::OidcClient>,
}

impl AuthService {
    /// Loads (or creates) the signing key and sets up mail and OpenID Connect.
    ///
    /// # Errors
    /// Database errors, or a malformed SMTP URL.
    pub async fn start(
        store: &Store,
        config: &AuthConfig,
        public_url: String,
    ) -> Result<Arc<AuthService>, String> {
        let secret = store
            .server_secret("jwt-hs256", &tokens::random_secret())
            .await
            .map_err(|e| e.to_string())?;
        let mailer = mail::Mailer::new(config)?;
        let oidc = match (&config.oidc_client_id, &config.oidc_client_secret) {
            (Some(id), Some(secret)) => Some(oidc::OidcClient::new(
                &config.oidc_issuer,
                id,
                secret,
                &format!("{public_url}/api/v1/auth/oidc/google/callback"),
            )?),
            _ => None,
        };
        Ok(Arc::new(AuthService {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            config: config.clone(),
            keys: Keys::new(secret.as_bytes())?,
            mailer,
            limiter: rate::RateLimiter::default(),
            oidc,
        }))
    }

    /// Returns whether sign-in links also go to the server log.
    pub fn logs_links(&self) -> bool {
        self.config.smtp_url.is_none() || self.config.log_links
    }

    /// Signs an access token for a session family.
    ///
    /// # Errors
    /// Serialisation errors only.
    pub fn access_token(
        &self,
        user: &User,
        family: Uuid,
    ) -> Result<(String, chrono::DateTime<Utc>), ApiError> {
        let now = Utc::now();
        let exp = now + Duration::seconds(secs(self.config.access_ttl_secs));
        let claims = AccessClaims {
            iss: ISSUER.into(),
            aud: AUD_ACCESS.into(),
            sub: user.id,
            org: user.org_id,
            sid: family,
            iat: now.timestamp(),
            exp: exp.timestamp(),
        };
        let token = self.keys.sign(&claims).map_err(internal)?;
        Ok((token, exp))
    }
}

/// Seconds as a chrono duration count, saturating.
pub fn secs(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        format!("cannot sign the token: {e}"),
    )
}

/// 401 for a request without valid credentials.
pub fn unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "sign in first: send the session cookie or `Authorization: Bearer <token>`",
    )
}

fn invalid_token(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-token",
        format!("{what}: refresh the session (POST /api/v1/auth/refresh) or sign in again"),
    )
}

fn invalid_api_token(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid-token",
        format!("{what}: create a new token (POST /api/v1/tokens or `pelab token create`)"),
    )
}

fn forbidden(detail: String) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "forbidden", detail)
}

/// Returns the `Bearer` credential of a request, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Resolves the member behind a request's credentials, or `None` when it sent none.
///
/// # Errors
/// 401 for credentials that are invalid, expired, revoked, or of a removed member.
pub async fn resolve(s: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, ApiError> {
    let auth = &s.auth;
    let (token, cookie) = match bearer(headers) {
        Some(t) => (t.to_string(), false),
        None => match cookies::get(headers, ACCESS_COOKIE) {
            Some(t) => (t.to_string(), true),
            None => return Ok(None),
        },
    };
    if !cookie && token.starts_with(tokens::API_TOKEN_PREFIX) {
        let Some(t) = s
            .store
            .api_token_by_hash(&tokens::hash_secret(&token))
            .await?
        else {
            return Err(invalid_api_token(
                "the API token is unknown, revoked or expired",
            ));
        };
        let user = s
            .store
            .active_user(t.user_id)
            .await?
            .filter(|u| u.org_id == t.org_id)
            .ok_or_else(|| invalid_api_token("the API token's member was removed"))?;
        return Ok(Some(Principal {
            user_id: user.id,
            org_id: user.org_id,
            email: user.email,
            role: user.role,
            via: Via::ApiToken {
                id: t.id,
                name: t.name,
                scopes: t.scopes,
            },
        }));
    }
    let claims: AccessClaims = auth
        .keys
        .verify(&token, AUD_ACCESS)
        .map_err(|_| invalid_token("the access token is invalid or expired"))?;
    if !s.store.session_active(claims.sid).await? {
        return Err(invalid_token("the session has ended"));
    }
    let user = s
        .store
        .active_user(claims.sub)
        .await?
        .filter(|u| u.org_id == claims.org)
        .ok_or_else(|| invalid_token("the member was removed"))?;
    Ok(Some(Principal {
        user_id: user.id,
        org_id: user.org_id,
        email: user.email,
        role: user.role,
        via: Via::Session {
            family: claims.sid,
            cookie,
        },
    }))
}

/// Checks that the request's `Origin` (when sent) is this server. Browsers send it on
/// cross-site POSTs and on WebSocket handshakes, so a page elsewhere cannot drive the
/// API with the user's cookies.
pub fn same_origin(auth: &AuthService, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Ok(origin) = origin.to_str() else {
        return false;
    };
    if origin.eq_ignore_ascii_case(&auth.public_url) {
        return true;
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let bare = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    !host.is_empty() && bare.eq_ignore_ascii_case(host)
}

fn what(access: Access) -> &'static str {
    match access {
        Access::Write => "create or change designs, projects and runs",
        Access::Telemetry => "send telemetry",
        Access::Admin => "manage members, invitations, the component library or read the audit log",
        Access::Read | Access::Compute | Access::Member => "read this organisation's data",
        Access::SessionOnly => "manage API tokens or organisations",
        Access::Public => "",
    }
}

/// Checks a request against the route's class; see the module documentation.
pub async fn authorize(State(s): State<AppState>, mut req: Request, next: Next) -> Response {
    let Some(template) = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
    else {
        return next.run(req).await;
    };
    let method = req.method().clone();
    let mutating = !matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
    let upgrade = req.headers().contains_key(header::UPGRADE);
    if (mutating || upgrade) && !same_origin(&s.auth, req.headers()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross-origin",
            "the request comes from another site's page (Origin header); pelab accepts \
             it only from its own pages",
        )
        .into_response();
    }
    let Some(access) = policy::classify(&method, &template) else {
        return forbidden(format!("{method} {template} is open to no role")).into_response();
    };
    if access == Access::Public {
        return next.run(req).await;
    }
    let principal = match resolve(&s, req.headers()).await {
        Ok(Some(p)) => p,
        Ok(None) => return unauthenticated().into_response(),
        Err(e) => return e.into_response(),
    };
    if let Via::Session {
        family,
        cookie: true,
    } = principal.via
        && mutating
    {
        let presented = req
            .headers()
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !s.auth.keys.csrf_matches(family, presented) {
            return ApiError::new(
                StatusCode::FORBIDDEN,
                "csrf",
                "a request authenticated by cookie must repeat the pelab_csrf cookie in the \
                 X-CSRF-Token header",
            )
            .into_response();
        }
    }
    if !access.allows_role(principal.role) {
        let needed = access.min_role().map_or("", Role::as_str);
        return with_principal(
            forbidden(format!(
                "{} members cannot {}: it needs the {needed} role; ask an admin",
                principal.role,
                what(access)
            ))
            .into_response(),
            principal,
        );
    }
    if let Via::ApiToken { scopes, .. } = &principal.via
        && !access.allows_scopes(scopes)
    {
        let detail = if access == Access::SessionOnly {
            "API tokens cannot manage API tokens or organisations: sign in through the \
             browser"
                .to_string()
        } else {
            format!(
                "this API token's scopes ({}) do not allow it to {}",
                scopes.join(", "),
                what(access)
            )
        };
        return with_principal(forbidden(detail).into_response(), principal);
    }
    req.extensions_mut().insert(principal.clone());
    with_principal(next.run(req).await, principal)
}

/// Attaches the principal to a response, for the audit log.
pub fn with_principal(mut response: Response, principal: Principal) -> Response {
    response.extensions_mut().insert(principal);
    response
}

/// Builds the session cookies of a signed-in member.
pub fn session_cookies(
    auth: &AuthService,
    access: &str,
    refresh: &str,
    family: Uuid,
) -> Vec<HeaderValue> {
    let secure = auth.secure_cookies;
    let access_age = secs(auth.config.access_ttl_secs);
    let refresh_age = secs(auth.config.refresh_ttl_secs);
    let csrf = auth.keys.csrf_token(family);
    [
        cookies::set(ACCESS_COOKIE, access, "/", access_age, true, "Lax", secure),
        cookies::set(
            REFRESH_COOKIE,
            refresh,
            "/api/v1/auth",
            refresh_age,
            true,
            "Strict",
            secure,
        ),
        cookies::set(
            CSRF_COOKIE,
            &csrf,
            "/",
            refresh_age,
            false,
            "Strict",
            secure,
        ),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Cookies that delete the session cookies.
pub fn cleared_cookies(auth: &AuthService) -> Vec<HeaderValue> {
    let secure = auth.secure_cookies;
    [
        cookies::set(ACCESS_COOKIE, "", "/", 0, true, "Lax", secure),
        cookies::set(
            REFRESH_COOKIE,
            "",
            "/api/v1/auth",
            0,
            true,
            "Strict",
            secure,
        ),
        cookies::set(CSRF_COOKIE, "", "/", 0, false, "Strict", secure),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The client address of a request: the first `X-Forwarded-For` entry when
/// `auth.trust_forwarded_for` is on, otherwise the peer address, or `unknown` when
/// the server runs without connection info (router unit tests).
#[derive(Debug, Clone)]
pub struct SourceIp(pub String);

/// Returns the client address of a request (see [`SourceIp`]).
pub fn source_ip(
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    trust_forwarded_for: bool,
) -> String {
    if trust_forwarded_for
        && let Some(first) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok())
    {
        return first.to_string();
    }
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

impl FromRequestParts<AppState> for SourceIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Self::Rejection> {
        Ok(SourceIp(source_ip(
            &parts.extensions,
            &parts.headers,
            s.auth.config.trust_forwarded_for,
        )))
    }
}

/// Creates an API token for a member and returns it with its secret, which is stored
/// only as a hash. Scopes are taken as given: callers check them.
///
/// # Errors
/// [`pelab_store::StoreError::Invalid`] for a bad name; database errors.
pub async fn issue_api_token(
    store: &Store,
    user: &User,
    name: &str,
    scopes: Vec<String>,
    expires_at: Option<chrono::DateTime<Utc>>,
) -> Result<(pelab_store::ApiToken, String), pelab_store::StoreError> {
    let secret = format!("{}{}", tokens::API_TOKEN_PREFIX, tokens::random_secret());
    let token = store
        .create_api_token(&pelab_store::NewApiToken {
            org_id: user.org_id,
            user_id: user.id,
            name: name.trim().to_string(),
            scopes,
            prefix: secret.chars().take(12).collect(),
            token_hash: tokens::hash_secret(&secret),
            expires_at,
        })
        .await?;
    Ok((token, secret))
}
