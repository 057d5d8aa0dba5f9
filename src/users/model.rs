//! The `users` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::auth::model::{lower, revoke_user_sessions};
use crate::db::locks::{self, Global};
use crate::db::schema::users;
use crate::error::{ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Sort, Start};

#[derive(Debug, Clone, Queryable, Selectable)]
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

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = users::table.into_boxed();
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = format!(
            "%{}%",
            q.to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        query = query.filter(
            lower(users::email)
                .like(pattern.clone())
                .or(lower(users::display_name).like(pattern)),
        );
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(disabled) = filter.disabled {
        query = query.filter(users::disabled.eq(disabled));
    }
    query
}

/// One page of users (`limit + 1` rows, see [`crate::paging::ListResponse::from_rows`]) and the
/// total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    sort: Sort<UserSort>,
    paging: &Paging,
) -> ModelResult<(Vec<UserRow>, Option<i64>)> {
    let mut query = filtered(filter).select(UserRow::as_select());
    macro_rules! keyset {
        ($col:expr, $value:expr, $id:expr) => {
            if sort.descending {
                query.filter(
                    $col.lt($value.clone())
                        .or($col.eq($value).and(users::id.lt($id))),
                )
            } else {
                query.filter(
                    $col.gt($value.clone())
                        .or($col.eq($value).and(users::id.gt($id))),
                )
            }
        };
    }
    if let Start::After(Some(cursor)) = &paging.start {
        query = match sort.field {
            UserSort::CreatedAt => keyset!(users::created_at, cursor.instant()?, cursor.id),
            UserSort::Email => keyset!(users::email, cursor.text()?.to_string(), cursor.id),
            UserSort::DisplayName => {
                keyset!(users::display_name, cursor.text()?.to_string(), cursor.id)
            }
        };
    }
    query = match (sort.field, sort.descending) {
        (UserSort::CreatedAt, false) => query.order((users::created_at.asc(), users::id.asc())),
        (UserSort::CreatedAt, true) => query.order((users::created_at.desc(), users::id.desc())),
        (UserSort::Email, false) => query.order((users::email.asc(), users::id.asc())),
        (UserSort::Email, true) => query.order((users::email.desc(), users::id.desc())),
        (UserSort::DisplayName, false) => query.order((users::display_name.asc(), users::id.asc())),
        (UserSort::DisplayName, true) => {
            query.order((users::display_name.desc(), users::id.desc()))
        }
    };
    if let Start::Offset(offset) = paging.start {
        query = query.offset(offset);
    }
    let rows = query.limit(paging.limit + 1).load(conn).await?;
    let total = if paging.with_total {
        Some(filtered(filter).count().get_result(conn).await?)
    } else {
        None
    };
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

/// Applies changes in one transaction, after `precondition` accepted the current row.
/// Account changes take turns ([`Global::Accounts`]): two admins demoting each other at once
/// are served one after the other, and the second finds the first's change.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: UserChanges,
    precondition: impl FnOnce(&UserRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<UserRow> {
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
        Ok(updated)
    })
    .await
}

/// Deletes an account (its sessions and API tokens go with it).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&UserRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<()> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        locks::xact_lock(conn, Global::Accounts).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        keep_an_admin(conn, &current, true).await?;
        diesel::delete(users::table.find(id)).execute(conn).await?;
        Ok(())
    })
    .await
}
