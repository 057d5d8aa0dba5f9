//! Where a setting's value comes from: the process environment first, then the optional
//! file, whose keys are the variables' names in lower case without the `BANTIN_` prefix.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::path::Path;

use serde::Deserialize;

use super::{ConfigError, VARIABLES, err};

/// The optional file, keys in lower case without the `BANTIN_` prefix.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) database_url: Option<String>,
    pub(super) bind: Option<String>,
    pub(super) data_dir: Option<String>,
    pub(super) public_url: Option<String>,
    pub(super) jwt_secret: Option<String>,
    pub(super) admin_email: Option<String>,
    pub(super) admin_password: Option<String>,
    pub(super) cors_origins: Option<Vec<String>>,
    pub(super) log_format: Option<String>,
    pub(super) trusted_proxies: Option<Vec<String>>,
    pub(super) access_token_ttl: Option<u64>,
    pub(super) refresh_token_ttl: Option<u64>,
    pub(super) db_pool_size: Option<usize>,
    pub(super) public_cache_ttl: Option<u64>,
    pub(super) header_timeout: Option<u64>,
    pub(super) body_timeout: Option<u64>,
    pub(super) upload_timeout: Option<u64>,
    pub(super) event_retention_days: Option<u64>,
    pub(super) webhook_allow_private: Option<bool>,
    pub(super) webhook_retry_delays: Option<Vec<String>>,
    pub(super) webhook_disable_after: Option<u64>,
    pub(super) portal_url: Option<String>,
    pub(super) portal_article_path: Option<String>,
    pub(super) portal_category_path: Option<String>,
    pub(super) media_max_bytes: Option<u64>,
    pub(super) media_max_pixels: Option<u64>,
    pub(super) media_workers: Option<u64>,
    pub(super) media_memory_mb: Option<u64>,
    pub(super) media_backend: Option<String>,
    pub(super) media_public_url: Option<String>,
    pub(super) s3_bucket: Option<String>,
    pub(super) s3_endpoint: Option<String>,
    pub(super) s3_region: Option<String>,
    pub(super) s3_access_key_id: Option<String>,
    pub(super) s3_secret_access_key: Option<String>,
}

/// The environment and the file, read: every setting is looked up in the environment first,
/// then in the file.
pub(super) struct Sources<'a> {
    env: &'a BTreeMap<String, String>,
    pub(super) file: FileConfig,
}

impl<'a> Sources<'a> {
    /// Refuses a `BANTIN_*` variable that names no setting, then parses the file's text.
    pub(super) fn read(
        env: &'a BTreeMap<String, String>,
        file_text: Option<&str>,
        file_path: &Path,
    ) -> Result<Sources<'a>, ConfigError> {
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
        Ok(Sources { env, file })
    }

    /// A text setting; empty values count as unset.
    pub(super) fn text(&self, name: &str, from_file: Option<&str>) -> Option<String> {
        self.env
            .get(name)
            .map(String::as_str)
            .or(from_file)
            .filter(|v| !v.trim().is_empty())
            .map(String::from)
    }

    /// A list: comma-separated in the environment, a TOML array in the file.
    pub(super) fn list(&self, name: &str, from_file: Option<&[String]>) -> Vec<String> {
        match self.env.get(name) {
            Some(v) => v
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            None => from_file.map(<[String]>::to_vec).unwrap_or_default(),
        }
    }

    /// A whole number within `range`, `default` when unset.
    pub(super) fn number(
        &self,
        name: &str,
        from_file: Option<u64>,
        default: u64,
        range: RangeInclusive<u64>,
    ) -> Result<u64, ConfigError> {
        let value = match self.env.get(name) {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| err(name, format!("`{v}` is not a whole number")))?,
            None => from_file.unwrap_or(default),
        };
        if !range.contains(&value) {
            let (min, max) = range.into_inner();
            return Err(err(name, format!("{value} is outside {min}..={max}")));
        }
        Ok(value)
    }
}

/// An http(s) URL without its trailing `/`.
pub(super) fn http_url(name: &str, url: &str) -> Result<String, ConfigError> {
    let url = url.trim_end_matches('/').to_string();
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(err(name, format!("`{url}` is not an http(s) URL")));
    }
    Ok(url)
}
