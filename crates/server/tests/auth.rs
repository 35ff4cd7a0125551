//! Sign-in and sessions over HTTP: e-mail links through a real SMTP exchange, cookie
//! flags, CSRF, refresh rotation with reuse detection, sign-out, API tokens, and the
//! tokens the server must refuse (expired, forged, `alg: none`, foreign audience).
//! Every secret the tests see is checked against everything the server logged.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use pelab_server::Running;
use pelab_server::auth::tokens::{AUD_ACCESS, AUD_LINK, AccessClaims, ISSUER, Keys, LinkClaims};
use reqwest::header::{COOKIE, HeaderMap, SET_COOKIE};
use serde_json::{Value, json};

/// Everything the server logged in this test binary, at debug level.
fn logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer: Arc<Mutex<Vec<u8>>> = Arc::default();
        let sink = buffer.clone();
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(move || Writer(sink.clone()))
            .try_init();
        buffer
    })
    .clone()
}

struct Writer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Writer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_not_logged(secret: &str, what: &str) {
    let text = String::from_utf8_lossy(&logs().lock().expect("log lock")).to_string();
    assert!(!text.is_empty(), "the test captured no logs at all");
    assert!(
        !text.contains(secret),
        "the {what} appears in the server log"
    );
}

/// Starts a server whose sign-in mail goes to an SMTP sink, with links kept out of the log.
async fn start_with_mail(extra: &[(&str, &str)]) -> (Running, tempfile::TempDir, common::Inbox) {
    logs();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let (port, inbox) = common::smtp_sink().await;
    let url = format!("smtp://127.0.0.1:{port}");
    let mut env: Vec<(&str, &str)> = vec![("PELAB_SMTP_URL", &url)];
    env.extend_from_slice(extra);
    let server = common::start(dir.path(), None, &env).await;
    (server, dir, inbox)
}

/// Cookies of a response, by name, with their full `Set-Cookie` text.
fn set_cookies(headers: &HeaderMap) -> Vec<(String, String, String)> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|line| {
            let (pair, _) = line.split_once(';').unwrap_or((line, ""));
            let (name, value) = pair.split_once('=')?;
            Some((name.to_string(), value.to_string(), line.to_string()))
        })
        .collect()
}

fn cookie<'a>(cookies: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    cookies
        .iter()
        .find(|(n, _, _)| n == name)
        .unwrap_or_else(|| panic!("no {name} cookie in {cookies:?}"))
}

struct Browser {
    access: String,
    refresh: String,
    csrf: String,
}

impl Browser {
    fn from(headers: &HeaderMap) -> Browser {
        let c = set_cookies(headers);
        Browser {
            access: cookie(&c, "pelab_access").1.clone(),
            refresh: cookie(&c, "pelab_refresh").1.clone(),
            csrf: cookie(&c, "pelab_csrf").1.clone(),
        }
    }

    fn header(&self) -> String {
        format!(
            "pelab_access={}; pelab_refresh={}; pelab_csrf={}",
            self.access, self.refresh, self.csrf
        )
    }
}

async fn sign_in(
    http: &reqwest::Client,
    base: &str,
    inbox: &common::Inbox,
    email: &str,
) -> (Browser, Value) {
    let seen = inbox.lock().expect("inbox lock").len();
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": email}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 202);
    let token = common::link_token_after(inbox, email, seen).await;
    let r = http
        .post(format!("{base}/auth/magic-link/verify"))
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("the server answers");
    assert_eq!(r.status(), 200, "the link signs in");
    let browser = Browser::from(r.headers());
    (browser, r.json().await.expect("a session"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn magic_link_session_csrf_refresh_and_sign_out() {
    // No grace: a refresh token used twice revokes at once.
    let (server, _dir, inbox) = start_with_mail(&[("PELAB_REFRESH_GRACE_SECS", "0")]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();

    // No credentials: 401, and the login page learns how to sign in.
    let r = http
        .get(format!("{base}/projects"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401);
    let config: Value = http
        .get(format!("{base}/auth/config"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(config["dev_log_links"], false, "SMTP is configured");
    assert!(config["admin_hint"].is_null());

    // An unknown address gets the same response and no mail.
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "nobody@example.com"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 202);

    // The link arrives by SMTP and signs in once.
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "Admin@localhost"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 202);
    let link = common::link_token_for(&inbox, "admin@localhost").await;
    assert!(
        !inbox
            .lock()
            .expect("lock")
            .iter()
            .any(|m| m.contains("nobody@example.com")),
        "no mail goes to an unknown address"
    );
    let r = http
        .post(format!("{base}/auth/magic-link/verify"))
        .json(&json!({"token": link}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    let cookies = set_cookies(r.headers());
    let access = cookie(&cookies, "pelab_access");
    assert!(
        access.2.contains("HttpOnly") && access.2.contains("SameSite=Lax"),
        "{}",
        access.2
    );
    let refresh = cookie(&cookies, "pelab_refresh");
    assert!(
        refresh.2.contains("HttpOnly")
            && refresh.2.contains("SameSite=Strict")
            && refresh.2.contains("Path=/api/v1/auth"),
        "{}",
        refresh.2
    );
    let csrf = cookie(&cookies, "pelab_csrf");
    assert!(
        !csrf.2.contains("HttpOnly"),
        "the page must read the CSRF cookie"
    );
    assert!(
        !access.2.contains("Secure"),
        "http:// public URL: no Secure flag"
    );
    let browser = Browser::from(r.headers());
    let session: Value = r.json().await.expect("JSON");
    assert_eq!(session["user"]["email"], "admin@localhost");
    assert_eq!(session["user"]["role"], "admin");
    assert_eq!(session["csrf_token"], browser.csrf.as_str());

    // The same link again, and a link token that was never sent.
    let again = http
        .post(format!("{base}/auth/magic-link/verify"))
        .json(&json!({"token": link}))
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status(), 401, "a link works once");

    // Cookie requests: reads work, mutations need the CSRF header.
    let me: Value = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["auth"], "session");
    let project = json!({"name": "csrf", "domain": "DC"});
    let r = http
        .post(format!("{base}/projects"))
        .header(COOKIE, browser.header())
        .json(&project)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "no CSRF header");
    let problem: Value = r.json().await.expect("JSON");
    assert!(problem["type"].as_str().unwrap_or("").ends_with("/csrf"));
    let r = http
        .post(format!("{base}/projects"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", "forged")
        .json(&project)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "a wrong CSRF token");
    let r = http
        .post(format!("{base}/projects"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", &browser.csrf)
        .header("origin", "http://evil.example")
        .json(&project)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "another site's page");
    let r = http
        .post(format!("{base}/projects"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", &browser.csrf)
        .header("origin", format!("http://{}", server.addr))
        .json(&project)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 201, "same origin with the CSRF token");

    // Refresh rotates; the old refresh token presented again ends the session.
    let r = http
        .post(format!("{base}/auth/refresh"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    let rotated = Browser::from(r.headers());
    assert_ne!(rotated.refresh, browser.refresh);
    let r = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, rotated.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    let replay = http
        .post(format!("{base}/auth/refresh"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(replay.status(), 401, "a used refresh token");
    let r = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, rotated.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401, "reuse revoked the whole session");

    // A new session, then sign-out: CSRF needed, and the access token dies with it.
    let (fresh, _) = sign_in(&http, &base, &inbox, "admin@localhost").await;
    let r = http
        .post(format!("{base}/auth/logout"))
        .header(COOKIE, fresh.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "sign-out without the CSRF header");
    let r = http
        .post(format!("{base}/auth/logout"))
        .header(COOKIE, fresh.header())
        .header("x-csrf-token", &fresh.csrf)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 204);
    assert!(
        set_cookies(r.headers())
            .iter()
            .all(|(_, v, line)| v.is_empty() && line.contains("Max-Age=0")),
        "sign-out clears every cookie"
    );
    let r = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, fresh.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401, "the access token of a closed session");

    // API tokens: created by a session, shown once, refused once revoked.
    let (session, _) = sign_in(&http, &base, &inbox, "admin@localhost").await;
    let r = http
        .post(format!("{base}/tokens"))
        .header(COOKIE, session.header())
        .header("x-csrf-token", &session.csrf)
        .json(
            &json!({"name": "bench agent", "scopes": ["read", "telemetry"], "expires_in_days": 30}),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.expect("JSON");
    let secret = created["secret"].as_str().expect("a secret").to_string();
    let id = created["token"]["id"].as_str().expect("an id").to_string();
    let listed: Value = http
        .get(format!("{base}/tokens"))
        .header(COOKIE, session.header())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert!(
        !listed.to_string().contains(&secret),
        "the list never holds the secret"
    );
    let with_token = common::client_with(&secret);
    let r = with_token
        .get(format!("{base}/projects"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200, "scope read");
    let r = with_token
        .post(format!("{base}/projects"))
        .json(&project)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "no write scope");
    let r = with_token
        .post(format!("{base}/tokens"))
        .json(&json!({"name": "child", "scopes": ["read"]}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403, "a token cannot mint tokens");
    let r = http
        .delete(format!("{base}/tokens/{id}"))
        .header(COOKIE, session.header())
        .header("x-csrf-token", &session.csrf)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 204);
    let r = with_token
        .get(format!("{base}/projects"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401, "a revoked token");
    let problem: Value = r.json().await.expect("JSON");
    let detail = problem["detail"].as_str().unwrap_or("");
    assert!(detail.contains("create a new token"), "{problem}");

    // The audit log names the member and the token, with the source address.
    let admin = common::admin_client(&server).await;
    let audit: Value = admin
        .get(format!("{base}/audit?action=/tokens"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let entries = audit.as_array().expect("a list");
    assert!(entries.iter().any(|e| e["action"] == "POST /api/v1/tokens"
        && e["actor"] == "admin@localhost"
        && e["result"] == "201"
        && e["source"] == "127.0.0.1"));
    assert!(entries.iter().any(
        |e| e["actor"].as_str().unwrap_or("").contains("bench agent") && e["result"] == "403"
    ));

    for (secret, what) in [
        (link.as_str(), "sign-in link token"),
        (browser.access.as_str(), "access token"),
        (browser.refresh.as_str(), "refresh token"),
        (rotated.refresh.as_str(), "rotated refresh token"),
        (secret.as_str(), "API token"),
    ] {
        assert_not_logged(secret, what);
    }
}

fn unsigned(header: &str, claims: &Value) -> String {
    format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refuses_expired_forged_unsigned_and_misdirected_tokens() {
    let (server, _dir, inbox) = start_with_mail(&[]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    let (browser, session) = sign_in(&http, &base, &inbox, "admin@localhost").await;
    let secret = server
        .state
        .store
        .server_secret("jwt-hs256", "unused")
        .await
        .expect("the key exists");
    let keys = Keys::new(secret.as_bytes()).expect("a long key");
    let now = chrono::Utc::now().timestamp();
    let sub: uuid::Uuid = session["user"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let org: uuid::Uuid = session["org"]["id"]
        .as_str()
        .expect("id")
        .parse()
        .expect("uuid");
    let payload: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(browser.access.split('.').nth(1).expect("a JWT"))
            .expect("base64"),
    )
    .expect("JSON claims");
    let sid: uuid::Uuid = payload["sid"].as_str().expect("sid").parse().expect("uuid");
    let claims = |aud: &str, exp: i64| AccessClaims {
        iss: ISSUER.into(),
        aud: aud.into(),
        sub,
        org,
        sid,
        iat: now,
        exp,
    };
    let valid = keys.sign(&claims(AUD_ACCESS, now + 300)).expect("signs");
    let expired = keys.sign(&claims(AUD_ACCESS, now - 120)).expect("signs");
    let wrong_audience = keys.sign(&claims(AUD_LINK, now + 300)).expect("signs");
    let forged = Keys::new(&[1u8; 32])
        .expect("a long key")
        .sign(&claims(AUD_ACCESS, now + 300))
        .expect("signs");
    let none = unsigned(
        r#"{"alg":"none","typ":"JWT"}"#,
        &serde_json::to_value(claims(AUD_ACCESS, now + 300)).expect("JSON"),
    );
    let mut tampered_role = valid.clone();
    tampered_role.push('x');
    let r = common::client_with(&valid)
        .get(format!("{base}/auth/me"))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200, "the control token works");
    for (token, what) in [
        (expired.as_str(), "expired"),
        (wrong_audience.as_str(), "wrong audience"),
        (forged.as_str(), "forged signature"),
        (none.as_str(), "alg none"),
        (tampered_role.as_str(), "tampered"),
        ("pelab_unknown", "unknown API token"),
        ("garbage", "garbage"),
    ] {
        let r = common::client_with(token)
            .get(format!("{base}/projects"))
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status(), 401, "{what} token");
        let cookie_r = http
            .get(format!("{base}/projects"))
            .header(COOKIE, format!("pelab_access={token}"))
            .send()
            .await
            .expect("answer");
        assert_eq!(cookie_r.status(), 401, "{what} token in the cookie");
    }

    // Sign-in links: expired, unsent (valid signature, unknown id), and an access token.
    let link = |exp: i64, jti: &str| LinkClaims {
        iss: ISSUER.into(),
        aud: AUD_LINK.into(),
        sub: "admin@localhost".into(),
        jti: jti.into(),
        iat: now,
        exp,
    };
    let expired_link = keys.sign(&link(now - 120, "a")).expect("signs");
    let unsent_link = keys.sign(&link(now + 300, "never-sent")).expect("signs");
    for (token, what) in [
        (expired_link.as_str(), "expired link"),
        (unsent_link.as_str(), "unsent link"),
        (valid.as_str(), "an access token as a link"),
    ] {
        let r = http
            .post(format!("{base}/auth/magic-link/verify"))
            .json(&json!({"token": token}))
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status(), 401, "{what}");
    }

    // A link that expires between sending and use.
    let (quick, _dir2, quick_inbox) = start_with_mail(&[("PELAB_LINK_TTL_SECS", "10")]).await;
    let quick_base = common::base(&quick);
    let r = http
        .post(format!("{quick_base}/auth/magic-link"))
        .json(&json!({"email": "admin@localhost"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 202);
    let token = common::link_token_for(&quick_inbox, "admin@localhost").await;
    tokio::time::sleep(std::time::Duration::from_secs(16)).await;
    let r = http
        .post(format!("{quick_base}/auth/magic-link/verify"))
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401, "a link used after it expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_requests_are_rate_limited() {
    let (server, _dir, _inbox) = start_with_mail(&[("PELAB_LOGIN_RATE", "2")]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    for n in 0..2 {
        let r = http
            .post(format!("{base}/auth/magic-link"))
            .json(&json!({"email": "admin@localhost"}))
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status(), 202, "request {n}");
    }
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "admin@localhost"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=900).contains(&wait), "{wait}");
    // Other addresses from the same source pass until the source limit (4 × 2 = 8
    // requests, the refused one above included).
    let mut statuses = Vec::new();
    for n in 0..8 {
        let r = http
            .post(format!("{base}/auth/magic-link"))
            .json(&json!({"email": format!("user{n}@example.com")}))
            .send()
            .await
            .expect("answer");
        statuses.push(r.status().as_u16());
    }
    assert_eq!(&statuses[..5], &[202; 5], "{statuses:?}");
    assert_eq!(&statuses[5..], &[429; 3], "{statuses:?}");
    // Malformed addresses name the field.
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "not an address"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_sets_secure_cookies() {
    let (server, _dir, inbox) =
        start_with_mail(&[("PELAB_PUBLIC_URL", "https://pelab.example.com")]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "admin@localhost"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 202);
    let message = {
        let token = common::link_token_for(&inbox, "admin@localhost").await;
        let all = inbox.lock().expect("lock").clone();
        assert!(
            all.iter().any(|m| common::decoded_body(m)
                .contains("https://pelab.example.com/login/verify?token=")),
            "the link uses the public URL"
        );
        token
    };
    let r = http
        .post(format!("{base}/auth/magic-link/verify"))
        .json(&json!({"token": message}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    for (name, _, line) in set_cookies(r.headers()) {
        assert!(line.contains("; Secure"), "{name}: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_smtp_links_go_to_the_log_and_the_hint_says_so() {
    logs();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(
        dir.path(),
        None,
        &[("PELAB_ADMIN_EMAIL", "lead@lab.example")],
    )
    .await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    let config: Value = http
        .get(format!("{base}/auth/config"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(config["dev_log_links"], true);
    let hint = config["admin_hint"].as_str().expect("a hint");
    assert!(
        hint.contains("server log") && hint.contains("lead@lab.example"),
        "{hint}"
    );
    let r = http
        .post(format!("{base}/auth/magic-link"))
        .json(&json!({"email": "lead@lab.example"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 202);
    let text = String::from_utf8_lossy(&logs().lock().expect("lock")).to_string();
    let at = text
        .find("/login/verify?token=")
        .expect("the link is in the log");
    let token: String = text[at + "/login/verify?token=".len()..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    let r = http
        .post(format!("{base}/auth/magic-link/verify"))
        .json(&json!({"token": token}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200, "the logged link signs in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_creates_and_switches_organisations() {
    let (server, _dir, inbox) = start_with_mail(&[]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    let (browser, session) = sign_in(&http, &base, &inbox, "admin@localhost").await;
    let first_org = session["org"]["id"].as_str().expect("id").to_string();

    // API tokens cannot create organisations; sessions can, with the CSRF token.
    let token = common::admin_token(&server).await;
    let r = common::client_with(&token)
        .post(format!("{base}/orgs"))
        .json(&json!({"name": "Side project"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403);
    let r = http
        .post(format!("{base}/orgs"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", &browser.csrf)
        .json(&json!({"name": "Side project"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.expect("JSON");
    let second_org = org["id"].as_str().expect("id").to_string();

    let orgs: Value = http
        .get(format!("{base}/auth/orgs"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let orgs = orgs.as_array().expect("list");
    assert_eq!(orgs.len(), 2);
    assert!(orgs.iter().any(|m| m["org"]["id"] == second_org.as_str()
        && m["role"] == "admin"
        && m["current"] == false));

    // Switching starts a session in the other organisation and ends this one.
    let r = http
        .post(format!("{base}/auth/switch"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", &browser.csrf)
        .json(&json!({"org_id": uuid::Uuid::now_v7()}))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        r.status(),
        404,
        "an organisation the member does not belong to"
    );
    let r = http
        .post(format!("{base}/auth/switch"))
        .header(COOKIE, browser.header())
        .header("x-csrf-token", &browser.csrf)
        .json(&json!({"org_id": second_org}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    let switched = Browser::from(r.headers());
    let projects: Value = http
        .get(format!("{base}/projects"))
        .header(COOKIE, switched.header())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(projects, json!([]), "the new organisation is empty");
    let me: Value = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, switched.header())
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["org"]["id"], second_org.as_str());
    assert_ne!(first_org, second_org);
    let r = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401, "the previous session ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_tabs_refreshing_together_keep_the_session() {
    let (server, _dir, inbox) = start_with_mail(&[]).await;
    let base = common::base(&server);
    let http = reqwest::Client::new();
    let (browser, _) = sign_in(&http, &base, &inbox, "admin@localhost").await;
    let refresh = || {
        http.post(format!("{base}/auth/refresh"))
            .header(COOKIE, browser.header())
            .send()
    };
    let (a, b) = tokio::join!(refresh(), refresh());
    let (a, b) = (a.expect("answer"), b.expect("answer"));
    assert_eq!(
        (a.status(), b.status()),
        (reqwest::StatusCode::OK, reqwest::StatusCode::OK)
    );
    let tab = Browser::from(b.headers());
    let r = http
        .get(format!("{base}/auth/me"))
        .header(COOKIE, tab.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200, "both tabs stay signed in");

    // After sign-out, an open tab's refresh is refused without alarm.
    let r = http
        .post(format!("{base}/auth/logout"))
        .header(COOKIE, tab.header())
        .header("x-csrf-token", &tab.csrf)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 204);
    let r = http
        .post(format!("{base}/auth/refresh"))
        .header(COOKIE, browser.header())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 401);
    let problem: Value = r.json().await.expect("JSON");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("has ended"),
        "{problem}"
    );
}
