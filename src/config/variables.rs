//! The table of every setting, for `--help`, the README and the check that no unknown
//! `BANTIN_*` variable is set.

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
        "BANTIN_EVENT_RETENTION_DAYS",
        "30",
        "days events and webhook deliveries are kept (the audit log is kept for good)",
    ),
    (
        "BANTIN_WEBHOOK_ALLOW_PRIVATE",
        "false",
        "`true` lets webhooks target loopback, private and link-local addresses",
    ),
    (
        "BANTIN_WEBHOOK_RETRY_DELAYS",
        "5,300,1800,7200,18000,36000,36000",
        "seconds before each retry of a failed delivery (±20% jitter); after the last, it fails",
    ),
    (
        "BANTIN_WEBHOOK_DISABLE_AFTER",
        "30",
        "failed attempts in a row after which an endpoint is disabled",
    ),
    (
        "BANTIN_PORTAL_URL",
        "$BANTIN_PUBLIC_URL",
        "base URL of the portal that shows the content (links in feeds and the sitemap)",
    ),
    (
        "BANTIN_PORTAL_ARTICLE_PATH",
        "/tin-tuc/{slug}",
        "path of an article's page on the portal",
    ),
    (
        "BANTIN_PORTAL_CATEGORY_PATH",
        "/chuyen-muc/{slug}",
        "path of a category's page on the portal",
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
