//! Starting `pelab serve`: storage, queue, workers, HTTP.

use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use pelab_store::{ConnectOptions, Role, Store, WaveformStore};
use tokio::sync::{Notify, watch};
use uuid::Uuid;

use crate::config::Config;
use crate::state::{AppState, Queue};
use crate::stream::StreamHub;
use crate::worker::WorkerContext;

/// Reason the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory cannot be created.
    #[error("data_dir {path}: {message}")]
    DataDir {
        /// The directory.
        path: String,
        /// The OS error.
        message: String,
    },
    /// The database cannot be opened or migrated.
    #[error("database_url: {0}")]
    Database(#[from] pelab_store::StoreError),
    /// The waveform directory cannot be used.
    #[error("waveform storage: {0}")]
    Waveforms(#[from] pelab_store::WaveformError),
    /// The HTTP address cannot be bound.
    #[error("listen {addr}: {message} (set PELAB_LISTEN to another address)")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        message: String,
    },
    /// The Redis URL is invalid.
    #[error("redis_url: {0}")]
    Redis(String),
    /// The MQTT side cannot start.
    #[error("mqtt: {0}")]
    Mqtt(String),
    /// Sign-in cannot be set up (signing key, SMTP, OpenID Connect).
    #[error("auth: {0}")]
    Auth(String),
}

/// Returns the process-wide Prometheus recorder, installing it on first use.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (tests start several servers).
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

/// A running server.
pub struct Running {
    /// The bound HTTP address.
    pub addr: SocketAddr,
    /// The application state.
    pub state: AppState,
    shutdown: watch::Sender<bool>,
    http: tokio::task::JoinHandle<()>,
    workers: Vec<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting requests, lets workers finish their current job, and waits.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let _ = self.http.await;
        for w in self.workers {
            let _ = w.await;
        }
        self.state.store.close().await;
    }

    /// Waits until the HTTP server stops (Ctrl-C or SIGTERM for `pelab serve`).
    pub async fn wait(self) {
        let signal = self.shutdown.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = signal.send(true);
        });
        let mut rx = self.shutdown.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
        self.shutdown().await;
    }
}

/// Resolves on Ctrl-C or, on Unix, SIGTERM.
pub(crate) async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let term = async {
            if let Ok(mut s) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                s.recv().await;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// The default organisation and its admin (`admin_email`): created on first start,
/// found after. An organisation left without an admin gets `admin_email` back as one.
///
/// # Errors
/// Database errors.
pub async fn bootstrap(
    store: &Store,
    admin_email: &str,
) -> Result<(Uuid, Uuid, bool), pelab_store::StoreError> {
    if let Some(org) = store.list_orgs().await?.into_iter().next() {
        let members = store.list_members(org.id).await?;
        let admin = match members.iter().find(|u| u.role == Role::Admin) {
            Some(u) => u.id,
            None => {
                store
                    .create_user(org.id, admin_email, Role::Admin)
                    .await?
                    .id
            }
        };
        return Ok((org.id, admin, false));
    }
    let org = store.create_org("Default organisation").await?;
    let admin = store.create_user(org.id, admin_email, Role::Admin).await?;
    tracing::info!(org_id = %org.id, email = %admin.email, "created the default organisation and admin");
    Ok((org.id, admin.id, true))
}

/// Returns a worker name unique to this process and task.
pub fn worker_name(n: usize) -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "localhost".into());
    format!("{host}:{}:{n}", std::process::id())
}

/// Opens storage, starts workers and the HTTP server.
///
/// # Errors
/// [`StartError`] naming the setting that prevents the start.
pub async fn start(config: Config) -> Result<Running, StartError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|e| StartError::DataDir {
        path: config.data_dir.display().to_string(),
        message: e.to_string(),
    })?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| StartError::Listen {
            addr: config.listen,
            message: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| StartError::Listen {
        addr: config.listen,
        message: e.to_string(),
    })?;
    let metrics = metrics_handle();
    let store = Store::connect(&config.database_url(), &ConnectOptions::default()).await?;
    let waveforms = WaveformStore::open(config.data_dir.join("waveforms"), config.waveform_quota)?;
    let (org_id, user_id, created) = bootstrap(&store, &config.auth.admin_email).await?;
    let public_url = match &config.auth.public_url {
        Some(_) => config.public_url(),
        None => format!("http://{addr}"),
    };
    let auth = crate::auth::AuthService::start(&store, &config.auth, public_url)
        .await
        .map_err(StartError::Auth)?;
    let hub = Arc::new(StreamHub::default());
    let wake = Arc::new(Notify::new());
    let queue = match &config.redis_url {
        Some(url) => Queue::Redis(
            crate::redis_queue::RedisQueue::with_prefix(url, &config.redis_prefix)
                .map_err(|e| StartError::Redis(e.to_string()))?,
        ),
        None => Queue::Local(wake.clone()),
    };
    let mqtt = crate::mqtt::start(&config)
        .await
        .map_err(StartError::Mqtt)?;
    let config = Arc::new(config);
    let state = AppState {
        store: store.clone(),
        waveforms: waveforms.clone(),
        hub: hub.clone(),
        queue,
        config: config.clone(),
        org_id,
        user_id,
        auth,
        metrics,
        mqtt: mqtt.clone(),
    };
    let (shutdown, shutdown_rx) = watch::channel(false);
    let mut workers = Vec::new();
    for n in 0..config.worker_count() {
        let ctx = WorkerContext {
            store: store.clone(),
            waveforms: waveforms.clone(),
            hub: hub.clone(),
            name: worker_name(n),
            stale_after: Duration::from_secs(config.job_stale_secs),
            mqtt: mqtt.clone(),
            live: match &state.queue {
                crate::state::Queue::Redis(q) => Some(q.clone()),
                crate::state::Queue::Local(_) => None,
            },
        };
        workers.push(crate::redis_worker::spawn_worker(
            ctx,
            &state.queue,
            wake.clone(),
            shutdown_rx.clone(),
        ));
    }
    if config.seed && created {
        crate::seed::seed(&state).await;
    }
    let app = crate::app::build(state.clone());
    let mut stop = shutdown_rx.clone();
    let http = tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "the HTTP server stopped");
        }
    });
    let web = match (&config.web_dir, crate::web::embedded()) {
        (Some(dir), _) => format!("from {}", dir.display()),
        (None, true) => "embedded".to_string(),
        (None, false) => "not built (see http://{addr}/)".replace("{addr}", &addr.to_string()),
    };
    tracing::info!(%addr, backend = ?store.backend(), workers = config.worker_count(), %web, "pelab serve is listening");
    Ok(Running {
        addr,
        state,
        shutdown,
        http,
        workers,
    })
}
