//! The MQTT to WebSocket bridge `GET /api/v1/mqtt/ws?topic=FILTER`: forwarding,
//! payload encodings, filter validation, the dropped-message count of a slow
//! client, and telemetry published by a worker outside the server.

mod mqtt_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures_util::StreamExt;
use mqtt_support::{TestClient, call, create_project, queue_buck_run, start_server};
use pelab_server::Config;
use pelab_server::stream::StreamHub;
use pelab_server::worker::{WorkerContext, run_local_worker};
use rumqttc::{AsyncClient, QoS};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_bridge(running: &pelab_server::Running, filter: &str) -> Socket {
    let url = format!(
        "ws://{}/api/v1/mqtt/ws?topic={}",
        running.addr,
        encode_query(filter)
    );
    let token = mqtt_support::admin_token(running).await;
    let (socket, _) = tokio_tungstenite::connect_async(mqtt_support::ws_request(&url, &token))
        .await
        .expect("bridge WebSocket opens");
    socket
}

/// Percent-encodes the characters of a filter that a query string cannot carry.
fn encode_query(text: &str) -> String {
    text.replace('%', "%25")
        .replace('#', "%23")
        .replace('+', "%2B")
        .replace('&', "%26")
        .replace(' ', "%20")
}

/// The next JSON text frame, or `None` after `timeout` of silence.
async fn next_frame(socket: &mut Socket, timeout: Duration) -> Option<serde_json::Value> {
    loop {
        match tokio::time::timeout(timeout, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => {
                return Some(serde_json::from_str(&text).expect("JSON frame"));
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(e))) => panic!("bridge socket failed: {e}"),
            Ok(None) | Err(_) => return None,
        }
    }
}

/// Publishes `probe` messages until the bridge forwards one, so the server's
/// subscription is known to be active.
async fn wait_until_bridged(socket: &mut Socket, publisher: &AsyncClient, topic: &str) {
    for attempt in 0..100 {
        publisher
            .publish(topic, QoS::AtMostOnce, false, format!("probe {attempt}"))
            .await
            .expect("publish");
        if let Some(frame) = next_frame(socket, Duration::from_millis(200)).await {
            assert_eq!(frame["type"], "message", "{frame}");
            return;
        }
    }
    panic!("the bridge forwarded none of 100 probes on {topic}");
}

/// Reads frames until `timeout` of silence; drops the probes.
async fn drain(socket: &mut Socket, timeout: Duration) -> Vec<serde_json::Value> {
    let mut frames = Vec::new();
    while let Some(frame) = next_frame(socket, timeout).await {
        if frame["payload"]
            .as_str()
            .is_some_and(|p| p.starts_with("probe "))
        {
            continue;
        }
        frames.push(frame);
    }
    frames
}

/// Registers a bench device in the server's first organisation.
async fn bench_device(running: &pelab_server::Running) -> Uuid {
    running
        .state
        .store
        .create_bench_device(running.state.org_id, "test bench", "none", "vcan0")
        .await
        .expect("a bench device")
}

async fn check_forwarding(running: &pelab_server::Running, mqtt_port: u16) {
    let base = format!("bench/test/{}", bench_device(running).await);
    let mut socket = open_bridge(running, &format!("{base}/+")).await;
    let publisher = TestClient::connect(mqtt_port).await.spawn_driver();
    wait_until_bridged(&mut socket, &publisher, &format!("{base}/probe")).await;
    publisher
        .publish(format!("{base}/text"), QoS::AtLeastOnce, false, "zündung 1")
        .await
        .expect("publish");
    publisher
        .publish(
            format!("{base}/binary"),
            QoS::AtLeastOnce,
            false,
            vec![0xff_u8, 0x00, 0xfe],
        )
        .await
        .expect("publish");
    // Outside the filter: one level deeper.
    publisher
        .publish(format!("{base}/deep/er"), QoS::AtLeastOnce, false, "no")
        .await
        .expect("publish");
    let frames = drain(&mut socket, Duration::from_secs(2)).await;
    assert_eq!(frames.len(), 2, "{frames:?}");
    assert_eq!(frames[0]["topic"], format!("{base}/text"));
    assert_eq!(frames[0]["payload"], "zündung 1");
    assert_eq!(frames[0]["encoding"], "utf8");
    assert_eq!(frames[1]["topic"], format!("{base}/binary"));
    assert_eq!(frames[1]["payload"], "/wD+");
    assert_eq!(frames[1]["encoding"], "base64");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_forwards_embedded_broker_messages() {
    let listen = SocketAddr::from(([127, 0, 0, 1], 18831));
    let (running, _dir) = start_server(3922, "embedded", None, Some(listen)).await;
    check_forwarding(&running, 18831).await;
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_forwards_mosquitto_messages() {
    let (running, _dir) = start_server(3923, "external", Some(mqtt_support::MOSQUITTO), None).await;
    check_forwarding(&running, 1883).await;
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_rejects_bad_filters() {
    let (running, _dir) = start_server(3924, "external", Some(mqtt_support::MOSQUITTO), None).await;
    let long = format!("telemetry/{}", "a".repeat(250));
    for filter in [
        "#",
        "+/x",
        "$SYS/#",
        "other/x",
        "telemetry/#/x",
        "bench/a+",
        "",
        &long,
    ] {
        let uri = format!("/api/v1/mqtt/ws?topic={}", encode_query(filter));
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let (status, body) = call(&running, request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{filter}: {body}");
        assert_eq!(body["errors"][0]["field"], "topic", "{filter}: {body}");
    }
    // Missing parameter.
    let request = Request::get("/api/v1/mqtt/ws")
        .body(Body::empty())
        .expect("request");
    let (status, _) = call(&running, request).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // A real WebSocket handshake gets the same status.
    let url = format!("ws://{}/api/v1/mqtt/ws?topic=%23", running.addr);
    let token = mqtt_support::admin_token(&running).await;
    match tokio_tungstenite::connect_async(mqtt_support::ws_request(&url, &token)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        }
        other => panic!("expected HTTP 422, got {other:?}"),
    }
    // Filters that would reach other organisations: wildcards or foreign ids at the
    // second level are 422; a project that is not the caller's is 404.
    for filter in [
        "telemetry/+/x".to_string(),
        "telemetry/#".to_string(),
        "bench/#".to_string(),
        format!("bench/{}/#", Uuid::now_v7()),
    ] {
        let uri = format!("/api/v1/mqtt/ws?topic={}", encode_query(&filter));
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let (status, body) = call(&running, request).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{filter}: {body}");
    }
    for filter in [
        format!("telemetry/{}/%23", Uuid::now_v7()),
        format!("bench/telemetry/{}/%23", Uuid::now_v7()),
    ] {
        let uri = format!("/api/v1/mqtt/ws?topic={filter}");
        let request = Request::get(uri).body(Body::empty()).expect("request");
        let (status, _) = call(&running, request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{filter}");
    }
    // A good filter without the upgrade headers is 400.
    let device = bench_device(&running).await;
    let uri = format!("/api/v1/mqtt/ws?topic=bench/telemetry/{device}/%23");
    let request = Request::get(uri).body(Body::empty()).expect("request");
    let (status, _) = call(&running, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_bridge_client_gets_a_dropped_count() {
    let listen = SocketAddr::from(([127, 0, 0, 1], 18832));
    let (running, _dir) = start_server(3927, "embedded", None, Some(listen)).await;
    let base = format!("bench/test/{}", bench_device(&running).await);
    let mut socket = open_bridge(&running, &format!("{base}/#")).await;
    let publisher = TestClient::connect(18832).await.spawn_driver();
    wait_until_bridged(&mut socket, &publisher, &format!("{base}/probe")).await;
    // 2000 messages of 16 KiB, about 32 MiB, while the client reads nothing.
    let sent = 2000_u64;
    let payload = "x".repeat(16 * 1024);
    for k in 0..sent {
        publisher
            .publish(
                format!("{base}/flood"),
                QoS::AtMostOnce,
                false,
                payload.clone(),
            )
            .await
            .expect("publish");
        if k % 100 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let frames = drain(&mut socket, Duration::from_secs(3)).await;
    let messages = frames.iter().filter(|f| f["type"] == "message").count() as u64;
    let dropped = frames
        .iter()
        .filter(|f| f["type"] == "dropped")
        .filter_map(|f| f["count"].as_u64())
        .max()
        .expect("a dropped frame");
    eprintln!("slow client: {sent} published, {messages} forwarded, {dropped} dropped");
    assert!(dropped > 0);
    assert!(
        messages + dropped <= sent,
        "{messages} + {dropped} > {sent}"
    );
    assert!(
        messages >= 256,
        "{messages}: at least the buffer is delivered"
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_worker_telemetry_reaches_bridge() {
    // A server without workers; a worker with its own client of the server's broker
    // (as `pelab worker` with mqtt.url) runs the job.
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut config = Config {
        listen: SocketAddr::from(([127, 0, 0, 1], 3928)),
        data_dir: dir.path().to_path_buf(),
        workers: Some(0),
        seed: false,
        ..Config::default()
    };
    config.mqtt.listen = SocketAddr::from(([127, 0, 0, 1], 18833));
    let running = pelab_server::start(config).await.expect("server starts");
    let mut worker_config = Config::default();
    worker_config.mqtt.url = Some("mqtt://127.0.0.1:18833".into());
    let worker_mqtt = pelab_server::mqtt::connect_worker(&worker_config)
        .expect("worker MQTT URL")
        .expect("worker MQTT client");
    assert!(worker_mqtt.wait_connected(Duration::from_secs(10)).await);

    let project = create_project(&running).await;
    let mut socket = open_bridge(&running, &format!("telemetry/{project}/#")).await;
    // The bridge subscription is active once a message of the filter comes through.
    let publisher = TestClient::connect(18833).await.spawn_driver();
    wait_until_bridged(
        &mut socket,
        &publisher,
        &format!("telemetry/{project}/probe/x"),
    )
    .await;

    let run = queue_buck_run(&running, project).await;
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let state = &running.state;
    let ctx = WorkerContext {
        store: state.store.clone(),
        waveforms: state.waveforms.clone(),
        hub: Arc::new(StreamHub::default()),
        name: format!("remote-test:{}", std::process::id()),
        stale_after: Duration::from_secs(30),
        mqtt: Some(worker_mqtt),
        live: None,
    };
    let worker = tokio::spawn(run_local_worker(
        ctx,
        Arc::new(tokio::sync::Notify::new()),
        stop_rx,
    ));
    let mut chunks = 0;
    let mut end = None;
    while let Some(frame) = next_frame(&mut socket, Duration::from_secs(60)).await {
        let topic = frame["topic"].as_str().unwrap_or_default().to_string();
        if !topic.contains(&run.to_string()) {
            continue;
        }
        let payload: serde_json::Value =
            serde_json::from_str(frame["payload"].as_str().expect("payload")).expect("JSON");
        if topic.ends_with("/_status") {
            if payload["status"] != "running" {
                end = Some(payload);
                break;
            }
        } else {
            chunks += 1;
        }
    }
    let end = end.expect("the final status arrives");
    assert_eq!(end["status"], "done", "{end}");
    assert!(chunks > 0);
    // The server itself never streamed this run.
    assert!(running.state.hub.get(run).is_none());
    let _ = stop.send(true);
    let _ = worker.await;
    running.shutdown().await;
}
