//! A short-lived memory of anonymous article lists and searches.
//!
//! Ranking a common search word means reading every matching row, which no index avoids;
//! the same few queries and front pages are asked for again and again. Anonymous answers
//! are public (`Cache-Control: public, max-age=60`) and may be that old anyway, so this
//! process keeps them for `BANTIN_PUBLIC_CACHE_TTL` seconds (60 by default, the `max-age`
//! they are sent with). Any content
//! write on this process makes every kept answer unreachable at once (a generation number
//! in the key); other replicas' answers age out with the TTL.
//!
//! A scheduled article becomes public at its `published_at` with no write to announce it, so
//! kept answers also end at the *horizon*: the next scheduled publication, looked up once
//! per generation before its first answer is computed (so nothing published between the
//! lookup and an answer's computation can be missing from it).

use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};

/// Kept answers, by generation, path and query string.
pub struct PublicCache {
    answers: Option<moka::future::Cache<String, Bytes>>,
    generation: AtomicU64,
    /// Unix milliseconds of the next scheduled publication: [`NO_HORIZON`] when none is
    /// scheduled, [`UNKNOWN_HORIZON`] until looked up in this generation.
    horizon: AtomicI64,
    /// Serialises a generation change with the recording of a horizon.
    turn: Mutex<()>,
}

const UNKNOWN_HORIZON: i64 = i64::MIN;
const NO_HORIZON: i64 = i64::MAX;

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
            horizon: AtomicI64::new(UNKNOWN_HORIZON),
            turn: Mutex::new(()),
        }
    }

    /// The key of a request, or `None` when nothing is kept. Past the horizon, every kept
    /// answer is forgotten first.
    pub fn key(&self, path: &str, query: &str) -> Option<String> {
        self.answers.as_ref()?;
        let horizon = self.horizon.load(Ordering::Acquire);
        if horizon != UNKNOWN_HORIZON && Utc::now().timestamp_millis() >= horizon {
            self.forget_all();
        }
        let generation = self.generation.load(Ordering::Acquire);
        Some(format!("{generation}|{path}?{query}"))
    }

    /// Looks the horizon up with `lookup` (the next scheduled publication) unless it is known
    /// for this generation. Call it inside a computation, before reading what it shows.
    pub async fn learn_horizon<F, E>(&self, lookup: F) -> Result<(), E>
    where
        F: Future<Output = Result<Option<DateTime<Utc>>, E>>,
    {
        if self.answers.is_none() || self.horizon.load(Ordering::Acquire) != UNKNOWN_HORIZON {
            return Ok(());
        }
        let generation = self.generation.load(Ordering::Acquire);
        let next = lookup.await?;
        let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
        // A write since the lookup began a new generation, whose horizon may be earlier.
        if self.generation.load(Ordering::Acquire) == generation {
            let millis = next.map_or(NO_HORIZON, |t| t.timestamp_millis());
            self.horizon.store(millis, Ordering::Release);
        }
        Ok(())
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

    /// Answers a public list page: for an anonymous caller from memory when kept (the first
    /// computation of a generation also learns the horizon), otherwise `page` computes it on a
    /// pool connection. Credentialed callers always get a fresh, private answer.
    pub async fn list_page<S, F>(
        &self,
        pool: &crate::db::DbPool,
        req: &actix_web::HttpRequest,
        anonymous: bool,
        page: F,
    ) -> ApiResult<actix_web::HttpResponse>
    where
        S: serde::Serialize,
        F: AsyncFnOnce(&mut crate::db::DbConn) -> ApiResult<S>,
    {
        let key = match anonymous {
            true => self.key(req.path(), req.query_string()),
            false => None,
        };
        let kept = key.is_some();
        let body = self
            .get_or_compute(key, async {
                let mut conn = pool.get().await?;
                if kept {
                    let next = crate::db::visibility::next_publication(&mut conn);
                    self.learn_horizon(next).await?;
                }
                let page = page(&mut conn).await?;
                Ok(Bytes::from(
                    serde_json::to_vec(&page).map_err(ApiError::internal)?,
                ))
            })
            .await?;
        let cache = match anonymous {
            true => crate::http::Cache::Public,
            false => crate::http::Cache::Private,
        };
        Ok(crate::http::list_bytes(body, cache))
    }

    /// Called once for every answered request ([`crate::middleware`]): a successful write that
    /// may change what anonymous readers see forgets every kept answer. This is the one place
    /// where writes reach the cache, so no handler can forget it. Not counted as such: logins
    /// and sessions, and the view and visit counters (a view would otherwise empty the cache).
    pub fn after_request(&self, method: &actix_web::http::Method, path: &str, succeeded: bool) {
        use actix_web::http::Method;
        let writes = matches!(
            *method,
            Method::POST | Method::PUT | Method::PATCH | Method::DELETE
        );
        if !(writes && succeeded) {
            return;
        }
        let Some(resource) = path.strip_prefix("/api/v1/") else {
            return;
        };
        let counter_or_session = resource.starts_with("auth/")
            || resource == "site/visits"
            || (resource.starts_with("articles/") && resource.ends_with("/views"));
        if !counter_or_session {
            self.forget_all();
        }
    }

    /// Forgets every kept answer (they expire on their own; new keys never meet them). Called
    /// after a write of this process ([`after_request`](Self::after_request)), and for every
    /// committed event of any replica ([`crate::events::listener`]).
    pub fn forget_all(&self) {
        if let Some(answers) = &self.answers {
            let _turn = self.turn.lock().unwrap_or_else(|e| e.into_inner());
            self.generation.fetch_add(1, Ordering::AcqRel);
            self.horizon.store(UNKNOWN_HORIZON, Ordering::Release);
            answers.invalidate_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_writes_forget_kept_answers_and_counters_do_not() {
        use actix_web::http::Method;
        let cache = PublicCache::new(60);
        let generation = || cache.generation.load(Ordering::Acquire);
        let start = generation();
        for (method, path, succeeded) in [
            (Method::GET, "/api/v1/articles", true),
            (Method::POST, "/api/v1/articles", false),
            (Method::POST, "/api/v1/auth/login", true),
            (Method::POST, "/api/v1/site/visits", true),
            (Method::POST, "/api/v1/articles/0193/views", true),
            (Method::POST, "/health/live", true),
        ] {
            cache.after_request(&method, path, succeeded);
        }
        assert_eq!(generation(), start);
        for (method, path) in [
            (Method::POST, "/api/v1/articles"),
            (Method::PATCH, "/api/v1/signatories/0193"),
            (Method::DELETE, "/api/v1/organizations/0193"),
            (Method::PUT, "/api/v1/site"),
        ] {
            let before = generation();
            cache.after_request(&method, path, true);
            assert_eq!(generation(), before + 1, "{method} {path}");
        }
    }

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
        cache.forget_all();
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

    #[tokio::test]
    async fn answers_end_at_the_next_scheduled_publication() {
        let cache = PublicCache::new(60);
        let soon = Utc::now() + chrono::Duration::milliseconds(200);
        cache
            .learn_horizon(async { Ok::<_, ApiError>(Some(soon)) })
            .await
            .unwrap();
        let key = cache.key("/api/v1/articles", "");
        cache
            .get_or_compute(key.clone(), async { Ok(Bytes::from_static(b"before")) })
            .await
            .unwrap();
        assert_eq!(cache.key("/api/v1/articles", ""), key);
        tokio::time::sleep(Duration::from_millis(250)).await;
        let after = cache.key("/api/v1/articles", "");
        assert_ne!(after, key, "kept answers outlived the publication");
        // A horizon looked up before a write does not outlive it.
        let generation = cache.generation.load(Ordering::Acquire);
        cache
            .learn_horizon(async {
                cache.forget_all();
                Ok::<_, ApiError>(None)
            })
            .await
            .unwrap();
        assert_ne!(cache.generation.load(Ordering::Acquire), generation);
        assert_eq!(cache.horizon.load(Ordering::Acquire), UNKNOWN_HORIZON);
    }

    #[test]
    fn a_zero_ttl_keeps_nothing() {
        let cache = PublicCache::new(0);
        assert_eq!(cache.key("/api/v1/articles", ""), None);
    }
}
