//! The `categories` table and its breadcrumbs.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{articles, categories};
use crate::db::slugs::{SlugTable, free_slug, is_taken};
use crate::db::sql::Sql;
use crate::db::tree::{self, Tree};
use crate::domain::{PlainText, Slug, Title};
use crate::error::{ModelError, ModelResult};
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
    Given(Slug),
    /// Derived from the name: taken → the next free `-n`.
    Derived(Slug),
}

pub struct NewCategory {
    pub name: Title,
    pub slug: SlugChoice,
    pub description: PlainText,
    pub parent_id: Option<Uuid>,
    pub position: Option<i32>,
}

#[derive(Default)]
pub struct CategoryChanges {
    pub name: Option<Title>,
    pub slug: Option<Slug>,
    pub description: Option<PlainText>,
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

pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<CategoryRow>> {
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
) -> ModelResult<Option<CategoryRow>> {
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

/// One page of categories (`limit + 1` rows) and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CategoryFilter,
    sort: Sort<CategorySort>,
    paging: &Paging,
) -> ModelResult<(Vec<CategoryRow>, Option<i64>)> {
    let mut sql = Sql::new(&format!("SELECT {COLUMNS} FROM categories c"));
    where_clause(&mut sql, filter);
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![key_of(sort.field, cursor)?], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &[sort.field.column()],
        id: "c.id",
        descending: sort.descending,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM categories c");
    where_clause(&mut count, filter);
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

/// The sort key a cursor holds.
fn key_of(field: CategorySort, cursor: &Cursor) -> ModelResult<KeyValue> {
    Ok(match field {
        CategorySort::Position => cursor
            .value
            .as_i64()
            .and_then(|v| i32::try_from(v).ok())
            .map(KeyValue::Int4)
            .ok_or_else(Cursor::invalid)?,
        CategorySort::Name => KeyValue::Collated(cursor.text()?.to_string(), "vi-x-icu"),
        CategorySort::CreatedAt => KeyValue::Instant(cursor.instant()?),
    })
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

/// Rewrites the stored breadcrumbs (and the JSON articles embed) that no longer match the
/// tree.
async fn refresh_paths(conn: &mut AsyncPgConnection) -> ModelResult<()> {
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

async fn next_position(conn: &mut AsyncPgConnection, parent: Option<Uuid>) -> ModelResult<i32> {
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

pub async fn create(conn: &mut AsyncPgConnection, new: NewCategory) -> ModelResult<CategoryRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Categories).await?;
        if let Some(parent) = new.parent_id {
            tree::check_parent(conn, Tree::Categories, None, parent).await?;
        }
        let slug = match new.slug {
            SlugChoice::Given(slug) => slug.into_inner(),
            SlugChoice::Derived(base) => {
                free_slug(conn, SlugTable::Categories, base.as_str(), None).await?
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
                categories::name.eq(new.name.into_inner()),
                categories::description.eq(new.description.into_inner()),
                categories::parent_id.eq(new.parent_id),
                categories::position.eq(position),
            ))
            .execute(conn)
            .await?;
        refresh_paths(conn).await?;
        find(conn, id)
            .await?
            .ok_or_else(|| ModelError::internal("category vanished"))
    })
    .await
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<CategoryRow> {
    categories::table
        .find(id)
        .select(CategoryRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or(ModelError::NotFound("category"))
}

/// Applies changes in one transaction, after `precondition` accepted the current row; the
/// row after, and whether anything changed.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: CategoryChanges,
    precondition: impl FnOnce(&CategoryRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(CategoryRow, bool)> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Categories).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        if let Some(Some(parent)) = changes.parent_id {
            tree::check_parent(conn, Tree::Categories, Some(id), parent).await?;
        }
        if let Some(slug) = &changes.slug
            && is_taken(conn, SlugTable::Categories, slug.as_str(), Some(id)).await?
        {
            return Err(ModelError::Conflict(
                "a category with this slug already exists".into(),
            ));
        }
        let unchanged = changes
            .name
            .as_ref()
            .is_none_or(|v| v.as_str() == current.name)
            && changes
                .slug
                .as_ref()
                .is_none_or(|v| v.as_str() == current.slug)
            && changes
                .description
                .as_ref()
                .is_none_or(|v| v.as_str() == current.description)
            && changes.parent_id.is_none_or(|v| v == current.parent_id)
            && changes.position.is_none_or(|v| v == current.position);
        if unchanged {
            return Ok((current, false));
        }
        diesel::update(categories::table.find(id))
            .set((
                changes.name.map(|v| categories::name.eq(v.into_inner())),
                changes.slug.map(|v| categories::slug.eq(v.into_inner())),
                changes
                    .description
                    .map(|v| categories::description.eq(v.into_inner())),
                changes.parent_id.map(|v| categories::parent_id.eq(v)),
                changes.position.map(|v| categories::position.eq(v)),
                categories::version.eq(categories::version + 1),
                categories::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        refresh_paths(conn).await?;
        let row = find(conn, id)
            .await?
            .ok_or_else(|| ModelError::internal("category vanished"))?;
        Ok((row, true))
    })
    .await
}

/// Deletes a category that has neither children nor articles (trashed ones included).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&CategoryRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<CategoryRow> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        tree::lock(conn, Tree::Categories).await?;
        let current = lock(conn, id).await?;
        precondition(&current)?;
        tree::refuse_if_parent(conn, Tree::Categories, id).await?;
        let used: i64 = articles::table
            .filter(articles::category_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        if used > 0 {
            return Err(ModelError::Conflict(format!(
                "the category holds {used} articles (trashed ones included); move them first"
            )));
        }
        diesel::delete(categories::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
    .await
}
