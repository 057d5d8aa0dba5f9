//! Typed settings, read once at start from `BANTIN_*` environment variables and an optional
//! `bantin.toml` (environment wins). Anything unknown or invalid stops the start with a
//! message naming the variable, so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::{Path, PathBuf};

use ipnet::IpNet;
use serde::Deserialize;

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

/// Every variable the service reads, with its default and meaning (for `--help` and the README).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "(unset)",
        "PostgreSQL URL; unset runs a private cluster in $BANTIN_DATA_DIR/postgres",
    ),
    (
        "BANTIN_BIND",
        "127.0.0.1:8080",
        "address (or host name) and port to listen on; a name listens on every address it resolves to",
    ),
    (
        "BANTIN_DATA_DIR",
        "./data",
        "where the local database, JWT secret, media and uploads being received (tmp/) live",
    ),
    (
        "BANTIN_PUBLIC_URL",
        "http://<BANTIN_BIND>",
        "base URL clients use to reach the service",
    ),
    (
        "BANTIN_JWT_SECRET",
        "(generated)",
        "HS256 secret, at least 32 bytes; generated into the data dir when unset",
    ),
    (
        "BANTIN_ADMIN_EMAIL",
        "admin@localhost",
        "first-run admin's email (only when no user exists)",
    ),
    (
        "BANTIN_ADMIN_PASSWORD",
        "(random, printed once)",
        "first-run admin's password, at least 12 characters",
    ),
    (
        "BANTIN_CORS_ORIGINS",
        "(none)",
        "comma-separated origins allowed to call the API from a browser",
    ),
    ("BANTIN_LOG_FORMAT", "pretty", "`pretty` or `json`"),
    (
        "BANTIN_TRUSTED_PROXIES",
        "(none)",
        "comma-separated IPs/CIDRs whose X-Forwarded-For is believed",
    ),
    (
        "BANTIN_ACCESS_TOKEN_TTL",
        "900",
        "access token lifetime in seconds",
    ),
    (
        "BANTIN_REFRESH_TOKEN_TTL",
        "2592000",
        "login session (refresh token) lifetime in seconds",
    ),
    (
        "BANTIN_DB_POOL_SIZE",
        "10",
        "database connections per process for requests (`serve` opens one more to watch the database)",
    ),
    (
        "BANTIN_PUBLIC_CACHE_TTL",
        "60",
        "seconds an anonymous /articles or /agreements list or search answer is reused from memory (0 = off); API writes on this process clear it",
    ),
    (
        "BANTIN_HEADER_TIMEOUT",
        "5",
        "seconds a client has to send a request's headers (else 408 and the connection closes)",
    ),
    (
        "BANTIN_BODY_TIMEOUT",
        "30",
        "seconds a client has to send a whole JSON request body (else 408 and the connection closes)",
    ),
    (
        "BANTIN_UPLOAD_TIMEOUT",
        "300",
        "seconds a client has to send a whole upload (else 408 and the connection closes)",
    ),
    (
        "BANTIN_CONFIG",
        "./bantin.toml",
        "optional TOML file with the same settings in lower case without the prefix",
    ),
    (
        "BANTIN_MEDIA_MAX_BYTES",
        "20971520",
        "largest accepted upload in bytes (20 MB); larger ones get 413 while being read",
    ),
    (
        "BANTIN_MEDIA_MAX_PIXELS",
        "50000000",
        "largest accepted image in pixels (50 MP), checked from the header before decoding",
    ),
    (
        "BANTIN_MEDIA_WORKERS",
        "(number of cores)",
        "images decoded and resized at once; further uploads wait their turn",
    ),
    (
        "BANTIN_MEDIA_MEMORY_MB",
        "448",
        "memory (MiB) images being decoded and resized may take together; uploads wait for room, and an image needing more is refused (422)",
    ),
    (
        "BANTIN_MEDIA_BACKEND",
        "local",
        "`local` ($BANTIN_DATA_DIR/media, served under /media/) or `s3`",
    ),
    (
        "BANTIN_MEDIA_PUBLIC_URL",
        "$BANTIN_PUBLIC_URL/media (local), $BANTIN_S3_ENDPOINT/<bucket> (s3)",
        "base URL of the stored files in API answers (a CDN or the bucket's public URL)",
    ),
    ("BANTIN_S3_BUCKET", "(none)", "bucket (required with `s3`)"),
    (
        "BANTIN_S3_ENDPOINT",
        "(AWS)",
        "S3-compatible endpoint URL (MinIO, Ceph, Viettel/FPT cloud …)",
    ),
    ("BANTIN_S3_REGION", "us-east-1", "region"),
    ("BANTIN_S3_ACCESS_KEY_ID", "(none)", "access key id"),
    ("BANTIN_S3_SECRET_ACCESS_KEY", "(none)", "secret access key"),
    ("RUST_LOG", "info", "log filter (tracing EnvFilter syntax)"),
];

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

/// The optional file, keys in lower case without the `BANTIN_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    bind: Option<String>,
    data_dir: Option<String>,
    public_url: Option<String>,
    jwt_secret: Option<String>,
    admin_email: Option<String>,
    admin_password: Option<String>,
    cors_origins: Option<Vec<String>>,
    log_format: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    access_token_ttl: Option<u64>,
    refresh_token_ttl: Option<u64>,
    db_pool_size: Option<usize>,
    public_cache_ttl: Option<u64>,
    header_timeout: Option<u64>,
    body_timeout: Option<u64>,
    upload_timeout: Option<u64>,
    media_max_bytes: Option<u64>,
    media_max_pixels: Option<u64>,
    media_workers: Option<u64>,
    media_memory_mb: Option<u64>,
    media_backend: Option<String>,
    media_public_url: Option<String>,
    s3_bucket: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    s3_access_key_id: Option<String>,
    s3_secret_access_key: Option<String>,
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
        let known: Vec<&str> = VARIABLES.iter().map(|(name, _, _)| *name).collect();
        if let Some(unknown) = env
            .keys()
            .find(|k| k.starts_with("BANTIN_") && !known.contains(&k.as_str()))
        {
            return Err(err(
                unknown,
                format!("unknown setting; known ones are {}", known.join(", ")),
            ));
        }
        let file: FileConfig = match file_text {
            Some(text) => toml::from_str(text).map_err(|e| {
                err(
                    "BANTIN_CONFIG",
                    format!("{}: {}", file_path.display(), e.message()),
                )
            })?,
            None => FileConfig::default(),
        };
        // Environment first, then the file; empty values count as unset.
        let get = |name: &str, from_file: Option<String>| -> Option<String> {
            env.get(name)
                .cloned()
                .or(from_file)
                .filter(|v| !v.trim().is_empty())
        };
        let list = |name: &str, from_file: Option<Vec<String>>| -> Vec<String> {
            match env.get(name) {
                Some(v) => v
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
                None => from_file.unwrap_or_default(),
            }
        };

        let bind = get("BANTIN_BIND", file.bind).unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind_addr = bind.parse::<SocketAddr>().ok();
        let bind_addrs = match bind_addr {
            Some(addr) => vec![addr],
            None => resolve_bind(&bind)?,
        };

        let data_dir =
            PathBuf::from(get("BANTIN_DATA_DIR", file.data_dir).unwrap_or_else(|| "./data".into()));

        let public_url = match get("BANTIN_PUBLIC_URL", file.public_url) {
            Some(url) => {
                let url = url.trim_end_matches('/').to_string();
                if !(url.starts_with("http://") || url.starts_with("https://"))
                    || url.contains(char::is_whitespace)
                {
                    return Err(err(
                        "BANTIN_PUBLIC_URL",
                        format!("`{url}` is not an http(s) URL"),
                    ));
                }
                url
            }
            // A host name as given; an address as clients can use it.
            None => match bind_addr {
                None => format!("http://{bind}"),
                Some(addr) if addr.ip().is_unspecified() => {
                    format!("http://127.0.0.1:{}", addr.port())
                }
                Some(SocketAddr::V6(addr)) => format!("http://[{}]:{}", addr.ip(), addr.port()),
                Some(addr) => format!("http://{addr}"),
            },
        };

        let jwt_secret = match get("BANTIN_JWT_SECRET", file.jwt_secret) {
            Some(s) if s.len() < 32 => {
                return Err(err(
                    "BANTIN_JWT_SECRET",
                    format!(
                        "too weak: {} bytes, at least 32 are required (or leave it unset to generate one)",
                        s.len()
                    ),
                ));
            }
            other => other.map(Secret),
        };

        let admin_email = get("BANTIN_ADMIN_EMAIL", file.admin_email);
        if let Some(email) = &admin_email
            && crate::text::parse_email(email).is_err()
        {
            return Err(err(
                "BANTIN_ADMIN_EMAIL",
                format!("`{email}` is not an email address"),
            ));
        }
        let admin_password = get("BANTIN_ADMIN_PASSWORD", file.admin_password);
        if let Some(p) = &admin_password
            && p.chars().count() < crate::domain::limits::PASSWORD_MIN
        {
            return Err(err(
                "BANTIN_ADMIN_PASSWORD",
                format!(
                    "at least {} characters are required",
                    crate::domain::limits::PASSWORD_MIN
                ),
            ));
        }

        let cors_origins = list("BANTIN_CORS_ORIGINS", file.cors_origins);
        for origin in &cors_origins {
            let ok = (origin.starts_with("http://") || origin.starts_with("https://"))
                && !origin.ends_with('/')
                && !origin.contains(char::is_whitespace);
            if !ok {
                return Err(err(
                    "BANTIN_CORS_ORIGINS",
                    format!("`{origin}` is not an origin such as https://example.gov.vn"),
                ));
            }
        }

        let log_format = match get("BANTIN_LOG_FORMAT", file.log_format).as_deref() {
            None | Some("pretty") => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(err(
                    "BANTIN_LOG_FORMAT",
                    format!("`{other}` is neither `pretty` nor `json`"),
                ));
            }
        };

        let trusted_proxies = list("BANTIN_TRUSTED_PROXIES", file.trusted_proxies)
            .iter()
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        err(
                            "BANTIN_TRUSTED_PROXIES",
                            format!("`{s}` is not an IP address or CIDR"),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;

        let number = |name: &str,
                      from_file: Option<u64>,
                      default: u64,
                      min: u64,
                      max: u64|
         -> Result<u64, ConfigError> {
            let value = match env.get(name) {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| err(name, format!("`{v}` is not a whole number")))?,
                None => from_file.unwrap_or(default),
            };
            if !(min..=max).contains(&value) {
                return Err(err(name, format!("{value} is outside {min}..={max}")));
            }
            Ok(value)
        };
        let access_token_ttl_secs = number(
            "BANTIN_ACCESS_TOKEN_TTL",
            file.access_token_ttl,
            900,
            10,
            86_400,
        )?;
        let refresh_token_ttl_secs = number(
            "BANTIN_REFRESH_TOKEN_TTL",
            file.refresh_token_ttl,
            30 * 86_400,
            60,
            365 * 86_400,
        )?;
        let db_pool_size = number(
            "BANTIN_DB_POOL_SIZE",
            file.db_pool_size.map(|n| n as u64),
            10,
            1,
            500,
        )? as usize;
        let public_cache_ttl_secs = number(
            "BANTIN_PUBLIC_CACHE_TTL",
            file.public_cache_ttl,
            60,
            0,
            3600,
        )?;
        let header_timeout_secs = number("BANTIN_HEADER_TIMEOUT", file.header_timeout, 5, 1, 3600)?;
        let body_timeout_secs = number("BANTIN_BODY_TIMEOUT", file.body_timeout, 30, 1, 3600)?;
        let upload_timeout_secs =
            number("BANTIN_UPLOAD_TIMEOUT", file.upload_timeout, 300, 1, 86_400)?;

        let media_max_bytes = number(
            "BANTIN_MEDIA_MAX_BYTES",
            file.media_max_bytes,
            20 * 1024 * 1024,
            1024,
            1 << 32,
        )?;
        let media_max_pixels = number(
            "BANTIN_MEDIA_MAX_PIXELS",
            file.media_max_pixels,
            50_000_000,
            1,
            1_000_000_000,
        )?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let media_workers =
            number("BANTIN_MEDIA_WORKERS", file.media_workers, cores, 1, 256)? as usize;
        let media_memory_mib = number(
            "BANTIN_MEDIA_MEMORY_MB",
            file.media_memory_mb,
            DEFAULT_MEDIA_MEMORY_MB,
            16,
            1 << 20,
        )? as u32;
        let http_url = |name: &str, url: String| -> Result<String, ConfigError> {
            let url = url.trim_end_matches('/').to_string();
            if !(url.starts_with("http://") || url.starts_with("https://"))
                || url.contains(char::is_whitespace)
            {
                return Err(err(name, format!("`{url}` is not an http(s) URL")));
            }
            Ok(url)
        };
        let media_public_url = get("BANTIN_MEDIA_PUBLIC_URL", file.media_public_url)
            .map(|u| http_url("BANTIN_MEDIA_PUBLIC_URL", u))
            .transpose()?;
        let backend = match get("BANTIN_MEDIA_BACKEND", file.media_backend).as_deref() {
            None | Some("local") => MediaBackend::Local,
            Some("s3") => {
                let bucket = get("BANTIN_S3_BUCKET", file.s3_bucket).ok_or_else(|| {
                    err("BANTIN_S3_BUCKET", "required with BANTIN_MEDIA_BACKEND=s3")
                })?;
                let endpoint = get("BANTIN_S3_ENDPOINT", file.s3_endpoint)
                    .map(|u| http_url("BANTIN_S3_ENDPOINT", u))
                    .transpose()?;
                MediaBackend::S3(S3Config {
                    bucket,
                    endpoint,
                    region: get("BANTIN_S3_REGION", file.s3_region)
                        .unwrap_or_else(|| "us-east-1".into()),
                    access_key_id: get("BANTIN_S3_ACCESS_KEY_ID", file.s3_access_key_id),
                    secret_access_key: get(
                        "BANTIN_S3_SECRET_ACCESS_KEY",
                        file.s3_secret_access_key,
                    )
                    .map(Secret),
                })
            }
            Some(other) => {
                return Err(err(
                    "BANTIN_MEDIA_BACKEND",
                    format!("`{other}` is neither `local` nor `s3`"),
                ));
            }
        };
        let media_url = match (&media_public_url, &backend) {
            (Some(url), _) => url.clone(),
            (None, MediaBackend::Local) => format!("{public_url}/media"),
            (None, MediaBackend::S3(s3)) => match &s3.endpoint {
                Some(endpoint) => format!("{endpoint}/{}", s3.bucket),
                None => format!("https://{}.s3.{}.amazonaws.com", s3.bucket, s3.region),
            },
        };
        let media = MediaConfig {
            max_bytes: media_max_bytes,
            max_pixels: media_max_pixels,
            workers: media_workers,
            memory_mib: media_memory_mib,
            backend,
            public_url: format!("{media_url}/"),
        };

        Ok(Config {
            database_url: get("DATABASE_URL", file.database_url).map(Secret),
            bind,
            bind_addrs,
            data_dir,
            public_url,
            jwt_secret,
            admin_email,
            admin_password: admin_password.map(Secret),
            cors_origins,
            log_format,
            trusted_proxies,
            access_token_ttl_secs,
            refresh_token_ttl_secs,
            db_pool_size,
            public_cache_ttl_secs,
            header_timeout_secs,
            body_timeout_secs,
            upload_timeout_secs,
            media,
        })
    }
}

/// The addresses a `host:port` value of `BANTIN_BIND` resolves to (the system resolver:
/// `/etc/hosts`, then DNS).
fn resolve_bind(bind: &str) -> Result<Vec<SocketAddr>, ConfigError> {
    let has_port = bind
        .rsplit_once(':')
        .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
    if !has_port {
        return Err(err(
            "BANTIN_BIND",
            format!(
                "`{bind}` is not an address:port or host:port such as 127.0.0.1:8080 or localhost:8080"
            ),
        ));
    }
    let resolved = bind.to_socket_addrs().map_err(|e| {
        err(
            "BANTIN_BIND",
            format!("cannot resolve the host name in `{bind}`: {e}"),
        )
    })?;
    let mut addrs: Vec<SocketAddr> = Vec::new();
    for addr in resolved {
        if !addrs.contains(&addr) {
            addrs.push(addr);
        }
    }
    if addrs.is_empty() {
        return Err(err(
            "BANTIN_BIND",
            format!("the host name in `{bind}` resolves to no address"),
        ));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(vars: &[(&str, &str)], file: Option<&str>) -> Result<Config, ConfigError> {
        let env = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_sources(&env, file, Path::new("bantin.toml"))
    }

    #[test]
    fn defaults_are_safe() {
        let c = load(&[], None).unwrap();
        assert_eq!(c.bind_addrs, ["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert!(c.jwt_secret.is_none() && c.database_url.is_none() && c.cors_origins.is_empty());
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.media.backend, MediaBackend::Local);
        assert_eq!(c.media.public_url, "http://127.0.0.1:8080/media/");
        assert_eq!(c.media.max_bytes, 20 * 1024 * 1024);
        assert_eq!(c.media.max_pixels, 50_000_000);
        assert_eq!(c.media.memory_mib, 448);
    }

    #[test]
    fn s3_needs_a_bucket_and_points_urls_at_it() {
        let e = load(&[("BANTIN_MEDIA_BACKEND", "s3")], None).unwrap_err();
        assert_eq!(e.name, "BANTIN_S3_BUCKET");
        let c = load(
            &[
                ("BANTIN_MEDIA_BACKEND", "s3"),
                ("BANTIN_S3_BUCKET", "anh"),
                ("BANTIN_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(c.media.public_url, "http://127.0.0.1:9000/anh/");
        let c = load(
            &[
                ("BANTIN_MEDIA_BACKEND", "s3"),
                ("BANTIN_S3_BUCKET", "anh"),
                ("BANTIN_MEDIA_PUBLIC_URL", "https://cdn.laichau.gov.vn/anh"),
            ],
            None,
        )
        .unwrap();
        assert_eq!(c.media.public_url, "https://cdn.laichau.gov.vn/anh/");
    }

    #[test]
    fn unknown_variable_is_named() {
        let e = load(&[("BANTIN_BINDD", "x")], None).unwrap_err();
        assert_eq!(e.name, "BANTIN_BINDD");
    }

    #[test]
    fn invalid_values_are_named() {
        for (name, value) in [
            ("BANTIN_BIND", "localhost"),
            ("BANTIN_LOG_FORMAT", "xml"),
            ("BANTIN_JWT_SECRET", "short"),
            ("BANTIN_CORS_ORIGINS", "example.com"),
            ("BANTIN_TRUSTED_PROXIES", "10.0.0.300"),
            ("BANTIN_PUBLIC_URL", "ftp://x"),
            ("BANTIN_ADMIN_EMAIL", "not-an-email"),
            ("BANTIN_ADMIN_PASSWORD", "short"),
            ("BANTIN_DB_POOL_SIZE", "0"),
            ("BANTIN_ACCESS_TOKEN_TTL", "ten"),
            ("BANTIN_MEDIA_BACKEND", "ftp"),
            ("BANTIN_MEDIA_MAX_BYTES", "10"),
            ("BANTIN_MEDIA_PUBLIC_URL", "cdn.example.vn"),
        ] {
            let e = load(&[(name, value)], None).unwrap_err();
            assert_eq!(e.name, name, "{value}");
        }
    }

    #[test]
    fn bind_takes_addresses_and_host_names() {
        let c = load(&[("BANTIN_BIND", "[::1]:8081")], None).unwrap();
        assert_eq!(c.bind_addrs, ["[::1]:8081".parse().unwrap()]);
        assert_eq!(c.public_url, "http://[::1]:8081");

        // A name listens on what it resolves to, and links keep the name.
        let c = load(&[("BANTIN_BIND", "localhost:8082")], None).unwrap();
        assert!(!c.bind_addrs.is_empty(), "localhost resolves");
        assert!(
            c.bind_addrs
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == 8082),
            "{:?}",
            c.bind_addrs
        );
        assert_eq!(c.public_url, "http://localhost:8082");
        assert_eq!(c.media.public_url, "http://localhost:8082/media/");

        for bad in [
            "localhost",
            "localhost:",
            ":8080",
            "localhost:http",
            "localhost:70000",
        ] {
            let e = load(&[("BANTIN_BIND", bad)], None).unwrap_err();
            assert_eq!(e.name, "BANTIN_BIND", "{bad}");
            assert!(e.message.contains("host:port"), "{bad}: {}", e.message);
        }
        // RFC 6761: `.invalid` names never resolve.
        let e = load(&[("BANTIN_BIND", "bantin.invalid:8080")], None).unwrap_err();
        assert_eq!(e.name, "BANTIN_BIND");
        assert!(e.message.contains("cannot resolve"), "{}", e.message);
    }

    #[test]
    fn file_is_read_and_environment_wins() {
        let file =
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\ncors_origins = [\"https://a.vn\"]\n";
        let c = load(&[("BANTIN_LOG_FORMAT", "pretty")], Some(file)).unwrap();
        assert_eq!(c.bind_addrs, ["0.0.0.0:9000".parse().unwrap()]);
        assert_eq!(c.public_url, "http://127.0.0.1:9000");
        assert_eq!(c.log_format, LogFormat::Pretty);
        assert_eq!(c.cors_origins, vec!["https://a.vn".to_string()]);
    }

    #[test]
    fn unknown_file_key_is_refused() {
        let e = load(&[], Some("bindd = \"x\"")).unwrap_err();
        assert_eq!(e.name, "BANTIN_CONFIG");
        assert!(e.message.contains("bindd"), "{}", e.message);
    }

    #[test]
    fn secrets_do_not_show_in_debug() {
        let c = load(
            &[(
                "BANTIN_JWT_SECRET",
                "0123456789abcdef0123456789abcdef-secret",
            )],
            None,
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }
}
