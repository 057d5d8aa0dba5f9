//! The `webhooks`, `webhook_deliveries` and `webhook_attempts` tables. Deliveries are made by
//! a trigger on `events` (migration 000011) in the event's transaction; the worker claims them
//! with a lease, and records every attempt.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::db::sql::Sql;
use crate::error::{ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Start};

/// A webhook, with its secret (never shown but on creation and rotation).
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: Uuid,
    pub url: String,
    /// A `text[]` (whose items could be NULL, for diesel; never are).
    pub events: Vec<Option<String>>,
    pub enabled: bool,
    pub description: String,
    pub secret: String,
    pub disabled_reason: Option<String>,
    pub failure_streak: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new webhook, checked.
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub description: String,
    pub secret: String,
}

/// Changes to a webhook, checked; `None` keeps a field.
#[derive(Default)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub enabled: Option<bool>,
    pub description: Option<String>,
}

impl WebhookRow {
    /// The event types and patterns it listens to.
    pub fn patterns(&self) -> Vec<String> {
        self.events.iter().flatten().cloned().collect()
    }
}

fn array(items: Vec<String>) -> Vec<Option<String>> {
    items.into_iter().map(Some).collect()
}

pub fn no_such_webhook() -> ModelError {
    ModelError::NotFound("webhook")
}

pub async fn create(conn: &mut AsyncPgConnection, new: NewWebhook) -> ModelResult<WebhookRow> {
    Ok(diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(Uuid::now_v7()),
            webhooks::url.eq(new.url),
            webhooks::events.eq(array(new.events)),
            webhooks::enabled.eq(new.enabled),
            webhooks::description.eq(new.description),
            webhooks::secret.eq(new.secret),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<WebhookRow>> {
    Ok(webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// The only order of the list.
pub const SORT: &str = "-created_at";

/// Newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    paging: &Paging,
) -> ModelResult<(Vec<WebhookRow>, Option<i64>)> {
    let mut sql = Sql::new(
        "SELECT w.id, w.url, w.events, w.enabled, w.description, w.secret, w.disabled_reason, \
         w.failure_streak, w.version, w.created_at, w.updated_at FROM webhooks w WHERE true",
    );
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![KeyValue::Instant(cursor.instant()?)], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &["w.created_at"],
        id: "w.id",
        descending: true,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let total = keyset::total(conn, Sql::new("SELECT count(*) AS n FROM webhooks"), paging).await?;
    Ok((rows, total))
}

pub fn cursor_of(row: &WebhookRow) -> Cursor {
    Cursor {
        sort: SORT.into(),
        value: serde_json::Value::String(row.created_at.to_rfc3339()),
        id: row.id,
    }
}

/// Applies `changes` after `precondition` accepted the current row. Enabling an endpoint
/// clears its run of failures and the reason it was disabled.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: WebhookChanges,
    precondition: impl FnOnce(&WebhookRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<WebhookRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let current: WebhookRow = webhooks::table
            .find(id)
            .select(WebhookRow::as_select())
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(no_such_webhook)?;
        precondition(&current)?;
        let enabling = changes.enabled == Some(true) && !current.enabled;
        let unchanged = changes.url.as_ref().is_none_or(|v| *v == current.url)
            && changes
                .events
                .as_ref()
                .is_none_or(|v| *v == current.patterns())
            && changes.enabled.is_none_or(|v| v == current.enabled)
            && changes
                .description
                .as_ref()
                .is_none_or(|v| *v == current.description);
        if unchanged {
            return Ok(current);
        }
        Ok(diesel::update(webhooks::table.find(id))
            .set((
                changes.url.map(|v| webhooks::url.eq(v)),
                changes.events.map(|v| webhooks::events.eq(array(v))),
                changes.enabled.map(|v| webhooks::enabled.eq(v)),
                changes.description.map(|v| webhooks::description.eq(v)),
                enabling.then(|| webhooks::failure_streak.eq(0)),
                enabling.then(|| webhooks::disabled_reason.eq(None::<String>)),
                webhooks::version.eq(webhooks::version + 1),
                webhooks::updated_at.eq(Utc::now()),
            ))
            .returning(WebhookRow::as_returning())
            .get_result(conn)
            .await?)
    })
    .await
}

/// Gives a webhook a new secret; answers the row with it.
pub async fn rotate_secret(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    secret: String,
) -> ModelResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::version.eq(webhooks::version + 1),
            webhooks::updated_at.eq(Utc::now()),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(no_such_webhook)
}

/// Deletes a webhook with its deliveries; `false` when there was none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<bool> {
    Ok(diesel::delete(webhooks::table.find(id))
        .execute(conn)
        .await?
        > 0)
}

/// A delivery as the API lists it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Option<Uuid>,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// One try of a delivery.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub delivery_id: Uuid,
    pub n: i32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<String>,
}

/// The deliveries of webhook `id`, newest first, each with its attempts (oldest first).
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    paging: &Paging,
) -> ModelResult<Vec<(DeliveryRow, Vec<AttemptRow>)>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .select(DeliveryRow::as_select())
        .order(webhook_deliveries::id.desc())
        .limit(paging.limit + 1)
        .into_boxed();
    if let Start::After(Some(cursor)) = &paging.start {
        query = query.filter(webhook_deliveries::id.lt(cursor.id));
    }
    let rows: Vec<DeliveryRow> = query.load(conn).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let attempts: Vec<AttemptRow> = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(&ids))
        .select(AttemptRow::as_select())
        .order((webhook_attempts::delivery_id, webhook_attempts::n))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mine = attempts
                .iter()
                .filter(|a| a.delivery_id == row.id)
                .cloned()
                .collect();
            (row, mine)
        })
        .collect())
}

/// The only order of deliveries: newest first (their ids are UUIDv7).
pub const DELIVERY_SORT: &str = "-id";

pub fn delivery_cursor(row: &(DeliveryRow, Vec<AttemptRow>)) -> Cursor {
    Cursor {
        sort: DELIVERY_SORT.into(),
        value: serde_json::Value::Null,
        id: row.0.id,
    }
}

pub async fn find_delivery(
    conn: &mut AsyncPgConnection,
    webhook: Uuid,
    id: Uuid,
) -> ModelResult<Option<(DeliveryRow, Vec<AttemptRow>)>> {
    let row: Option<DeliveryRow> = webhook_deliveries::table
        .find(id)
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .select(DeliveryRow::as_select())
        .first(conn)
        .await
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let attempts = webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(id))
        .select(AttemptRow::as_select())
        .order(webhook_attempts::n)
        .load(conn)
        .await?;
    Ok(Some((row, attempts)))
}

/// Sends delivery `id` of `webhook` again as soon as possible (whatever became of it).
pub async fn retry(conn: &mut AsyncPgConnection, webhook: Uuid, id: Uuid) -> ModelResult<bool> {
    Ok(diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::webhook_id.eq(webhook)),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(Utc::now()),
        webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
    ))
    .execute(conn)
    .await?
        > 0)
}

/// A `webhook.ping` delivery for webhook `id`; answers its id.
pub async fn ping(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Uuid> {
    let delivery = Uuid::now_v7();
    let payload = serde_json::json!({
        "id": delivery, "type": "webhook.ping", "timestamp": Utc::now(),
        "data": {"webhook_id": id},
    });
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(delivery),
            webhook_deliveries::webhook_id.eq(id),
            webhook_deliveries::event_type.eq("webhook.ping"),
            webhook_deliveries::payload.eq(payload),
        ))
        .execute(conn)
        .await?;
    Ok(delivery)
}

/// A delivery a replica has leased, with what it needs to send it.
#[derive(Debug, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    pub webhook_id: Uuid,
    /// The body, as sent (and signed).
    #[diesel(sql_type = Text)]
    pub payload: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Text)]
    pub url: String,
    #[diesel(sql_type = Text)]
    pub secret: String,
}

/// How long a claimed delivery is a replica's: past it, another may send it (the first one
/// having died). Longer than a try may take ([`SEND_LIMIT`]) and its recording.
pub const LEASE: Duration = Duration::from_secs(30);
/// The longest a try may take, resolving the name included.
pub const SEND_LIMIT: Duration = Duration::from_secs(15);

/// Leases up to `limit` due deliveries of enabled webhooks (rows another replica is leasing at
/// this moment are skipped, so no two replicas send one at once).
pub async fn claim(conn: &mut AsyncPgConnection, limit: i64) -> ModelResult<Vec<Claimed>> {
    let mut sql =
        Sql::new("UPDATE webhook_deliveries d SET leased_until = now() + make_interval(secs => ");
    sql.bind::<diesel::sql_types::Double, _>(LEASE.as_secs_f64())
        .push(
            ") FROM webhooks w WHERE w.id = d.webhook_id AND d.id IN ( \
             SELECT d2.id FROM webhook_deliveries d2 JOIN webhooks w2 ON w2.id = d2.webhook_id \
             WHERE d2.status = 'pending' AND d2.next_attempt_at <= now() AND w2.enabled \
               AND (d2.leased_until IS NULL OR d2.leased_until < now()) \
             ORDER BY d2.next_attempt_at LIMIT ",
        )
        .bind::<diesel::sql_types::BigInt, _>(limit)
        .push(
            " FOR UPDATE OF d2 SKIP LOCKED) \
             RETURNING d.id, d.webhook_id, d.payload::text AS payload, d.attempts, w.url, w.secret",
        );
    Ok(sql.load(conn).await?)
}

/// What became of one try.
pub struct Outcome {
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub duration: Duration,
    pub error: Option<String>,
}

impl Outcome {
    pub fn succeeded(&self) -> bool {
        self.error.is_none() && self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// Records a try of a claimed delivery: delivered; or retried after `retry_in`; or, with no
/// `retry_in` left, failed. A webhook with `disable_after` failed tries in a row is disabled.
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    claimed: &Claimed,
    outcome: Outcome,
    retry_in: Option<Duration>,
    disable_after: u32,
) -> ModelResult<()> {
    let (id, webhook, n) = (claimed.id, claimed.webhook_id, claimed.attempts + 1);
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let ok = outcome.succeeded();
        let summary = match (&outcome.error, outcome.status_code) {
            (Some(e), _) => e.clone(),
            (None, Some(code)) => format!("HTTP {code}"),
            (None, None) => "no answer".into(),
        };
        diesel::insert_into(webhook_attempts::table)
            .values((
                webhook_attempts::delivery_id.eq(id),
                webhook_attempts::n.eq(n),
                webhook_attempts::attempted_at.eq(outcome.attempted_at),
                webhook_attempts::status_code.eq(outcome.status_code),
                webhook_attempts::duration_ms
                    .eq(outcome.duration.as_millis().min(i32::MAX as u128) as i32),
                webhook_attempts::error.eq(outcome.error),
            ))
            .execute(conn)
            .await?;
        let next = (!ok).then(|| retry_in.map(|d| Utc::now() + d)).flatten();
        let status = match (ok, next) {
            (true, _) => "delivered",
            (false, Some(_)) => "pending",
            (false, None) => "failed",
        };
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::attempts.eq(n),
                webhook_deliveries::next_attempt_at.eq(next),
                webhook_deliveries::leased_until.eq(None::<DateTime<Utc>>),
                webhook_deliveries::delivered_at.eq(ok.then(Utc::now)),
            ))
            .execute(conn)
            .await?;
        if ok {
            diesel::update(webhooks::table.find(webhook))
                .set(webhooks::failure_streak.eq(0))
                .execute(conn)
                .await?;
            return Ok(());
        }
        let reason = format!(
            "disabled after {disable_after} failed deliveries in a row; the last: {summary}"
        );
        diesel::sql_query(
            "UPDATE webhooks SET failure_streak = failure_streak + 1, \
             enabled = enabled AND failure_streak + 1 < $2, \
             disabled_reason = CASE WHEN enabled AND failure_streak + 1 >= $2 THEN $3 \
                                    ELSE disabled_reason END \
             WHERE id = $1",
        )
        .bind::<SqlUuid, _>(webhook)
        .bind::<Integer, _>(disable_after as i32)
        .bind::<Text, _>(reason)
        .execute(conn)
        .await?;
        Ok(())
    })
    .await
}

/// Removes what is older than `days`: events (the audit log keeps its own entries) and
/// deliveries no longer pending; answers how many of each.
pub async fn prune(conn: &mut AsyncPgConnection, days: u64) -> ModelResult<(usize, usize)> {
    let cutoff = Utc::now() - chrono::Duration::days(days as i64);
    let deliveries = diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::created_at.lt(cutoff))
            .filter(webhook_deliveries::status.ne("pending")),
    )
    .execute(conn)
    .await?;
    let events = diesel::sql_query(
        "DELETE FROM events e WHERE e.occurred_at < $1 AND NOT EXISTS \
         (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')",
    )
    .bind::<Timestamptz, _>(cutoff)
    .execute(conn)
    .await?;
    Ok((events, deliveries))
}
