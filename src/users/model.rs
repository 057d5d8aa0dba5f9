//! The `users` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::model::revoke_user_sessions;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::locks::{self, Global};
use crate::db::schema::users;
use crate::db::sql::{Sql, like_escape};
use crate::error::{ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Sort, Start};

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new account, already checked.
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
}

/// Checked changes to an account.
#[derive(Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
    pub password_hash: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSort {
    CreatedAt,
    Email,
    DisplayName,
}

impl UserSort {
    pub fn name(self) -> &'static str {
        match self {
            UserSort::CreatedAt => "created_at",
            UserSort::Email => "email",
            UserSort::DisplayName => "display_name",
        }
    }
}

/// Filters of the list.
#[derive(Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub role: Option<String>,
    pub disabled: Option<bool>,
}

pub async fn count(conn: &mut AsyncPgConnection) -> ModelResult<i64> {
    Ok(users::table.count().get_result(conn).await?)
}

pub async fn create(conn: &mut AsyncPgConnection, new: NewUser) -> ModelResult<UserRow> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(Uuid::now_v7()),
            users::email.eq(new.email),
            users::display_name.eq(new.display_name),
            users::role.eq(new.role),
            users::password_hash.eq(new.password_hash),
        ))
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
        .map_err(ModelError::from)
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

impl UserSort {
    fn column(self) -> &'static str {
        match self {
            UserSort::CreatedAt => "u.created_at",
            UserSort::Email => "u.email",
            UserSort::DisplayName => "u.display_name",
        }
    }
}

const COLUMNS: &str =
    "u.id, u.email, u.display_name, u.role, u.disabled, u.version, u.created_at, u.updated_at";

fn where_clause(sql: &mut Sql, filter: &UserFilter) {
    sql.push(" WHERE true");
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!("%{}%", like_escape(&q.to_lowercase()));
        sql.push(" AND (lower(u.email) LIKE ")
            .bind::<Text, _>(pattern.clone())
            .push(" OR lower(u.display_name) LIKE ")
            .bind::<Text, _>(pattern)
            .push(")");
    }
    if let Some(role) = &filter.role {
        sql.push(" AND u.role = ").bind::<Text, _>(role.clone());
    }
    if let Some(disabled) = filter.disabled {
        sql.push(" AND u.disabled = ").bind::<Bool, _>(disabled);
    }
}

/// One page of users (`limit + 1` rows, see [`crate::paging::ListResponse::from_rows`]) and the
/// total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    sort: Sort<UserSort>,
    paging: &Paging,
) -> ModelResult<(Vec<UserRow>, Option<i64>)> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM users u"));
    where_clause(&mut sql, filter);
    let after = match &paging.start {
        Start::After(Some(cursor)) => {
            let key = match sort.field {
                UserSort::CreatedAt => KeyValue::Instant(cursor.instant()?),
                UserSort::Email | UserSort::DisplayName => {
                    KeyValue::Text(cursor.text()?.to_string())
                }
            };
            Some((vec![key], cursor.id))
        }
        _ => None,
    };
    let order = Order {
        columns: &[sort.field.column()],
        id: "u.id",
        descending: sort.descending,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM users u");
    where_clause(&mut count, filter);
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

/// The cursor that points just after `row` in `sort` order.
pub fn cursor_of(row: &UserRow, sort: Sort<UserSort>, sort_key: &str) -> Cursor {
    let value = match sort.field {
        UserSort::CreatedAt => serde_json::Value::String(row.created_at.to_rfc3339()),
        UserSort::Email => serde_json::Value::String(row.email.clone()),
        UserSort::DisplayName => serde_json::Value::String(row.display_name.clone()),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

/// Locks the enabled admins and refuses to leave none.
async fn keep_an_admin(
    conn: &mut AsyncPgConnection,
    target: &UserRow,
    loses_admin: bool,
) -> ModelResult<()> {
    if !loses_admin || target.role != "admin" || target.disabled {
        return Ok(());
    }
    let admins: Vec<Uuid> = users::table
        .filter(users::role.eq("admin"))
        .filter(users::disabled.eq(false))
        .select(users::id)
        .for_update()
        .load(conn)
        .await?;
    if admins.iter().all(|id| *id == target.id) {
        return Err(ModelError::Conflict(
            "this is the last enabled admin; it cannot be deleted, disabled or demoted".into(),
        ));
    }
    Ok(())
}

/// Locks a user's row for a write, or 404.
async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(ModelError::NotFound("user"))
}

/// Applies changes in one transaction, after `precondition` accepted the current row; answers
/// the row before and after. Account changes take turns ([`Global::Accounts`]): two admins demoting each other at once
/// are served one after the other, and the second finds the first's change.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: UserChanges,
    precondition: impl FnOnce(&UserRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(UserRow, UserRow)> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        locks::xact_lock(conn, Global::Accounts).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        let loses_admin =
            changes.disabled == Some(true) || changes.role.as_deref().is_some_and(|r| r != "admin");
        keep_an_admin(conn, &current, loses_admin).await?;
        let revoke = changes.disabled == Some(true) || changes.password_hash.is_some();
        let updated = diesel::update(users::table.find(id))
            .set((
                changes.email.map(|v| users::email.eq(v)),
                changes.display_name.map(|v| users::display_name.eq(v)),
                changes.role.map(|v| users::role.eq(v)),
                changes.disabled.map(|v| users::disabled.eq(v)),
                changes.password_hash.map(|v| users::password_hash.eq(v)),
                users::version.eq(users::version + 1),
                users::updated_at.eq(Utc::now()),
            ))
            .returning(UserRow::as_returning())
            .get_result(conn)
            .await?;
        if revoke {
            revoke_user_sessions(conn, id, "account changed by an admin").await?;
        }
        Ok((current, updated))
    })
    .await
}

/// Deletes an account (its sessions and API tokens go with it); answers it as it was.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&UserRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<UserRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        locks::xact_lock(conn, Global::Accounts).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        keep_an_admin(conn, &current, true).await?;
        diesel::delete(users::table.find(id)).execute(conn).await?;
        Ok(current)
    })
    .await
}
