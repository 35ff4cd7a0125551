//! Shared state of the HTTP handlers.

use std::sync::Arc;

use pelab_store::{Store, WaveformStore};
use tokio::sync::Notify;
use uuid::Uuid;

use crate::config::Config;
use crate::stream::StreamHub;

/// How queued jobs reach workers.
#[derive(Clone)]
pub enum Queue {
    /// Workers in this process, woken directly.
    Local(Arc<Notify>),
    /// Redis Streams, for `pelab worker` processes.
    Redis(crate::redis_queue::RedisQueue),
}

impl Queue {
    /// Tells workers that a job is ready. The job row is already stored, so a lost
    /// announcement only delays the job until the next poll.
    pub async fn announce(&self, job: Uuid) {
        match self {
            Queue::Local(wake) => wake.notify_one(),
            Queue::Redis(q) => {
                if let Err(e) = q.announce(job).await {
                    tracing::warn!(error = %e, %job, "cannot announce the job on Redis; workers will find it by polling");
                }
            }
        }
    }
}

/// State of the API.
#[derive(Clone)]
pub struct AppState {
    /// Database.
    pub store: Store,
    /// Waveform files.
    pub waveforms: WaveformStore,
    /// Live streams.
    pub hub: Arc<StreamHub>,
    /// Job announcements.
    pub queue: Queue,
    /// Configuration.
    pub config: Arc<Config>,
    /// The organisation created on first start; demo data goes there. Handlers act in
    /// the caller's organisation ([`crate::auth::Principal`]), never in this one.
    pub org_id: Uuid,
    /// The admin created on first start.
    pub user_id: Uuid,
    /// Sign-in, sessions and tokens.
    pub auth: Arc<crate::auth::AuthService>,
    /// Prometheus text renderer.
    pub metrics: metrics_exporter_prometheus::PrometheusHandle,
    /// MQTT state, when a broker is configured.
    pub mqtt: Option<crate::mqtt::MqttHandle>,
}
