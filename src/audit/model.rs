//! The `audit_log` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ipnet::IpNet;
use uuid::Uuid;

use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::audit_log;
use crate::db::sql::Sql;
use crate::error::ModelResult;
use crate::events::Actor;
use crate::paging::{Cursor, Paging, Start};

/// An entry to record.
pub struct Entry {
    pub actor: Actor,
    /// `auth.login`, `user.role_changed`, `webhook.created`, …
    pub action: &'static str,
    /// The resource acted on, if any: its type and id.
    pub resource: Option<(&'static str, Uuid)>,
    /// The client's address, where the action had one.
    pub address: Option<std::net::IpAddr>,
    /// What else an inspector needs (never a secret).
    pub detail: serde_json::Value,
}

impl Entry {
    pub fn new(actor: Actor, action: &'static str) -> Self {
        Self {
            actor,
            action,
            resource: None,
            address: None,
            detail: serde_json::json!({}),
        }
    }
    pub fn on(mut self, resource_type: &'static str, id: Uuid) -> Self {
        self.resource = Some((resource_type, id));
        self
    }
    pub fn from(mut self, address: std::net::IpAddr) -> Self {
        self.address = Some(address);
        self
    }
    pub fn with(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Appends `entry` to the log.
pub async fn record(conn: &mut AsyncPgConnection, entry: Entry) -> ModelResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(Uuid::now_v7()),
            audit_log::at.eq(Utc::now()),
            audit_log::actor_user_id.eq(entry.actor.user_id),
            audit_log::actor_token_id.eq(entry.actor.token_id),
            audit_log::action.eq(entry.action),
            audit_log::resource_type.eq(entry.resource.map(|r| r.0)),
            audit_log::resource_id.eq(entry.resource.map(|r| r.1)),
            audit_log::address.eq(entry.address.map(IpNet::from)),
            audit_log::detail.eq(entry.detail),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// An entry with its actor's display name.
#[derive(Debug, QueryableByName)]
pub struct AuditRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_user_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub actor_display_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub actor_token_id: Option<Uuid>,
    #[diesel(sql_type = Text)]
    pub action: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub resource_type: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub resource_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub address: Option<String>,
    #[diesel(sql_type = Jsonb)]
    pub detail: serde_json::Value,
}

/// What to list.
#[derive(Default)]
pub struct AuditFilter {
    pub actor: Option<Uuid>,
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    /// An action, or a prefix ending in `.*` (`article.*`).
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// The only order: newest first.
pub const SORT: &str = "-at";

/// The read model: an entry with its actor's name, filtered.
const LIST: &str = "SELECT a.id, a.at, a.actor_user_id, u.display_name AS actor_display_name, \
     a.actor_token_id, a.action, a.resource_type, a.resource_id, host(a.address) AS address, \
     a.detail FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id WHERE true";

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    paging: &Paging,
) -> ModelResult<(Vec<AuditRow>, Option<i64>)> {
    let mut sql = Sql::new(LIST);
    let mut count = Sql::new("SELECT count(*) AS n FROM audit_log a WHERE true");
    for q in [&mut sql, &mut count] {
        if let Some(actor) = filter.actor {
            q.push(" AND a.actor_user_id = ").bind::<SqlUuid, _>(actor);
        }
        if let Some(kind) = &filter.resource_type {
            q.push(" AND a.resource_type = ")
                .bind::<Text, _>(kind.clone());
        }
        if let Some(id) = filter.resource_id {
            q.push(" AND a.resource_id = ").bind::<SqlUuid, _>(id);
        }
        match filter.action.as_deref().map(|a| (a, a.strip_suffix(".*"))) {
            Some((_, Some(prefix))) => {
                q.push(" AND starts_with(a.action, ")
                    .bind::<Text, _>(format!("{prefix}."))
                    .push(")");
            }
            Some((action, None)) => {
                q.push(" AND a.action = ")
                    .bind::<Text, _>(action.to_string());
            }
            None => {}
        }
        if let Some(from) = filter.from {
            q.push(" AND a.at >= ").bind::<Timestamptz, _>(from);
        }
        if let Some(to) = filter.to {
            q.push(" AND a.at < ").bind::<Timestamptz, _>(to);
        }
    }
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![KeyValue::Instant(cursor.instant()?)], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &["a.at"],
        id: "a.id",
        descending: true,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

pub fn cursor_of(row: &AuditRow) -> Cursor {
    Cursor {
        sort: SORT.into(),
        value: serde_json::Value::String(row.at.to_rfc3339()),
        id: row.id,
    }
}
