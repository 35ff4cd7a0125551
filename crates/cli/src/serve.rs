//! `pelab serve` and `pelab worker`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use pelab_server::Config;

use crate::{EXIT_FAILURE, EXIT_INVALID_INPUT};

#[derive(Args)]
pub struct ServeArgs {
    /// Configuration file (default: ./pelab.toml when it exists). `PELAB_*`
    /// variables override it; see .env.example.
    #[arg(long)]
    config: Option<PathBuf>,
}

fn load(args: &ServeArgs) -> Result<Config, ExitCode> {
    Config::load(args.config.as_deref(), std::env::vars()).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(EXIT_INVALID_INPUT)
    })
}

fn init_logs(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        // rumqttd logs every client connection at info level.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,rumqttd=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if config.log_format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the async runtime: {e}");
            ExitCode::from(EXIT_FAILURE)
        })
}

pub fn serve(args: &ServeArgs) -> ExitCode {
    let config = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    init_logs(&config);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        match pelab_server::start(config).await {
            Ok(running) => {
                eprintln!(
                    "pelab serve: http://{} (API docs at /api/docs). Press Ctrl-C to stop.",
                    running.addr
                );
                running.wait().await;
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    })
}

pub fn worker(args: &ServeArgs) -> ExitCode {
    let config = match load(args) {
        Ok(c) => c,
        Err(code) => return code,
    };
    init_logs(&config);
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    rt.block_on(async move {
        match pelab_server::worker_process::run(Arc::new(config)).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(EXIT_FAILURE)
            }
        }
    })
}
