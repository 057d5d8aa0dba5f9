//! A short-lived memory of anonymous article lists and searches.
//!
//! Ranking a common search word means reading every matching row, which no index avoids;
//! the same few queries and front pages are asked for again and again. Anonymous answers
//! are public (`Cache-Control: public, max-age=60`) and may be that old anyway, so this
//! process keeps them for `BANTIN_PUBLIC_CACHE_TTL` seconds (10 by default). Any content
//! write on this process makes every kept answer unreachable at once (a generation number
//! in the key); other replicas' answers age out with the TTL.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

/// Kept answers, by generation, path and query string.
pub struct PublicCache {
    answers: Option<moka::sync::Cache<String, Bytes>>,
    generation: AtomicU64,
}

/// The most memory kept answers may take.
const MAX_BYTES: u64 = 32 * 1024 * 1024;

impl PublicCache {
    /// A cache keeping answers for `ttl_secs` seconds; 0 keeps nothing.
    pub fn new(ttl_secs: u64) -> PublicCache {
        let answers = (ttl_secs > 0).then(|| {
            moka::sync::Cache::builder()
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

    pub fn get(&self, key: &str) -> Option<Bytes> {
        self.answers.as_ref()?.get(key)
    }

    pub fn put(&self, key: String, answer: Bytes) {
        if let Some(answers) = &self.answers {
            answers.insert(key, answer);
        }
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

    #[test]
    fn answers_are_kept_until_a_write() {
        let cache = PublicCache::new(60);
        let key = cache.key("/api/v1/articles", "q=hoi%20nghi").unwrap();
        cache.put(key.clone(), Bytes::from_static(b"{}"));
        assert_eq!(cache.get(&key), Some(Bytes::from_static(b"{}")));
        cache.invalidate();
        let fresh = cache.key("/api/v1/articles", "q=hoi%20nghi").unwrap();
        assert_ne!(fresh, key);
        assert_eq!(cache.get(&fresh), None);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = PublicCache::new(0);
        assert_eq!(cache.key("/api/v1/articles", ""), None);
    }
}
