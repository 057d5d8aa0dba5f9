//! Writing articles: create, change (keeping the previous version as a revision), trash,
//! restore and purge, and counting views. Each write is one transaction that locks the article
//! first.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::links::{
    COVER_PHOTO_GONE, replace_agreements, replace_gallery, replace_related, unless_gone,
};
use super::queries::{find, public};
use super::records::{ArticleContent, ArticleKey, ArticleRecord, Viewer};
use super::revisions;
use crate::db::schema::{articles, categories};
use crate::db::slugs::{SlugTable, free_slug};
use crate::db::sql::{self, IdTable, Sql};
use crate::domain::{ArticleStatus, Fields};
use crate::error::{ModelError, ModelResult};

/// A new article, checked.
pub struct NewArticle {
    pub content: ArticleContent,
    /// Whether the slug was derived from the title (then a clash gets a suffix).
    pub derived_slug: bool,
    pub author_id: Uuid,
}

/// How often a derived slug is derived again when another writer took it meanwhile.
const SLUG_ATTEMPTS: u32 = 5;

/// Creates an article; a derived slug that another writer takes meanwhile is retried.
pub async fn create(conn: &mut AsyncPgConnection, new: NewArticle) -> ModelResult<Uuid> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let content = new.content.clone();
        let derived = new.derived_slug;
        let author = new.author_id;
        let result = conn
            .transaction::<_, ModelError, _>(async move |conn| {
                check_links(conn, &content, None).await?;
                let slug = match derived {
                    true => free_slug(conn, SlugTable::Articles, &content.slug, None).await?,
                    false => content.slug.clone(),
                };
                let id = Uuid::now_v7();
                diesel::insert_into(articles::table)
                    .values((
                        articles::id.eq(id),
                        articles::slug.eq(slug),
                        articles::title.eq(&content.title),
                        articles::summary.eq(&content.summary),
                        articles::body_text.eq(crate::text::html_text(&content.body)),
                        articles::body.eq(&content.body),
                        articles::status.eq(content.status),
                        articles::published_at.eq(content.published_at),
                        articles::category_id.eq(content.category_id),
                        articles::cover_photo_id.eq(content.cover_photo_id),
                        articles::author_id.eq(author),
                        articles::editor_id.eq(author),
                    ))
                    .execute(conn)
                    .await
                    .map_err(|e| unless_gone(e, &[&COVER_PHOTO_GONE]))?;
                replace_related(conn, id, &content.related_ids).await?;
                replace_gallery(conn, id, &content.photos).await?;
                replace_agreements(conn, id, &content.agreement_ids).await?;
                Ok(id)
            })
            .await;
        match result {
            Err(ModelError::Conflict(_)) if derived && attempts < SLUG_ATTEMPTS => continue,
            other => return other,
        }
    }
}

/// 422s for a category, related articles, agreements or photos that do not exist.
async fn check_links(
    conn: &mut AsyncPgConnection,
    content: &ArticleContent,
    own_id: Option<Uuid>,
) -> ModelResult<()> {
    let mut fields = Fields::new();
    if let Some(category) = content.category_id {
        let found: Option<Uuid> = categories::table
            .find(category)
            .select(categories::id)
            .first(conn)
            .await
            .optional()?;
        if found.is_none() {
            fields.push("category_id", "not_found", "no such category");
        }
    }
    let found = sql::existing_ids(conn, IdTable::Articles, &content.related_ids).await?;
    for (i, id) in content.related_ids.iter().enumerate() {
        if Some(*id) == own_id {
            fields.push(
                format!("related_ids.{i}"),
                "self",
                "an article cannot be related to itself",
            );
        } else if !found.contains(id) {
            fields.push(format!("related_ids.{i}"), "not_found", "no such article");
        }
    }
    let found = sql::existing_ids(conn, IdTable::Agreements, &content.agreement_ids).await?;
    let agreements = content.agreement_ids.iter();
    let field = |i| format!("agreement_ids.{i}");
    note_missing(&mut fields, agreements, &found, field, "no such agreement");
    let mut photo_ids: Vec<Uuid> = content.photos.iter().map(|p| p.photo_id).collect();
    photo_ids.extend(content.cover_photo_id);
    let found = sql::existing_ids(conn, IdTable::Photos, &photo_ids).await?;
    if content.cover_photo_id.is_some_and(|c| !found.contains(&c)) {
        fields.push("cover_photo_id", "not_found", "no such photo");
    }
    let gallery = content.photos.iter().map(|p| &p.photo_id);
    let field = |i| format!("photos.{i}.photo_id");
    note_missing(&mut fields, gallery, &found, field, "no such photo");
    match fields.is_empty() {
        true => Ok(()),
        false => Err(ModelError::Invalid(fields.into_errors())),
    }
}

/// Notes the field `field(i)` for each of `ids` (the `i`th) that is not among `found`.
fn note_missing<'a>(
    fields: &mut Fields,
    ids: impl Iterator<Item = &'a Uuid>,
    found: &[Uuid],
    field: impl Fn(usize) -> String,
    message: &str,
) {
    for (i, id) in ids.enumerate() {
        if !found.contains(id) {
            fields.push(field(i), "not_found", message);
        }
    }
}

/// The current row of an article, locked for a write.
#[derive(Debug, Clone, QueryableByName)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub editor_id: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

/// What a write sees before deciding: the locked row, its content, and (when asked for, to
/// check `If-Match`) the article as the writer sees it.
pub struct Current {
    pub row: ArticleRow,
    pub content: ArticleContent,
    pub record: Option<ArticleRecord>,
}

/// The locked row with its lists, read in one statement.
#[derive(QueryableByName)]
struct LockedRow {
    #[diesel(embed)]
    article: ArticleRow,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    related_ids: Vec<Uuid>,
    /// `[{photo_id, caption, position}]` as JSON text.
    #[diesel(sql_type = diesel::sql_types::Text)]
    gallery: String,
    #[diesel(sql_type = diesel::sql_types::Array<diesel::sql_types::Uuid>)]
    agreement_ids: Vec<Uuid>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Uuid>)]
    cover_photo_id: Option<Uuid>,
}

/// Whether `viewer` may see the article in `row` (as `queries::visible` says in SQL).
fn row_visible(row: &ArticleRow, viewer: Viewer) -> bool {
    let public = row.status == ArticleStatus::Published
        && row.published_at.is_some_and(|t| t <= Utc::now())
        && row.deleted_at.is_none();
    match viewer {
        Viewer::Public => public,
        Viewer::Author(me) => row.deleted_at.is_none() && (public || row.author_id == Some(me)),
        Viewer::Editor => true,
    }
}

/// Locks an article for a write and reads its content; not found when `viewer` cannot see it.
async fn lock_content(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
) -> ModelResult<(ArticleRow, ArticleContent)> {
    let mut sql = Sql::new(
        "SELECT a.id, a.slug, a.title, a.summary, a.body, a.status, a.published_at, \
         a.category_id, a.author_id, a.editor_id, a.deleted_at, a.version, a.updated_at, \
         (SELECT coalesce(array_agg(ar.related_id ORDER BY ar.position), '{}') \
            FROM article_related ar WHERE ar.article_id = a.id) AS related_ids, \
         (SELECT coalesce(json_agg(json_build_object('photo_id', ap.photo_id, \
                 'caption', ap.caption, 'position', ap.position) ORDER BY ap.position), '[]')::text \
            FROM article_photos ap WHERE ap.article_id = a.id) AS gallery, \
         (SELECT coalesce(array_agg(aa.agreement_id ORDER BY aa.position), '{}') \
            FROM article_agreements aa WHERE aa.article_id = a.id) AS agreement_ids, \
         a.cover_photo_id \
         FROM articles a WHERE a.id = ",
    );
    sql.bind::<diesel::sql_types::Uuid, _>(id)
        .push(" FOR UPDATE OF a");
    let locked: LockedRow = sql
        .get_result(conn)
        .await
        .optional()?
        .ok_or(ModelError::NotFound("article"))?;
    let row = locked.article;
    if !row_visible(&row, viewer) {
        return Err(ModelError::NotFound("article"));
    }
    let content = ArticleContent {
        slug: row.slug.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        body: row.body.clone(),
        status: row.status,
        published_at: row.published_at,
        category_id: row.category_id,
        related_ids: locked.related_ids,
        cover_photo_id: locked.cover_photo_id,
        photos: serde_json::from_str(&locked.gallery).map_err(ModelError::internal)?,
        agreement_ids: locked.agreement_ids,
    };
    Ok((row, content))
}

/// Changes the content of an article in one transaction: `decide` sees the locked current
/// state (to check `If-Match`, with `with_record`, and permissions) and returns the new
/// content; the previous version is stored as a revision and `version` goes up by one.
/// Nothing changes when the new content equals the current one: then it answers `false`.
pub async fn write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
    editor: Uuid,
    with_record: Option<&str>,
    decide: impl FnOnce(&Current) -> ModelResult<ArticleContent> + Send + 'static,
) -> ModelResult<bool> {
    let media = with_record.map(str::to_string);
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let (row, content) = lock_content(conn, id, viewer).await?;
        let record = match &media {
            Some(media) => find(conn, ArticleKey::Id(id), viewer, media).await?,
            None => None,
        };
        let current = Current {
            row,
            content,
            record,
        };
        let next = decide(&current)?;
        let (row, now) = (&current.row, &current.content);
        if next == *now {
            return Ok(false);
        }
        if next.category_id != now.category_id
            || next.related_ids != now.related_ids
            || next.cover_photo_id != now.cover_photo_id
            || next.photos != now.photos
            || next.agreement_ids != now.agreement_ids
        {
            check_links(conn, &next, Some(id)).await?;
        }
        revisions::keep(conn, id, row.version, now, row.editor_id, row.updated_at).await?;
        let body_text = (next.body != now.body).then(|| crate::text::html_text(&next.body));
        // A slug another article has breaks `articles_slug_key`: a conflict.
        diesel::update(articles::table.find(id))
            .set((
                articles::slug.eq(&next.slug),
                articles::title.eq(&next.title),
                articles::summary.eq(&next.summary),
                articles::body.eq(&next.body),
                body_text.map(|t| articles::body_text.eq(t)),
                articles::status.eq(next.status),
                articles::published_at.eq(next.published_at),
                articles::category_id.eq(next.category_id),
                articles::cover_photo_id.eq(next.cover_photo_id),
                articles::editor_id.eq(editor),
                articles::version.eq(articles::version + 1),
                articles::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map_err(|e| unless_gone(e, &[&COVER_PHOTO_GONE]))?;
        if next.related_ids != now.related_ids {
            replace_related(conn, id, &next.related_ids).await?;
        }
        if next.photos != now.photos {
            replace_gallery(conn, id, &next.photos).await?;
        }
        if next.agreement_ids != now.agreement_ids {
            replace_agreements(conn, id, &next.agreement_ids).await?;
        }
        Ok(true)
    })
    .await
}

/// What becomes of an article taken out of the list, or brought back.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// Into the trash (`true`) or out of it.
    Trashed(bool),
    /// Removed for good, with its revisions and links.
    Purged,
}

/// Decides the fate of an article in one transaction, after `precondition` accepted it as an
/// editor sees it; `false` when it was already so (in the trash, or out of it).
async fn settle(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    fate: Fate,
    media: &str,
    precondition: impl FnOnce(&ArticleRecord) -> ModelResult<()> + Send + 'static,
) -> ModelResult<bool> {
    let media = media.to_string();
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let deleted_at: Option<DateTime<Utc>> = articles::table
            .find(id)
            .select(articles::deleted_at)
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or(ModelError::NotFound("article"))?;
        let record = find(conn, ArticleKey::Id(id), Viewer::Editor, &media)
            .await?
            .ok_or(ModelError::NotFound("article"))?;
        precondition(&record)?;
        let target = articles::table.find(id);
        let changed = match fate {
            Fate::Trashed(trashed) if deleted_at.is_some() == trashed => 0,
            Fate::Trashed(trashed) => {
                diesel::update(target)
                    .set(articles::deleted_at.eq(trashed.then(Utc::now)))
                    .execute(conn)
                    .await?
            }
            Fate::Purged => diesel::delete(target).execute(conn).await?,
        };
        Ok(changed > 0)
    })
    .await
}

/// Moves an article to the trash (or back with `trashed = false`), after `precondition`
/// accepted it as an editor sees it; `false` when it already was.
pub async fn set_trashed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    trashed: bool,
    media: &str,
    precondition: impl FnOnce(&ArticleRecord) -> ModelResult<()> + Send + 'static,
) -> ModelResult<bool> {
    settle(conn, id, Fate::Trashed(trashed), media, precondition).await
}

/// Removes an article, its revisions and its related links for good.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    precondition: impl FnOnce(&ArticleRecord) -> ModelResult<()> + Send + 'static,
) -> ModelResult<()> {
    settle(conn, id, Fate::Purged, media, precondition)
        .await
        .map(drop)
}

/// A change of an article's public life, as [`announce`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Went {
    /// It became public (published, due, not in the trash).
    Public,
    /// It stopped being public.
    Dark,
}

/// After a write of article `id` (in its transaction): whether it became public or stopped
/// being public since `article.published` was last said of it, noting the new state. The
/// scheduler calls it too, when a scheduled time has come.
pub async fn announce(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<Went>> {
    let live = diesel::dsl::sql::<Bool>(&public("articles"));
    let now: Option<bool> = diesel::update(
        articles::table
            .find(id)
            .filter(articles::announced.ne(live.clone())),
    )
    .set(articles::announced.eq(live))
    .returning(articles::announced)
    .get_result(conn)
    .await
    .optional()?;
    Ok(now.map(|public| if public { Went::Public } else { Went::Dark }))
}

/// Whether article `id` was last announced as public.
pub async fn announced(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<bool> {
    Ok(articles::table
        .find(id)
        .select(articles::announced)
        .first(conn)
        .await
        .optional()?
        .unwrap_or(false))
}

/// Scheduled articles whose time has come and that were not announced yet, locked for the
/// announcement (rows another replica is announcing are skipped).
pub async fn due(conn: &mut AsyncPgConnection, limit: i64) -> ModelResult<Vec<Uuid>> {
    Ok(articles::table
        .filter(articles::status.eq(ArticleStatus::Published))
        .filter(articles::announced.eq(false))
        .filter(articles::deleted_at.is_null())
        .filter(articles::published_at.le(diesel::dsl::now))
        .order(articles::published_at)
        .select(articles::id)
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await?)
}

/// Counts a view of a public article; `None` when there is no such public article.
pub async fn add_view(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<i64>> {
    Ok(diesel::update(
        articles::table
            .find(id)
            .filter(diesel::dsl::sql::<Bool>(&public("articles"))),
    )
    .set(articles::view_count.eq(articles::view_count + 1))
    .returning(articles::view_count)
    .get_result(conn)
    .await
    .optional()?)
}
