//! `pelab calc`: loss and thermal calculations from a JSON request.
//!
//! The request and response types are those of `pelab-components`; the server's
//! `POST /calc/losses` and `POST /calc/thermal` take the same JSON.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use pelab_components::library::resolve_switch_model;
use pelab_components::loss::{LossRequest, calc_losses};
use pelab_components::thermal::{ThermalRequest, calc_thermal};
use serde::Serialize;

use crate::EXIT_INVALID_INPUT;

/// Largest request file accepted [bytes]: room for waveforms of a few million samples.
const MAX_REQUEST_BYTES: u64 = 1 << 30;

#[derive(Subcommand)]
pub enum CalcCommand {
    /// Semiconductor losses at an operating point or from waveforms (JSON in and out;
    /// see docs/losses.md).
    Losses {
        /// Request file (JSON).
        input: PathBuf,
        /// Write the response here instead of to standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
    /// Junction temperatures of thermal networks under a power profile (JSON in and
    /// out; see docs/thermal.md).
    Thermal {
        /// Request file (JSON).
        input: PathBuf,
        /// Write the response here instead of to standard output.
        #[arg(long, short)]
        out: Option<PathBuf>,
    },
}

pub fn run(command: CalcCommand) -> ExitCode {
    match command {
        CalcCommand::Losses { input, out } => losses(&input, out.as_deref()),
        CalcCommand::Thermal { input, out } => thermal(&input, out.as_deref()),
    }
}

fn invalid(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_INVALID_INPUT)
}

fn read_request<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ExitCode> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    if metadata.len() > MAX_REQUEST_BYTES {
        return Err(invalid(format!(
            "{} is {} bytes; requests up to {MAX_REQUEST_BYTES} bytes are accepted",
            path.display(),
            metadata.len()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| invalid(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text)
        .map_err(|e| invalid(format!("{}: invalid request: {e}", path.display())))
}

fn write_response(value: &impl Serialize, out: Option<&Path>) -> ExitCode {
    let text = match serde_json::to_string_pretty(value) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot encode the response: {e}");
            return ExitCode::from(crate::EXIT_FAILURE);
        }
    };
    let result = match out {
        Some(path) => std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => writeln!(std::io::stdout().lock(), "{text}")
            .map_err(|e| format!("cannot write to standard output: {e}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(crate::EXIT_FAILURE)
        }
    }
}

fn losses(input: &Path, out: Option<&Path>) -> ExitCode {
    let request: LossRequest = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    let response = match calc_losses(&request, &resolve_switch_model) {
        Ok(response) => response,
        Err(e) => return invalid(e),
    };
    for warning in &response.warnings {
        eprintln!("warning: {warning}");
    }
    write_response(&response, out)
}

fn thermal(input: &Path, out: Option<&Path>) -> ExitCode {
    let request: ThermalRequest = match read_request(input) {
        Ok(request) => request,
        Err(code) => return code,
    };
    let response = match calc_thermal(&request) {
        Ok(response) => response,
        Err(e) => return invalid(e),
    };
    for warning in &response.warnings {
        eprintln!("warning: {}: {}", warning.field, warning.message);
    }
    write_response(&response, out)
}
