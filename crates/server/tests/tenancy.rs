//! Every route of `spec/openapi.json` × every role × a foreign organisation.
//!
//! Organisation A owns a project, design, run (with telemetry), sweep, component,
//! member, invitation and API token. The admin, engineer and viewer of organisation B
//! then call every route with A's ids, and again with ids that exist nowhere. The
//! tests assert that:
//! - no call with A's ids succeeds, and its status equals the one with random ids,
//!   so B cannot tell whether an id exists elsewhere (no 403 versus 404 leak);
//! - list routes show B none of A's ids;
//! - a role the policy refuses gets 403 before anything is looked up;
//! - A's rows are unchanged afterwards;
//! - every route in the document has a policy class.

mod common;

use std::collections::BTreeMap;

use pelab_server::Running;
use pelab_server::auth::policy::{Access, classify};
use pelab_store::Role;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// Ids of one organisation's rows.
#[derive(Debug, Clone)]
struct Ids {
    project: String,
    design: String,
    run: String,
    sweep: String,
    component: String,
    member: String,
    invitation: String,
    token: String,
}

impl Ids {
    fn random() -> Ids {
        let r = || Uuid::now_v7().to_string();
        Ids {
            project: r(),
            design: r(),
            run: r(),
            sweep: r(),
            component: r(),
            member: r(),
            invitation: r(),
            token: r(),
        }
    }

    fn all(&self) -> [&str; 8] {
        [
            &self.project,
            &self.design,
            &self.run,
            &self.sweep,
            &self.component,
            &self.member,
            &self.invitation,
            &self.token,
        ]
    }
}

/// Fills a route template with `ids`. Returns the path and whether it names one of
/// the tenant's rows (kernel and part names do not).
fn fill(template: &str, ids: &Ids) -> (String, bool) {
    let path = template.to_string();
    let prefix = |p: &str| template.starts_with(&format!("/api/v1/{p}/"));
    let id = if prefix("projects") {
        Some(&ids.project)
    } else if prefix("designs") {
        Some(&ids.design)
    } else if prefix("runs") || prefix("simulate/run") || prefix("simulate/stream") {
        Some(&ids.run)
    } else if prefix("simulate/sweep") {
        Some(&ids.sweep)
    } else if prefix("components") {
        Some(&ids.component)
    } else if prefix("members") {
        Some(&ids.member)
    } else if prefix("invitations") {
        Some(&ids.invitation)
    } else if prefix("tokens") {
        Some(&ids.token)
    } else {
        None
    };
    // Routes whose rows are named in the query rather than the path.
    if template == "/api/v1/mqtt/ws" {
        return (
            format!("{template}?topic=telemetry/{}/%23", ids.project),
            true,
        );
    }
    let query = if template.ends_with("/telemetry") {
        "?signal=v_out&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z"
    } else {
        ""
    };
    match id {
        Some(id) if template.contains("{id}") => {
            (format!("{}{query}", path.replace("{id}", id)), true)
        }
        _ => {
            let filled = path.replace(
                "{name}",
                if template.contains("kernels") {
                    "buck"
                } else {
                    "cree_c3m0016120k"
                },
            );
            assert!(
                !filled.contains('{'),
                "tenancy.rs does not know how to fill {template}: add it"
            );
            (filled, false)
        }
    }
}

fn design_body(project: &str) -> Value {
    let mut d = common::boost_design("tenancy");
    d.as_object_mut().expect("an object").remove("name");
    d["project_id"] = json!(project);
    d["simulation"]["t_stop"] = json!(0.5e-3);
    d
}

/// Builds a valid body for a route, naming `ids` where the body refers to rows.
fn body(method: &Method, template: &str, ids: &Ids) -> Option<Value> {
    let t = template.trim_start_matches("/api/v1");
    let v = match (method.as_str(), t) {
        ("POST", "/projects") => json!({"name": "b", "domain": "DC"}),
        ("PATCH", "/projects/{id}") => json!({"version": 1, "name": "renamed"}),
        ("POST", "/projects/{id}/designs") => common::boost_design("d"),
        ("PUT", "/designs/{id}") => json!({"version": 1, "design": common::boost_design("d2")}),
        ("POST", "/simulate/run") => design_body(&ids.project),
        ("POST", "/simulate/run/{id}/cancel") => return None,
        ("POST", "/simulate/sweep") => json!({
            "base": design_body(&ids.project), "parameter": "parameters.l", "values": [400e-6]
        }),
        ("POST", "/runs/{id}/telemetry") => json!({"samples": [
            {"time": "2026-01-01T00:00:00Z", "signal": "v_out", "value": 1.0}
        ]}),
        ("POST", "/components") => {
            json!({"kind": "mosfet", "vendor": "v", "pn": format!("B-{}", Uuid::now_v7()), "params": {}})
        }
        ("PUT", "/components/{id}") => json!({"version": 1, "component":
            {"kind": "mosfet", "vendor": "v", "pn": "changed", "params": {}}}),
        ("PUT", "/members/{id}") => json!({"role": "admin"}),
        ("POST", "/invitations") => {
            json!({"email": format!("{}@example.com", Uuid::now_v7()), "role": "viewer"})
        }
        ("POST", "/tokens") => json!({"name": "t", "scopes": ["read"]}),
        ("PUT", "/org") => json!({"name": "renamed"}),
        ("POST", p) if p.starts_with("/calc/") => json!({}),
        _ => return None,
    };
    Some(v)
}

async fn call(
    http: &reqwest::Client,
    base: &str,
    method: &Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, String) {
    let mut r = http.request(method.clone(), format!("{base}{path}"));
    if let Some(b) = body {
        r = r.json(b);
    }
    let response = r.send().await.expect("the server answers");
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, text)
}

fn spec_routes() -> Vec<(Method, String)> {
    let spec: Value = serde_json::from_str(include_str!("../../../spec/openapi.json"))
        .expect("the committed document parses");
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for m in ["get", "post", "put", "patch", "delete"] {
            if item.get(m).is_some() {
                routes.push((
                    Method::from_bytes(m.to_uppercase().as_bytes()).expect("method"),
                    path.clone(),
                ));
            }
        }
    }
    routes
}

async fn json_of(http: &reqwest::Client, method: Method, url: String, body: Value) -> Value {
    let r = http
        .request(method, url.clone())
        .json(&body)
        .send()
        .await
        .expect("answer");
    let status = r.status();
    let value: Value = r.json().await.expect("JSON");
    assert!(status.is_success(), "{url}: {status} {value}");
    value
}

/// Organisation A's rows, made through the API by its admin.
async fn populate(server: &Running, admin: &reqwest::Client) -> Ids {
    let base = common::base(server);
    let project = json_of(
        admin,
        Method::POST,
        format!("{base}/projects"),
        json!({"name": "A", "domain": "DC"}),
    )
    .await;
    let project = project["id"].as_str().expect("id").to_string();
    let design = json_of(
        admin,
        Method::POST,
        format!("{base}/projects/{project}/designs"),
        common::boost_design("A design"),
    )
    .await;
    let run = json_of(
        admin,
        Method::POST,
        format!("{base}/simulate/run"),
        design_body(&project),
    )
    .await;
    let run = run["run_id"]
        .as_str()
        .or(run["id"].as_str())
        .expect("run id")
        .to_string();
    common::wait_final(admin, &base, &run, 120).await;
    json_of(
        admin,
        Method::POST,
        format!("{base}/runs/{run}/telemetry"),
        json!({"samples": [
        {"time": "2026-01-01T00:00:00Z", "signal": "v_out", "value": 400.0}]}),
    )
    .await;
    let sweep = json_of(
        admin,
        Method::POST,
        format!("{base}/simulate/sweep"),
        json!({
        "base": design_body(&project), "parameter": "parameters.l", "values": [400e-6]}),
    )
    .await;
    let component = json_of(
        admin,
        Method::POST,
        format!("{base}/components"),
        json!({"kind": "mosfet", "vendor": "A", "pn": "A-1", "params": {}}),
    )
    .await;
    let invitation = json_of(
        admin,
        Method::POST,
        format!("{base}/invitations"),
        json!({"email": "invitee@a.example", "role": "engineer"}),
    )
    .await;
    let member = server
        .state
        .store
        .create_user(server.state.org_id, "viewer@a.example", Role::Viewer)
        .await
        .expect("member");
    let owner = server
        .state
        .store
        .active_user(server.state.user_id)
        .await
        .expect("store")
        .expect("admin");
    let (token, _) = pelab_server::auth::issue_api_token(
        &server.state.store,
        &owner,
        "A token",
        vec!["read".into()],
        None,
    )
    .await
    .expect("token");
    Ids {
        project,
        design: design["id"].as_str().expect("id").to_string(),
        run,
        sweep: sweep["id"]
            .as_str()
            .or(sweep["sweep_id"].as_str())
            .expect("sweep id")
            .to_string(),
        component: component["id"].as_str().expect("id").to_string(),
        member: member.id.to_string(),
        invitation: invitation["id"].as_str().expect("id").to_string(),
        token: token.id.to_string(),
    }
}

/// Tokens of organisation B's three roles.
async fn foreign_org(server: &Running) -> Vec<(Role, reqwest::Client)> {
    let store = &server.state.store;
    let org = store.create_org("B").await.expect("org");
    let mut out = Vec::new();
    for (role, scopes) in [
        (Role::Admin, vec!["read", "write", "telemetry", "admin"]),
        (Role::Engineer, vec!["read", "write", "telemetry"]),
        (Role::Viewer, vec!["read"]),
    ] {
        let user = store
            .create_user(org.id, &format!("{role}@b.example"), role)
            .await
            .expect("member");
        let (_, secret) = pelab_server::auth::issue_api_token(
            store,
            &user,
            "b",
            scopes.into_iter().map(str::to_string).collect(),
            None,
        )
        .await
        .expect("token");
        out.push((role, common::client_with(&secret)));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_route_crosses_organisations_and_roles_hold() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let server = common::start(dir.path(), None, &[("PELAB_WORKERS", "2")]).await;
    let base_root = format!("http://{}", server.addr);
    let admin_a = common::admin_client(&server).await;
    let a = populate(&server, &admin_a).await;
    // Let the sweep finish so its runs do not change state during the checks.
    let sweep_deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let s: Value = admin_a
            .get(format!("{base_root}/api/v1/simulate/sweep/{}", a.sweep))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("JSON");
        if s.to_string().matches("\"done\"").count() >= 1
            || std::time::Instant::now() > sweep_deadline
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let b = foreign_org(&server).await;
    let routes = spec_routes();
    assert!(routes.len() >= 60, "{} routes", routes.len());

    let mut failures = Vec::new();
    let mut table: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for (method, template) in &routes {
        let access = classify(method, template)
            .unwrap_or_else(|| panic!("{method} {template} has no policy class"));
        if access == Access::Public {
            continue;
        }
        let (path_a, tenant_path) = fill(template, &a);
        let random = Ids::random();
        let (path_r, _) = fill(template, &random);
        let body_a = body(method, template, &a);
        let body_r = body(method, template, &random);
        let names_rows = tenant_path
            || body_a
                .as_ref()
                .is_some_and(|v| a.all().iter().any(|id| v.to_string().contains(id)));
        for (role, http) in &b {
            let (status_a, text_a) = call(http, &base_root, method, &path_a, body_a.as_ref()).await;
            let (status_r, _) = call(http, &base_root, method, &path_r, body_r.as_ref()).await;
            table
                .entry(format!("{method} {template}"))
                .or_default()
                .push(status_a);
            let label = format!("{method} {template} as B {role}");
            if !access.allows_role(*role) && status_a != 403 {
                failures.push(format!("{label}: {status_a}, expected 403 (role)"));
            }
            if names_rows {
                if (200..300).contains(&status_a) {
                    failures.push(format!("{label}: {status_a} on A's row: {text_a}"));
                }
                if status_a != status_r {
                    failures.push(format!(
                        "{label}: {status_a} for A's ids but {status_r} for random ids (existence leak)"
                    ));
                }
            }
            // A response may repeat the ids B sent ("project … not found"); any other
            // id of A's is a leak. B's audit log records B's own attempts, A's ids in
            // the paths included.
            let own_log = template.starts_with("/api/v1/audit");
            let sent = format!(
                "{path_a} {}",
                body_a.as_ref().map(Value::to_string).unwrap_or_default()
            );
            if let Some(id) = a
                .all()
                .iter()
                .find(|id| !own_log && !sent.contains(**id) && text_a.contains(**id))
            {
                failures.push(format!("{label}: the answer holds A's id {id}"));
            }
        }
    }

    // WebSocket streams: a foreign run and a random id give the same refusal.
    let b_token = {
        let store = &server.state.store;
        let user = store
            .users_by_email("engineer@b.example")
            .await
            .expect("store")
            .into_iter()
            .next()
            .expect("B engineer");
        pelab_server::auth::issue_api_token(store, &user, "ws", vec!["read".into()], None)
            .await
            .expect("token")
            .1
    };
    let mut ws_status = Vec::new();
    for run in [&a.run, &Uuid::now_v7().to_string()] {
        let url = format!("ws://{}/api/v1/simulate/stream/{run}", server.addr);
        match tokio_tungstenite::connect_async(common::ws_request(&url, &b_token)).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(r)) => {
                ws_status.push(r.status().as_u16())
            }
            Ok(_) => failures.push(format!("B opened the stream of run {run}")),
            Err(e) => failures.push(format!("stream of {run}: {e}")),
        }
    }
    if ws_status.len() == 2 && (ws_status[0] != 404 || ws_status[1] != 404) {
        failures.push(format!(
            "WebSocket statuses {ws_status:?}, expected 404 twice"
        ));
    }

    // A's own viewer and engineer: rejected exactly where the policy requires.
    let viewer_a = common::client_with(
        &common::member_token(&server, Some("viewer@a.example"), Role::Viewer).await,
    );
    let engineer_a = common::client_with(
        &common::member_token(&server, Some("engineer@a.example"), Role::Engineer).await,
    );
    for (method, template) in &routes {
        let access = classify(method, template).expect("classed");
        if access == Access::Public {
            continue;
        }
        for (role, http) in [(Role::Viewer, &viewer_a), (Role::Engineer, &engineer_a)] {
            let (path, _) = fill(template, &a);
            let b = body(method, template, &a);
            if access.allows_role(role) {
                // API tokens cannot manage tokens; auth.rs tests those with sessions.
                if *method == Method::GET && access != Access::SessionOnly {
                    let (status, _) = call(http, &base_root, method, &path, None).await;
                    if status == 401 || status == 403 {
                        failures.push(format!(
                            "{method} {template} as A {role}: {status}, expected access"
                        ));
                    }
                }
            } else {
                let (status, _) = call(http, &base_root, method, &path, b.as_ref()).await;
                if status != 403 {
                    failures.push(format!(
                        "{method} {template} as A {role}: {status}, expected 403"
                    ));
                }
            }
        }
    }

    // A's rows are as they were.
    let base = common::base(&server);
    for (path, field, expected) in [
        (format!("/projects/{}", a.project), "name", json!("A")),
        (format!("/designs/{}", a.design), "name", json!("A design")),
        (format!("/components/{}", a.component), "pn", json!("A-1")),
        ("/org".to_string(), "name", json!("Default organisation")),
    ] {
        let v: Value = admin_a
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("JSON");
        if v[field] != expected {
            failures.push(format!("A's {path} changed: {field} = {}", v[field]));
        }
    }
    let members: Value = admin_a
        .get(format!("{base}/members"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    let viewer = members
        .as_array()
        .expect("list")
        .iter()
        .find(|m| m["id"] == a.member.as_str())
        .cloned();
    if viewer.as_ref().map(|v| v["role"].clone()) != Some(json!("viewer")) {
        failures.push(format!("A's viewer changed: {viewer:?}"));
    }
    let invitations: Value = admin_a
        .get(format!("{base}/invitations"))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    if !invitations
        .as_array()
        .expect("list")
        .iter()
        .any(|i| i["id"] == a.invitation.as_str() && i["revoked_at"].is_null())
    {
        failures.push("A's invitation was revoked".into());
    }
    let run: Value = admin_a
        .get(format!("{base}/simulate/run/{}", a.run))
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("JSON");
    if run["status"] != "done" {
        failures.push(format!("A's run is {}", run["status"]));
    }
    let tokens = server
        .state
        .store
        .list_api_tokens(server.state.org_id, server.state.user_id)
        .await
        .expect("store");
    if tokens
        .iter()
        .any(|t| t.id.to_string() == a.token && t.revoked_at.is_some())
    {
        failures.push("A's API token was revoked".into());
    }

    if std::env::var_os("PELAB_PRINT_MATRIX").is_some() {
        println!("{table:#?}");
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}\n\nstatuses per route (B admin, engineer, viewer):\n{:#?}",
        failures.len(),
        failures.join("\n"),
        table
    );
}
