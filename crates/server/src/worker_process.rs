//! `pelab worker`: simulation workers in their own process, sharing the server's
//! database and waveform directory. With `redis_url` set they consume the Redis
//! jobs stream; without it they poll the database.

use std::sync::Arc;
use std::time::Duration;

use pelab_store::{ConnectOptions, Store, WaveformStore};
use tokio::sync::{Notify, watch};

use crate::config::Config;
use crate::redis_queue::RedisQueue;
use crate::redis_worker::spawn_worker;
use crate::serve::{StartError, shutdown_signal, worker_name};
use crate::state::Queue;
use crate::stream::StreamHub;
use crate::worker::WorkerContext;

/// Runs `config.worker_count()` workers until Ctrl-C or SIGTERM; each finishes its
/// current job first.
///
/// # Errors
/// [`StartError`] when the database, the waveform directory or the Redis URL cannot
/// be used.
pub async fn run(config: Arc<Config>) -> Result<(), StartError> {
    let store = Store::connect(&config.database_url(), &ConnectOptions::default()).await?;
    let waveforms = WaveformStore::open(config.data_dir.join("waveforms"), config.waveform_quota)?;
    let hub = Arc::new(StreamHub::default());
    let mqtt = crate::mqtt::connect_worker(&config).map_err(StartError::Mqtt)?;
    if let Some(m) = &mqtt {
        tracing::info!(broker = %m.broker, "publishing run telemetry over MQTT");
    }
    let wake = Arc::new(Notify::new());
    let queue = match &config.redis_url {
        Some(url) => Queue::Redis(
            RedisQueue::with_prefix(url, &config.redis_prefix)
                .map_err(|e| StartError::Redis(e.to_string()))?,
        ),
        None => Queue::Local(wake.clone()),
    };
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for n in 0..config.worker_count().max(1) {
        let ctx = WorkerContext {
            store: store.clone(),
            waveforms: waveforms.clone(),
            hub: hub.clone(),
            name: worker_name(n),
            stale_after: Duration::from_secs(config.job_stale_secs),
            mqtt: mqtt.clone(),
            live: match &queue {
                Queue::Redis(q) => Some(q.clone()),
                Queue::Local(_) => None,
            },
        };
        tasks.push(spawn_worker(ctx, &queue, wake.clone(), stop_rx.clone()));
    }
    let source = if config.redis_url.is_some() {
        "redis"
    } else {
        "database"
    };
    tracing::info!(
        workers = tasks.len(),
        source,
        "pelab worker is waiting for jobs"
    );
    shutdown_signal().await;
    tracing::info!("stopping: workers finish their current job first");
    let _ = stop.send(true);
    for t in tasks {
        let _ = t.await;
    }
    store.close().await;
    Ok(())
}
