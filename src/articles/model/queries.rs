//! The read models of articles: one article (by id or slug) with everything its page shows,
//! a page of the list, the articles shown beside one. Each is one statement that joins the
//! category (with its breadcrumb), the author and the cover photo.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Date, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::records::{ArticleKey, ArticleRecord, Viewer};
use crate::articles::figures;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::sql::Sql;
use crate::domain::ArticleStatus;
use crate::error::ModelResult;
use crate::paging::{Paging, Sort, Start};

/// The SQL condition "`alias` is public".
pub(super) fn public(alias: &str) -> String {
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

/// Appends "`alias` exists for `viewer`": what [`visible`] allows, and for editors every
/// article, trashed ones included.
fn readable(sql: &mut Sql, alias: &str, viewer: Viewer) {
    match viewer {
        Viewer::Editor => {
            sql.push("true");
        }
        other => visible(sql, alias, other, false),
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
    readable(&mut sql, "r", viewer);
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

/// Finds an article by id or slug as `viewer` sees it (editors also see the trash), its body's
/// photo figures filled.
pub async fn find(
    conn: &mut AsyncPgConnection,
    key: ArticleKey<'_>,
    viewer: Viewer,
    media: &str,
) -> ModelResult<Option<ArticleRecord>> {
    let mut sql = select_full(viewer, media);
    match key {
        ArticleKey::Id(id) => sql.push(" WHERE a.id = ").bind::<SqlUuid, _>(id),
        ArticleKey::Slug(slug) => sql
            .push(" WHERE a.slug = ")
            .bind::<Text, _>(slug.to_string()),
    };
    sql.push(" AND ");
    readable(&mut sql, "a", viewer);
    let Some(mut record) = sql.get_result::<ArticleRecord>(conn).await.optional()? else {
        return Ok(None);
    };
    record.body = figures::fill(conn, record.body, media).await?;
    Ok(Some(record))
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

/// Where a page starts: the last row of the page before, as its cursor names it.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    /// Sorted by date: its date (`None` for an undated draft) and id.
    Dated(Option<DateTime<Utc>>, Uuid),
    /// Sorted by title: its title and id.
    Titled(String, Uuid),
    /// Sorted by views: its view count and id.
    Viewed(i64, Uuid),
    /// Sorted by relevance: how many rows came before the page.
    Position(i64),
}

/// How many rows of the whole list come before the page (what a relevance cursor holds).
pub fn first_position(paging: &Paging, after: Option<&After>) -> i64 {
    match (&paging.start, after) {
        (Start::Offset(n), _) => *n,
        (_, Some(After::Position(n))) => *n,
        _ => 0,
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
    if let Some(select) = filter.status {
        let status = match select {
            StatusSelect::Draft => ArticleStatus::Draft,
            StatusSelect::Published | StatusSelect::Scheduled => ArticleStatus::Published,
            StatusSelect::Archived => ArticleStatus::Archived,
        };
        sql.push(&format!(" AND a.status = '{}'", status.as_str()));
        if select == StatusSelect::Scheduled {
            sql.push(" AND a.published_at > now()");
        }
    }
    if let Some(q) = &filter.q {
        sql.push(" AND (a.search_head || a.search_body) @@ plainto_tsquery('simple', bantin_fold(")
            .bind::<Text, _>(q.clone())
            .push("))");
    }
    push_bound(sql, filter.published_from, false);
    push_bound(sql, filter.published_to, true);
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

/// Appends "published at or after `bound`" (or at or before it, for an `upper` bound); a day
/// is whole, in the site's time zone.
fn push_bound(sql: &mut Sql, bound: Option<TimeBound>, upper: bool) {
    let (instant, day, next) = match upper {
        true => ("<=", "<", " + 1"),
        false => (">=", ">=", ""),
    };
    match bound {
        Some(TimeBound::Instant(t)) => {
            sql.push(&format!(" AND a.published_at {instant} "))
                .bind::<Timestamptz, _>(t);
        }
        Some(TimeBound::Day(d)) => {
            sql.push(&format!(" AND a.published_at {day} (("))
                .bind::<Date, _>(d)
                .push(&format!("{next})::timestamp AT TIME ZONE {SITE_TZ})"));
        }
        None => {}
    }
}

/// One page of articles (`limit + 1` rows, bodies left out) and the total when asked for.
/// One query for the page (category, breadcrumb and author joined in), one for the total.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ArticleFilter,
    viewer: Viewer,
    sort: Sort<ArticleSort>,
    paging: &Paging,
    after: Option<After>,
    media: &str,
) -> ModelResult<(Vec<ArticleRecord>, Option<i64>)> {
    let mut sql = select_summary(media);
    where_clause(&mut sql, filter, viewer);
    page(&mut sql, filter, sort, paging, after);
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM articles a");
    where_clause(&mut count, filter, viewer);
    Ok((rows, keyset::total(conn, count, paging).await?))
}

/// Titles in Vietnamese order (as `articles_public_title_idx` has them).
const TITLE_KEY: &str = "a.title COLLATE \"vi-x-icu\"";

/// Appends the order and the page `paging` asks for, after `after`.
fn page(
    sql: &mut Sql,
    filter: &ArticleFilter,
    sort: Sort<ArticleSort>,
    paging: &Paging,
    after: Option<After>,
) {
    let column = match sort.field {
        ArticleSort::PublishedAt => "a.published_at",
        ArticleSort::Title => TITLE_KEY,
        ArticleSort::ViewCount => "a.view_count",
        ArticleSort::Relevance => return by_relevance(sql, filter, paging, after),
    };
    let after = match after {
        Some(After::Titled(title, id)) => Some((vec![KeyValue::Text(title)], id)),
        Some(After::Viewed(views, id)) => Some((vec![KeyValue::Int8(views)], id)),
        Some(After::Dated(at, id)) => {
            after_dated(sql, at, id, sort.descending);
            None
        }
        Some(After::Position(_)) | None => None,
    };
    let order = Order {
        columns: &[column],
        id: "a.id",
        descending: sort.descending,
    };
    keyset::page(sql, &order, after, paging);
}

/// Starts a page sorted by `published_at` after (`at`, `id`). Undated drafts have no date a
/// row comparison could order: PostgreSQL sorts them first when descending and last when
/// ascending, so the condition names them apart. [`keyset::page`] adds the order and the limit.
fn after_dated(sql: &mut Sql, at: Option<DateTime<Utc>>, id: Uuid, descending: bool) {
    let cmp = if descending { "<" } else { ">" };
    match at {
        None => {
            sql.push(&format!(" AND ((a.published_at IS NULL AND a.id {cmp} "))
                .bind::<SqlUuid, _>(id)
                .push(")");
            sql.push(if descending {
                " OR a.published_at IS NOT NULL)"
            } else {
                ")"
            });
        }
        Some(t) => {
            sql.push(&format!(" AND ((a.published_at, a.id) {cmp} ("))
                .bind::<Timestamptz, _>(t)
                .push(", ")
                .bind::<SqlUuid, _>(id)
                .push(")");
            sql.push(if descending {
                ")"
            } else {
                " OR a.published_at IS NULL)"
            });
        }
    }
}

/// Orders by search rank, then the newest. Ranked by the title and summary only: reading every
/// match's body vector made a common word cost a second (measured on 100,000 articles). A rank
/// is no key a cursor could hold, so these pages are positions (the cursor holds how many rows
/// came before), which [`keyset::page`] does not express.
fn by_relevance(sql: &mut Sql, filter: &ArticleFilter, paging: &Paging, after: Option<After>) {
    sql.push(" ORDER BY ts_rank_cd(a.search_head, plainto_tsquery('simple', bantin_fold(")
        .bind::<Text, _>(filter.q.clone().unwrap_or_default())
        .push("))) DESC, a.published_at DESC NULLS LAST, a.id DESC");
    let offset = first_position(paging, after.as_ref());
    if offset > 0 {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
}

/// Public articles shown beside `id`: its manually related ones first, in their order, then
/// the newest of the same category; never itself, never one that is not public.
pub async fn related(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    limit: i64,
    media: &str,
) -> ModelResult<Vec<ArticleRecord>> {
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
