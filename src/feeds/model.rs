//! What feeds and sitemaps list: public articles (newest first) and categories.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::schema::{articles, categories};
use crate::db::visibility::public_article;
use crate::error::ModelResult;

/// An article as a feed shows it.
#[derive(Debug, Queryable)]
pub struct FeedItem {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub category: Option<String>,
}

/// The newest `limit` public articles, of category `category` when given.
pub async fn newest(
    conn: &mut AsyncPgConnection,
    category: Option<Uuid>,
    limit: i64,
) -> ModelResult<Vec<FeedItem>> {
    let mut query = articles::table
        .left_join(categories::table)
        .filter(diesel::dsl::sql::<Bool>(&public_article("articles")))
        .select((
            articles::id,
            articles::slug,
            articles::title,
            articles::summary,
            articles::published_at,
            articles::updated_at,
            categories::name.nullable(),
        ))
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(category) = category {
        query = query.filter(articles::category_id.eq(category));
    }
    Ok(query.load(conn).await?)
}

/// A category's id, name and last change, by slug.
pub async fn category(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> ModelResult<Option<(Uuid, String, DateTime<Utc>)>> {
    Ok(categories::table
        .filter(categories::slug.eq(slug))
        .select((categories::id, categories::name, categories::updated_at))
        .first(conn)
        .await
        .optional()?)
}

/// A page of a sitemap: a slug and when it last changed.
pub type Located = (String, DateTime<Utc>);

/// How many public articles there are.
pub async fn count_public(conn: &mut AsyncPgConnection) -> ModelResult<i64> {
    Ok(articles::table
        .filter(diesel::dsl::sql::<Bool>(&public_article("articles")))
        .count()
        .get_result(conn)
        .await?)
}

/// Public articles `offset..offset + limit`, newest first.
pub async fn public_pages(
    conn: &mut AsyncPgConnection,
    offset: i64,
    limit: i64,
) -> ModelResult<Vec<Located>> {
    Ok(articles::table
        .filter(diesel::dsl::sql::<Bool>(&public_article("articles")))
        .select((articles::slug, articles::updated_at))
        .order((articles::published_at.desc(), articles::id.desc()))
        .offset(offset)
        .limit(limit)
        .load(conn)
        .await?)
}

/// Every category.
pub async fn category_pages(conn: &mut AsyncPgConnection) -> ModelResult<Vec<Located>> {
    Ok(categories::table
        .select((categories::slug, categories::updated_at))
        .order(categories::slug)
        .load(conn)
        .await?)
}
