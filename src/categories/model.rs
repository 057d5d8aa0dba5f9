//! The `categories` table and its breadcrumbs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Bool, Int4, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{articles, categories};
use crate::db::slugs::{SlugTable, free_slug, is_taken};
use crate::db::sql::Sql;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::paging::{Cursor, Paging, Sort, Start};

#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub parent_id: Option<Uuid>,
    pub position: i32,
    pub path: serde_json::Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How the slug of a new or renamed category is chosen.
pub enum SlugChoice {
    /// Given by the editor: taken → 409.
    Given(String),
    /// Derived from the name: taken → the next free `-n`.
    Derived(String),
}

pub struct NewCategory {
    pub name: String,
    pub slug: SlugChoice,
    pub description: String,
    pub parent_id: Option<Uuid>,
    pub position: Option<i32>,
}

#[derive(Default)]
pub struct CategoryChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<String>,
    pub parent_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategorySort {
    Position,
    Name,
    CreatedAt,
}

impl CategorySort {
    pub fn name(self) -> &'static str {
        match self {
            CategorySort::Position => "position",
            CategorySort::Name => "name",
            CategorySort::CreatedAt => "created_at",
        }
    }

    fn column(self) -> &'static str {
        match self {
            CategorySort::Position => "c.position",
            CategorySort::Name => "c.name COLLATE \"vi-x-icu\"",
            CategorySort::CreatedAt => "c.created_at",
        }
    }
}

#[derive(Default)]
pub struct CategoryFilter {
    pub parent_id: Option<Uuid>,
    pub root: bool,
    pub q: Option<String>,
}

const COLUMNS: &str = "c.id, c.slug, c.name, c.description, c.parent_id, c.position, c.path, \
     c.version, c.created_at, c.updated_at";

fn slug_taken(e: DieselError) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict("a category with this slug already exists".into())
        }
        other => other.into(),
    }
}

fn bad_parent() -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        "parent_id",
        "not_found",
        "no such category",
    )])
}

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Option<CategoryRow>> {
    Ok(categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

pub async fn find_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> ApiResult<Option<CategoryRow>> {
    Ok(categories::table
        .filter(categories::slug.eq(slug))
        .select(CategoryRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

fn where_clause(sql: &mut Sql, filter: &CategoryFilter) {
    sql.push(" WHERE true");
    if let Some(parent) = filter.parent_id {
        sql.push(" AND c.parent_id = ").bind::<SqlUuid, _>(parent);
    }
    if filter.root {
        sql.push(" AND c.parent_id IS NULL");
    }
    if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        sql.push(" AND bantin_fold(c.name) LIKE '%' || bantin_fold(")
            .bind::<Text, _>(crate::db::sql::like_escape(q))
            .push(") || '%'");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// One page of categories (`limit + 1` rows) and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CategoryFilter,
    sort: Sort<CategorySort>,
    paging: &Paging,
) -> ApiResult<(Vec<CategoryRow>, Option<i64>)> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM categories c"));
    where_clause(&mut sql, filter);
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Start::After(Some(cursor)) = &paging.start {
        sql.push(&format!(" AND ({}, c.id) {cmp} (", sort.field.column()));
        match sort.field {
            CategorySort::Position => {
                let v = cursor.value.as_i64().and_then(|v| i32::try_from(v).ok());
                sql.bind::<Int4, _>(v.ok_or_else(Cursor::invalid)?)
            }
            CategorySort::Name => sql.bind::<Text, _>(cursor.text()?.to_string()),
            CategorySort::CreatedAt => sql.bind::<Timestamptz, _>(cursor.instant()?),
        };
        sql.push(", ").bind::<SqlUuid, _>(cursor.id).push(")");
    }
    sql.push(&format!(
        " ORDER BY {} {dir}, c.id {dir}",
        sort.field.column()
    ));
    if let Start::Offset(offset) = paging.start {
        sql.push(" OFFSET ")
            .bind::<diesel::sql_types::BigInt, _>(offset);
    }
    sql.push(" LIMIT ")
        .bind::<diesel::sql_types::BigInt, _>(paging.limit + 1);
    let rows = sql.load(conn).await?;
    let total = if paging.with_total {
        let mut count = Sql::new("SELECT count(*) AS n FROM categories c");
        where_clause(&mut count, filter);
        Some(count.get_result::<Count>(conn).await?.n)
    } else {
        None
    };
    Ok((rows, total))
}

/// The cursor that points just after `row` in `sort` order.
pub fn cursor_of(row: &CategoryRow, sort: Sort<CategorySort>, sort_key: &str) -> Cursor {
    let value = match sort.field {
        CategorySort::Position => serde_json::Value::from(row.position),
        CategorySort::Name => serde_json::Value::String(row.name.clone()),
        CategorySort::CreatedAt => serde_json::Value::String(row.created_at.to_rfc3339()),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

/// Serialises writes to the tree, so two concurrent moves cannot build a cycle.
async fn lock_tree(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(727002)")
        .execute(conn)
        .await?;
    Ok(())
}

/// Rewrites the stored breadcrumbs (and the JSON articles embed) that no longer match the
/// tree.
async fn refresh_paths(conn: &mut AsyncPgConnection) -> ApiResult<()> {
    diesel::sql_query(
        "WITH RECURSIVE tree (id, path) AS ( \
           SELECT id, jsonb_build_array(jsonb_build_object('id', id, 'slug', slug, 'name', name)) \
             FROM categories WHERE parent_id IS NULL \
           UNION ALL \
           SELECT c.id, t.path || jsonb_build_object('id', c.id, 'slug', c.slug, 'name', c.name) \
             FROM categories c JOIN tree t ON c.parent_id = t.id), \
         fresh AS (SELECT c.id, tree.path, jsonb_build_object('id', c.id, 'slug', c.slug, \
             'name', c.name, 'path', tree.path)::text AS embed \
             FROM categories c JOIN tree ON tree.id = c.id) \
         UPDATE categories c SET path = fresh.path, embed = fresh.embed FROM fresh \
          WHERE c.id = fresh.id AND (c.path IS DISTINCT FROM fresh.path \
             OR c.embed IS DISTINCT FROM fresh.embed)",
    )
    .execute(conn)
    .await?;
    Ok(())
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
    let mut sql = Sql::new("WITH RECURSIVE below (id) AS (SELECT id FROM categories WHERE id = ");
    sql.bind::<SqlUuid, _>(id)
        .push(
            " UNION SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id) \
             SELECT EXISTS (SELECT 1 FROM below WHERE id = ",
        )
        .bind::<SqlUuid, _>(candidate)
        .push(") AS flag");
    Ok(sql.get_result::<Flag>(conn).await?.flag)
}

async fn check_parent(conn: &mut AsyncPgConnection, parent: Uuid) -> ApiResult<()> {
    let exists = categories::table
        .find(parent)
        .select(categories::id)
        .first::<Uuid>(conn)
        .await
        .optional()?;
    exists.map(|_| ()).ok_or_else(bad_parent)
}

async fn next_position(conn: &mut AsyncPgConnection, parent: Option<Uuid>) -> ApiResult<i32> {
    let max: Option<i32> = match parent {
        Some(p) => {
            categories::table
                .filter(categories::parent_id.eq(p))
                .select(diesel::dsl::max(categories::position))
                .first(conn)
                .await?
        }
        None => {
            categories::table
                .filter(categories::parent_id.is_null())
                .select(diesel::dsl::max(categories::position))
                .first(conn)
                .await?
        }
    };
    Ok(max.map_or(0, |m| m.saturating_add(1)))
}

pub async fn create(conn: &mut AsyncPgConnection, new: NewCategory) -> ApiResult<CategoryRow> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_tree(conn).await?;
        if let Some(parent) = new.parent_id {
            check_parent(conn, parent).await?;
        }
        let slug = match new.slug {
            SlugChoice::Given(slug) => slug,
            SlugChoice::Derived(base) => {
                free_slug(conn, SlugTable::Categories, &base, None).await?
            }
        };
        let position = match new.position {
            Some(p) => p,
            None => next_position(conn, new.parent_id).await?,
        };
        let id = Uuid::now_v7();
        diesel::insert_into(categories::table)
            .values((
                categories::id.eq(id),
                categories::slug.eq(slug),
                categories::name.eq(new.name),
                categories::description.eq(new.description),
                categories::parent_id.eq(new.parent_id),
                categories::position.eq(position),
            ))
            .execute(conn)
            .await
            .map_err(slug_taken)?;
        refresh_paths(conn).await?;
        find(conn, id)
            .await?
            .ok_or_else(|| ApiError::internal("category vanished"))
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<CategoryRow> {
    categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::NotFound("no such category".into()))
}

/// Applies changes in one transaction, after `precondition` accepted the current row.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: CategoryChanges,
    precondition: impl FnOnce(&CategoryRow) -> ApiResult<()> + Send + 'static,
) -> ApiResult<CategoryRow> {
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
                    "a category cannot move under itself or one of its descendants",
                )]));
            }
        }
        if let Some(slug) = &changes.slug
            && is_taken(conn, SlugTable::Categories, slug, Some(id)).await?
        {
            return Err(ApiError::Conflict(
                "a category with this slug already exists".into(),
            ));
        }
        let unchanged = changes.name.as_ref().is_none_or(|v| *v == current.name)
            && changes.slug.as_ref().is_none_or(|v| *v == current.slug)
            && changes
                .description
                .as_ref()
                .is_none_or(|v| *v == current.description)
            && changes.parent_id.is_none_or(|v| v == current.parent_id)
            && changes.position.is_none_or(|v| v == current.position);
        if unchanged {
            return Ok(current);
        }
        diesel::update(categories::table.find(id))
            .set((
                changes.name.map(|v| categories::name.eq(v)),
                changes.slug.map(|v| categories::slug.eq(v)),
                changes.description.map(|v| categories::description.eq(v)),
                changes.parent_id.map(|v| categories::parent_id.eq(v)),
                changes.position.map(|v| categories::position.eq(v)),
                categories::version.eq(categories::version + 1),
                categories::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map_err(slug_taken)?;
        refresh_paths(conn).await?;
        find(conn, id)
            .await?
            .ok_or_else(|| ApiError::internal("category vanished"))
    })
    .await
}

/// Deletes a category that has neither children nor articles (trashed ones included).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&CategoryRow) -> ApiResult<()> + Send + 'static,
) -> ApiResult<()> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_tree(conn).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        let children: i64 = categories::table
            .filter(categories::parent_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if children > 0 {
            return Err(ApiError::Conflict(format!(
                "the category has {children} sub-categories; move or delete them first"
            )));
        }
        let used: i64 = articles::table
            .filter(articles::category_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if used > 0 {
            return Err(ApiError::Conflict(format!(
                "the category holds {used} articles (trashed ones included); move them first"
            )));
        }
        diesel::delete(categories::table.find(id))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}
