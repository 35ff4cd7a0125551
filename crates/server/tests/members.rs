//! Organisation administration over HTTP: renaming, invitations, role changes, the
//! last-admin rule, removal (which ends the member's tokens at once), and the audit
//! log as JSON and CSV with its filters.

mod common;

use pelab_store::Role;
use serde_json::{Value, json};

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = http.request(method, url);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let response = r.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_manage_the_organisation_and_read_the_audit_log() {
    use reqwest::Method;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[]).await;
    let base = common::base(&server);
    let admin = common::admin_client(&server).await;
    let viewer = common::client_with(&common::member_token(&server, None, Role::Viewer).await);

    // The organisation: everyone reads it, only admins rename it.
    let (status, org) = send(&viewer, Method::GET, format!("{base}/org"), None).await;
    assert_eq!(
        (status, org["name"].as_str()),
        (200, Some("Default organisation"))
    );
    let (status, _) = send(
        &viewer,
        Method::PUT,
        format!("{base}/org"),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, org) = send(
        &admin,
        Method::PUT,
        format!("{base}/org"),
        Some(json!({"name": "Drives lab"})),
    )
    .await;
    assert_eq!((status, org["name"].as_str()), (200, Some("Drives lab")));
    let (status, problem) = send(
        &admin,
        Method::PUT,
        format!("{base}/org"),
        Some(json!({"name": ""})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "name");

    // Invitations: checked addresses, no duplicates of members, revocable.
    let (status, problem) = send(
        &admin,
        Method::POST,
        format!("{base}/invitations"),
        Some(json!({"email": "not-an-address", "role": "viewer"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, _) = send(
        &admin,
        Method::POST,
        format!("{base}/invitations"),
        Some(json!({"email": "admin@localhost", "role": "viewer"})),
    )
    .await;
    assert_eq!(status, 409, "a member cannot be invited again");
    let (status, problem) = send(
        &admin,
        Method::POST,
        format!("{base}/invitations"),
        Some(json!({"email": "x@example.com", "role": "boss"})),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    let (status, invitation) = send(
        &admin,
        Method::POST,
        format!("{base}/invitations"),
        Some(json!({"email": "Tech@Example.com", "role": "engineer"})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(invitation["email"], "tech@example.com");
    assert_eq!(invitation["invited_by"], "admin@localhost");
    let id = invitation["id"].as_str().expect("id").to_string();
    let (status, list) = send(&admin, Method::GET, format!("{base}/invitations"), None).await;
    assert_eq!(status, 200);
    assert!(
        list.as_array()
            .expect("list")
            .iter()
            .any(|i| i["id"] == id.as_str())
    );
    let (status, _) = send(&viewer, Method::GET, format!("{base}/invitations"), None).await;
    assert_eq!(status, 403);
    let (status, _) = send(
        &admin,
        Method::DELETE,
        format!("{base}/invitations/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    assert!(
        !server
            .state
            .store
            .has_pending_invitation("tech@example.com")
            .await
            .expect("store")
    );
    let (status, _) = send(
        &admin,
        Method::DELETE,
        format!("{base}/invitations/{}", uuid::Uuid::now_v7()),
        None,
    )
    .await;
    assert_eq!(status, 404);

    // Roles: admins change them; the last admin stays an admin.
    let engineer_token =
        common::member_token(&server, Some("eng@example.com"), Role::Engineer).await;
    let engineer = common::client_with(&engineer_token);
    let (_, members) = send(&viewer, Method::GET, format!("{base}/members"), None).await;
    let find = |email: &str| {
        members
            .as_array()
            .expect("list")
            .iter()
            .find(|m| m["email"] == email)
            .map(|m| m["id"].as_str().expect("id").to_string())
            .expect("listed")
    };
    let admin_id = find("admin@localhost");
    let engineer_id = find("eng@example.com");
    let (status, problem) = send(
        &admin,
        Method::PUT,
        format!("{base}/members/{admin_id}"),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("last admin"),
        "{problem}"
    );
    let (status, _) = send(
        &engineer,
        Method::PUT,
        format!("{base}/members/{engineer_id}"),
        Some(json!({"role": "admin"})),
    )
    .await;
    assert_eq!(status, 403, "an engineer cannot promote itself");
    let (status, member) = send(
        &admin,
        Method::PUT,
        format!("{base}/members/{engineer_id}"),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!((status, member["role"].as_str()), (200, Some("viewer")));
    let (status, _) = send(
        &engineer,
        Method::POST,
        format!("{base}/projects"),
        Some(json!({"name": "p", "domain": "DC"})),
    )
    .await;
    assert_eq!(status, 403, "the new role applies to the next request");

    // Removal ends the member's API tokens at once.
    let (status, _) = send(
        &admin,
        Method::DELETE,
        format!("{base}/members/{engineer_id}"),
        None,
    )
    .await;
    assert_eq!(status, 204);
    let (status, _) = send(&engineer, Method::GET, format!("{base}/projects"), None).await;
    assert_eq!(status, 401);
    let (status, _) = send(
        &admin,
        Method::DELETE,
        format!("{base}/members/{admin_id}"),
        None,
    )
    .await;
    assert_eq!(status, 409, "the last admin cannot be removed");

    // The audit log: filters, CSV with the same rows, and bad filters named.
    let (status, entries) = send(
        &admin,
        Method::GET,
        format!("{base}/audit?result=409"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let entries = entries.as_array().expect("list").clone();
    assert_eq!(entries.len(), 3, "{entries:?}");
    assert!(entries.iter().all(|e| {
        e["actor"]
            .as_str()
            .unwrap_or("")
            .starts_with("admin@localhost")
            && e["source"] == "127.0.0.1"
    }));
    assert!(
        entries
            .iter()
            .any(|e| e["action"] == format!("PUT /api/v1/members/{admin_id}")
                && e["target"] == admin_id.as_str())
    );
    let (_, refused) = send(
        &admin,
        Method::GET,
        format!("{base}/audit?result=403&actor=eng"),
        None,
    )
    .await;
    assert!(
        !refused.as_array().expect("list").is_empty(),
        "refused requests are logged too"
    );
    let csv = admin
        .get(format!("{base}/audit.csv?result=409"))
        .send()
        .await
        .expect("answer");
    assert_eq!(csv.status(), 200);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/csv")
    );
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .contains("attachment")
    );
    let text = csv.text().await.expect("text");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id,time,actor,action,target,source,result")
    );
    assert_eq!(lines.count(), entries.len());
    for (query, field) in [
        ("limit=0", "limit"),
        ("since=yesterday", ""),
        ("colour=red", ""),
    ] {
        let (status, problem) =
            send(&admin, Method::GET, format!("{base}/audit?{query}"), None).await;
        assert_eq!(status, 422, "{query}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{query}");
        }
    }
    let (status, _) = send(&viewer, Method::GET, format!("{base}/audit.csv"), None).await;
    assert_eq!(status, 403);
}
