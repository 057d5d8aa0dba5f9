//! Uploaded files: the limits on them, and where they are stored (the data dir or an S3
//! bucket) and served from.

use super::sources::{Sources, http_url};
use super::{
    ConfigError, DEFAULT_MEDIA_MEMORY_MB, MediaBackend, MediaConfig, S3Config, Secret, err,
};

/// The media settings; `public_url` is the service's, under which local files are served.
pub(super) fn media(src: &Sources, public_url: &str) -> Result<MediaConfig, ConfigError> {
    let file = &src.file;
    let max_bytes = src.number(
        "BANTIN_MEDIA_MAX_BYTES",
        file.media_max_bytes,
        20 * 1024 * 1024,
        1024..=1 << 32,
    )?;
    let max_pixels = src.number(
        "BANTIN_MEDIA_MAX_PIXELS",
        file.media_max_pixels,
        50_000_000,
        1..=1_000_000_000,
    )?;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let workers = src.number("BANTIN_MEDIA_WORKERS", file.media_workers, cores, 1..=256)? as usize;
    let memory_mib = src.number(
        "BANTIN_MEDIA_MEMORY_MB",
        file.media_memory_mb,
        DEFAULT_MEDIA_MEMORY_MB,
        16..=1 << 20,
    )? as u32;
    let media_public_url = src
        .text("BANTIN_MEDIA_PUBLIC_URL", file.media_public_url.as_deref())
        .map(|u| http_url("BANTIN_MEDIA_PUBLIC_URL", &u))
        .transpose()?;
    let backend = backend(src)?;
    let media_url = match (media_public_url, &backend) {
        (Some(url), _) => url,
        (None, MediaBackend::Local) => format!("{public_url}/media"),
        (None, MediaBackend::S3(s3)) => match &s3.endpoint {
            Some(endpoint) => format!("{endpoint}/{}", s3.bucket),
            None => format!("https://{}.s3.{}.amazonaws.com", s3.bucket, s3.region),
        },
    };
    Ok(MediaConfig {
        max_bytes,
        max_pixels,
        workers,
        memory_mib,
        backend,
        public_url: format!("{media_url}/"),
    })
}

/// `local` (the default) or `s3`, with its bucket.
fn backend(src: &Sources) -> Result<MediaBackend, ConfigError> {
    let file = &src.file;
    match src
        .text("BANTIN_MEDIA_BACKEND", file.media_backend.as_deref())
        .as_deref()
    {
        None | Some("local") => Ok(MediaBackend::Local),
        Some("s3") => {
            let bucket = src
                .text("BANTIN_S3_BUCKET", file.s3_bucket.as_deref())
                .ok_or_else(|| err("BANTIN_S3_BUCKET", "required with BANTIN_MEDIA_BACKEND=s3"))?;
            let endpoint = src
                .text("BANTIN_S3_ENDPOINT", file.s3_endpoint.as_deref())
                .map(|u| http_url("BANTIN_S3_ENDPOINT", &u))
                .transpose()?;
            Ok(MediaBackend::S3(S3Config {
                bucket,
                endpoint,
                region: src
                    .text("BANTIN_S3_REGION", file.s3_region.as_deref())
                    .unwrap_or_else(|| "us-east-1".into()),
                access_key_id: src
                    .text("BANTIN_S3_ACCESS_KEY_ID", file.s3_access_key_id.as_deref()),
                secret_access_key: src
                    .text(
                        "BANTIN_S3_SECRET_ACCESS_KEY",
                        file.s3_secret_access_key.as_deref(),
                    )
                    .map(Secret),
            }))
        }
        Some(other) => Err(err(
            "BANTIN_MEDIA_BACKEND",
            format!("`{other}` is neither `local` nor `s3`"),
        )),
    }
}
