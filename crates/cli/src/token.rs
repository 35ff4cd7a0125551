//! `pelab token create`: an API token for a member, made on the server's database.
//!
//! It needs the server's configuration (database URL or data directory), not a
//! running server, so an operator can give a worker, a bench agent or a script its
//! token before the first sign-in. The database must exist: a wrong directory gets
//! an error, not a fresh database whose tokens the server would refuse. The audit
//! log records each token it makes.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use pelab_server::Config;
use pelab_server::auth::policy::{rank, scope_min_role};
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
    let url = config.database_url();
    let where_to = "run it where `pelab serve` runs, or set PELAB_DATA_DIR or \
                    PELAB_DATABASE_URL as for pelab serve";
    if let Some(path) = url.strip_prefix("sqlite://")
        && !std::path::Path::new(path).exists()
    {
        return Err(invalid(format!("no pelab database at {path}: {where_to}")));
    }
    let store = Store::connect(&url, &ConnectOptions::default())
        .await
        .map_err(|e| (EXIT_FAILURE, format!("database_url: {e}")))?;
    let orgs = store
        .list_orgs()
        .await
        .map_err(|e| (EXIT_FAILURE, e.to_string()))?;
    if orgs.is_empty() {
        return Err(invalid(format!(
            "the database at {} has no organisation yet: start `pelab serve` once, or {where_to}",
            redact(&url)
        )));
    }
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
    let too_high = scopes
        .iter()
        .find(|s| rank(user.role) < rank(scope_min_role(s)));
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
    let entry = pelab_store::NewAuditEntry {
        org_id: user.org_id,
        actor: format!("{} (pelab token create)", user.email),
        action: "CLI pelab token create".into(),
        target: format!(
            "token {} {:?} scopes={}",
            token.id,
            token.name,
            token.scopes.join(",")
        ),
        source: "localhost".into(),
        result: "201".into(),
    };
    store
        .append_audit(&entry)
        .await
        .map_err(|e| (EXIT_FAILURE, format!("audit log: {e}")))?;
    eprintln!(
        "created API token {} \"{}\" for {} ({}) in {}, scopes {}. The secret below is \
         shown once.",
        token.id,
        token.name,
        user.email,
        user.role,
        redact(&url),
        token.scopes.join(",")
    );
    store.close().await;
    Ok(secret)
}

/// Returns the database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}
