//! The `organizations` table: the bodies that issue and sign documents, in a tree.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::constraints;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{organizations, signatories};
use crate::db::sql::Sql;
use crate::db::tree::{self, Tree};
use crate::domain::{PlainText, Title};
use crate::error::{ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Sort, Start};

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: Uuid,
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new organisation, checked.
pub struct NewOrganization {
    pub name: Title,
    pub short_name: PlainText,
    pub kind: String,
    pub parent_id: Option<Uuid>,
}

#[derive(Default)]
pub struct OrganizationChanges {
    pub name: Option<Title>,
    pub short_name: Option<PlainText>,
    pub kind: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrganizationSort {
    Name,
    CreatedAt,
}

impl OrganizationSort {
    pub fn name(self) -> &'static str {
        match self {
            OrganizationSort::Name => "name",
            OrganizationSort::CreatedAt => "created_at",
        }
    }

    fn column(self) -> &'static str {
        match self {
            OrganizationSort::Name => "o.name COLLATE \"vi-x-icu\"",
            OrganizationSort::CreatedAt => "o.created_at",
        }
    }
}

#[derive(Default)]
pub struct OrganizationFilter {
    pub q: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<Uuid>,
    pub root: bool,
}

const COLUMNS: &str =
    "o.id, o.name, o.short_name, o.kind, o.parent_id, o.version, o.created_at, o.updated_at";

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<OrganizationRow>> {
    Ok(organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

fn where_clause(sql: &mut Sql, filter: &OrganizationFilter) {
    sql.push(" WHERE true");
    if let Some(q) = &filter.q {
        sql.push(" AND o.search @@ plainto_tsquery('simple', bantin_fold(")
            .bind::<Text, _>(q.clone())
            .push("))");
    }
    if let Some(kind) = &filter.kind {
        sql.push(" AND o.kind = ").bind::<Text, _>(kind.clone());
    }
    if let Some(parent) = filter.parent_id {
        sql.push(" AND o.parent_id = ").bind::<SqlUuid, _>(parent);
    }
    if filter.root {
        sql.push(" AND o.parent_id IS NULL");
    }
}

/// One page (`limit + 1` rows) and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &OrganizationFilter,
    sort: Sort<OrganizationSort>,
    paging: &Paging,
) -> ModelResult<(Vec<OrganizationRow>, Option<i64>)> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM organizations o"));
    where_clause(&mut sql, filter);
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![key_of(sort.field, cursor)?], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &[sort.field.column()],
        id: "o.id",
        descending: sort.descending,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM organizations o");
    where_clause(&mut count, filter);
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

/// The sort key a cursor holds.
fn key_of(field: OrganizationSort, cursor: &Cursor) -> ModelResult<KeyValue> {
    Ok(match field {
        OrganizationSort::Name => KeyValue::Collated(cursor.text()?.to_string(), "vi-x-icu"),
        OrganizationSort::CreatedAt => KeyValue::Instant(cursor.instant()?),
    })
}

pub fn cursor_of(row: &OrganizationRow, sort: Sort<OrganizationSort>, sort_key: &str) -> Cursor {
    let value = match sort.field {
        OrganizationSort::Name => serde_json::Value::String(row.name.clone()),
        OrganizationSort::CreatedAt => serde_json::Value::String(row.created_at.to_rfc3339()),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: NewOrganization,
) -> ModelResult<OrganizationRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Organizations).await?;
        if let Some(parent) = new.parent_id {
            tree::check_parent(conn, Tree::Organizations, None, parent).await?;
        }
        let id = Uuid::now_v7();
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(id),
                organizations::name.eq(new.name.into_inner()),
                organizations::short_name.eq(new.short_name.into_inner()),
                organizations::kind.eq(new.kind),
                organizations::parent_id.eq(new.parent_id),
            ))
            .execute(conn)
            .await?;
        find(conn, id)
            .await?
            .ok_or_else(|| ModelError::internal("organization vanished"))
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<OrganizationRow> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(ModelError::NotFound("organization"))
}

/// Applies changes after `precondition` accepted the current row; moving an organisation
/// under itself or a descendant is a 422. Answers the row after, and whether it changed.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: OrganizationChanges,
    precondition: impl FnOnce(&OrganizationRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(OrganizationRow, bool)> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Organizations).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        if let Some(Some(parent)) = changes.parent_id {
            tree::check_parent(conn, Tree::Organizations, Some(id), parent).await?;
        }
        let unchanged = changes
            .name
            .as_ref()
            .is_none_or(|v| v.as_str() == current.name)
            && changes
                .short_name
                .as_ref()
                .is_none_or(|v| v.as_str() == current.short_name)
            && changes.kind.as_ref().is_none_or(|v| *v == current.kind)
            && changes.parent_id.is_none_or(|v| v == current.parent_id);
        if unchanged {
            return Ok((current, false));
        }
        diesel::update(organizations::table.find(id))
            .set((
                changes.name.map(|v| organizations::name.eq(v.into_inner())),
                changes
                    .short_name
                    .map(|v| organizations::short_name.eq(v.into_inner())),
                changes.kind.map(|v| organizations::kind.eq(v)),
                changes.parent_id.map(|v| organizations::parent_id.eq(v)),
                organizations::version.eq(organizations::version + 1),
                organizations::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        let row = find(conn, id)
            .await?
            .ok_or_else(|| ModelError::internal("organization vanished"))?;
        Ok((row, true))
    })
    .await
}

/// Deletes an organisation that nothing uses: no sub-organisations, no signatory, no party
/// or signature of an agreement (409 otherwise). Answers the row deleted.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&OrganizationRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<OrganizationRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Organizations).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        tree::refuse_if_parent(conn, Tree::Organizations, id).await?;
        let people: i64 = signatories::table
            .filter(signatories::organization_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if people > 0 {
            return Err(ModelError::Conflict(format!(
                "{people} signatories belong to this organization"
            )));
        }
        // Agreements name it through foreign keys that refuse the delete.
        diesel::delete(organizations::table.find(id))
            .execute(conn)
            .await
            .map_err(|e| {
                let named = [
                    "agreement_parties_organization_id_fkey",
                    "agreement_signatures_organization_id_fkey",
                ];
                match named.iter().any(|name| constraints::breaks(&e, name)) {
                    true => ModelError::Conflict(
                        "agreements name this organization as a party or signer".into(),
                    ),
                    false => e.into(),
                }
            })?;
        Ok(current)
    })
    .await
}
