//! The access policy: each route template and method maps to one [`Access`]
//! class, checked against the member's role and, for API tokens, the token's scopes.
//!
//! | class | lowest role | API token scope |
//! | --- | --- | --- |
//! | `Public` | none, no sign-in | |
//! | `Member` | Viewer | any |
//! | `Read` | Viewer | `read` |
//! | `Compute` (calculators) | Viewer | `read` |
//! | `Write` | Engineer | `write` |
//! | `Telemetry` | Engineer | `telemetry` or `write` |
//! | `Admin` | Admin | `admin` |
//! | `SessionOnly` | Viewer, signed in through the browser | none |
//!
//! `SessionOnly` covers API tokens, switching organisation and creating one: a token
//! cannot reach beyond what it was made for.

use axum::http::Method;
use pelab_store::Role;
use serde::Serialize;

/// The access class of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Access {
    /// No sign-in.
    Public,
    /// Any member.
    Member,
    /// Reading the organisation's data.
    Read,
    /// Calculators: no data is changed.
    Compute,
    /// Creating and changing designs, runs, projects, sweeps.
    Write,
    /// Sending telemetry samples.
    Telemetry,
    /// Members, invitations, organisation, component library, audit log.
    Admin,
    /// Managing one's own API tokens: a token cannot mint or revoke tokens.
    SessionOnly,
}

/// Scopes an API token may hold.
pub const SCOPES: &[&str] = &["read", "write", "telemetry", "admin"];

impl Access {
    /// Returns the lowest role allowed.
    pub fn min_role(self) -> Option<Role> {
        match self {
            Access::Public => None,
            Access::Member | Access::Read | Access::Compute | Access::SessionOnly => {
                Some(Role::Viewer)
            }
            Access::Write | Access::Telemetry => Some(Role::Engineer),
            Access::Admin => Some(Role::Admin),
        }
    }

    /// Checks whether `role` may use this class.
    pub fn allows_role(self, role: Role) -> bool {
        self.min_role().is_none_or(|min| rank(role) >= rank(min))
    }

    /// Checks whether a token with `scopes` may use this class.
    pub fn allows_scopes(self, scopes: &[String]) -> bool {
        let has = |s: &str| scopes.iter().any(|x| x == s);
        match self {
            Access::Public | Access::Member => true,
            Access::Read | Access::Compute => has("read"),
            Access::Write => has("write"),
            Access::Telemetry => has("telemetry") || has("write"),
            Access::Admin => has("admin"),
            Access::SessionOnly => false,
        }
    }
}

/// Returns the lowest role that may hold an API token scope.
pub fn scope_min_role(scope: &str) -> Role {
    match scope {
        "admin" => Role::Admin,
        "write" | "telemetry" => Role::Engineer,
        _ => Role::Viewer,
    }
}

/// Orders roles by what they may do.
pub fn rank(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Engineer => 1,
        Role::Admin => 2,
    }
}

/// The class of a route, by method and matched template (e.g. `/api/v1/projects/{id}`).
/// `None` for a route this table does not know: the caller refuses it, so a new route
/// stays closed until it is classed here.
pub fn classify(method: &Method, template: &str) -> Option<Access> {
    let read = matches!(*method, Method::GET | Method::HEAD);
    if matches!(template, "/health" | "/ready" | "/metrics") {
        return read.then_some(Access::Public);
    }
    let path = template.strip_prefix("/api/v1")?;
    if let Some(auth) = path.strip_prefix("/auth/") {
        return match (auth, read) {
            ("me" | "orgs", true) => Some(Access::Member),
            ("switch", false) => Some(Access::SessionOnly),
            ("config" | "oidc/google/start" | "oidc/google/callback", true) => Some(Access::Public),
            ("magic-link" | "magic-link/verify" | "refresh" | "logout", false) => {
                Some(Access::Public)
            }
            _ => None,
        };
    }
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let access = match first {
        "tokens" => Access::SessionOnly,
        "orgs" if !read => Access::SessionOnly,
        "org" => {
            if read {
                Access::Member
            } else {
                Access::Admin
            }
        }
        "members" => {
            if read {
                Access::Member
            } else {
                Access::Admin
            }
        }
        "invitations" | "audit" | "audit.csv" => Access::Admin,
        "components" => {
            if read {
                Access::Read
            } else {
                Access::Admin
            }
        }
        "calc" => Access::Compute,
        "runs" if !read && path.ends_with("/telemetry") => Access::Telemetry,
        "projects" | "designs" | "simulate" | "runs" | "sweeps" | "parts" | "kernels" | "pv"
        | "mqtt" => {
            if read {
                Access::Read
            } else {
                Access::Write
            }
        }
        _ => return None,
    };
    Some(access)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Access::Write.allows_role(Role::Engineer));
        assert!(Access::Write.allows_role(Role::Admin));
        assert!(!Access::Write.allows_role(Role::Viewer));
        assert!(!Access::Admin.allows_role(Role::Engineer));
        assert!(Access::Compute.allows_role(Role::Viewer));
    }

    #[test]
    fn scopes_narrow_tokens() {
        let read = vec!["read".to_string()];
        let telemetry = vec!["telemetry".to_string()];
        assert!(Access::Read.allows_scopes(&read));
        assert!(!Access::Write.allows_scopes(&read));
        assert!(Access::Telemetry.allows_scopes(&telemetry));
        assert!(!Access::Read.allows_scopes(&telemetry));
        assert!(!Access::SessionOnly.allows_scopes(&["admin".to_string()]));
    }

    #[test]
    fn unknown_routes_stay_closed() {
        assert_eq!(classify(&Method::GET, "/api/v1/unknown"), None);
        assert_eq!(classify(&Method::POST, "/health"), None);
        assert_eq!(classify(&Method::DELETE, "/api/v1/auth/me"), None);
        assert_eq!(
            classify(&Method::DELETE, "/api/v1/components/{id}"),
            Some(Access::Admin)
        );
        assert_eq!(
            classify(&Method::POST, "/api/v1/calc/losses"),
            Some(Access::Compute)
        );
        assert_eq!(
            classify(&Method::POST, "/api/v1/runs/{id}/telemetry"),
            Some(Access::Telemetry)
        );
        assert_eq!(
            classify(&Method::GET, "/api/v1/runs/{id}/telemetry"),
            Some(Access::Read)
        );
    }
}
