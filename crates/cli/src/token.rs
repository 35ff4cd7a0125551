//! `pelab token create`: an API token for a member, made on the server's database.
//!
//! It needs the server's configuration (database URL or data directory), not a
//! running server, so an operator can give a worker, a bench agent or a script its
//! token before the first sign-in.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use pelab_server::Config;
use pelab_store::{ConnectOptions, Store};

use crate::{EXIT_FAILURE, EXIT_INVALID_INPUT};

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token and print its secret (shown once).
    Create(CreateArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    /// The member's e-mail address (default: the first admin, auth.admin_email).
    #[arg(long)]
    email: Option<String>,
    /// Organisation id, when the address belongs to several.
    #[arg(long)]
    org: Option<uuid::Uuid>,
    /// Name of the token, e.g. "bench agent 3".
    #[arg(long)]
    name: String,
    /// Comma-separated scopes: read, write, telemetry, admin.
    #[arg(long, default_value = "read")]
    scopes: String,
    /// Days until the token expires (default: never).
    #[arg(long)]
    expires_in_days: Option<u32>,
    /// Configuration file (default: ./pelab.toml when it exists).
    #[arg(long)]
    config: Option<PathBuf>,
}

pub fn run(command: TokenCommand) -> ExitCode {
    let TokenCommand::Create(args) = command;
    let config = match Config::load(args.config.as_deref(), std::env::vars()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INVALID_INPUT);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    match rt.block_on(create(&config, &args)) {
        Ok(secret) => {
            println!("{secret}");
            ExitCode::SUCCESS
        }
        Err((code, message)) => {
            eprintln!("error: {message}");
            ExitCode::from(code)
        }
    }
}

async fn create(config: &Config, args: &CreateArgs) -> Result<String, (u8, String)> {
    let invalid = |m: String| (EXIT_INVALID_INPUT, m);
    let scopes: Vec<String> = args
        .scopes
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let accepted = pelab_server::auth::policy::SCOPES;
    if scopes.is_empty() {
        return Err(invalid(format!(
            "--scopes: choose from {}",
            accepted.join(", ")
        )));
    }
    if let Some(bad) = scopes.iter().find(|s| !accepted.contains(&s.as_str())) {
        return Err(invalid(format!(
            "--scopes: \"{bad}\" is not accepted (accepted: {})",
            accepted.join(", ")
        )));
    }
    let expires_at = match args.expires_in_days {
        None => None,
        Some(d) if (1..=3650).contains(&d) => {
            Some(chrono::Utc::now() + chrono::Duration::days(i64::from(d)))
        }
        Some(d) => {
            return Err(invalid(format!(
                "--expires-in-days: {d} (accepted: 1 to 3650)"
            )));
        }
    };
    if let Err(e) = std::fs::create_dir_all(&config.data_dir) {
        return Err((
            EXIT_FAILURE,
            format!("data_dir {}: {e}", config.data_dir.display()),
        ));
    }
    let store = Store::connect(&config.database_url(), &ConnectOptions::default())
        .await
        .map_err(|e| (EXIT_FAILURE, format!("database_url: {e}")))?;
    pelab_server::serve::bootstrap(&store, &config.auth.admin_email)
        .await
        .map_err(|e| (EXIT_FAILURE, e.to_string()))?;
    let email = args
        .email
        .clone()
        .unwrap_or_else(|| config.auth.admin_email.clone());
    let members = store
        .users_by_email(&email)
        .await
        .map_err(|e| (EXIT_FAILURE, e.to_string()))?;
    let user = match args.org {
        Some(org) => members.into_iter().find(|u| u.org_id == org),
        None if members.len() > 1 => {
            let orgs: Vec<String> = members.iter().map(|u| u.org_id.to_string()).collect();
            return Err(invalid(format!(
                "--email: {email} belongs to several organisations; pick one with --org ({})",
                orgs.join(", ")
            )));
        }
        None => members.into_iter().next(),
    }
    .ok_or_else(|| invalid(format!("--email: no member has the address {email}")))?;
    let too_high = scopes.iter().find(|s| match s.as_str() {
        "admin" => user.role != pelab_store::Role::Admin,
        "write" | "telemetry" => user.role == pelab_store::Role::Viewer,
        _ => false,
    });
    if let Some(scope) = too_high {
        return Err(invalid(format!(
            "--scopes: \"{scope}\" is beyond {email}'s role ({})",
            user.role
        )));
    }
    let (token, secret) =
        pelab_server::auth::issue_api_token(&store, &user, &args.name, scopes, expires_at)
            .await
            .map_err(|e| invalid(e.to_string()))?;
    eprintln!(
        "created API token {} \"{}\" for {} ({}), scopes {}. The secret below is shown once.",
        token.id,
        token.name,
        user.email,
        user.role,
        token.scopes.join(",")
    );
    store.close().await;
    Ok(secret)
}
