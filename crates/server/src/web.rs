//! The web UI: the built `web/dist` folder, embedded in the binary at compile time
//! (release builds) or read from the folder (debug builds, or `web_dir`).
//!
//! Paths that name a file are served with their MIME type. Any other path outside
//! `/api`, `/health`, `/ready` and `/metrics` gets `index.html`, so that the UI's
//! client-side routes work on reload. Hashed files under `/assets/` are cached for a year; the
//! rest must be revalidated so a new build shows at once.

use std::borrow::Cow;
use std::path::{Component, Path};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::state::AppState;

/// The UI build. Missing folder: the binary serves the notice of [`not_built`].
#[derive(RustEmbed)]
#[folder = "$CARGO_MANIFEST_DIR/../../web/dist"]
#[allow_missing = true]
struct Assets;

/// Prefixes that belong to the API and never fall back to the UI.
const API_PREFIXES: [&str; 4] = ["/api/", "/health", "/ready", "/metrics"];

/// Fallback handler: a UI file, the UI's `index.html`, or a 404 problem document.
pub async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path().to_string();
    let is_api = path == "/api" || API_PREFIXES.iter().any(|p| path.starts_with(p));
    if is_api || !(req.method() == Method::GET || req.method() == Method::HEAD) {
        return crate::app::not_found(req).await.into_response();
    }
    let relative = path.trim_start_matches('/');
    let dir = state.config.web_dir.as_deref();
    if !relative.is_empty()
        && let Some((bytes, mime)) = load(dir, relative).await
    {
        return file_response(relative, bytes, &mime);
    }
    // A missing file with an extension is a broken link, not a client-side route.
    let last = relative.rsplit('/').next().unwrap_or("");
    if last.contains('.') && !last.ends_with(".html") {
        return crate::app::not_found(req).await.into_response();
    }
    match load(dir, "index.html").await {
        Some((bytes, mime)) => file_response("index.html", bytes, &mime),
        None => not_built(),
    }
}

/// Reads `relative` from `dir` when given, else from the embedded build.
async fn load(dir: Option<&Path>, relative: &str) -> Option<(Cow<'static, [u8]>, String)> {
    let mime = mime_guess::from_path(relative)
        .first_or_octet_stream()
        .essence_str()
        .to_string();
    match dir {
        Some(dir) => {
            let rel = Path::new(relative);
            // Only plain names: no `..`, no root, no drive prefixes.
            if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
                return None;
            }
            let bytes = tokio::fs::read(dir.join(rel)).await.ok()?;
            Some((Cow::Owned(bytes), mime))
        }
        None => Assets::get(relative).map(|file| (file.data, mime)),
    }
}

fn file_response(relative: &str, bytes: Cow<'static, [u8]>, mime: &str) -> Response {
    let cache = if relative.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut response = Response::new(Body::from(bytes.into_owned()));
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Returns whether this binary carries a UI build (`index.html` embedded or on disk).
pub fn embedded() -> bool {
    Assets::get("index.html").is_some()
}

/// Builds the page served at `/` when the binary was built without `web/dist`.
fn not_built() -> Response {
    let body = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
        <title>pelab</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\">\
        <h1>pelab API</h1><p>This binary was built without the web UI. Build it with \
        <code>npm --prefix web ci &amp;&amp; npm --prefix web run build</code>, then rebuild pelab \
        (or start <code>pelab serve</code> with <code>PELAB_WEB_DIR=web/dist</code>).</p>\
        <p>The API and its documentation are at <a href=\"/api/docs/\">/api/docs</a>.</p>\
        <p><strong>High voltage:</strong> pelab can command real power hardware. Bench work is \
        for qualified people who follow their local safety rules.</p></body></html>";
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
