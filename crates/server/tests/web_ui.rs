//! Serving the web UI: files with MIME types and cache headers, `index.html` for
//! client-side routes, and problem documents for API paths.

mod common;

use pelab_server::Config;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_a_ui_folder_with_spa_fallback() {
    let data = tempfile::tempdir().expect("temp dir");
    let ui = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(ui.path().join("assets")).expect("assets dir");
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>pelab ui</title>",
    )
    .expect("index written");
    std::fs::write(ui.path().join("assets/app-1a2b.js"), "console.log(1)").expect("js written");
    std::fs::write(data.path().join("secret.txt"), "not for the web").expect("secret written");
    let dir = ui.path().display().to_string();
    let server = common::start(data.path(), None, &[("PELAB_WEB_DIR", &dir)]).await;
    let root = format!("http://{}", server.addr);
    let http = common::admin_client(&server).await;

    for path in ["/", "/projects", "/projects/0190f3a0/simulation"] {
        let r = http
            .get(format!("{root}{path}"))
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], "text/html", "{path}");
        assert_eq!(r.headers()["cache-control"], "no-cache", "{path}");
        assert!(r.text().await.expect("body").contains("pelab ui"), "{path}");
    }

    let js = http
        .get(format!("{root}/assets/app-1a2b.js"))
        .send()
        .await
        .expect("answer");
    assert_eq!(js.status(), 200);
    assert_eq!(js.headers()["content-type"], "text/javascript");
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );

    // A missing asset is a 404, not the index page that a browser would run as JS.
    let missing = http
        .get(format!("{root}/assets/gone-9z.js"))
        .send()
        .await
        .expect("answer");
    assert_eq!(missing.status(), 404);

    // Paths that leave the folder are not served.
    let escape = http
        .get(format!("{root}/%2e%2e/secret.txt"))
        .send()
        .await
        .expect("answer");
    assert_eq!(escape.status(), 404);

    // API paths keep their problem documents.
    let api = http
        .get(format!("{root}/api/v1/no-such-route"))
        .send()
        .await
        .expect("answer");
    assert_eq!(api.status(), 404);
    assert_eq!(
        api.headers()["content-type"],
        "application/problem+json",
        "API 404s stay problem documents"
    );
    let post = http
        .post(format!("{root}/projects"))
        .send()
        .await
        .expect("answer");
    assert_eq!(post.status(), 404);

    server.shutdown().await;
}

#[test]
fn ui_folder_without_index_rejected() {
    let ui = tempfile::tempdir().expect("temp dir");
    let env = vec![("PELAB_WEB_DIR".to_string(), ui.path().display().to_string())];
    let err = Config::load(None, env).expect_err("an empty UI folder is rejected");
    let text = err.to_string();
    assert!(text.contains("web_dir"), "{text}");
    assert!(text.contains("index.html"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_page_html_without_build() {
    let data = tempfile::tempdir().expect("temp dir");
    let server = common::start(data.path(), None, &[]).await;
    let root = format!("http://{}", server.addr);
    let r = reqwest::get(format!("{root}/")).await.expect("answer");
    assert_eq!(r.status(), 200);
    let kind = r.headers()["content-type"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert!(kind.starts_with("text/html"), "{kind}");
    let body = r.text().await.expect("body");
    if !pelab_server::web::embedded() {
        assert!(body.contains("/api/docs/"), "{body}");
        assert!(body.contains("High voltage"), "{body}");
    }
    server.shutdown().await;
}
