//! Server configuration: defaults, then `pelab.toml`, then `PELAB_*` variables.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Settings of `pelab serve` and `pelab worker`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address of the HTTP API (`PELAB_LISTEN`), default 127.0.0.1:3000.
    pub listen: SocketAddr,
    /// Directory for the SQLite database and waveform files (`PELAB_DATA_DIR`),
    /// default `./pelab-data`.
    pub data_dir: PathBuf,
    /// Database URL (`PELAB_DATABASE_URL`): `sqlite://…` or `postgres://…`; default
    /// a SQLite file in the data directory.
    pub database_url: Option<String>,
    /// Redis URL for the job queue (`PELAB_REDIS_URL`); unset means the in-process
    /// queue.
    pub redis_url: Option<String>,
    /// Prefix of the Redis keys of the job queue (`PELAB_REDIS_PREFIX`), default
    /// `pelab`: the stream `PREFIX:jobs`, its consumer group `PREFIX:workers`, the
    /// dead-letter stream `PREFIX:jobs:dead` and the retry set `PREFIX:delayed`.
    /// Servers and workers that share a queue must use the same prefix.
    pub redis_prefix: String,
    /// MQTT settings.
    pub mqtt: MqttConfig,
    /// Largest request body [bytes] (`PELAB_BODY_LIMIT`), default 2 MiB.
    pub body_limit: usize,
    /// Largest total size of stored waveforms [bytes] (`PELAB_WAVEFORM_QUOTA`); unset
    /// means no quota besides the disk.
    pub waveform_quota: Option<u64>,
    /// In-process simulation workers (`PELAB_WORKERS`); 0 leaves all runs to
    /// `pelab worker` processes. Default: one per core minus one, at least 1.
    pub workers: Option<usize>,
    /// Claims of a job before it is dead-lettered (`PELAB_MAX_ATTEMPTS`), default 3.
    pub max_attempts: u32,
    /// Seconds without a heartbeat after which a job is reclaimed
    /// (`PELAB_JOB_STALE_SECS`), default 30.
    pub job_stale_secs: u64,
    /// Create the demo organisation, projects and runs on first start
    /// (`PELAB_SEED`), default true.
    pub seed: bool,
    /// Log format (`PELAB_LOG_FORMAT`): `pretty` (default) or `json`.
    pub log_format: String,
    /// Folder of a built web UI to serve instead of the one embedded in the binary
    /// (`PELAB_WEB_DIR`), for UI development; unset serves the embedded build.
    pub web_dir: Option<PathBuf>,
    /// Sign-in and session settings.
    pub auth: AuthConfig,
}

/// Sign-in and session settings (`[auth]` in `pelab.toml`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// The address users reach the server at (`PELAB_PUBLIC_URL`), e.g.
    /// `https://pelab.example.com`; used in sign-in links and the OpenID Connect
    /// redirect. Default: `http://` and the listen address. Cookies carry `Secure`
    /// when it starts with `https://`.
    pub public_url: Option<String>,
    /// E-mail address of the admin created on first start (`PELAB_ADMIN_EMAIL`),
    /// default `admin@localhost`.
    pub admin_email: String,
    /// SMTP server for sign-in links (`PELAB_SMTP_URL`), e.g.
    /// `smtps://user:password@mail.example.com` or `smtp://127.0.0.1:2525`
    /// (plain, for a local relay). Unset: links go to the server log only.
    pub smtp_url: Option<String>,
    /// Sender of sign-in mail (`PELAB_MAIL_FROM`), default `pelab <pelab@localhost>`.
    pub mail_from: String,
    /// Also write sign-in links to the server log when SMTP is configured
    /// (`PELAB_AUTH_LOG_LINKS`), for development; default false.
    pub log_links: bool,
    /// Lifetime of an access token [s] (`PELAB_ACCESS_TTL_SECS`), default 900.
    pub access_ttl_secs: u64,
    /// Lifetime of a session's refresh token [s] (`PELAB_REFRESH_TTL_SECS`), default
    /// 30 days.
    pub refresh_ttl_secs: u64,
    /// Lifetime of a sign-in link [s] (`PELAB_LINK_TTL_SECS`), default 900.
    pub link_ttl_secs: u64,
    /// Time after a refresh during which the old refresh token may be used once more
    /// [s] (`PELAB_REFRESH_GRACE_SECS`), default 10: two tabs refreshing at the same
    /// moment. Later reuse revokes the session. 0 revokes on any reuse.
    pub refresh_grace_secs: u64,
    /// Take the client address from the first `X-Forwarded-For` entry
    /// (`PELAB_TRUST_FORWARDED_FOR`), for rate limits and the audit log; default
    /// false. Turn it on only behind a reverse proxy that sets the header.
    pub trust_forwarded_for: bool,
    /// OpenID Connect issuer (`PELAB_OIDC_ISSUER`), default
    /// `https://accounts.google.com`.
    pub oidc_issuer: String,
    /// OAuth client id of the Google sign-in (`PELAB_OIDC_CLIENT_ID`); unset turns it off.
    pub oidc_client_id: Option<String>,
    /// OAuth client secret (`PELAB_OIDC_CLIENT_SECRET`).
    pub oidc_client_secret: Option<String>,
    /// Sign-in link requests allowed per address and per source address in 15 minutes
    /// (`PELAB_LOGIN_RATE`), default 5 per address and 4 times that per source.
    pub login_rate: u32,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            public_url: None,
            admin_email: "admin@localhost".into(),
            smtp_url: None,
            mail_from: "pelab <pelab@localhost>".into(),
            log_links: false,
            access_ttl_secs: 900,
            refresh_ttl_secs: 30 * 86_400,
            link_ttl_secs: 900,
            refresh_grace_secs: 10,
            trust_forwarded_for: false,
            oidc_issuer: "https://accounts.google.com".into(),
            oidc_client_id: None,
            oidc_client_secret: None,
            login_rate: 5,
        }
    }
}

/// MQTT settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MqttConfig {
    /// `embedded` (default: a broker inside `pelab serve`), `external` (connect to
    /// `url`) or `off` (`PELAB_MQTT_MODE`).
    pub mode: String,
    /// Broker URL for `external` (`PELAB_MQTT_URL`), e.g. `mqtt://127.0.0.1:1883`.
    pub url: Option<String>,
    /// Listen address of the embedded broker (`PELAB_MQTT_LISTEN`), default
    /// 127.0.0.1:1883.
    pub listen: SocketAddr,
}

impl Default for MqttConfig {
    fn default() -> Self {
        MqttConfig {
            mode: "embedded".into(),
            url: None,
            listen: SocketAddr::from(([127, 0, 0, 1], 1883)),
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            data_dir: PathBuf::from("pelab-data"),
            database_url: None,
            redis_url: None,
            redis_prefix: "pelab".into(),
            mqtt: MqttConfig::default(),
            body_limit: 2 * 1024 * 1024,
            waveform_quota: None,
            workers: None,
            max_attempts: 3,
            job_stale_secs: 30,
            seed: true,
            log_format: "pretty".into(),
            web_dir: None,
            auth: AuthConfig::default(),
        }
    }
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {}{message}", if field.is_empty() { String::new() } else { format!("{field}: ") })]
pub struct ConfigError {
    /// Source of the value: the file or the variable.
    pub source_name: String,
    /// Field.
    pub field: String,
    /// Problem and the accepted values.
    pub message: String,
}

fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

fn err(source: &str, field: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        source_name: source.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

impl Config {
    /// Reads `path` (when given, or `./pelab.toml` when it exists), then the
    /// `PELAB_*` lines of `./.env` when it exists, then the `PELAB_*` variables of
    /// `env` (which win over `.env`).
    ///
    /// # Errors
    /// [`ConfigError`] naming the file or variable, the field and the accepted values.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let default_path = Path::new("pelab.toml");
        let file = match path {
            Some(p) => Some(p.to_path_buf()),
            None if default_path.exists() => Some(default_path.to_path_buf()),
            None => None,
        };
        let mut config = match &file {
            Some(p) => {
                let name = p.display().to_string();
                let text = std::fs::read_to_string(p)
                    .map_err(|e| err(&name, "", format!("cannot read: {e}")))?;
                toml::from_str::<Config>(&text)
                    .map_err(|e| err(&name, "", e.to_string().trim().to_string()))?
            }
            None => Config::default(),
        };
        let env: Vec<(String, String)> = env.into_iter().collect();
        if let Ok(text) = std::fs::read_to_string(".env") {
            for (key, value) in dotenv_lines(&text) {
                if !env.iter().any(|(k, _)| *k == key) {
                    config.apply_env(&key, &value).map_err(|mut e| {
                        e.source_name = format!(".env: {}", e.source_name);
                        e
                    })?;
                }
            }
        }
        for (key, value) in &env {
            config.apply_env(key, value)?;
        }
        config.check()?;
        Ok(config)
    }

    fn apply_env(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let parse_err = |what: &str| err(key, "", format!("\"{value}\" is not {what}"));
        match key {
            "PELAB_LISTEN" => {
                self.listen = value
                    .parse()
                    .map_err(|_| parse_err("an address like 127.0.0.1:3000"))?;
            }
            "PELAB_DATA_DIR" => self.data_dir = PathBuf::from(value),
            "PELAB_DATABASE_URL" => self.database_url = non_empty(value),
            "PELAB_REDIS_URL" => self.redis_url = non_empty(value),
            "PELAB_REDIS_PREFIX" => self.redis_prefix = value.to_string(),
            "PELAB_MQTT_MODE" => self.mqtt.mode = value.to_string(),
            "PELAB_MQTT_URL" => self.mqtt.url = non_empty(value),
            "PELAB_MQTT_LISTEN" => {
                self.mqtt.listen = value
                    .parse()
                    .map_err(|_| parse_err("an address like 127.0.0.1:1883"))?;
            }
            "PELAB_BODY_LIMIT" => {
                self.body_limit = value
                    .parse()
                    .map_err(|_| parse_err("a byte count (1024 to 1073741824, e.g. 2097152)"))?;
            }
            "PELAB_WAVEFORM_QUOTA" => {
                self.waveform_quota = if value.is_empty() {
                    None
                } else {
                    Some(value.parse().map_err(|_| parse_err("a byte count"))?)
                };
            }
            "PELAB_WORKERS" => {
                self.workers = Some(value.parse().map_err(|_| parse_err("a worker count"))?);
            }
            "PELAB_MAX_ATTEMPTS" => {
                self.max_attempts = value.parse().map_err(|_| parse_err("a count"))?;
            }
            "PELAB_JOB_STALE_SECS" => {
                self.job_stale_secs = value.parse().map_err(|_| parse_err("seconds"))?;
            }
            "PELAB_SEED" => {
                self.seed = parse_bool(value).ok_or_else(|| parse_err("true or false"))?;
            }
            "PELAB_LOG_FORMAT" => self.log_format = value.to_string(),
            "PELAB_WEB_DIR" => self.web_dir = non_empty(value).map(PathBuf::from),
            "PELAB_PUBLIC_URL" => self.auth.public_url = non_empty(value),
            "PELAB_ADMIN_EMAIL" => self.auth.admin_email = value.to_string(),
            "PELAB_SMTP_URL" => self.auth.smtp_url = non_empty(value),
            "PELAB_MAIL_FROM" => self.auth.mail_from = value.to_string(),
            "PELAB_AUTH_LOG_LINKS" => {
                self.auth.log_links = parse_bool(value).ok_or_else(|| parse_err("true or false"))?
            }
            "PELAB_ACCESS_TTL_SECS" => {
                self.auth.access_ttl_secs = value.parse().map_err(|_| parse_err("seconds"))?;
            }
            "PELAB_REFRESH_TTL_SECS" => {
                self.auth.refresh_ttl_secs = value.parse().map_err(|_| parse_err("seconds"))?;
            }
            "PELAB_LINK_TTL_SECS" => {
                self.auth.link_ttl_secs = value.parse().map_err(|_| parse_err("seconds"))?;
            }
            "PELAB_REFRESH_GRACE_SECS" => {
                self.auth.refresh_grace_secs = value.parse().map_err(|_| parse_err("seconds"))?;
            }
            "PELAB_TRUST_FORWARDED_FOR" => {
                self.auth.trust_forwarded_for =
                    parse_bool(value).ok_or_else(|| parse_err("true or false"))?;
            }
            "PELAB_OIDC_ISSUER" => self.auth.oidc_issuer = value.to_string(),
            "PELAB_OIDC_CLIENT_ID" => self.auth.oidc_client_id = non_empty(value),
            "PELAB_OIDC_CLIENT_SECRET" => self.auth.oidc_client_secret = non_empty(value),
            "PELAB_LOGIN_RATE" => {
                self.auth.login_rate = value.parse().map_err(|_| parse_err("a count"))?;
            }
            _ => {}
        }
        Ok(())
    }

    fn check(&self) -> Result<(), ConfigError> {
        if !["embedded", "external", "off"].contains(&self.mqtt.mode.as_str()) {
            return Err(err(
                "configuration",
                "mqtt.mode",
                format!(
                    "\"{}\" is not accepted (accepted: embedded, external, off)",
                    self.mqtt.mode
                ),
            ));
        }
        if self.mqtt.mode == "external" && self.mqtt.url.is_none() {
            return Err(err(
                "configuration",
                "mqtt.url",
                "required when mqtt.mode is external",
            ));
        }
        if !(1024..=1 << 30).contains(&self.body_limit) {
            return Err(err(
                "configuration",
                "body_limit",
                format!("{} (accepted: 1024 to 1073741824 bytes)", self.body_limit),
            ));
        }
        if let Some(dir) = &self.web_dir
            && !dir.join("index.html").is_file()
        {
            return Err(err(
                "configuration",
                "web_dir",
                format!(
                    "{} holds no index.html (build the UI with `npm --prefix web run build` \
                     and point web_dir at web/dist)",
                    dir.display()
                ),
            ));
        }
        if !(1..=100).contains(&self.max_attempts) {
            return Err(err(
                "configuration",
                "max_attempts",
                format!("{} (accepted: 1 to 100)", self.max_attempts),
            ));
        }
        if !(1..=86_400).contains(&self.job_stale_secs) {
            return Err(err(
                "configuration",
                "job_stale_secs",
                format!("{} (accepted: 1 to 86400)", self.job_stale_secs),
            ));
        }
        let prefix_ok = (1..=64).contains(&self.redis_prefix.len())
            && self
                .redis_prefix
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-:.".contains(c));
        if !prefix_ok {
            return Err(err(
                "configuration",
                "redis_prefix",
                format!(
                    "\"{}\" (accepted: 1 to 64 characters from A-Z, a-z, 0-9, _ - : .)",
                    self.redis_prefix
                ),
            ));
        }
        self.check_auth()?;
        if !["pretty", "json"].contains(&self.log_format.as_str()) {
            return Err(err(
                "configuration",
                "log_format",
                format!("\"{}\" (accepted: pretty, json)", self.log_format),
            ));
        }
        Ok(())
    }

    fn check_auth(&self) -> Result<(), ConfigError> {
        let a = &self.auth;
        let ranges = [
            ("auth.access_ttl_secs", a.access_ttl_secs, 10, 86_400),
            (
                "auth.refresh_ttl_secs",
                a.refresh_ttl_secs,
                60,
                365 * 86_400,
            ),
            ("auth.link_ttl_secs", a.link_ttl_secs, 10, 86_400),
            ("auth.refresh_grace_secs", a.refresh_grace_secs, 0, 300),
            ("auth.login_rate", u64::from(a.login_rate), 1, 10_000),
        ];
        for (field, value, min, max) in ranges {
            if !(min..=max).contains(&value) {
                return Err(err(
                    "configuration",
                    field,
                    format!("{value} (accepted: {min} to {max})"),
                ));
            }
        }
        if let Some(url) = &a.public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(err(
                "configuration",
                "auth.public_url",
                format!("\"{url}\" (accepted: an http:// or https:// address)"),
            ));
        }
        if let Some(url) = &a.smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(err(
                "configuration",
                "auth.smtp_url",
                "accepted: an smtp:// or smtps:// address",
            ));
        }
        if pelab_store::check_email(&a.admin_email).is_err() {
            return Err(err(
                "configuration",
                "auth.admin_email",
                format!("\"{}\" is not an e-mail address", a.admin_email),
            ));
        }
        if a.oidc_client_id.is_some() && a.oidc_client_secret.is_none() {
            return Err(err(
                "configuration",
                "auth.oidc_client_secret",
                "required when auth.oidc_client_id is set",
            ));
        }
        Ok(())
    }

    /// The address users reach the server at, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.auth.public_url.clone().map_or_else(
            || format!("http://{}", self.listen),
            |u| u.trim_end_matches('/').to_string(),
        )
    }

    /// Returns the database URL, by default `sqlite://DATA_DIR/pelab.db`.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("pelab.db").display()))
    }

    /// In-process workers to start.
    pub fn worker_count(&self) -> usize {
        self.workers.unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get().saturating_sub(1).max(1))
                .unwrap_or(1)
        })
    }
}

/// `KEY=VALUE` lines of a `.env` file; comments, blank lines and keys without the
/// `PELAB_` prefix are skipped, and one pair of surrounding quotes is removed.
fn dotenv_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("export ").unwrap_or(l).split_once('='))
        .map(|(k, v)| {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|x| x.strip_suffix('"'))
                .or_else(|| v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')))
                .unwrap_or(v);
            (k.trim().to_string(), v.to_string())
        })
        .filter(|(k, _)| k.starts_with("PELAB_"))
        .collect()
}

fn non_empty(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotenv_lines_keep_pelab_keys_and_strip_quotes() {
        let text =
            "# comment\n\nPELAB_LISTEN=127.0.0.1:4000\nexport PELAB_SEED=\"false\"\nPATH=/x\n";
        let lines = dotenv_lines(text);
        assert_eq!(
            lines,
            vec![
                ("PELAB_LISTEN".to_string(), "127.0.0.1:4000".to_string()),
                ("PELAB_SEED".to_string(), "false".to_string()),
            ]
        );
    }

    #[test]
    fn env_overrides_and_errors_name_the_variable() {
        let env = vec![
            ("PELAB_LISTEN".to_string(), "127.0.0.1:4000".to_string()),
            ("PELAB_WORKERS".to_string(), "2".to_string()),
        ];
        let c = Config::load(None, env).unwrap();
        assert_eq!(c.listen.port(), 4000);
        assert_eq!(c.worker_count(), 2);
        let bad = vec![("PELAB_BODY_LIMIT".to_string(), "lots".to_string())];
        let e = Config::load(None, bad).unwrap_err().to_string();
        assert!(e.contains("PELAB_BODY_LIMIT"), "{e}");
        assert!(e.contains("lots"), "{e}");
        assert!(!e.contains(": :"), "{e}");
        let bad = vec![("PELAB_MQTT_MODE".to_string(), "carrier-pigeon".to_string())];
        let e = Config::load(None, bad).unwrap_err().to_string();
        assert!(e.contains("mqtt.mode"), "{e}");
        assert!(e.contains("embedded"), "{e}");
        let bad = vec![("PELAB_REDIS_PREFIX".to_string(), "my queue".to_string())];
        let e = Config::load(None, bad).unwrap_err().to_string();
        assert!(e.contains("redis_prefix"), "{e}");
        assert!(e.contains("my queue"), "{e}");
    }

    proptest::proptest! {
        /// Any `.env` text and any variable values give a configuration or an error,
        /// never a panic.
        #[test]
        fn arbitrary_env_text_never_panics(text in "\\PC{0,400}", value in "\\PC{0,40}") {
            let _ = dotenv_lines(&text);
            for key in ["PELAB_LISTEN", "PELAB_BODY_LIMIT", "PELAB_WORKERS", "PELAB_SEED",
                        "PELAB_WAVEFORM_QUOTA", "PELAB_MQTT_MODE", "PELAB_JOB_STALE_SECS"] {
                let _ = Config::load(None, vec![(key.to_string(), value.clone())]);
            }
            let _ = toml::from_str::<Config>(&text);
        }
    }
}
