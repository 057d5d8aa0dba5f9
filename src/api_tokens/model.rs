//! The `api_tokens` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::model::hash_secret;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{api_tokens, users};
use crate::db::sql::Sql;
use crate::error::ModelResult;
use crate::paging::{Cursor, Paging, Start};

/// A token with its owner's name.
#[derive(Debug, Queryable, QueryableByName)]
pub struct ApiTokenRow {
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub scope: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = diesel::sql_types::Uuid)]
    pub owner_id: Uuid,
    #[diesel(sql_type = Text)]
    pub owner_display_name: String,
}

type Columns = (
    api_tokens::id,
    api_tokens::name,
    api_tokens::scope,
    api_tokens::expires_at,
    api_tokens::last_used_at,
    api_tokens::created_at,
    users::id,
    users::display_name,
);
const COLUMNS: Columns = (
    api_tokens::id,
    api_tokens::name,
    api_tokens::scope,
    api_tokens::expires_at,
    api_tokens::last_used_at,
    api_tokens::created_at,
    users::id,
    users::display_name,
);

/// Stores a token's hash; the secret itself is never stored.
pub async fn create(
    conn: &mut AsyncPgConnection,
    owner: Uuid,
    name: &str,
    scope: &str,
    expires_at: Option<DateTime<Utc>>,
    secret: &str,
) -> ModelResult<ApiTokenRow> {
    let id = Uuid::now_v7();
    diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::id.eq(id),
            api_tokens::user_id.eq(owner),
            api_tokens::name.eq(name),
            api_tokens::scope.eq(scope),
            api_tokens::expires_at.eq(expires_at),
            api_tokens::token_hash.eq(hash_secret(secret)),
        ))
        .execute(conn)
        .await?;
    Ok(api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::id.eq(id))
        .select(COLUMNS)
        .first(conn)
        .await?)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<ApiTokenRow>> {
    Ok(api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::id.eq(id))
        .select(COLUMNS)
        .first(conn)
        .await
        .optional()?)
}

/// The list's read model: a token with its owner's name.
const LIST: &str = "SELECT t.id, t.name, t.scope, t.expires_at, t.last_used_at, t.created_at, \
     u.id AS owner_id, u.display_name AS owner_display_name \
     FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE true";

/// Newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    paging: &Paging,
) -> ModelResult<(Vec<ApiTokenRow>, Option<i64>)> {
    let mut sql = Sql::new(LIST);
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![KeyValue::Instant(cursor.instant()?)], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &["t.created_at"],
        id: "t.id",
        descending: true,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let count = Sql::new("SELECT count(*) AS n FROM api_tokens");
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

pub fn cursor_of(row: &ApiTokenRow) -> Cursor {
    Cursor {
        sort: SORT.into(),
        value: serde_json::Value::String(row.created_at.to_rfc3339()),
        id: row.id,
    }
}

/// The only order of the list.
pub const SORT: &str = "-created_at";

/// Revokes (deletes) a token; `false` when there was none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<bool> {
    Ok(diesel::delete(api_tokens::table.find(id))
        .execute(conn)
        .await?
        > 0)
}
