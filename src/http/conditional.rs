//! Strong ETags and conditional requests: `If-None-Match` (304) on reads, `If-Match` (412)
//! checked inside a write's transaction, and representations with a reader-bumped counter.

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, ModelError, ModelResult};

/// The strong ETag of a representation: a hash of the exact JSON sent.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

pub(super) fn json_bytes<T: Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(ApiError::internal)
}

pub(super) fn if_none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
}

/// A representation holding a counter that readers bump (views, visits), serialised once,
/// with its ETag: the hash of the JSON without the counter's digits, then the counter. The
/// tag changes whenever the representation does, but `If-Match` compares only the first
/// part ([`IfMatch::check_counted`]), so an editor's write is not refused because someone
/// read the page meanwhile.
pub struct Counted {
    pub(super) body: Vec<u8>,
    pub(super) etag: String,
}

/// The content hash and the counter of `"key":N` in a JSON object's bytes. The key appears
/// once: inside JSON strings every `"` is escaped, so `"key":` cannot occur there.
fn split_counter(json: &[u8], key: &str) -> (String, i64) {
    let needle = format!("\"{key}\":");
    let mut hasher = Sha256::new();
    let mut counter = 0;
    match json
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
    {
        Some(at) => {
            let digits_start = at + needle.len();
            let digits_end = json[digits_start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'-'))
                .map_or(json.len(), |n| digits_start + n);
            counter = std::str::from_utf8(&json[digits_start..digits_end])
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            hasher.update(&json[..digits_start]);
            hasher.update(&json[digits_end..]);
        }
        None => hasher.update(json),
    }
    (hex::encode(&hasher.finalize()[..16]), counter)
}

/// Serialises `value`, whose field `key` is a counter, with its ETag.
pub fn counted<T: Serialize>(value: &T, key: &str) -> ApiResult<Counted> {
    let body = json_bytes(value)?;
    let (content, counter) = split_counter(&body, key);
    Ok(Counted {
        etag: format!("\"{content}.{counter}\""),
        body,
    })
}

impl Counted {
    pub fn etag(&self) -> &str {
        &self.etag
    }
}

/// The `If-Match` precondition of a write, checked against the current representation
/// inside the write's transaction, so nothing is written when it fails.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub(super) Option<Vec<String>>);

impl IfMatch {
    pub fn from_request(req: &HttpRequest) -> IfMatch {
        let present = req.headers().contains_key(header::IF_MATCH);
        let tags: Vec<String> = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        // An empty or unreadable `If-Match` matches nothing rather than being ignored.
        IfMatch(if present { Some(tags) } else { None })
    }

    /// Whether the request carried `If-Match`.
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }

    /// [`ModelError::Stale`] (412) unless the header is absent, `*`, or names the current
    /// representation's ETag. Models call it inside the write's transaction.
    pub fn check<T: Serialize>(&self, current: &T) -> ModelResult<()> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let body = serde_json::to_vec(current).map_err(ModelError::internal)?;
        let etag = etag_of(&body);
        if tags.iter().any(|t| t == "*" || *t == etag) {
            Ok(())
        } else {
            Err(ModelError::Stale)
        }
    }
}

impl IfMatch {
    /// Like [`IfMatch::check`] for a [`Counted`] representation of `current` whose counter
    /// is `key`: the counter part of the tags is ignored.
    pub fn check_counted<T: Serialize>(&self, current: &T, key: &str) -> ModelResult<()> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let body = serde_json::to_vec(current).map_err(ModelError::internal)?;
        let (content, _) = split_counter(&body, key);
        let matches = |t: &str| {
            t == "*"
                || t.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.rsplit_once('.'))
                    .is_some_and(|(head, counter)| {
                        head == content && counter.parse::<i64>().is_ok()
                    })
        };
        if tags.iter().any(|t| matches(t)) {
            Ok(())
        } else {
            Err(ModelError::Stale)
        }
    }
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(IfMatch::from_request(req)))
    }
}
