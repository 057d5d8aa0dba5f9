//! Every replica LISTENs on [`CHANNEL`]: each committed event, of this replica or another,
//! forgets the kept public answers ([`PublicCache::forget_all`]). A replica that loses its
//! listening connection may have missed notifications: it forgets everything and listens
//! again on a new connection.

use std::sync::Arc;
use std::time::Duration;

use diesel_async::{AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use tokio::sync::Notify;
use tracing::{debug, warn};

use super::CHANNEL;
use crate::cache::PublicCache;
use crate::db::DbPool;

/// How often an idle listening connection is checked (a connection cut without a word is
/// noticed within this, plus [`CHECK_TIMEOUT`]).
const CHECK_EVERY: Duration = Duration::from_secs(5);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest wait between two attempts to listen again.
const RETRY_MAX: Duration = Duration::from_secs(5);
/// The connection's `application_name`, so that operators (and tests) can find it.
pub const APPLICATION_NAME: &str = "bantin-listener";

/// Starts listening in the background, for as long as the runtime runs; each notification
/// also wakes `wake` (the webhook worker).
pub fn spawn(
    pool: DbPool,
    cache: Arc<PublicCache>,
    wake: Arc<Notify>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(pool, cache, wake))
}

async fn run(pool: DbPool, cache: Arc<PublicCache>, wake: Arc<Notify>) {
    let mut retry = Duration::from_millis(100);
    loop {
        match listen(&pool).await {
            Ok(mut conn) => {
                retry = Duration::from_millis(100);
                // Whatever was committed while nobody listened is forgotten now.
                cache.forget_all();
                let why = follow(&mut conn, &cache, &wake).await;
                warn!("the event listener lost its connection ({why}); listening again");
            }
            Err(why) => debug!("cannot listen for events yet: {why}"),
        }
        cache.forget_all();
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(RETRY_MAX);
    }
}

/// A connection of its own (taken out of the pool for good) that listens on [`CHANNEL`].
async fn listen(pool: &DbPool) -> Result<AsyncPgConnection, String> {
    let conn = pool.get().await.map_err(|e| e.to_string())?;
    let mut conn = crate::db::DbConn::take(conn);
    let setup = format!("SET application_name = '{APPLICATION_NAME}'; LISTEN {CHANNEL}");
    diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, &setup)
        .await
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

/// Forgets the kept answers at each notification until the connection fails; answers why.
async fn follow(conn: &mut AsyncPgConnection, cache: &PublicCache, wake: &Notify) -> String {
    loop {
        let next = {
            let mut notifications = std::pin::pin!(conn.notifications_stream());
            tokio::time::timeout(CHECK_EVERY, notifications.next()).await
        };
        match next {
            Ok(Some(Ok(_))) => {
                cache.forget_all();
                wake.notify_waiters();
            }
            Ok(Some(Err(e))) => return e.to_string(),
            Ok(None) => return "the notification stream ended".into(),
            Err(_idle) => {
                let check = diesel::sql_query("SELECT 1").execute(conn);
                match tokio::time::timeout(CHECK_TIMEOUT, check).await {
                    Ok(Ok(_)) => {}
                    Ok(Err(e)) => return e.to_string(),
                    Err(_) => return "no answer to a check".into(),
                }
            }
        }
    }
}
