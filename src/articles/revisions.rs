//! The `article_revisions` table: earlier versions of articles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::model::ArticleContent;
use crate::db::schema::{article_revisions, users};
use crate::error::{ApiError, ApiResult};
use crate::paging::{Cursor, Paging, Start};

/// One revision with its writer's name.
#[derive(Debug, Clone)]
pub struct RevisionRecord {
    pub version: i32,
    pub content: ArticleContent,
    pub created_at: DateTime<Utc>,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
}

type Raw = (
    i32,
    serde_json::Value,
    DateTime<Utc>,
    Option<Uuid>,
    Option<String>,
);

fn record(raw: Raw) -> ApiResult<RevisionRecord> {
    let (version, content, created_at, author_id, author_name) = raw;
    Ok(RevisionRecord {
        version,
        content: serde_json::from_value(content).map_err(ApiError::internal)?,
        created_at,
        author_id,
        author_name,
    })
}

/// A page of an article's revisions, newest first (`limit + 1` rows), and the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    paging: &Paging,
) -> ApiResult<(Vec<RevisionRecord>, Option<i64>)> {
    let mut query = article_revisions::table
        .left_join(users::table.on(users::id.nullable().eq(article_revisions::author_id)))
        .filter(article_revisions::article_id.eq(article))
        .select((
            article_revisions::version,
            article_revisions::content,
            article_revisions::created_at,
            article_revisions::author_id,
            users::display_name.nullable(),
        ))
        .order(article_revisions::version.desc())
        .limit(paging.limit + 1)
        .into_boxed();
    match &paging.start {
        Start::After(Some(cursor)) => {
            let before = cursor
                .value
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(Cursor::invalid)?;
            query = query.filter(article_revisions::version.lt(before));
        }
        Start::Offset(n) => query = query.offset(*n),
        Start::After(None) => {}
    }
    let rows: Vec<Raw> = query.load(conn).await?;
    let rows = rows
        .into_iter()
        .map(record)
        .collect::<ApiResult<Vec<_>>>()?;
    let total = if paging.with_total {
        Some(
            article_revisions::table
                .filter(article_revisions::article_id.eq(article))
                .count()
                .get_result(conn)
                .await?,
        )
    } else {
        None
    };
    Ok((rows, total))
}

/// Revision `version` of an article.
pub async fn find(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    version: i32,
) -> ApiResult<Option<RevisionRecord>> {
    let raw: Option<Raw> = article_revisions::table
        .left_join(users::table.on(users::id.nullable().eq(article_revisions::author_id)))
        .filter(article_revisions::article_id.eq(article))
        .filter(article_revisions::version.eq(version))
        .select((
            article_revisions::version,
            article_revisions::content,
            article_revisions::created_at,
            article_revisions::author_id,
            users::display_name.nullable(),
        ))
        .first(conn)
        .await
        .optional()?;
    raw.map(record).transpose()
}
