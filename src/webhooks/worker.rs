//! Sending deliveries: every replica runs this loop. It leases due deliveries (a lease taken
//! with `FOR UPDATE SKIP LOCKED`, so two replicas never send one at once; one that dies with a
//! lease leaves the delivery to another when the lease ends), POSTs each, signed, to the
//! address its URL resolves to now, if that address is allowed, and records the try: delivered,
//! retried later (with jitter), or failed for good. It wakes on every committed event (the
//! listener) and looks anyway every half second. Once an hour it prunes old events and
//! deliveries.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use rand::Rng;
use tokio::sync::Notify;
use tracing::{info, warn};

use super::model::{self, Claimed, Outcome};
use super::{signing, targets};
use crate::config::EventsConfig;
use crate::db::DbPool;
use crate::domain::limits::WEBHOOK_TIMEOUT_SECS;

/// How often a replica looks for due deliveries when nothing woke it.
const LOOK_EVERY: Duration = Duration::from_millis(500);
/// Deliveries leased at a time (and sent at once) by one replica.
const BATCH: i64 = 16;
/// How often old events and deliveries are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// What a receiver's answer may add to an attempt's record, in bytes of its status text.
const ERROR_MAX: usize = 300;

/// Starts sending in the background, for as long as the runtime runs.
pub fn spawn(pool: DbPool, config: EventsConfig, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let config = Arc::new(config);
        let mut pruned = Instant::now() - PRUNE_EVERY + Duration::from_secs(60);
        loop {
            let sent = match send_due(&pool, &config).await {
                Ok(n) => n,
                Err(e) => {
                    warn!("webhook deliveries: {e}");
                    0
                }
            };
            if pruned.elapsed() >= PRUNE_EVERY {
                pruned = Instant::now();
                prune(&pool, config.retention_days).await;
            }
            // A full batch: there may be more at once.
            if sent < BATCH as usize {
                let _ = tokio::time::timeout(LOOK_EVERY, wake.notified()).await;
            }
        }
    })
}

async fn prune(pool: &DbPool, days: u64) {
    let result = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        model::prune(&mut conn, days)
            .await
            .map_err(|e| e.to_string())
    };
    match result.await {
        Ok((0, 0)) => {}
        Ok((events, deliveries)) => {
            info!("pruned {events} events and {deliveries} deliveries older than {days} days")
        }
        Err(e) => warn!("pruning old events: {e}"),
    }
}

/// Leases the due deliveries and sends them all at once; answers how many.
async fn send_due(pool: &DbPool, config: &Arc<EventsConfig>) -> Result<usize, String> {
    let claimed = {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        model::claim(&mut conn, BATCH)
            .await
            .map_err(|e| e.to_string())?
    };
    let n = claimed.len();
    let mut sends = tokio::task::JoinSet::new();
    for delivery in claimed {
        let (pool, config) = (pool.clone(), config.clone());
        sends.spawn(async move {
            let outcome = send(&delivery, config.webhook_allow_private).await;
            let retry_in = retry_delay(&config.webhook_retry_delays, delivery.attempts);
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            let disable_after = config.webhook_disable_after;
            model::record_attempt(&mut conn, &delivery, outcome, retry_in, disable_after)
                .await
                .map_err(|e| e.to_string())
        });
    }
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!("recording a webhook delivery: {e}"),
            Err(e) => warn!("a webhook delivery task failed: {e}"),
        }
    }
    Ok(n)
}

/// The pause before the next try after `attempts` tries (the one just made included, minus
/// one): the schedule's entry, ±20%; `None` when the schedule is spent.
fn retry_delay(schedule: &[Duration], attempts_before: i32) -> Option<Duration> {
    let base = schedule.get(usize::try_from(attempts_before).ok()?)?;
    Some(base.mul_f64(rand::rng().random_range(0.8..=1.2)))
}

/// One try: resolve and check the address, then POST the signed body to it.
async fn send(delivery: &Claimed, allow_private: bool) -> Outcome {
    let attempted_at = Utc::now();
    let start = Instant::now();
    let result = match tokio::time::timeout(model::SEND_LIMIT, post(delivery, allow_private)).await
    {
        Ok(result) => result,
        Err(_) => Err(format!(
            "no answer within {} s",
            model::SEND_LIMIT.as_secs()
        )),
    };
    let duration = start.elapsed();
    match result {
        Ok((status, reason)) => Outcome {
            attempted_at,
            status_code: Some(i32::from(status)),
            duration,
            error: (!(200..300).contains(&status)).then(|| {
                let mut text = format!("HTTP {status} {reason}");
                text.truncate(ERROR_MAX);
                text
            }),
        },
        Err(why) => Outcome {
            attempted_at,
            status_code: None,
            duration,
            error: Some(why),
        },
    }
}

async fn post(delivery: &Claimed, allow_private: bool) -> Result<(u16, String), String> {
    let url = targets::parse(&delivery.url)?;
    let addrs = targets::resolve(&url, allow_private).await?;
    let host = url.host_str().ok_or("the URL has no host")?.to_string();
    let key = signing::key_of(&delivery.secret)?;
    let id = delivery.id.to_string();
    let timestamp = Utc::now().timestamp();
    let body = delivery.payload.clone().into_bytes();
    let signature = signing::sign(&key, &id, timestamp, &body);
    // The client connects to the checked address whatever the name resolves to by then.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(WEBHOOK_TIMEOUT_SECS))
        .no_proxy()
        .resolve_to_addrs(&host, &addrs)
        .user_agent(concat!("Bantin-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| describe(&e))?;
    let status = response.status();
    Ok((
        status.as_u16(),
        status.canonical_reason().unwrap_or("").to_string(),
    ))
}

/// Why a request got no answer, in a line.
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        format!("no answer within {WEBHOOK_TIMEOUT_SECS} s")
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        let mut text = e.to_string();
        text.truncate(ERROR_MAX);
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_jitter_then_stop() {
        let schedule = [Duration::from_secs(5), Duration::from_secs(300)];
        for _ in 0..100 {
            let first = retry_delay(&schedule, 0).unwrap();
            assert!(first >= Duration::from_secs(4) && first <= Duration::from_secs(6));
            let second = retry_delay(&schedule, 1).unwrap();
            assert!(second >= Duration::from_secs(240) && second <= Duration::from_secs(360));
        }
        assert_eq!(retry_delay(&schedule, 2), None);
    }
}
