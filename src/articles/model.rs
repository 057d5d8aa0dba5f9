//! The `articles` table, its related links, and the read model that embeds the category
//! (with its breadcrumb) and the author in the same query.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{
    Array, BigInt, Date, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::db::schema::{
    article_photos, article_related, article_revisions, articles, categories, photos,
};
use crate::db::slugs::{SlugTable, free_slug, is_taken};
use crate::db::sql::{self, IdTable, Sql};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::paging::{Cursor, Paging, Sort, Start};

/// An article as the API shows it, with its category and author joined in.
#[derive(Debug, Clone, QueryableByName)]
pub struct ArticleRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub category_id: Option<Uuid>,
    /// `{id, slug, name, path}` as JSON text.
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub author_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub author_name: Option<String>,
    /// The cover photo as JSON text (`bantin_photo_json`).
    #[diesel(sql_type = Nullable<Text>)]
    pub cover_photo: Option<String>,
    /// The gallery, `[{photo, caption, position}]` as JSON text; `NULL` in lists or when empty.
    #[diesel(sql_type = Nullable<Text>)]
    pub photos: Option<String>,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub related_ids: Vec<Uuid>,
    /// `[{id, document_number, title}]` as JSON text; `NULL` in lists or when none.
    #[diesel(sql_type = Nullable<Text>)]
    pub agreements: Option<String>,
    #[diesel(sql_type = Int8)]
    pub view_count: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The editable content of an article: what a revision keeps and a restore brings back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleContent {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    pub related_ids: Vec<Uuid>,
    /// Revisions written before photos existed have neither of these.
    #[serde(default)]
    pub cover_photo_id: Option<Uuid>,
    #[serde(default)]
    pub photos: Vec<GalleryItem>,
    /// The agreements the article reports, in order.
    #[serde(default)]
    pub agreement_ids: Vec<Uuid>,
}

/// A photo in an article's gallery, with the caption it has there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GalleryItem {
    pub photo_id: Uuid,
    pub caption: String,
    pub position: i32,
}

/// Who reads, deciding which articles exist for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Published, not scheduled, not trashed.
    Public,
    /// The public articles and the author's own (not trashed).
    Author(Uuid),
    /// Everything not trashed (and the trash on request).
    Editor,
}

/// The SQL condition "`alias` is public".
fn public(alias: &str) -> String {
    crate::db::visibility::public_article(alias)
}

/// Appends "`alias` is visible to `viewer`" (trashed articles only for editors when asked).
fn visible(sql: &mut Sql, alias: &str, viewer: Viewer, trashed: bool) {
    match viewer {
        Viewer::Public => {
            sql.push(&public(alias));
        }
        Viewer::Author(me) => {
            sql.push(&format!(
                "({alias}.deleted_at IS NULL AND ({} OR {alias}.author_id = ",
                public(alias)
            ))
            .bind::<SqlUuid, _>(me)
            .push("))");
        }
        Viewer::Editor if trashed => {
            sql.push(&format!("{alias}.deleted_at IS NOT NULL"));
        }
        Viewer::Editor => {
            sql.push(&format!("{alias}.deleted_at IS NULL"));
        }
    }
}

/// The category as the JSON text it is embedded with, kept on the category's row.
const CATEGORY_JSON: &str = "c.embed AS category";

/// The cover photo joined in (`cp`, `cf`) and rendered with its files under `media`.
fn push_cover(sql: &mut Sql, media: &str) {
    sql.push("CASE WHEN cp.id IS NULL THEN NULL ELSE bantin_photo_json(cp, cf, ")
        .bind::<Text, _>(media.to_string())
        .push(") END AS cover_photo");
}

const COVER_JOIN: &str = " LEFT JOIN photos cp ON cp.id = a.cover_photo_id \
     LEFT JOIN media_files cf ON cf.sha256 = cp.sha256";

/// The columns of a list row (no body, no related ids, no gallery), photo URLs under `media`.
fn select_summary(media: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT a.id, a.slug, a.title, a.summary, ''::text AS body, a.status, a.published_at, \
         a.category_id, {CATEGORY_JSON}, a.author_id, u.display_name AS author_name, "
    ));
    push_cover(&mut sql, media);
    sql.push(&format!(
        ", NULL::text AS photos, '{{}}'::uuid[] AS related_ids, NULL::text AS agreements, \
         a.view_count, a.deleted_at, \
         a.version, a.created_at, a.updated_at FROM articles a \
         LEFT JOIN categories c ON c.id = a.category_id \
         LEFT JOIN users u ON u.id = a.author_id{COVER_JOIN}"
    ));
    sql
}

/// The columns of a full article, its related ids filtered for `viewer`, photo URLs under
/// `media`.
fn select_full(viewer: Viewer, media: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT a.id, a.slug, a.title, a.summary, a.body, a.status, a.published_at, \
         a.category_id, {CATEGORY_JSON}, a.author_id, u.display_name AS author_name, "
    ));
    push_cover(&mut sql, media);
    sql.push(", (SELECT json_agg(json_build_object('photo', bantin_photo_json(gp, gf, ")
        .bind::<Text, _>(media.to_string())
        .push(
            ")::json, 'caption', ap.caption, 'position', ap.position) ORDER BY ap.position)::text \
         FROM article_photos ap JOIN photos gp ON gp.id = ap.photo_id \
         JOIN media_files gf ON gf.sha256 = gp.sha256 WHERE ap.article_id = a.id) AS photos, ",
        );
    sql.push(
        "(SELECT coalesce(array_agg(ar.related_id ORDER BY ar.position), '{}') \
            FROM article_related ar JOIN articles r ON r.id = ar.related_id \
           WHERE ar.article_id = a.id AND ",
    );
    match viewer {
        // Editors see every related article, trashed ones included.
        Viewer::Editor => {
            sql.push("true");
        }
        other => visible(&mut sql, "r", other, false),
    }
    sql.push(
        ") AS related_ids, \
         (SELECT json_agg(json_build_object('id', g.id, 'document_number', g.document_number, \
                 'title', g.title) ORDER BY aa.position)::text \
            FROM article_agreements aa JOIN agreements g ON g.id = aa.agreement_id \
           WHERE aa.article_id = a.id) AS agreements, \
         a.view_count, a.deleted_at, a.version, a.created_at, a.updated_at \
         FROM articles a LEFT JOIN categories c ON c.id = a.category_id \
         LEFT JOIN users u ON u.id = a.author_id",
    )
    .push(COVER_JOIN);
    sql
}

/// Finds an article by id or slug as `viewer` sees it (editors also see the trash).
pub async fn find(
    conn: &mut AsyncPgConnection,
    key: ArticleKey<'_>,
    viewer: Viewer,
    media: &str,
) -> ApiResult<Option<ArticleRecord>> {
    let mut sql = select_full(viewer, media);
    match key {
        ArticleKey::Id(id) => sql.push(" WHERE a.id = ").bind::<SqlUuid, _>(id),
        ArticleKey::Slug(slug) => sql
            .push(" WHERE a.slug = ")
            .bind::<Text, _>(slug.to_string()),
    };
    sql.push(" AND ");
    match viewer {
        Viewer::Editor => {
            sql.push("true");
        }
        other => visible(&mut sql, "a", other, false),
    }
    let record: Option<ArticleRecord> = sql.get_result(conn).await.optional()?;
    match record {
        Some(mut record) => {
            record.body = super::figures::fill(conn, record.body, media).await?;
            Ok(Some(record))
        }
        None => Ok(None),
    }
}

/// How an article is named in a path.
#[derive(Debug, Clone, Copy)]
pub enum ArticleKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}

/// A bound of `published_from` / `published_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeBound {
    Instant(DateTime<Utc>),
    /// A whole day in the site's time zone.
    Day(NaiveDate),
}

/// Which statuses a list selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusSelect {
    Draft,
    /// Published, scheduled ones included.
    Published,
    Scheduled,
    Archived,
}

#[derive(Debug, Default)]
pub struct ArticleFilter {
    /// A category id or slug (sub-categories included).
    pub category: Option<String>,
    pub status: Option<StatusSelect>,
    pub q: Option<String>,
    pub published_from: Option<TimeBound>,
    pub published_to: Option<TimeBound>,
    pub author: Option<Uuid>,
    pub trashed: bool,
    /// Articles that report this agreement.
    pub agreement: Option<Uuid>,
    /// Articles that report an agreement this person signed.
    pub signatory: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleSort {
    PublishedAt,
    Title,
    ViewCount,
    /// By search rank (only with `q`); paged by position.
    Relevance,
}

impl ArticleSort {
    pub fn name(self) -> &'static str {
        match self {
            ArticleSort::PublishedAt => "published_at",
            ArticleSort::Title => "title",
            ArticleSort::ViewCount => "view_count",
            ArticleSort::Relevance => "relevance",
        }
    }
}

const SITE_TZ: &str = "(SELECT time_zone FROM site)";

fn where_clause(sql: &mut Sql, filter: &ArticleFilter, viewer: Viewer) {
    sql.push(" WHERE ");
    visible(sql, "a", viewer, filter.trashed);
    if let Some(category) = &filter.category {
        // The category and everything below it: their breadcrumbs contain it.
        sql.push(
            " AND a.category_id IN (SELECT d.id FROM categories d, categories p \
             WHERE (p.id::text = ",
        )
        .bind::<Text, _>(category.to_lowercase())
        .push(" OR p.slug = ")
        .bind::<Text, _>(category.clone())
        .push(") AND d.path @> jsonb_build_array(jsonb_build_object('id', p.id)))");
    }
    match filter.status {
        None => {}
        Some(StatusSelect::Draft) => {
            sql.push(" AND a.status = 'draft'");
        }
        Some(StatusSelect::Archived) => {
            sql.push(" AND a.status = 'archived'");
        }
        Some(StatusSelect::Published) => {
            sql.push(" AND a.status = 'published'");
        }
        Some(StatusSelect::Scheduled) => {
            sql.push(" AND a.status = 'published' AND a.published_at > now()");
        }
    }
    if let Some(q) = &filter.q {
        sql.push(" AND (a.search_head || a.search_body) @@ plainto_tsquery('simple', bantin_fold(")
            .bind::<Text, _>(q.clone())
            .push("))");
    }
    match filter.published_from {
        Some(TimeBound::Instant(t)) => {
            sql.push(" AND a.published_at >= ")
                .bind::<Timestamptz, _>(t);
        }
        Some(TimeBound::Day(d)) => {
            sql.push(" AND a.published_at >= (")
                .bind::<Date, _>(d)
                .push(&format!("::timestamp AT TIME ZONE {SITE_TZ})"));
        }
        None => {}
    }
    match filter.published_to {
        Some(TimeBound::Instant(t)) => {
            sql.push(" AND a.published_at <= ")
                .bind::<Timestamptz, _>(t);
        }
        Some(TimeBound::Day(d)) => {
            sql.push(" AND a.published_at < ((")
                .bind::<Date, _>(d)
                .push(&format!(" + 1)::timestamp AT TIME ZONE {SITE_TZ})"));
        }
        None => {}
    }
    if let Some(author) = filter.author {
        sql.push(" AND a.author_id = ").bind::<SqlUuid, _>(author);
    }
    if let Some(agreement) = filter.agreement {
        sql.push(" AND EXISTS (SELECT 1 FROM article_agreements fa WHERE fa.article_id = a.id AND fa.agreement_id = ")
            .bind::<SqlUuid, _>(agreement)
            .push(")");
    }
    if let Some(signatory) = filter.signatory {
        sql.push(
            " AND EXISTS (SELECT 1 FROM article_agreements fa JOIN agreement_signatures fs \
             ON fs.agreement_id = fa.agreement_id WHERE fa.article_id = a.id AND fs.signatory_id = ",
        )
        .bind::<SqlUuid, _>(signatory)
        .push(")");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page of articles (`limit + 1` rows, bodies left out) and the total when asked for.
/// One query for the page (category, breadcrumb and author joined in), one for the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ArticleFilter,
    viewer: Viewer,
    sort: Sort<ArticleSort>,
    paging: &Paging,
    media: &str,
) -> ApiResult<(Vec<ArticleRecord>, Option<i64>)> {
    let mut sql = select_summary(media);
    where_clause(&mut sql, filter, viewer);
    let desc = sort.descending;
    let (cmp, dir) = if desc { ("<", "DESC") } else { (">", "ASC") };
    let mut offset = match paging.start {
        Start::Offset(n) => n,
        _ => 0,
    };
    if let Start::After(Some(cursor)) = &paging.start {
        match sort.field {
            ArticleSort::PublishedAt => match &cursor.value {
                serde_json::Value::Null => {
                    // Undated drafts sort first when descending, last when ascending.
                    sql.push(&format!(" AND ((a.published_at IS NULL AND a.id {cmp} "))
                        .bind::<SqlUuid, _>(cursor.id)
                        .push(")");
                    sql.push(if desc {
                        " OR a.published_at IS NOT NULL)"
                    } else {
                        ")"
                    });
                }
                _ => {
                    sql.push(&format!(" AND ((a.published_at, a.id) {cmp} ("))
                        .bind::<Timestamptz, _>(cursor.instant()?)
                        .push(", ")
                        .bind::<SqlUuid, _>(cursor.id)
                        .push(")");
                    sql.push(if desc {
                        ")"
                    } else {
                        " OR a.published_at IS NULL)"
                    });
                }
            },
            ArticleSort::Title => {
                sql.push(&format!(
                    " AND (a.title COLLATE \"vi-x-icu\", a.id) {cmp} ("
                ))
                .bind::<Text, _>(cursor.text()?.to_string())
                .push(", ")
                .bind::<SqlUuid, _>(cursor.id)
                .push(")");
            }
            ArticleSort::ViewCount => {
                let v = cursor.value.as_i64().ok_or_else(Cursor::invalid)?;
                sql.push(&format!(" AND (a.view_count, a.id) {cmp} ("))
                    .bind::<BigInt, _>(v)
                    .push(", ")
                    .bind::<SqlUuid, _>(cursor.id)
                    .push(")");
            }
            ArticleSort::Relevance => {
                offset = cursor
                    .value
                    .as_i64()
                    .filter(|n| *n >= 0)
                    .ok_or_else(Cursor::invalid)?;
            }
        }
    }
    match sort.field {
        ArticleSort::PublishedAt => {
            sql.push(&format!(" ORDER BY a.published_at {dir}, a.id {dir}"));
        }
        ArticleSort::Title => {
            sql.push(&format!(
                " ORDER BY a.title COLLATE \"vi-x-icu\" {dir}, a.id {dir}"
            ));
        }
        ArticleSort::ViewCount => {
            sql.push(&format!(" ORDER BY a.view_count {dir}, a.id {dir}"));
        }
        ArticleSort::Relevance => {
            // Ranked by the title and summary only: reading every match's body vector made a
            // common word cost a second (measured on 100,000 articles).
            sql.push(" ORDER BY ts_rank_cd(a.search_head, plainto_tsquery('simple', bantin_fold(")
                .bind::<Text, _>(filter.q.clone().unwrap_or_default())
                .push("))) DESC, a.published_at DESC NULLS LAST, a.id DESC");
        }
    }
    if offset > 0 {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
    let rows = sql.load(conn).await?;
    let total = if paging.with_total {
        let mut count = Sql::new("SELECT count(*) AS n FROM articles a");
        where_clause(&mut count, filter, viewer);
        Some(count.get_result::<Count>(conn).await?.n)
    } else {
        None
    };
    Ok((rows, total))
}

/// The cursor that points just after `row` (at `position`, 0-based, in the whole list).
pub fn cursor_of(
    row: &ArticleRecord,
    sort: Sort<ArticleSort>,
    sort_key: &str,
    position: i64,
) -> Cursor {
    let value = match sort.field {
        ArticleSort::PublishedAt => row
            .published_at
            .map_or(serde_json::Value::Null, |t| t.to_rfc3339().into()),
        ArticleSort::Title => row.title.clone().into(),
        ArticleSort::ViewCount => row.view_count.into(),
        ArticleSort::Relevance => (position + 1).into(),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

/// Public articles shown beside `id`: its manually related ones first, in their order, then
/// the newest of the same category; never itself, never one that is not public.
pub async fn related(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    limit: i64,
    media: &str,
) -> ApiResult<Vec<ArticleRecord>> {
    let mut sql = select_summary(media);
    sql.push(" JOIN (SELECT ar.related_id AS id, 0 AS tier, ar.position AS rank, NULL::timestamptz AS at \
                FROM article_related ar WHERE ar.article_id = ")
        .bind::<SqlUuid, _>(id)
        .push(
            " UNION ALL (SELECT o.id, 1, 0, o.published_at FROM articles o, articles me \
              WHERE me.id = ",
        )
        .bind::<SqlUuid, _>(id)
        .push(&format!(
            " AND o.category_id = me.category_id AND o.id <> me.id AND {} \
              AND o.id NOT IN (SELECT related_id FROM article_related WHERE article_id = me.id) \
              ORDER BY o.published_at DESC, o.id DESC LIMIT ",
            public("o")
        ))
        .bind::<BigInt, _>(limit)
        .push(")) pick ON pick.id = a.id WHERE ")
        .push(&public("a"))
        .push(" ORDER BY pick.tier, pick.rank, pick.at DESC, a.id DESC LIMIT ")
        .bind::<BigInt, _>(limit);
    Ok(sql.load(conn).await?)
}

/// Counts a view of a public article; `None` when there is no such public article.
pub async fn add_view(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<Option<i64>> {
    let mut sql = Sql::new("UPDATE articles a SET view_count = view_count + 1 WHERE a.id = ");
    sql.bind::<SqlUuid, _>(id)
        .push(" AND ")
        .push(&public("a"))
        .push(" RETURNING a.view_count AS n");
    Ok(sql.get_result::<Count>(conn).await.optional()?.map(|c| c.n))
}

/// A new article, checked.
pub struct NewArticle {
    pub content: ArticleContent,
    /// Whether the slug was derived from the title (then a clash gets a suffix).
    pub derived_slug: bool,
    pub author_id: Uuid,
}

fn slug_taken(e: DieselError) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("articles_slug_key") =>
        {
            ApiError::Conflict("an article with this slug already exists".into())
        }
        other => other.into(),
    }
}

/// 422s for a category or related articles that do not exist.
async fn check_links(
    conn: &mut AsyncPgConnection,
    content: &ArticleContent,
    own_id: Option<Uuid>,
) -> ApiResult<()> {
    let mut errors = Vec::new();
    if let Some(category) = content.category_id {
        let found: Option<Uuid> = categories::table
            .find(category)
            .select(categories::id)
            .first(conn)
            .await
            .optional()?;
        if found.is_none() {
            errors.push(FieldError::new(
                "category_id",
                "not_found",
                "no such category",
            ));
        }
    }
    if !content.related_ids.is_empty() {
        let found: Vec<Uuid> = articles::table
            .filter(articles::id.eq_any(&content.related_ids))
            .select(articles::id)
            .load(conn)
            .await?;
        for (i, id) in content.related_ids.iter().enumerate() {
            if Some(*id) == own_id {
                errors.push(FieldError::new(
                    format!("related_ids.{i}"),
                    "self",
                    "an article cannot be related to itself",
                ));
            } else if !found.contains(id) {
                errors.push(FieldError::new(
                    format!("related_ids.{i}"),
                    "not_found",
                    "no such article",
                ));
            }
        }
    }
    if !content.agreement_ids.is_empty() {
        let found = sql::existing_ids(conn, IdTable::Agreements, &content.agreement_ids).await?;
        for (i, id) in content.agreement_ids.iter().enumerate() {
            if !found.contains(id) {
                errors.push(FieldError::new(
                    format!("agreement_ids.{i}"),
                    "not_found",
                    "no such agreement",
                ));
            }
        }
    }
    let mut photo_ids: Vec<Uuid> = content.photos.iter().map(|p| p.photo_id).collect();
    photo_ids.extend(content.cover_photo_id);
    if !photo_ids.is_empty() {
        let found: Vec<Uuid> = photos::table
            .filter(photos::id.eq_any(&photo_ids))
            .select(photos::id)
            .load(conn)
            .await?;
        if let Some(cover) = content.cover_photo_id
            && !found.contains(&cover)
        {
            errors.push(FieldError::new(
                "cover_photo_id",
                "not_found",
                "no such photo",
            ));
        }
        for (i, item) in content.photos.iter().enumerate() {
            if !found.contains(&item.photo_id) {
                errors.push(FieldError::new(
                    format!("photos.{i}.photo_id"),
                    "not_found",
                    "no such photo",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

async fn replace_gallery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    gallery: &[GalleryItem],
) -> ApiResult<()> {
    diesel::delete(article_photos::table.filter(article_photos::article_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = gallery
        .iter()
        .map(|p| {
            (
                article_photos::article_id.eq(id),
                article_photos::position.eq(p.position),
                article_photos::photo_id.eq(p.photo_id),
                article_photos::caption.eq(p.caption.clone()),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(article_photos::table)
            .values(rows)
            .execute(conn)
            .await
            .map_err(photo_gone)?;
    }
    Ok(())
}

async fn replace_agreements(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    agreements: &[Uuid],
) -> ApiResult<()> {
    let mut del = Sql::new("DELETE FROM article_agreements WHERE article_id = ");
    del.bind::<SqlUuid, _>(id);
    del.execute(conn).await?;
    for (i, agreement) in agreements.iter().enumerate() {
        let mut sql = Sql::new(
            "INSERT INTO article_agreements (article_id, agreement_id, position) VALUES (",
        );
        sql.bind::<SqlUuid, _>(id)
            .push(", ")
            .bind::<SqlUuid, _>(*agreement)
            .push(", ")
            .bind::<Int4, _>(i as i32)
            .push(")");
        sql.execute(conn).await.map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Validation(vec![FieldError::new(
                    "agreement_ids",
                    "not_found",
                    "an agreement was deleted meanwhile",
                )])
            }
            other => other.into(),
        })?;
    }
    Ok(())
}

/// A photo deleted meanwhile (between the check and the write).
fn photo_gone(e: DieselError) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info)
            if info.table_name() == Some("article_photos")
                || info.constraint_name() == Some("articles_cover_photo_id_fkey") =>
        {
            ApiError::Validation(vec![FieldError::new(
                "photos",
                "not_found",
                "a photo was deleted meanwhile",
            )])
        }
        other => slug_taken(other),
    }
}

async fn replace_related(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    related: &[Uuid],
) -> ApiResult<()> {
    diesel::delete(article_related::table.filter(article_related::article_id.eq(id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = related
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                article_related::article_id.eq(id),
                article_related::related_id.eq(*r),
                article_related::position.eq(i as i32),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(article_related::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Creates an article; a derived slug that another writer takes meanwhile is retried.
pub async fn create(conn: &mut AsyncPgConnection, new: NewArticle) -> ApiResult<Uuid> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let content = new.content.clone();
        let derived = new.derived_slug;
        let author = new.author_id;
        let result = conn
            .transaction::<_, ApiError, _>(async move |conn| {
                check_links(conn, &content, None).await?;
                let slug = if derived {
                    free_slug(conn, SlugTable::Articles, &content.slug, None).await?
                } else {
                    content.slug.clone()
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
                        articles::status.eq(&content.status),
                        articles::published_at.eq(content.published_at),
                        articles::category_id.eq(content.category_id),
                        articles::cover_photo_id.eq(content.cover_photo_id),
                        articles::author_id.eq(author),
                        articles::editor_id.eq(author),
                    ))
                    .execute(conn)
                    .await
                    .map_err(photo_gone)?;
                replace_related(conn, id, &content.related_ids).await?;
                replace_gallery(conn, id, &content.photos).await?;
                replace_agreements(conn, id, &content.agreement_ids).await?;
                Ok(id)
            })
            .await;
        match result {
            Err(ApiError::Conflict(_)) if derived && attempts < 5 => continue,
            other => return other,
        }
    }
}

/// The current row of an article, locked for a write.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    pub author_id: Option<Uuid>,
    pub editor_id: Option<Uuid>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<ArticleRow> {
    articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::NotFound("no such article".into()))
}

/// Which of `ids` name articles that exist (trashed ones included).
pub async fn existing_ids(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> ApiResult<Vec<Uuid>> {
    Ok(sql::existing_ids(conn, IdTable::Articles, ids).await?)
}

/// What a write sees before deciding: the locked row, its content, and (when asked for, to
/// check `If-Match`) the article as the writer sees it.
pub struct Current {
    pub row: ArticleRow,
    pub content: ArticleContent,
    pub record: Option<ArticleRecord>,
}

/// The locked row with its related ids, read in one statement.
#[derive(QueryableByName)]
#[diesel(table_name = articles)]
struct LockedRow {
    #[diesel(sql_type = Array<SqlUuid>)]
    related_ids: Vec<Uuid>,
    /// `[{photo_id, caption, position}]` as JSON text.
    #[diesel(sql_type = Text)]
    gallery: String,
    #[diesel(sql_type = Array<SqlUuid>)]
    agreement_ids: Vec<Uuid>,
    cover_photo_id: Option<Uuid>,
    id: Uuid,
    slug: String,
    title: String,
    summary: String,
    body: String,
    status: String,
    published_at: Option<DateTime<Utc>>,
    category_id: Option<Uuid>,
    author_id: Option<Uuid>,
    editor_id: Option<Uuid>,
    deleted_at: Option<DateTime<Utc>>,
    version: i32,
    updated_at: DateTime<Utc>,
}

/// Whether `viewer` may see the article in `row` (as [`visible`] says in SQL).
fn row_visible(row: &ArticleRow, viewer: Viewer) -> bool {
    let public = row.status == "published"
        && row.published_at.is_some_and(|t| t <= Utc::now())
        && row.deleted_at.is_none();
    match viewer {
        Viewer::Public => public,
        Viewer::Author(me) => row.deleted_at.is_none() && (public || row.author_id == Some(me)),
        Viewer::Editor => true,
    }
}

/// Locks an article for a write and reads its content; 404 when `viewer` cannot see it.
async fn lock_content(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
) -> ApiResult<(ArticleRow, ArticleContent)> {
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
    sql.bind::<SqlUuid, _>(id).push(" FOR UPDATE OF a");
    let locked: LockedRow = sql
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| ApiError::NotFound("no such article".into()))?;
    let r = locked;
    let row = ArticleRow {
        id: r.id,
        slug: r.slug,
        title: r.title,
        summary: r.summary,
        body: r.body,
        status: r.status,
        published_at: r.published_at,
        category_id: r.category_id,
        author_id: r.author_id,
        editor_id: r.editor_id,
        deleted_at: r.deleted_at,
        version: r.version,
        updated_at: r.updated_at,
    };
    if !row_visible(&row, viewer) {
        return Err(ApiError::NotFound("no such article".into()));
    }
    let content = ArticleContent {
        slug: row.slug.clone(),
        title: row.title.clone(),
        summary: row.summary.clone(),
        body: row.body.clone(),
        status: row.status.clone(),
        published_at: row.published_at,
        category_id: row.category_id,
        related_ids: r.related_ids,
        cover_photo_id: r.cover_photo_id,
        photos: serde_json::from_str(&r.gallery).map_err(ApiError::internal)?,
        agreement_ids: r.agreement_ids,
    };
    Ok((row, content))
}

/// Locks an article and reads it as `viewer` sees it; 404 when it does not exist for them.
async fn lock_visible(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
    media: &str,
) -> ApiResult<(ArticleRow, ArticleRecord)> {
    let row = lock(conn, id).await?;
    let record = find(conn, ArticleKey::Id(id), viewer, media)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such article".into()))?;
    Ok((row, record))
}

/// Changes the content of an article in one transaction: `decide` sees the locked current
/// state (to check `If-Match`, with `with_record`, and permissions) and returns the new
/// content; the previous
/// version is stored as a revision and `version` goes up by one. Nothing changes when the
/// new content equals the current one.
pub async fn write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
    editor: Uuid,
    with_record: Option<&str>,
    decide: impl FnOnce(&Current) -> ApiResult<ArticleContent> + Send + 'static,
) -> ApiResult<()> {
    let media = with_record.map(str::to_string);
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let (row, content) = lock_content(conn, id, viewer).await?;
        let record = if let Some(media) = &media {
            find(conn, ArticleKey::Id(id), viewer, media).await?
        } else {
            None
        };
        let current = Current {
            row,
            content,
            record,
        };
        let next = decide(&current)?;
        if next == current.content {
            return Ok(());
        }
        if next.category_id != current.content.category_id
            || next.related_ids != current.content.related_ids
            || next.cover_photo_id != current.content.cover_photo_id
            || next.photos != current.content.photos
            || next.agreement_ids != current.content.agreement_ids
        {
            check_links(conn, &next, Some(id)).await?;
        }
        if next.slug != current.content.slug
            && is_taken(conn, SlugTable::Articles, &next.slug, Some(id)).await?
        {
            return Err(ApiError::Conflict(
                "an article with this slug already exists".into(),
            ));
        }
        let snapshot = serde_json::to_value(&current.content).map_err(ApiError::internal)?;
        diesel::insert_into(article_revisions::table)
            .values((
                article_revisions::article_id.eq(id),
                article_revisions::version.eq(current.row.version),
                article_revisions::content.eq(snapshot),
                article_revisions::author_id.eq(current.row.editor_id),
                article_revisions::created_at.eq(current.row.updated_at),
            ))
            .execute(conn)
            .await?;
        let body_text =
            (next.body != current.content.body).then(|| crate::text::html_text(&next.body));
        diesel::update(articles::table.find(id))
            .set((
                articles::slug.eq(&next.slug),
                articles::title.eq(&next.title),
                articles::summary.eq(&next.summary),
                articles::body.eq(&next.body),
                body_text.map(|t| articles::body_text.eq(t)),
                articles::status.eq(&next.status),
                articles::published_at.eq(next.published_at),
                articles::category_id.eq(next.category_id),
                articles::cover_photo_id.eq(next.cover_photo_id),
                articles::editor_id.eq(editor),
                articles::version.eq(articles::version + 1),
                articles::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map_err(photo_gone)?;
        if next.related_ids != current.content.related_ids {
            replace_related(conn, id, &next.related_ids).await?;
        }
        if next.photos != current.content.photos {
            replace_gallery(conn, id, &next.photos).await?;
        }
        if next.agreement_ids != current.content.agreement_ids {
            replace_agreements(conn, id, &next.agreement_ids).await?;
        }
        Ok(())
    })
    .await
}

/// Moves an article to the trash (or back with `trashed = false`), after `precondition`
/// accepted it as an editor sees it.
pub async fn set_trashed(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    trashed: bool,
    media: &str,
    precondition: impl FnOnce(&ArticleRecord) -> ApiResult<()> + Send + 'static,
) -> ApiResult<()> {
    let media = media.to_string();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let (row, record) = lock_visible(conn, id, Viewer::Editor, &media).await?;
        precondition(&record)?;
        if row.deleted_at.is_some() == trashed {
            return Ok(());
        }
        diesel::update(articles::table.find(id))
            .set(articles::deleted_at.eq(trashed.then(Utc::now)))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// Removes an article, its revisions and its related links for good.
pub async fn purge(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    precondition: impl FnOnce(&ArticleRecord) -> ApiResult<()> + Send + 'static,
) -> ApiResult<()> {
    let media = media.to_string();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let (_, record) = lock_visible(conn, id, Viewer::Editor, &media).await?;
        precondition(&record)?;
        diesel::delete(articles::table.find(id))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}
