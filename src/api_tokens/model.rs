//! The `api_tokens` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::model::hash_secret;
use crate::db::schema::{api_tokens, users};
use crate::error::ModelResult;
use crate::paging::{Cursor, Paging, Start};

/// A token with its owner's name.
#[derive(Debug, Queryable)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub scope: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub owner_id: Uuid,
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

/// Newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    paging: &Paging,
) -> ModelResult<(Vec<ApiTokenRow>, Option<i64>)> {
    let mut query = api_tokens::table
        .inner_join(users::table)
        .select(COLUMNS)
        .into_boxed();
    match &paging.start {
        Start::After(Some(cursor)) => {
            let at = cursor.instant()?;
            query = query.filter(
                api_tokens::created_at.lt(at).or(api_tokens::created_at
                    .eq(at)
                    .and(api_tokens::id.lt(cursor.id))),
            );
        }
        Start::Offset(offset) => query = query.offset(*offset),
        Start::After(None) => {}
    }
    let rows = query
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .limit(paging.limit + 1)
        .load(conn)
        .await?;
    let total = if paging.with_total {
        Some(api_tokens::table.count().get_result(conn).await?)
    } else {
        None
    };
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
