//! MQTT: the embedded broker and run telemetry publishing (filled in later).

/// A connected MQTT publisher.
#[derive(Clone)]
pub struct MqttHandle {
    /// Broker address in use.
    pub broker: String,
}

/// Starts the MQTT side described by the configuration.
///
/// # Errors
/// A message naming the setting that prevents the start.
pub async fn start(config: &crate::config::Config) -> Result<Option<MqttHandle>, String> {
    let _ = config;
    Ok(None)
}
