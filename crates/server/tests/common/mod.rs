//! Shared helpers of the server's integration tests: a server on a free port with a
//! temporary data directory, and an interleaved-boost design.

#![allow(dead_code)]

use std::path::Path;

use pelab_server::{Config, Running};
use serde_json::{Value, json};

/// Starts a server on 127.0.0.1 with an ephemeral port, no MQTT, no demo seed.
pub async fn start(
    data_dir: &Path,
    database_url: Option<String>,
    extra: &[(&str, &str)],
) -> Running {
    let mut env: Vec<(String, String)> = vec![
        ("PELAB_LISTEN".into(), "127.0.0.1:0".into()),
        ("PELAB_DATA_DIR".into(), data_dir.display().to_string()),
        ("PELAB_MQTT_MODE".into(), "off".into()),
        ("PELAB_SEED".into(), "false".into()),
        ("PELAB_WORKERS".into(), "1".into()),
    ];
    if let Some(url) = database_url {
        env.push(("PELAB_DATABASE_URL".into(), url));
    }
    for (k, v) in extra {
        env.push(((*k).into(), (*v).into()));
    }
    let config = Config::load(None, env).expect("test configuration is valid");
    pelab_server::start(config).await.expect("server starts")
}

/// The API base URL of a running server.
pub fn base(running: &Running) -> String {
    format!("http://{}/api/v1", running.addr)
}

/// A two-phase interleaved boost (250 V to 400 V, 3.6 kW), 4 ms long.
pub fn boost_design(name: &str) -> Value {
    json!({
        "name": name,
        "topology": "interleaved_boost",
        "parameters": {
            "phases": 2, "v_in": 250.0, "l": 400e-6, "l_tolerance": [0.0, 0.10],
            "r_l": 30e-3, "c": 220e-6, "r_c": 5e-3, "r_load": 44.4, "f_sw": 65e3,
            "rectifier": "diode", "r_on": 60e-3, "v_f": 1.3, "r_d": 30e-3, "v_out0": 250.0
        },
        "controller": {"mode": "voltage", "v_ref": 400.0, "soft_start": 1e-3},
        "simulation": {"t_stop": 4e-3, "output_step": 200e-9}
    })
}

/// Polls a run until it reaches a final state (at most `secs` seconds).
pub async fn wait_final(client: &reqwest::Client, base: &str, run: &str, secs: u64) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        let r: Value = client
            .get(format!("{base}/simulate/run/{run}"))
            .send()
            .await
            .expect("the server answers")
            .json()
            .await
            .expect("the body is the expected JSON");
        let status = r["status"].as_str().unwrap_or("").to_string();
        if ["done", "failed", "cancelled"].contains(&status.as_str()) {
            return r;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "run {run} still {status} after {secs} s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Creates an API token of the first admin with every scope.
pub async fn admin_token(running: &Running) -> String {
    member_token(running, None, pelab_store::Role::Admin).await
}

/// Creates an API token of a member with `role` (a new member `ROLE@example.com` unless
/// `email` names one), with every scope the role allows.
pub async fn member_token(
    running: &Running,
    email: Option<&str>,
    role: pelab_store::Role,
) -> String {
    let store = &running.state.store;
    let user = match email {
        None if role == pelab_store::Role::Admin => store
            .active_user(running.state.user_id)
            .await
            .expect("store answers")
            .expect("the first admin exists"),
        _ => {
            let email = email.map_or_else(|| format!("{role}@example.com"), str::to_string);
            match store
                .users_by_email(&email)
                .await
                .expect("store answers")
                .into_iter()
                .next()
            {
                Some(u) => u,
                None => store
                    .create_user(running.state.org_id, &email, role)
                    .await
                    .expect("member created"),
            }
        }
    };
    let scopes = match role {
        pelab_store::Role::Admin => vec!["read", "write", "telemetry", "admin"],
        pelab_store::Role::Engineer => vec!["read", "write", "telemetry"],
        pelab_store::Role::Viewer => vec!["read"],
    };
    pelab_server::auth::issue_api_token(
        store,
        &user,
        "test",
        scopes.into_iter().map(str::to_string).collect(),
        None,
    )
    .await
    .expect("token created")
    .1
}

/// Builds an HTTP client that sends `token` with every request.
pub fn client_with(token: &str) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {token}")
            .parse()
            .expect("token is a header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client builds")
}

/// Builds an HTTP client acting as the first admin.
pub async fn admin_client(running: &Running) -> reqwest::Client {
    client_with(&admin_token(running).await)
}

/// Builds a WebSocket handshake request for `url` carrying `token`.
pub fn ws_request(
    url: &str,
    token: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = url.into_client_request().expect("a WebSocket URL");
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}")
            .parse()
            .expect("token is a header value"),
    );
    request
}

/// Messages received by [`smtp_sink`], as raw DATA text.
pub type Inbox = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Returns the sign-in token of the first message to `to` (see [`link_token_after`]).
pub async fn link_token_for(inbox: &Inbox, to: &str) -> String {
    link_token_after(inbox, to, 0).await
}

/// Starts a minimal SMTP server on 127.0.0.1 that accepts every message (RFC 5321 without
/// extensions) and keeps it. Returns its port and the inbox.
pub async fn smtp_sink() -> (u16, Inbox) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let port = listener.local_addr().expect("bound").port();
    let inbox: Inbox = Default::default();
    let kept = inbox.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let kept = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(body) = data.as_mut() {
                        if line == "." {
                            kept.lock().expect("inbox lock").push(std::mem::take(body));
                            data = None;
                            let _ = write.write_all(b"250 kept\r\n").await;
                        } else {
                            body.push_str(line.strip_prefix('.').unwrap_or(&line));
                            body.push('\n');
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 sink\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go on\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, inbox)
}

/// Waits up to 10 s for a message to `to` in the inbox, past the first `skip`
/// messages, and returns the sign-in token of its link.
pub async fn link_token_after(inbox: &Inbox, to: &str, skip: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let found = inbox
            .lock()
            .expect("inbox lock")
            .iter()
            .skip(skip)
            .find(|m| m.contains(&format!("To: {to}")))
            .cloned();
        if let Some(message) = found {
            let text = decoded_body(&message);
            let start = text.find("token=").expect("the message holds a link") + "token=".len();
            return text[start..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
                .collect();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no message to {to} within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Decodes the text body of a raw message (base64 or quoted-printable).
pub fn decoded_body(message: &str) -> String {
    use base64::Engine;
    let (head, body) = message.split_once("\n\n").unwrap_or((message, ""));
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let compact: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .expect("a base64 body");
        String::from_utf8(bytes).expect("a UTF-8 body")
    } else if head.contains("quoted-printable") {
        body.replace("=\n", "").replace("=3D", "=")
    } else {
        body.to_string()
    }
}
