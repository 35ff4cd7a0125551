//! The MQTT side of the server: an embedded broker or a connection to an external
//! one, run telemetry publishing, and the subscriptions behind the WebSocket bridge.
//!
//! # Modes (`mqtt.mode`)
//!
//! - `embedded` (default): rumqttd runs inside the process on `mqtt.listen`, and the
//!   server connects to it with rumqttc like any other client.
//! - `external`: rumqttc connects to `mqtt.url` and reconnects with a backoff for as
//!   long as the process runs. An unreachable broker is logged, never fatal.
//! - `off`: no MQTT; telemetry is not published and the bridge returns 503.
//!
//! # When the embedded broker's port is taken
//!
//! `pelab serve` does not fail. It logs a warning and treats whatever listens on
//! `mqtt.listen` as an external broker, with the same reconnects. The reason is that
//! the usual holder of port 1883 on a development machine or lab server is a
//! Mosquitto started for exactly this traffic, and bench agents and dashboards
//! default to that port, so publishing there keeps telemetry where they look.
//! Starting the embedded broker on another port instead would hide it from them.
//! When the port holder does not speak MQTT, the connection keeps failing and
//! `/ready` shows the broker as disconnected with the last error. `/ready` always
//! names the choice, e.g. `external mqtt://127.0.0.1:1883 (embedded port taken),
//! connected`.
//!
//! # Workers
//!
//! [`connect_worker`] gives a `pelab worker` a client of `mqtt.url` when one is set
//! (and `mqtt.mode` is not `off`), so runs on other hosts publish the same topics.
//! A worker never starts a broker.

mod broker;
mod client;
pub mod telemetry;
pub mod topics;

pub use client::{BridgeMessage, MqttHandle, Subscription};

use crate::config::Config;

/// Starts the MQTT side described by the configuration (see the module
/// documentation for the modes and the port-taken fallback).
///
/// # Errors
/// A message naming `mqtt.url` or `mqtt.listen` when the value cannot be used.
pub async fn start(config: &Config) -> Result<Option<MqttHandle>, String> {
    match config.mqtt.mode.as_str() {
        "off" => Ok(None),
        "external" => {
            let Some(url) = config.mqtt.url.as_deref() else {
                return Err("mqtt.url: required when mqtt.mode is external".into());
            };
            let handle = MqttHandle::connect(url, "server", format!("external {url}"))?;
            Ok(Some(handle))
        }
        "embedded" => {
            let listen = config.mqtt.listen;
            match broker::start_embedded(listen).await? {
                broker::Embedded::Started(local) => {
                    let url = format!("mqtt://{local}");
                    let handle = MqttHandle::connect(&url, "server", format!("embedded {listen}"))?;
                    if !handle.wait_connected(broker::STARTUP_WAIT).await {
                        tracing::warn!(%listen, "cannot connect to the embedded MQTT broker yet; retrying in the background");
                    }
                    tracing::info!(%listen, "the embedded MQTT broker is listening");
                    Ok(Some(handle))
                }
                broker::Embedded::PortTaken(local) => {
                    let url = format!("mqtt://{local}");
                    tracing::warn!(
                        %listen,
                        "mqtt.listen is taken by another process; using it as an external \
                         MQTT broker instead of starting the embedded one (set mqtt.listen \
                         to a free address to get the embedded broker)"
                    );
                    let handle = MqttHandle::connect(
                        &url,
                        "server",
                        format!("external {url} (embedded port taken)"),
                    )?;
                    if !handle.wait_connected(broker::STARTUP_WAIT).await {
                        tracing::warn!(
                            %listen,
                            "the process on mqtt.listen does not answer MQTT yet; retrying in \
                             the background"
                        );
                    }
                    Ok(Some(handle))
                }
            }
        }
        other => Err(format!(
            "mqtt.mode: \"{other}\" is not accepted (accepted: embedded, external, off)"
        )),
    }
}

/// The MQTT client of a `pelab worker`: connected to `mqtt.url` when it is set and
/// `mqtt.mode` is not `off`, otherwise `None`.
///
/// # Errors
/// A message naming `mqtt.url` when it cannot be parsed.
pub fn connect_worker(config: &Config) -> Result<Option<MqttHandle>, String> {
    if config.mqtt.mode == "off" {
        return Ok(None);
    }
    match config.mqtt.url.as_deref() {
        Some(url) => MqttHandle::connect(url, "worker", format!("external {url}")).map(Some),
        None => Ok(None),
    }
}
