//! A short-lived memory of anonymous article lists and searches.
//!
//! Ranking a common search word means reading every matching row, which no index avoids;
//! the same few queries and front pages are asked for again and again. Anonymous answers
//! are public (`Cache-Control: public, max-age=60`) and may be that old anyway, so this
//! process keeps them for `BANTIN_PUBLIC_CACHE_TTL` seconds (60 by default, the `max-age`
//! they are sent with). Any content
//! write on this process makes every kept answer unreachable at once (a generation number
//! in the key); other replicas' answers age out with the TTL.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

use crate::error::{ApiError, ApiResult};

/// Kept answers, by generation, path and query string.
pub struct PublicCache {
    answers: Option<moka::future::Cache<String, Bytes>>,
    generation: AtomicU64,
}

/// The most memory kept answers may take.
const MAX_BYTES: u64 = 32 * 1024 * 1024;

impl PublicCache {
    /// A cache keeping answers for `ttl_secs` seconds; 0 keeps nothing.
    pub fn new(ttl_secs: u64) -> PublicCache {
        let answers = (ttl_secs > 0).then(|| {
            moka::future::Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|key: &String, value: &Bytes| {
                    u32::try_from(key.len() + value.len()).unwrap_or(u32::MAX)
                })
                .time_to_live(Duration::from_secs(ttl_secs))
                .build()
        });
        PublicCache {
            answers,
            generation: AtomicU64::new(0),
        }
    }

    /// The key of a request, or `None` when nothing is kept.
    pub fn key(&self, path: &str, query: &str) -> Option<String> {
        self.answers.as_ref()?;
        let generation = self.generation.load(Ordering::Acquire);
        Some(format!("{generation}|{path}?{query}"))
    }

    /// The kept answer for `key`, or the one `compute` gives (then kept). Requests for the
    /// same key arriving meanwhile wait for that one computation instead of repeating it, so
    /// an expired popular search is not run by every waiting client at once.
    pub async fn get_or_compute(
        &self,
        key: Option<String>,
        compute: impl Future<Output = ApiResult<Bytes>>,
    ) -> ApiResult<Bytes> {
        let (Some(answers), Some(key)) = (&self.answers, key) else {
            return compute.await;
        };
        // The error of our own computation is handed back as it is; a request that waited
        // for another's failed computation is told to try again.
        let mut failure = None;
        let result = answers
            .try_get_with(key, async {
                compute.await.map_err(|e| {
                    failure = Some(e);
                })
            })
            .await;
        result.map_err(|_| {
            failure.take().unwrap_or_else(|| {
                ApiError::Unavailable("the same request failed a moment ago; try again".into())
            })
        })
    }

    /// Forgets every kept answer (they expire on their own; new keys never meet them).
    pub fn invalidate(&self) {
        if let Some(answers) = &self.answers {
            self.generation.fetch_add(1, Ordering::AcqRel);
            answers.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_are_kept_until_a_write() {
        let cache = PublicCache::new(60);
        let key = cache.key("/api/v1/articles", "q=hoi%20nghi");
        let first = cache
            .get_or_compute(key.clone(), async { Ok(Bytes::from_static(b"1")) })
            .await
            .unwrap();
        let kept = cache
            .get_or_compute(key.clone(), async { Ok(Bytes::from_static(b"2")) })
            .await
            .unwrap();
        assert_eq!((first.as_ref(), kept.as_ref()), (&b"1"[..], &b"1"[..]));
        cache.invalidate();
        let fresh = cache.key("/api/v1/articles", "q=hoi%20nghi");
        assert_ne!(fresh, key);
        let after = cache
            .get_or_compute(fresh, async { Ok(Bytes::from_static(b"3")) })
            .await
            .unwrap();
        assert_eq!(after.as_ref(), b"3");
    }

    #[tokio::test]
    async fn errors_are_not_kept() {
        let cache = PublicCache::new(60);
        let key = cache.key("/api/v1/articles", "");
        let failed = cache
            .get_or_compute(key.clone(), async {
                Err(ApiError::Unavailable("down".into()))
            })
            .await;
        assert!(matches!(failed, Err(ApiError::Unavailable(_))));
        let ok = cache
            .get_or_compute(key, async { Ok(Bytes::from_static(b"ok")) })
            .await
            .unwrap();
        assert_eq!(ok.as_ref(), b"ok");
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = PublicCache::new(0);
        assert_eq!(cache.key("/api/v1/articles", ""), None);
    }
}
