//! Run telemetry over MQTT: a run's chunks arrive on
//! `telemetry/{project}/{run}/{signal}` with the bucket counts of the run's stream,
//! and `_status` ends with the final status, on the embedded broker and on the
//! machine's Mosquitto.

mod mqtt_support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::Duration;

use mqtt_support::{TestClient, create_project, queue_buck_run, ready_mqtt, start_server};
use pelab_server::Running;
use pelab_server::mqtt::topics::{signal_topic, status_topic};
use rumqttc::QoS;
use uuid::Uuid;

/// Per signal topic: the sequence numbers and the bucket count received.
#[derive(Default, Debug)]
struct Received {
    seqs: BTreeSet<u64>,
    buckets: usize,
}

/// Runs the buck example and checks what `client` (subscribed to the project)
/// receives against the run's stream in the server.
async fn check_run_telemetry(running: &Running, client: &mut TestClient, project: Uuid) -> Uuid {
    let run = queue_buck_run(running, project).await;
    let status_topic = status_topic(project, run);
    let mut by_topic: BTreeMap<String, Received> = BTreeMap::new();
    let mut statuses = Vec::new();
    let mut last_status = serde_json::Value::Null;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    while tokio::time::Instant::now() < deadline {
        let Some(publish) = client.next_publish(Duration::from_secs(30)).await else {
            break;
        };
        let payload: serde_json::Value =
            serde_json::from_slice(&publish.payload).expect("JSON payload");
        if publish.topic == status_topic {
            let status = payload["status"].as_str().unwrap_or_default().to_string();
            statuses.push(status.clone());
            if payload["signals"].as_array().is_some_and(|s| !s.is_empty()) {
                last_status = payload.clone();
            }
            if status != "running" {
                last_status["end"] = payload;
                break;
            }
            continue;
        }
        let entry = by_topic.entry(publish.topic.clone()).or_default();
        let seq = payload["seq"].as_u64().expect("seq");
        assert!(
            entry.seqs.insert(seq),
            "chunk {seq} of {} arrived twice",
            publish.topic
        );
        let t = payload["t"].as_array().expect("t").len();
        assert_eq!(
            payload["min"].as_array().map(Vec::len),
            Some(t),
            "{}",
            publish.topic
        );
        assert_eq!(
            payload["max"].as_array().map(Vec::len),
            Some(t),
            "{}",
            publish.topic
        );
        assert_eq!(
            publish.topic,
            signal_topic(project, run, payload["signal"].as_str().expect("signal")),
        );
        entry.buckets += t;
    }
    assert_eq!(statuses.first().map(String::as_str), Some("running"));
    assert_eq!(
        statuses.last().map(String::as_str),
        Some("done"),
        "{statuses:?}"
    );
    let end = &last_status["end"];
    // The run's own stream is the reference for counts.
    let stream = running
        .state
        .hub
        .get(run)
        .expect("the run's stream is kept");
    let read = stream.read_from(0, usize::MAX);
    let chunks = read.chunks.len();
    let buckets: usize = read.chunks.iter().map(|c| c.t.len()).sum();
    eprintln!(
        "run {run}: {chunks} chunks, {buckets} buckets, {} signals",
        read.signals.len()
    );
    assert!(chunks > 0);
    assert!(buckets > 0);
    assert_eq!(end["chunks"].as_u64(), Some(chunks as u64));
    assert_eq!(end["buckets"].as_u64(), Some(buckets as u64));
    let listed = last_status["signals"].as_array().expect("signals listed");
    assert_eq!(listed.len(), read.signals.len());
    assert_eq!(by_topic.len(), read.signals.len(), "{:?}", by_topic.keys());
    for (signal, listed) in read.signals.iter().zip(listed) {
        let topic = signal_topic(project, run, &signal.name);
        assert_eq!(listed["topic"].as_str(), Some(topic.as_str()));
        let received = by_topic.get(&topic).expect("messages of every signal");
        assert_eq!(received.buckets, buckets, "{topic}");
        let expected: BTreeSet<u64> = (0..chunks as u64).collect();
        assert_eq!(received.seqs, expected, "{topic}");
    }
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_broker_carries_run_telemetry() {
    let listen = SocketAddr::from(([127, 0, 0, 1], 18830));
    let (running, _dir) = start_server(3920, "embedded", None, Some(listen)).await;
    let mqtt = running.state.mqtt.clone().expect("MQTT is on");
    assert!(mqtt.wait_connected(Duration::from_secs(10)).await);
    assert_eq!(
        ready_mqtt(&running).await,
        "embedded 127.0.0.1:18830, connected"
    );
    let project = create_project(&running).await;
    let mut client = TestClient::connect(18830).await;
    client.subscribe(&format!("telemetry/{project}/#")).await;
    check_run_telemetry(&running, &mut client, project).await;
    assert_eq!(mqtt.dropped_publishes(), 0);
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mosquitto_carries_run_telemetry() {
    let (running, _dir) = start_server(3921, "external", Some(mqtt_support::MOSQUITTO), None).await;
    let mqtt = running.state.mqtt.clone().expect("MQTT is on");
    assert!(mqtt.wait_connected(Duration::from_secs(10)).await);
    assert_eq!(
        ready_mqtt(&running).await,
        "external mqtt://127.0.0.1:1883, connected"
    );
    let project = create_project(&running).await;
    let mut client = TestClient::connect(1883).await;
    client.subscribe(&format!("telemetry/{project}/#")).await;
    let run = check_run_telemetry(&running, &mut client, project).await;
    // The retained status outlives the test on the shared broker: clear it.
    client
        .client
        .publish(
            status_topic(project, run),
            QoS::AtLeastOnce,
            true,
            Vec::new(),
        )
        .await
        .expect("clear request");
    let _ = client.next_publish(Duration::from_millis(500)).await;
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_port_falls_back_to_mosquitto() {
    // Mosquitto listens on 1883, the default of mqtt.listen.
    let listen = SocketAddr::from(([127, 0, 0, 1], 1883));
    let (running, _dir) = start_server(3925, "embedded", None, Some(listen)).await;
    let mqtt = running.state.mqtt.clone().expect("MQTT stays on");
    assert!(mqtt.wait_connected(Duration::from_secs(10)).await);
    assert_eq!(
        ready_mqtt(&running).await,
        "external mqtt://127.0.0.1:1883 (embedded port taken), connected"
    );
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taken_port_without_mqtt_reports_disconnected() {
    // A listener that accepts connections and never replies.
    let holder = std::net::TcpListener::bind("127.0.0.1:18839").expect("port 18839 is free");
    let listen = SocketAddr::from(([127, 0, 0, 1], 18839));
    let (running, _dir) = start_server(3926, "embedded", None, Some(listen)).await;
    let ready = ready_mqtt(&running).await;
    assert!(
        ready.starts_with("external mqtt://127.0.0.1:18839 (embedded port taken), disconnected"),
        "{ready}"
    );
    assert!(!running.state.mqtt.as_ref().expect("handle").is_connected());
    running.shutdown().await;
    drop(holder);
}
