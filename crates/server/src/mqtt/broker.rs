//! The embedded rumqttd broker: plain TCP (MQTT 3.1.1), no TLS, no authentication,
//! no console or metrics listeners, listening only on `mqtt.listen`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

/// How long a start waits for the broker to accept connections.
pub(super) const STARTUP_WAIT: Duration = Duration::from_secs(3);

/// Largest MQTT payload the embedded broker accepts [bytes]. A telemetry chunk of
/// one signal (256 buckets of t, min and max) is an estimated 15 to 20 KB as JSON.
pub const MAX_PAYLOAD: usize = 1 << 20;

/// Outcome of starting the embedded broker.
pub(super) enum Embedded {
    /// Running; the address is where a local client connects.
    Started(SocketAddr),
    /// Another process listens on the port; the address is where a client reaches it.
    PortTaken(SocketAddr),
}

/// The address a local client dials to reach `listen` (a wildcard address becomes
/// loopback).
fn dial_address(listen: SocketAddr) -> SocketAddr {
    match listen.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), listen.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), listen.port())
        }
        _ => listen,
    }
}

fn broker_config(listen: SocketAddr) -> rumqttd::Config {
    let connections = rumqttd::ConnectionSettings {
        connection_timeout_ms: 60_000,
        max_payload_size: MAX_PAYLOAD,
        max_inflight_count: 100,
        auth: None,
        external_auth: None,
        dynamic_filters: true,
    };
    let server = rumqttd::ServerSettings {
        name: "pelab-mqtt-v4".into(),
        listen,
        tls: None,
        next_connection_delay_ms: 1,
        connections,
    };
    rumqttd::Config {
        id: 0,
        router: rumqttd::RouterConfig {
            max_connections: 10_000,
            max_outgoing_packet_count: 200,
            // rumqttd keeps a commit log per subscribed filter; 4 segments of 1 MiB
            // bound each filter's memory to 4 MiB.
            max_segment_size: MAX_PAYLOAD,
            max_segment_count: 4,
            ..Default::default()
        },
        v4: Some(HashMap::from([("1".to_string(), server)])),
        ..Default::default()
    }
}

/// Sends an MQTT 3.1.1 CONNECT to `addr` and returns whether a CONNACK comes back,
/// then closes the connection. rumqttd 0.20 logs an error for a bare TCP probe (no
/// CONNECT) and for a DISCONNECT followed by the close, but not for this.
async fn answers_mqtt(addr: SocketAddr) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let handshake = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        let client_id = format!("pelab-probe-{}", uuid::Uuid::now_v7().simple());
        let id_len = u8::try_from(client_id.len()).unwrap_or(u8::MAX);
        // Variable header: protocol name "MQTT", level 4, clean session, keep-alive
        // 10 s; payload: the client id.
        let mut packet = vec![
            0x10,
            12 + id_len,
            0,
            4,
            b'M',
            b'Q',
            b'T',
            b'T',
            4,
            0x02,
            0,
            10,
        ];
        packet.extend_from_slice(&[0, id_len]);
        packet.extend_from_slice(client_id.as_bytes());
        stream.write_all(&packet).await?;
        let mut connack = [0_u8; 4];
        stream.read_exact(&mut connack).await?;
        Ok::<bool, std::io::Error>(connack[0] == 0x20 && connack[3] == 0)
    };
    matches!(
        tokio::time::timeout(Duration::from_secs(1), handshake).await,
        Ok(Ok(true))
    )
}

/// Starts rumqttd on `listen` unless another process listens on the port.
///
/// rumqttd binds its listener on its own thread and only logs a bind failure, so
/// the port is probed here first.
///
/// NOTE: a process that takes the port between the probe and rumqttd's bind goes
/// unnoticed when it speaks MQTT (the server then uses it while `/ready` says
/// `embedded`). Otherwise the MQTT check that follows logs an error.
///
/// # Errors
/// `mqtt.listen` cannot be bound for another reason than being in use (for example
/// an address this host does not have), or the broker thread cannot start.
pub(super) async fn start_embedded(listen: SocketAddr) -> Result<Embedded, String> {
    let dial = dial_address(listen);
    match std::net::TcpListener::bind(listen) {
        Ok(probe) => drop(probe),
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            return Ok(Embedded::PortTaken(dial));
        }
        Err(e) => return Err(format!("mqtt.listen {listen}: cannot listen: {e}")),
    }
    let mut broker = rumqttd::Broker::new(broker_config(listen));
    std::thread::Builder::new()
        .name("mqtt-broker".into())
        .spawn(move || {
            if let Err(e) = broker.start() {
                tracing::error!(error = %e, "the embedded MQTT broker stopped");
            }
        })
        .map_err(|e| format!("mqtt.listen {listen}: cannot start the broker thread: {e}"))?;
    let deadline = Instant::now() + STARTUP_WAIT;
    while !answers_mqtt(dial).await {
        if Instant::now() > deadline {
            tracing::error!(%listen, "the embedded MQTT broker does not accept connections");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(Embedded::Started(dial))
}
