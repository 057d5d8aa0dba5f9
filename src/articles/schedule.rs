//! Scheduled publishing: every replica looks for scheduled articles whose time has come a few
//! times a second; the one that locks a due article first announces it (`article.published`,
//! in the same transaction as noting it announced), and the others skip it. The event's
//! notification makes every replica forget its kept public answers, so lists show the article
//! from then on.

use std::time::Duration;

use diesel_async::AsyncConnection;
use tracing::warn;

use super::handlers::common::{life, load_view};
use super::model::{self, Viewer};
use crate::db::DbPool;
use crate::error::ApiError;
use crate::events::{self, Actor, Event, Resource, Verb};

/// How often a replica looks for due articles: a scheduled article is announced at most this
/// long (plus the time of one transaction) after its time.
pub const TICK: Duration = Duration::from_millis(250);
/// The most articles one look announces (the rest wait for the next).
const BATCH: i64 = 50;

/// Starts announcing in the background, for as long as the runtime runs.
pub fn spawn(pool: DbPool, media: String) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(TICK);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = announce_due(&pool, &media).await {
                warn!("scheduled publishing: {e}");
            }
        }
    })
}

/// Announces the articles whose scheduled time has come; answers how many.
pub async fn announce_due(pool: &DbPool, media: &str) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let media = media.to_string();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let due = model::due(conn, BATCH).await?;
        let mut events = Vec::with_capacity(due.len());
        for id in &due {
            let Some(went) = model::announce(conn, *id).await? else {
                continue;
            };
            let view = load_view(conn, *id, Viewer::Editor, &media).await?;
            let verb: Verb = life(went);
            let event = Event::new(
                Resource::Article,
                verb,
                Some(*id),
                Some(view.version),
                &view,
            )?;
            events.push(event);
        }
        let announced = events.len();
        events::record(conn, Actor::SYSTEM, events).await?;
        Ok(announced)
    })
    .await
}
