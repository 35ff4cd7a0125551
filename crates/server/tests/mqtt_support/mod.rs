//! Helpers shared by the MQTT integration tests: a server on a fixed port of the
//! test range, an MQTT test client, and a simulation run to publish.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use pelab_server::{Config, Running};
use pelab_store::{Domain, NewProject};
use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, Publish, QoS};
use tower::ServiceExt;
use uuid::Uuid;

/// The shared Mosquitto of the test machine.
pub const MOSQUITTO: &str = "mqtt://127.0.0.1:1883";

/// Starts a server on `http_port` with one worker, no seed and the given MQTT
/// settings, in a fresh data directory.
pub async fn start_server(
    http_port: u16,
    mode: &str,
    url: Option<&str>,
    mqtt_listen: Option<SocketAddr>,
) -> (Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], http_port)),
        data_dir: dir.path().to_path_buf(),
        workers: Some(1),
        seed: false,
        ..Config::default()
    };
    config.mqtt.mode = mode.to_string();
    config.mqtt.url = url.map(str::to_string);
    if let Some(listen) = mqtt_listen {
        config.mqtt.listen = listen;
    }
    let running = pelab_server::start(config).await.expect("server starts");
    (running, dir)
}

/// Sends a request to the server's application without the network.
pub async fn call(
    running: &Running,
    mut request: Request<Body>,
) -> (StatusCode, serde_json::Value) {
    let token = admin_token(running).await;
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {token}")
            .parse()
            .expect("token is a header value"),
    );
    let app = pelab_server::app::build(running.state.clone());
    let response = app.oneshot(request).await.expect("response");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let json = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
    (status, json)
}

/// `GET /ready`'s `mqtt` field.
pub async fn ready_mqtt(running: &Running) -> String {
    let request = Request::get("/ready").body(Body::empty()).expect("request");
    let (_, body) = call(running, request).await;
    body["mqtt"].as_str().unwrap_or_default().to_string()
}

/// Creates a project with a fresh id.
pub async fn create_project(running: &Running) -> Uuid {
    let state = &running.state;
    state
        .store
        .create_project(
            state.org_id,
            &NewProject {
                name: "MQTT telemetry test".into(),
                domain: Domain::Dc,
                notes: String::new(),
            },
        )
        .await
        .expect("project")
        .id
}

/// Queues the 48 V to 12 V buck example for 0.3 ms and returns the run id.
pub async fn queue_buck_run(running: &Running, project: Uuid) -> Uuid {
    let table: toml::Table =
        toml::from_str(include_str!("../../../../examples/dc-48v-12v-buck.toml"))
            .expect("example parses");
    let body = serde_json::json!({
        "project_id": project,
        "topology": table["kernel"].as_str().expect("kernel"),
        "parameters": table["parameters"],
        "controller": table["control"],
        "simulation": table["simulation"],
        "timespan": 3e-4,
        "stream_points": 500,
    });
    let request = Request::post("/api/v1/simulate/run")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    let (status, answer) = call(running, request).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    answer["run_id"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .expect("run id")
}

/// An MQTT test client with its event loop.
pub struct TestClient {
    pub client: AsyncClient,
    pub eventloop: EventLoop,
}

impl TestClient {
    /// Connects to `host:port` and waits for the CONNACK.
    pub async fn connect(port: u16) -> TestClient {
        let id = format!("pelab-test-{}", Uuid::now_v7().simple());
        let mut options = MqttOptions::new(id, "127.0.0.1", port);
        options.set_max_packet_size(2 << 20, 2 << 20);
        let (client, mut eventloop) = AsyncClient::new(options, 64);
        loop {
            match tokio::time::timeout(Duration::from_secs(10), eventloop.poll()).await {
                Ok(Ok(Event::Incoming(Packet::ConnAck(_)))) => break,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("test client cannot connect to port {port}: {e}"),
                Err(_) => panic!("test client timed out connecting to port {port}"),
            }
        }
        TestClient { client, eventloop }
    }

    /// Subscribes and waits for the SUBACK.
    pub async fn subscribe(&mut self, filter: &str) {
        self.client
            .subscribe(filter, QoS::AtLeastOnce)
            .await
            .expect("subscribe request");
        loop {
            if let Packet::SubAck(_) = self.next_packet(Duration::from_secs(10)).await {
                return;
            }
        }
    }

    async fn next_packet(&mut self, timeout: Duration) -> Packet {
        loop {
            match tokio::time::timeout(timeout, self.eventloop.poll()).await {
                Ok(Ok(Event::Incoming(packet))) => return packet,
                Ok(Ok(Event::Outgoing(_))) => {}
                Ok(Err(e)) => panic!("test client connection failed: {e}"),
                Err(_) => panic!("no MQTT packet within {timeout:?}"),
            }
        }
    }

    /// The next PUBLISH received, or `None` after `timeout` of silence.
    pub async fn next_publish(&mut self, timeout: Duration) -> Option<Publish> {
        loop {
            match tokio::time::timeout(timeout, self.eventloop.poll()).await {
                Ok(Ok(Event::Incoming(Packet::Publish(p)))) => return Some(p),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => panic!("test client connection failed: {e}"),
                Err(_) => return None,
            }
        }
    }

    /// Keeps the connection alive while other tasks publish through `client`.
    pub fn spawn_driver(mut self) -> AsyncClient {
        let client = self.client.clone();
        tokio::spawn(async move { while self.eventloop.poll().await.is_ok() {} });
        client
    }
}

/// An API token of the first admin with every scope.
pub async fn admin_token(running: &Running) -> String {
    let store = &running.state.store;
    let user = store
        .active_user(running.state.user_id)
        .await
        .expect("store answers")
        .expect("the first admin exists");
    let scopes = ["read", "write", "telemetry", "admin"]
        .map(str::to_string)
        .to_vec();
    pelab_server::auth::issue_api_token(store, &user, "test", scopes, None)
        .await
        .expect("token created")
        .1
}

/// A WebSocket handshake request for `url` carrying `token`.
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
