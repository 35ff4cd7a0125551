//! `pelab worker`: simulation workers in their own process, sharing the server's
//! database and waveform directory.

use std::sync::Arc;
use std::time::Duration;

use pelab_store::{ConnectOptions, Store, WaveformStore};
use tokio::sync::{Notify, watch};

use crate::config::Config;
use crate::serve::{StartError, worker_name};
use crate::stream::StreamHub;
use crate::worker::{WorkerContext, run_local_worker};

/// Runs `config.worker_count()` workers until Ctrl-C or SIGTERM; each finishes its
/// current job first.
///
/// # Errors
/// [`StartError`] when the database or waveform directory cannot be opened.
pub async fn run(config: Arc<Config>) -> Result<(), StartError> {
    let store = Store::connect(&config.database_url(), &ConnectOptions::default()).await?;
    let waveforms = WaveformStore::open(config.data_dir.join("waveforms"), config.waveform_quota)?;
    let hub = Arc::new(StreamHub::default());
    let mqtt = crate::mqtt::connect_worker(&config).map_err(StartError::Mqtt)?;
    if let Some(m) = &mqtt {
        tracing::info!(broker = %m.broker, "publishing run telemetry over MQTT");
    }
    let wake = Arc::new(Notify::new());
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
        };
        tasks.push(tokio::spawn(run_local_worker(
            ctx,
            wake.clone(),
            stop_rx.clone(),
        )));
    }
    tracing::info!(workers = tasks.len(), "pelab worker is waiting for jobs");
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(true);
    for t in tasks {
        let _ = t.await;
    }
    store.close().await;
    Ok(())
}
