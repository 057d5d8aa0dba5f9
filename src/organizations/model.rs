//! The `organizations` table: the bodies that issue and sign documents, in a tree.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Bool, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{organizations, signatories};
use crate::db::sql::Sql;
use crate::error::{ApiError, ApiResult, FieldError};
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
    pub name: String,
    pub short_name: String,
    pub kind: String,
    pub parent_id: Option<Uuid>,
}

#[derive(Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub short_name: Option<String>,
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

fn no_such_organization() -> ApiError {
    ApiError::NotFound("no such organization".into())
}

/// The same name under the same parent (case and tone marks aside).
fn name_taken(e: DieselError) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict(
            "an organization with this name already exists under the same parent".into(),
        ),
        other => other.into(),
    }
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Option<OrganizationRow>> {
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

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page (`limit + 1` rows) and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &OrganizationFilter,
    sort: Sort<OrganizationSort>,
    paging: &Paging,
) -> ApiResult<(Vec<OrganizationRow>, Option<i64>)> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM organizations o"));
    where_clause(&mut sql, filter);
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Start::After(Some(cursor)) = &paging.start {
        sql.push(&format!(" AND ({}, o.id) {cmp} (", sort.field.column()));
        match sort.field {
            OrganizationSort::Name => sql.bind::<Text, _>(cursor.text()?.to_string()),
            OrganizationSort::CreatedAt => sql.bind::<Timestamptz, _>(cursor.instant()?),
        };
        sql.push(", ").bind::<SqlUuid, _>(cursor.id).push(")");
    }
    sql.push(&format!(
        " ORDER BY {} {dir}, o.id {dir}",
        sort.field.column()
    ));
    if let Start::Offset(offset) = paging.start {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
    let rows = sql.load(conn).await?;
    let total = if paging.with_total {
        let mut count = Sql::new("SELECT count(*) AS n FROM organizations o");
        where_clause(&mut count, filter);
        Some(count.get_result::<Count>(conn).await?.n)
    } else {
        None
    };
    Ok((rows, total))
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

/// Serialises changes to the tree, so two concurrent moves cannot build a cycle.
async fn lock_tree(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(727003)")
        .execute(conn)
        .await?;
    Ok(())
}

fn bad_parent() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "parent_id",
        "not_found",
        "no such organization",
    )])
}

async fn check_parent(conn: &mut AsyncPgConnection, parent: Uuid) -> ApiResult<()> {
    find(conn, parent).await?.map(|_| ()).ok_or_else(bad_parent)
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

/// Whether `candidate` is `id` itself or lies below it.
async fn is_self_or_descendant(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    candidate: Uuid,
) -> ApiResult<bool> {
    let mut sql =
        Sql::new("WITH RECURSIVE below (id) AS (SELECT id FROM organizations WHERE id = ");
    sql.bind::<SqlUuid, _>(id)
        .push(
            " UNION SELECT o.id FROM organizations o JOIN below b ON o.parent_id = b.id) \
             SELECT EXISTS (SELECT 1 FROM below WHERE id = ",
        )
        .bind::<SqlUuid, _>(candidate)
        .push(") AS flag");
    Ok(sql.get_result::<Flag>(conn).await?.flag)
}

pub async fn create(
    conn: &mut AsyncPgConnection,
    new: NewOrganization,
) -> ApiResult<OrganizationRow> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_tree(conn).await?;
        if let Some(parent) = new.parent_id {
            check_parent(conn, parent).await?;
        }
        let id = Uuid::now_v7();
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(id),
                organizations::name.eq(new.name),
                organizations::short_name.eq(new.short_name),
                organizations::kind.eq(new.kind),
                organizations::parent_id.eq(new.parent_id),
            ))
            .execute(conn)
            .await
            .map_err(name_taken)?;
        find(conn, id)
            .await?
            .ok_or_else(|| ApiError::internal("organization vanished"))
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<OrganizationRow> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(no_such_organization)
}

/// Applies changes after `precondition` accepted the current row; moving an organisation
/// under itself or a descendant is a 422.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: OrganizationChanges,
    precondition: impl FnOnce(&OrganizationRow) -> ApiResult<()> + Send + 'static,
) -> ApiResult<OrganizationRow> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_tree(conn).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        if let Some(Some(parent)) = changes.parent_id {
            check_parent(conn, parent).await?;
            if is_self_or_descendant(conn, id, parent).await? {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "parent_id",
                    "cycle",
                    "an organization cannot move under itself or one of its descendants",
                )]));
            }
        }
        let unchanged = changes.name.as_ref().is_none_or(|v| *v == current.name)
            && changes
                .short_name
                .as_ref()
                .is_none_or(|v| *v == current.short_name)
            && changes.kind.as_ref().is_none_or(|v| *v == current.kind)
            && changes.parent_id.is_none_or(|v| v == current.parent_id);
        if unchanged {
            return Ok(current);
        }
        diesel::update(organizations::table.find(id))
            .set((
                changes.name.map(|v| organizations::name.eq(v)),
                changes.short_name.map(|v| organizations::short_name.eq(v)),
                changes.kind.map(|v| organizations::kind.eq(v)),
                changes.parent_id.map(|v| organizations::parent_id.eq(v)),
                organizations::version.eq(organizations::version + 1),
                organizations::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map_err(name_taken)?;
        find(conn, id)
            .await?
            .ok_or_else(|| ApiError::internal("organization vanished"))
    })
    .await
}

/// Deletes an organisation that nothing uses: no sub-organisations, no signatory, no party
/// or signature of an agreement (409 otherwise).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&OrganizationRow) -> ApiResult<()> + Send + 'static,
) -> ApiResult<()> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_tree(conn).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        let children: i64 = organizations::table
            .filter(organizations::parent_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if children > 0 {
            return Err(ApiError::Conflict(format!(
                "the organization has {children} sub-organizations; move or delete them first"
            )));
        }
        let people: i64 = signatories::table
            .filter(signatories::organization_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if people > 0 {
            return Err(ApiError::Conflict(format!(
                "{people} signatories belong to this organization"
            )));
        }
        // Agreements name it through foreign keys that refuse the delete.
        diesel::delete(organizations::table.find(id))
            .execute(conn)
            .await
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                    ApiError::Conflict(
                        "agreements name this organization as a party or signer".into(),
                    )
                }
                other => other.into(),
            })?;
        Ok(())
    })
    .await
}
