//! The `article_revisions` table: earlier versions of articles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::records::ArticleContent;
use crate::db::schema::{article_revisions, users};
use crate::db::sql::{self, IdTable};
use crate::error::{ModelError, ModelResult};
use crate::paging::{Paging, Start};

/// One revision with its writer's name.
#[derive(Debug, Clone)]
pub struct RevisionRecord {
    pub version: i32,
    pub content: ArticleContent,
    pub created_at: DateTime<Utc>,
    pub author_id: Option<Uuid>,
    pub author_name: Option<String>,
}

/// A revision as stored, its writer's name joined in.
#[derive(Queryable, Selectable)]
#[diesel(table_name = article_revisions)]
struct RevisionRow {
    version: i32,
    content: serde_json::Value,
    created_at: DateTime<Utc>,
    author_id: Option<Uuid>,
    #[diesel(select_expression = users::display_name.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<users::display_name>)]
    author_name: Option<String>,
}

impl RevisionRow {
    fn record(self) -> ModelResult<RevisionRecord> {
        Ok(RevisionRecord {
            version: self.version,
            content: serde_json::from_value(self.content).map_err(ModelError::internal)?,
            created_at: self.created_at,
            author_id: self.author_id,
            author_name: self.author_name,
        })
    }
}

/// The revisions of `article`, each with its writer.
#[diesel::dsl::auto_type]
fn of_article(article: Uuid) -> _ {
    article_revisions::table
        .left_join(users::table.on(users::id.nullable().eq(article_revisions::author_id)))
        .filter(article_revisions::article_id.eq(article))
}

/// A page of an article's revisions, newest first (`limit + 1` rows, those older than
/// `before` when the page follows a cursor), and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    paging: &Paging,
    before: Option<i32>,
) -> ModelResult<(Vec<RevisionRecord>, Option<i64>)> {
    let mut query = of_article(article)
        .select(RevisionRow::as_select())
        .order(article_revisions::version.desc())
        .limit(paging.limit + 1)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(article_revisions::version.lt(before));
    }
    if let Start::Offset(n) = paging.start {
        query = query.offset(n);
    }
    let rows: Vec<RevisionRow> = query.load(conn).await?;
    let rows = rows
        .into_iter()
        .map(RevisionRow::record)
        .collect::<ModelResult<Vec<_>>>()?;
    let total = match paging.with_total {
        true => Some(
            article_revisions::table
                .filter(article_revisions::article_id.eq(article))
                .count()
                .get_result(conn)
                .await?,
        ),
        false => None,
    };
    Ok((rows, total))
}

/// Revision `version` of an article.
pub async fn find(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    version: i32,
) -> ModelResult<Option<RevisionRecord>> {
    let row: Option<RevisionRow> = of_article(article)
        .filter(article_revisions::version.eq(version))
        .select(RevisionRow::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(RevisionRow::record).transpose()
}

/// Revision `version` of an article as it can be restored: the related articles deleted for
/// good since are left out, and so are the photos deleted since.
pub async fn find_restorable(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    version: i32,
) -> ModelResult<Option<RevisionRecord>> {
    let Some(mut revision) = find(conn, article, version).await? else {
        return Ok(None);
    };
    let content = &mut revision.content;
    let existing = sql::existing_ids(conn, IdTable::Articles, &content.related_ids).await?;
    content.related_ids.retain(|id| existing.contains(id));
    let mut photo_ids: Vec<Uuid> = content.photos.iter().map(|p| p.photo_id).collect();
    photo_ids.extend(content.cover_photo_id);
    let existing = sql::existing_ids(conn, IdTable::Photos, &photo_ids).await?;
    content.photos.retain(|p| existing.contains(&p.photo_id));
    content.cover_photo_id = content.cover_photo_id.filter(|c| existing.contains(c));
    Ok(Some(revision))
}

/// Keeps `content`, the article's content at `version` (written by `author` at `written_at`),
/// as a revision.
pub(super) async fn keep(
    conn: &mut AsyncPgConnection,
    article: Uuid,
    version: i32,
    content: &ArticleContent,
    author: Option<Uuid>,
    written_at: DateTime<Utc>,
) -> ModelResult<()> {
    let snapshot = serde_json::to_value(content).map_err(ModelError::internal)?;
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article),
            article_revisions::version.eq(version),
            article_revisions::content.eq(snapshot),
            article_revisions::author_id.eq(author),
            article_revisions::created_at.eq(written_at),
        ))
        .execute(conn)
        .await?;
    Ok(())
}
