//! The rumqttc connection shared by telemetry publishing and the WebSocket bridge.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rumqttc::{AsyncClient, Event, EventLoop, MqttOptions, Packet, Publish, QoS};
use tokio::sync::{mpsc, watch};

use super::broker::MAX_PAYLOAD;

/// Requests (publishes, subscribes) the client buffers while the broker is slow or
/// unreachable; publishes beyond this are dropped and counted.
const REQUEST_CAPACITY: usize = 4096;

/// Messages buffered per bridge client before new ones are dropped and counted.
pub const BRIDGE_BUFFER: usize = 256;

/// Bridge clients served at once.
pub const MAX_BRIDGE_CLIENTS: usize = 256;

/// How long a `_status` publish waits for room in the request buffer.
const STATUS_TIMEOUT: Duration = Duration::from_secs(5);

/// A message received for a bridge subscription.
pub type BridgeMessage = Arc<Publish>;

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<BridgeMessage>,
    dropped: Arc<AtomicU64>,
}

struct Inner {
    client: AsyncClient,
    /// `None` while connected, otherwise the last connection error.
    link: watch::Sender<Option<String>>,
    /// Bridge subscribers by filter.
    subscriptions: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    /// Telemetry publishes dropped because the request buffer was full.
    dropped_publishes: AtomicU64,
}

impl Inner {
    fn subscriptions(&self) -> MutexGuard<'_, HashMap<String, Vec<Subscriber>>> {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// A connected (or reconnecting) MQTT client.
#[derive(Clone)]
pub struct MqttHandle {
    /// The broker in use and how it was chosen, e.g. `embedded 127.0.0.1:1883` or
    /// `external mqtt://10.0.0.5:1883`.
    pub broker: String,
    inner: Arc<Inner>,
}

/// Splits `mqtt://HOST:PORT` or `tcp://HOST:PORT` (port 1883 when omitted).
fn parse_url(url: &str) -> Result<(String, u16), String> {
    let rest = url
        .strip_prefix("mqtt://")
        .or_else(|| url.strip_prefix("tcp://"))
        .ok_or_else(|| {
            format!(
                "mqtt.url: \"{}\" is not accepted (accepted: mqtt://HOST:PORT or \
                 tcp://HOST:PORT; TLS and WebSocket transports are not supported)",
                crate::extract::truncate(url, 100)
            )
        })?;
    let rest = rest.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        // An IPv6 literal without a port ends in `]`.
        Some((host, port)) if !port.ends_with(']') => {
            let port = port.parse::<u16>().map_err(|_| {
                format!("mqtt.url: port \"{port}\" is not a number from 1 to 65535")
            })?;
            (host, port)
        }
        _ => (rest, 1883),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.contains(['/', '?', '@']) || port == 0 {
        return Err(format!(
            "mqtt.url: \"{}\" has no usable host and port (example: mqtt://127.0.0.1:1883)",
            crate::extract::truncate(url, 100)
        ));
    }
    Ok((host.to_string(), port))
}

impl MqttHandle {
    /// Creates a client of the broker at `url` and starts its event loop, which
    /// connects in the background and reconnects after every failure. `role`
    /// (`server` or `worker`) goes into the client id.
    ///
    /// # Errors
    /// `url` cannot be parsed.
    pub fn connect(url: &str, role: &str, broker: String) -> Result<MqttHandle, String> {
        let (host, port) = parse_url(url)?;
        let client_id = format!("pelab-{role}-{}", uuid::Uuid::now_v7().simple());
        let mut options = MqttOptions::new(client_id, host, port);
        options.set_keep_alive(Duration::from_secs(15));
        options.set_max_packet_size(MAX_PAYLOAD + 1024, MAX_PAYLOAD + 1024);
        options.set_clean_session(true);
        let (client, eventloop) = AsyncClient::new(options, REQUEST_CAPACITY);
        let (link, _) = watch::channel(Some("not connected yet".to_string()));
        let inner = Arc::new(Inner {
            client,
            link,
            subscriptions: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            dropped_publishes: AtomicU64::new(0),
        });
        tokio::spawn(drive(eventloop, inner.clone(), broker.clone()));
        Ok(MqttHandle { broker, inner })
    }

    /// Whether the client is connected to the broker now.
    pub fn is_connected(&self) -> bool {
        self.inner.link.borrow().is_none()
    }

    /// The broker and the connection state, for `/ready`.
    pub fn describe(&self) -> String {
        match &*self.inner.link.borrow() {
            None => format!("{}, connected", self.broker),
            Some(error) => format!("{}, disconnected: {error}", self.broker),
        }
    }

    /// Waits until the client is connected or `timeout` passes; returns whether it is.
    pub async fn wait_connected(&self, timeout: Duration) -> bool {
        let mut rx = self.inner.link.subscribe();
        tokio::time::timeout(timeout, rx.wait_for(Option::is_none))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Telemetry publishes dropped so far because the broker could not keep up.
    pub fn dropped_publishes(&self) -> u64 {
        self.inner.dropped_publishes.load(Ordering::Relaxed)
    }

    /// Publishes a telemetry sample message: QoS 0, not retained. When the request
    /// buffer is full (broker slow or unreachable) the message is dropped and counted.
    pub fn publish_sample(&self, topic: &str, payload: Vec<u8>) {
        if self
            .inner
            .client
            .try_publish(topic, QoS::AtMostOnce, false, payload)
            .is_err()
        {
            self.inner.dropped_publishes.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("pelab_mqtt_dropped_publishes_total").increment(1);
        }
    }

    /// Publishes a status message: QoS 1, retained. Waits up to 5 s for room in the
    /// request buffer, then drops the message with a warning.
    pub async fn publish_status(&self, topic: &str, payload: Vec<u8>) {
        let publish = self
            .inner
            .client
            .publish(topic, QoS::AtLeastOnce, true, payload);
        match tokio::time::timeout(STATUS_TIMEOUT, publish).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, topic, "cannot publish a run status"),
            Err(_) => {
                self.inner.dropped_publishes.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("pelab_mqtt_dropped_publishes_total").increment(1);
                tracing::warn!(topic, "timed out queueing a run status; it is dropped");
            }
        }
    }

    /// Subscribes a bridge client to `filter` (already checked by the caller). The
    /// broker subscription is shared by all clients of the same filter and removed
    /// when the last [`Subscription`] is dropped.
    ///
    /// # Errors
    /// Too many bridge clients, or the client's request buffer is full.
    pub fn subscribe(&self, filter: &str) -> Result<Subscription, String> {
        let mut subscriptions = self.inner.subscriptions();
        let clients: usize = subscriptions.values().map(Vec::len).sum();
        if clients >= MAX_BRIDGE_CLIENTS {
            return Err(format!(
                "{clients} bridge clients are connected (maximum {MAX_BRIDGE_CLIENTS}); retry later"
            ));
        }
        // NOTE: only the first client of a filter triggers a SUBSCRIBE, so only it
        // receives the broker's retained messages for that filter.
        if !subscriptions.contains_key(filter) {
            self.inner
                .client
                .try_subscribe(filter, QoS::AtMostOnce)
                .map_err(|e| format!("cannot subscribe to {filter}: {e}"))?;
        }
        let (tx, messages) = mpsc::channel(BRIDGE_BUFFER);
        let dropped = Arc::new(AtomicU64::new(0));
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        subscriptions
            .entry(filter.to_string())
            .or_default()
            .push(Subscriber {
                id,
                tx,
                dropped: dropped.clone(),
            });
        Ok(Subscription {
            filter: filter.to_string(),
            messages,
            dropped,
            id,
            inner: self.inner.clone(),
        })
    }
}

/// One bridge client's share of a broker subscription; dropping it unsubscribes.
pub struct Subscription {
    /// The MQTT filter.
    pub filter: String,
    /// Matching messages, at most [`BRIDGE_BUFFER`] waiting.
    pub messages: mpsc::Receiver<BridgeMessage>,
    /// Messages dropped because `messages` was full.
    pub dropped: Arc<AtomicU64>,
    id: u64,
    inner: Arc<Inner>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut subscriptions = self.inner.subscriptions();
        let Some(list) = subscriptions.get_mut(&self.filter) else {
            return;
        };
        list.retain(|s| s.id != self.id);
        if list.is_empty() {
            subscriptions.remove(&self.filter);
            if let Err(e) = self.inner.client.try_unsubscribe(self.filter.clone()) {
                tracing::warn!(error = %e, filter = %self.filter, "cannot unsubscribe");
            }
        }
    }
}

/// Hands a received message to every bridge client whose filter matches it.
///
/// NOTE: when bridge clients use overlapping filters (`telemetry/#` and
/// `telemetry/+/+/_status`), a broker may deliver one message once per matching
/// subscription of this connection, and MQTT 3.1.1 does not say which one each copy
/// is for, so clients of the overlapping filters can receive it twice.
fn dispatch(inner: &Inner, publish: Publish) {
    let message = Arc::new(publish);
    let subscriptions = inner.subscriptions();
    for (filter, list) in subscriptions.iter() {
        if !rumqttc::matches(&message.topic, filter) {
            continue;
        }
        for s in list {
            if s.tx.try_send(message.clone()).is_err() {
                s.dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// Polls the event loop for the life of the process: records the link state,
/// renews bridge subscriptions after each reconnect (the session is clean) and
/// dispatches incoming messages.
async fn drive(mut eventloop: EventLoop, inner: Arc<Inner>, broker: String) {
    let mut backoff = Duration::from_millis(250);
    let mut failures: u64 = 0;
    loop {
        match eventloop.poll().await {
            Ok(Event::Incoming(Packet::ConnAck(_))) => {
                if failures > 0 {
                    tracing::info!(%broker, failures, "reconnected to the MQTT broker");
                } else {
                    tracing::info!(%broker, "connected to the MQTT broker");
                }
                failures = 0;
                backoff = Duration::from_millis(250);
                inner.link.send_replace(None);
                let filters: Vec<String> = inner.subscriptions().keys().cloned().collect();
                for filter in filters {
                    if let Err(e) = inner.client.try_subscribe(filter.clone(), QoS::AtMostOnce) {
                        tracing::warn!(error = %e, %filter, "cannot renew a bridge subscription");
                    }
                }
            }
            Ok(Event::Incoming(Packet::Publish(publish))) => dispatch(&inner, publish),
            Ok(_) => {}
            Err(e) => {
                failures += 1;
                // Log the first failure and then every 30th, so a broker that stays
                // down does not flood the log.
                if failures == 1 || failures.is_multiple_of(30) {
                    tracing::warn!(%broker, error = %e, failures, "MQTT connection failed; retrying");
                }
                inner.link.send_replace(Some(e.to_string()));
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_url;

    #[test]
    fn broker_urls() {
        assert_eq!(
            parse_url("mqtt://127.0.0.1:1884"),
            Ok(("127.0.0.1".into(), 1884))
        );
        assert_eq!(parse_url("tcp://broker"), Ok(("broker".into(), 1883)));
        assert_eq!(parse_url("mqtt://[::1]:1885"), Ok(("::1".into(), 1885)));
        assert_eq!(parse_url("mqtt://[::1]"), Ok(("::1".into(), 1883)));
        for bad in [
            "mqtts://h:8883",
            "h:1883",
            "mqtt://:1883",
            "mqtt://h:0",
            "mqtt://h:x",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
