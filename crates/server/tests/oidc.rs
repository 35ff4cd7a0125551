//! Google sign-in against a small OpenID Connect provider that this test runs on
//! 127.0.0.1: discovery, the authorisation redirect with PKCE and nonce, the code
//! exchange (the provider checks the verifier against the challenge), and the ID
//! token checks pelab must make: signature, issuer, audience, expiry, nonce and
//! `email_verified`.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CLIENT_ID: &str = "pelab-test-client";
const CLIENT_SECRET: &str = "test-secret";

/// What the provider does wrong, if anything.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    None,
    WrongNonce,
    WrongAudience,
    Expired,
    Unverified,
    ForeignKey,
}

/// What an issued code stands for: PKCE challenge, nonce, redirect URI.
#[derive(Debug, Clone)]
struct Grant {
    challenge: String,
    nonce: String,
    redirect: String,
}

#[derive(Clone)]
struct Provider {
    base: String,
    email: Arc<Mutex<String>>,
    fault: Arc<Mutex<Fault>>,
    codes: Arc<Mutex<HashMap<String, Grant>>>,
    token_requests: Arc<Mutex<u32>>,
}

async fn discovery(State(p): State<Provider>) -> Json<Value> {
    Json(json!({
        "issuer": p.base,
        "authorization_endpoint": format!("{}/authorize", p.base),
        "token_endpoint": format!("{}/token", p.base),
        "jwks_uri": format!("{}/jwks", p.base),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"]
    }))
}

async fn jwks() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("fixtures/oidc-test-jwks.json"),
    )
        .into_response()
}

/// Signs the user in at once and sends the browser back with a code.
async fn authorize(
    State(p): State<Provider>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope")
            .is_some_and(|s| s.split(' ').any(|x| x == "openid"));
    if !ok {
        return (StatusCode::BAD_REQUEST, "bad authorisation request").into_response();
    }
    let code = format!("code-{}", uuid::Uuid::now_v7());
    let redirect = q["redirect_uri"].clone();
    p.codes.lock().expect("lock").insert(
        code.clone(),
        Grant {
            challenge: q["code_challenge"].clone(),
            nonce: q["nonce"].clone(),
            redirect: redirect.clone(),
        },
    );
    let location = format!("{redirect}?code={code}&state={}", q["state"]);
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn token(State(p): State<Provider>, Form(f): Form<HashMap<String, String>>) -> Response {
    *p.token_requests.lock().expect("lock") += 1;
    let Some(Grant {
        challenge,
        nonce,
        redirect,
    }) = f
        .get("code")
        .and_then(|c| p.codes.lock().expect("lock").remove(c))
    else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if computed != challenge
        || f.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET)
        || f.get("client_id").map(String::as_str) != Some(CLIENT_ID)
        || f.get("redirect_uri") != Some(&redirect)
        || f.get("grant_type").map(String::as_str) != Some("authorization_code")
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let fault = *p.fault.lock().expect("lock");
    let now = chrono::Utc::now().timestamp();
    let claims = json!({
        "iss": p.base,
        "aud": if fault == Fault::WrongAudience { "someone-else" } else { CLIENT_ID },
        "sub": "1234567890",
        "email": *p.email.lock().expect("lock"),
        "email_verified": fault != Fault::Unverified,
        "nonce": if fault == Fault::WrongNonce { "other-nonce".to_string() } else { nonce },
        "iat": now,
        "exp": if fault == Fault::Expired { now - 3600 } else { now + 600 },
    });
    let mut h = Header::new(Algorithm::RS256);
    h.kid = Some("test-1".into());
    let pem = if fault == Fault::ForeignKey {
        // A key the provider's JWKS does not hold.
        foreign_pem()
    } else {
        include_str!("fixtures/oidc-test-rsa.pem").to_string()
    };
    let key = EncodingKey::from_rsa_pem(pem.as_bytes()).expect("the fixture key loads");
    let id_token = jsonwebtoken::encode(&h, &claims, &key).expect("signs");
    Json(json!({"access_token": "at", "token_type": "Bearer", "id_token": id_token}))
        .into_response()
}

fn foreign_pem() -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("k.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
        ])
        .arg(&path)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl runs");
    assert!(status.success());
    std::fs::read_to_string(path).expect("the key")
}

async fn start_provider() -> Provider {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let provider = Provider {
        base,
        email: Arc::new(Mutex::new("admin@localhost".into())),
        fault: Arc::new(Mutex::new(Fault::None)),
        codes: Arc::default(),
        token_requests: Arc::default(),
    };
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks", get(jwks))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(provider.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    provider
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("a Location header")
        .to_string()
}

fn cookies_of(r: &reqwest::Response) -> Vec<String> {
    r.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(|l| l.split(';').next().unwrap_or("").to_string())
        .filter(|c| !c.ends_with('='))
        .collect()
}

/// Runs the browser's part of a sign-in; returns the final redirect and the cookies.
async fn sign_in(
    http: &reqwest::Client,
    server_root: &str,
    tamper_state: bool,
) -> (String, Vec<String>) {
    let r = http
        .get(format!(
            "{server_root}/api/v1/auth/oidc/google/start?return_to=/projects"
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 302);
    let to_provider = location(&r);
    assert!(
        to_provider.contains("code_challenge_method=S256"),
        "{to_provider}"
    );
    assert!(to_provider.contains("nonce="), "{to_provider}");
    let state_cookie = cookies_of(&r);
    assert!(state_cookie.iter().any(|c| c.starts_with("pelab_oidc=")));
    let r = http
        .get(&to_provider)
        .send()
        .await
        .expect("provider answers");
    assert_eq!(r.status(), 302, "the provider accepts the request");
    let mut back = location(&r);
    if tamper_state {
        back = back.replace("state=", "state=x");
    }
    let r = http
        .get(&back)
        .header(header::COOKIE, state_cookie.join("; "))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 302);
    (location(&r), cookies_of(&r))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn google_sign_in_with_pkce_and_id_token_checks() {
    let provider = start_provider().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let server = common::start(
        dir.path(),
        None,
        &[
            ("PELAB_OIDC_ISSUER", &provider.base),
            ("PELAB_OIDC_CLIENT_ID", CLIENT_ID),
            ("PELAB_OIDC_CLIENT_SECRET", CLIENT_SECRET),
        ],
    )
    .await;
    let root = format!("http://{}", server.addr);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let config: Value = http
        .get(format!("{root}/api/v1/auth/config"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(config["google"], true);

    // The happy path lands on the page the user started from, signed in.
    let (to, cookies) = sign_in(&http, &root, false).await;
    assert_eq!(to, "/projects");
    assert!(
        cookies.iter().any(|c| c.starts_with("pelab_access=")),
        "{cookies:?}"
    );
    let me: Value = http
        .get(format!("{root}/api/v1/auth/me"))
        .header(header::COOKIE, cookies.join("; "))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["user"]["email"], "admin@localhost");

    // Each fault sends the browser back to the login page with the reason.
    for (fault, reason) in [
        (Fault::WrongNonce, "nonce"),
        (Fault::WrongAudience, "ID token"),
        (Fault::Expired, "ID token"),
        (Fault::Unverified, "has not verified"),
        (Fault::ForeignKey, "ID token"),
    ] {
        *provider.fault.lock().expect("lock") = fault;
        let (to, cookies) = sign_in(&http, &root, false).await;
        assert!(to.starts_with("/login?error="), "{fault:?}: {to}");
        let decoded = to.replace('+', " ").replace("%20", " ");
        assert!(decoded.contains(reason), "{fault:?}: {decoded}");
        assert!(
            !cookies.iter().any(|c| c.starts_with("pelab_access=")),
            "{fault:?} must not sign in"
        );
    }
    *provider.fault.lock().expect("lock") = Fault::None;

    // A callback whose state is not this browser's never reaches the token endpoint.
    let before = *provider.token_requests.lock().expect("lock");
    let (to, _) = sign_in(&http, &root, true).await;
    assert!(to.starts_with("/login?error="), "{to}");
    assert_eq!(*provider.token_requests.lock().expect("lock"), before);

    // An address with no membership is refused; an invitation lets it in.
    *provider.email.lock().expect("lock") = "new@lab.example".into();
    let (to, _) = sign_in(&http, &root, false).await;
    assert!(
        to.contains("not+a+member") || to.contains("not%20a%20member"),
        "{to}"
    );
    let admin = common::admin_client(&server).await;
    let r = admin
        .post(format!("{root}/api/v1/invitations"))
        .json(&json!({"email": "new@lab.example", "role": "engineer"}))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 201);
    let (to, cookies) = sign_in(&http, &root, false).await;
    assert_eq!(to, "/projects");
    let me: Value = http
        .get(format!("{root}/api/v1/auth/me"))
        .header(header::COOKIE, cookies.join("; "))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["user"]["role"], "engineer");

    // An open redirect is not possible: another site's return_to becomes "/".
    let r = http
        .get(format!(
            "{root}/api/v1/auth/oidc/google/start?return_to=//evil.example/x"
        ))
        .send()
        .await
        .expect("answer");
    let state = cookies_of(&r);
    let r = http.get(location(&r)).send().await.expect("answer");
    let r = http
        .get(location(&r))
        .header(header::COOKIE, state.join("; "))
        .send()
        .await
        .expect("answer");
    assert_eq!(location(&r), "/");
}
