//! Typed settings, read once at start from `BANTIN_*` environment variables and an optional
//! `bantin.toml` (environment wins). Anything unknown or invalid stops the start with a
//! message naming the variable, so a typo never silently falls back to a default.

mod accounts;
mod events;
mod media;
mod server;
mod sources;
#[cfg(test)]
mod tests;
mod variables;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use ipnet::IpNet;

use sources::Sources;

pub use accounts::JWT_SECRET_MIN_BYTES;
pub use variables::VARIABLES;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// A secret that never shows in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`; `None` runs a private PostgreSQL cluster in the data dir.
    pub database_url: Option<Secret>,
    /// `BANTIN_BIND` as given: `127.0.0.1:8080`, `[::]:8080` or `localhost:8080`.
    pub bind: String,
    /// What to listen on: the address given, or every address the host name resolved to.
    pub bind_addrs: Vec<SocketAddr>,
    pub data_dir: PathBuf,
    /// Base URL clients use to reach the service (for printed links and media URLs).
    pub public_url: String,
    /// `None`: generated and kept in the data dir.
    pub jwt_secret: Option<Secret>,
    pub admin_email: Option<String>,
    pub admin_password: Option<Secret>,
    pub cors_origins: Vec<String>,
    pub log_format: LogFormat,
    pub trusted_proxies: Vec<IpNet>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    pub db_pool_size: usize,
    /// How long anonymous article lists and searches are served from memory (0: never).
    pub public_cache_ttl_secs: u64,
    /// Time allowed for a request's headers to arrive, in seconds.
    pub header_timeout_secs: u64,
    /// Time allowed for a whole request body (other than an upload) to arrive, in seconds.
    pub body_timeout_secs: u64,
    /// Time allowed for a whole upload (`multipart/form-data`) to arrive, in seconds.
    pub upload_timeout_secs: u64,
    pub media: MediaConfig,
    pub events: EventsConfig,
    pub portal: PortalConfig,
}

/// Where the portal that shows the content lives: the links of feeds and sitemaps.
#[derive(Debug, Clone)]
pub struct PortalConfig {
    /// Base URL of the portal, without a trailing `/`.
    pub url: String,
    /// The path of an article's page, with `{slug}` (`/tin-tuc/{slug}`).
    pub article_path: String,
    /// The path of a category's page, with `{slug}`.
    pub category_path: String,
}

/// How long events are kept, and how webhooks are delivered.
#[derive(Debug, Clone)]
pub struct EventsConfig {
    /// Days delivered events and old deliveries are kept.
    pub retention_days: u64,
    /// Whether webhooks may target loopback, private and link-local addresses.
    pub webhook_allow_private: bool,
    /// The pause before each retry of a failed delivery.
    pub webhook_retry_delays: Vec<std::time::Duration>,
    /// Failed attempts in a row after which an endpoint is disabled.
    pub webhook_disable_after: u32,
}

/// Where uploaded files go and the limits on them.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    /// Largest accepted upload, in bytes.
    pub max_bytes: u64,
    /// Largest accepted image, in pixels (width × height), checked before decoding.
    pub max_pixels: u64,
    /// Images decoded at once.
    pub workers: usize,
    /// Memory (MiB) that images being decoded and resized may take, all together.
    pub memory_mib: u32,
    pub backend: MediaBackend,
    /// Base URL of the stored files, ending in `/`.
    pub public_url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaBackend {
    /// `$BANTIN_DATA_DIR/media`, served under `/media/`.
    Local,
    S3(S3Config),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Config {
    pub bucket: String,
    /// `None`: AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<Secret>,
}

/// Default of `BANTIN_MEDIA_MEMORY_MB`: with the rest of the process, 8 uploads at once stay
/// under 600 MB whatever the images (`BENCHMARKS.md`).
pub const DEFAULT_MEDIA_MEMORY_MB: u64 = 448;

/// A setting that could not be used, naming the variable at fault.
#[derive(Debug, thiserror::Error)]
#[error("configuration: {name}: {message}")]
pub struct ConfigError {
    pub name: String,
    pub message: String,
}

fn err(name: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name: name.to_string(),
        message: message.into(),
    }
}

impl Config {
    /// Reads the process environment and `$BANTIN_CONFIG` (default `./bantin.toml`, optional).
    pub fn load() -> Result<Config, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let (path, required) = match env.get("BANTIN_CONFIG") {
            Some(p) => (PathBuf::from(p), true),
            None => (PathBuf::from("bantin.toml"), false),
        };
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => None,
            Err(e) => {
                return Err(err(
                    "BANTIN_CONFIG",
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        };
        Config::from_sources(&env, file.as_deref(), &path)
    }

    /// Builds the settings from an environment map and the text of the optional file.
    pub fn from_sources(
        env: &BTreeMap<String, String>,
        file_text: Option<&str>,
        file_path: &Path,
    ) -> Result<Config, ConfigError> {
        let src = Sources::read(env, file_text, file_path)?;
        let file = &src.file;
        // Read one after the other, in the order of `VARIABLES`: the first at fault is named.
        let bind = server::bind(&src);
        let bind_addrs = server::bind_addrs(&bind)?;
        let data_dir = src
            .text("BANTIN_DATA_DIR", file.data_dir.as_deref())
            .unwrap_or_else(|| "./data".into());
        let public_url = server::public_url(&src, &bind)?;
        Ok(Config {
            database_url: src
                .text("DATABASE_URL", file.database_url.as_deref())
                .map(Secret),
            bind,
            bind_addrs,
            data_dir: PathBuf::from(data_dir),
            jwt_secret: accounts::jwt_secret(&src)?,
            admin_email: accounts::admin_email(&src)?,
            admin_password: accounts::admin_password(&src)?,
            cors_origins: server::cors_origins(&src)?,
            log_format: server::log_format(&src)?,
            trusted_proxies: server::trusted_proxies(&src)?,
            access_token_ttl_secs: src.number(
                "BANTIN_ACCESS_TOKEN_TTL",
                file.access_token_ttl,
                900,
                10..=86_400,
            )?,
            refresh_token_ttl_secs: src.number(
                "BANTIN_REFRESH_TOKEN_TTL",
                file.refresh_token_ttl,
                30 * 86_400,
                60..=365 * 86_400,
            )?,
            db_pool_size: src.number(
                "BANTIN_DB_POOL_SIZE",
                file.db_pool_size.map(|n| n as u64),
                10,
                1..=500,
            )? as usize,
            public_cache_ttl_secs: src.number(
                "BANTIN_PUBLIC_CACHE_TTL",
                file.public_cache_ttl,
                60,
                0..=3600,
            )?,
            header_timeout_secs: src.number(
                "BANTIN_HEADER_TIMEOUT",
                file.header_timeout,
                5,
                1..=3600,
            )?,
            body_timeout_secs: src.number(
                "BANTIN_BODY_TIMEOUT",
                file.body_timeout,
                30,
                1..=3600,
            )?,
            upload_timeout_secs: src.number(
                "BANTIN_UPLOAD_TIMEOUT",
                file.upload_timeout,
                300,
                1..=86_400,
            )?,
            media: media::media(&src, &public_url)?,
            events: events::events(&src)?,
            portal: server::portal(&src, &public_url)?,
            public_url,
        })
    }
}
