//! `pelab`: the command-line front end of the pelab power-electronics lab.
//!
//! Exit codes: 0 on success, 1 when a run fails, 2 for invalid input (a design or
//! netlist that does not validate, an unknown option value, an unreadable file).

// Printing results is this binary's job.
#![allow(clippy::print_stdout)]

/// Prints a line to standard output like `println!`, but ends the process quietly
/// when the reader has gone (`pelab components list | head`), as Unix tools do,
/// instead of panicking.
macro_rules! outln {
    () => {
        $crate::write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

mod calc;
mod components;
mod serve;
mod sim;
mod token;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Power-electronics lab: simulate switched converters from design files or netlists.
#[derive(Parser)]
#[command(name = "pelab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Simulate converters and circuits.
    #[command(subcommand)]
    Sim(sim::SimCommand),
    /// Loss and thermal calculations from JSON requests.
    #[command(subcommand)]
    Calc(calc::CalcCommand),
    /// List, show and import datasheet part models (transistors and diodes).
    #[command(subcommand)]
    Components(components::ComponentsCommand),
    /// Start the server: HTTP API on 127.0.0.1:3000, storage, job workers and the
    /// MQTT broker, with demo projects on a first start.
    Serve(serve::ServeArgs),
    /// Run simulation jobs for a server that shares this worker's database.
    Worker(serve::ServeArgs),
    /// Create API tokens for the CLI, workers, bench agents and scripts.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Print the OpenAPI document of the server (spec/openapi.json).
    Openapi,
}

/// Exit code for invalid input.
pub const EXIT_INVALID_INPUT: u8 = 2;
/// Exit code for a failed run.
pub const EXIT_FAILURE: u8 = 1;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_INVALID_INPUT
            } else {
                0
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Sim(command) => sim::run(command),
        Command::Calc(command) => calc::run(command),
        Command::Components(command) => components::run(command),
        Command::Serve(args) => serve::serve(&args),
        Command::Worker(args) => serve::worker(&args),
        Command::Token(command) => token::run(command),
        Command::Openapi => {
            outln!("{}", pelab_server::app::openapi_json().trim_end());
            ExitCode::SUCCESS
        }
    }
}

/// Writes to standard output; see [`outln!`].
pub fn write_stdout(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if let Err(e) = std::io::stdout().lock().write_fmt(text) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: cannot write to standard output: {e}");
        std::process::exit(i32::from(EXIT_FAILURE));
    }
}
