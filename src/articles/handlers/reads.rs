//! Reading articles: the list (with search), one article by id or slug, the articles shown
//! beside one, and counting a view.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::common::{counted, no_such_article, viewer_of};
use crate::articles::model::{
    self, After, ArticleFilter, ArticleKey, ArticleRecord, ArticleSort, StatusSelect, TimeBound,
};
use crate::articles::views::{
    ArticleFilters, ArticleSummary, ArticleView, RelatedQuery, SORTS, StatusFilter, ViewCount,
};
use crate::auth::{Access, MaybeCaller, Role};
use crate::domain::PlainText;
use crate::domain::limits::{QUERY_MAX, RELATED_SHOWN_MAX};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{self, Cache, Query};
use crate::paging::{Cursor, ListResponse, Meta, PageQuery, Paging, Sort, Start, parse_sort};
use crate::state::AppState;

/// Articles shown beside one when `limit` is not given.
const RELATED_SHOWN: i64 = 5;

fn parse_bound(field: &str, value: &str) -> ApiResult<TimeBound> {
    if let Ok(day) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return Ok(TimeBound::Day(day));
    }
    DateTime::parse_from_rfc3339(value)
        .map(|t| TimeBound::Instant(t.with_timezone(&Utc)))
        .map_err(|_| {
            ApiError::bad_field(
                field,
                "invalid",
                "an RFC 3339 instant (2021-08-31T02:52:45Z) or a date (2021-08-31)",
            )
        })
}

/// The statuses a list asks for; anonymous callers may ask for published ones only.
fn status_select(status: Option<StatusFilter>, anonymous: bool) -> ApiResult<Option<StatusSelect>> {
    Ok(match status {
        None => None,
        Some(StatusFilter::Published) => Some(StatusSelect::Published),
        Some(_) if anonymous => {
            return Err(ApiError::Unauthorized(
                "only published articles are public; sign in to see others".into(),
            ));
        }
        Some(StatusFilter::Draft) => Some(StatusSelect::Draft),
        Some(StatusFilter::Scheduled) => Some(StatusSelect::Scheduled),
        Some(StatusFilter::Archived) => Some(StatusSelect::Archived),
    })
}

/// The row the cursor of `paging` names, its value read for `sort` (a 400 when it does not
/// fit).
fn after(paging: &Paging, sort: ArticleSort) -> ApiResult<Option<After>> {
    let Start::After(Some(cursor)) = &paging.start else {
        return Ok(None);
    };
    let id = cursor.id;
    let count = cursor.value.as_i64();
    Ok(Some(match sort {
        ArticleSort::PublishedAt => match cursor.value {
            serde_json::Value::Null => After::Dated(None, id),
            _ => After::Dated(Some(cursor.instant()?), id),
        },
        ArticleSort::Title => After::Titled(cursor.text()?.to_string(), id),
        ArticleSort::ViewCount => After::Viewed(count.ok_or_else(Cursor::invalid)?, id),
        ArticleSort::Relevance => {
            let position = count.filter(|n| *n >= 0);
            After::Position(position.ok_or_else(Cursor::invalid)?)
        }
    }))
}

/// The cursor that points just after `row` (at `position`, 0-based, in the whole list).
fn cursor_of(
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

/// List articles.
///
/// Anonymous callers see published articles only (never drafts, scheduled or trashed ones);
/// authors also see their own; editors and admins see everything, and the trash with
/// `trashed=true`. Every item embeds its category (with breadcrumb) and author, loaded in
/// the same query as the page.
#[utoipa::path(
    operation_id = "listArticles",
    tag = "articles",
    params(PageQuery, ArticleFilters),
    responses(
        (status = 200, description = "A page of articles (without bodies)", body = ListResponse<ArticleSummary>),
        (status = 401, description = "A status other than `published` (or the trash) asked for without credentials", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The trash asked for by an author", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    paging: Query<PageQuery>,
    filters: Query<ArticleFilters>,
) -> ApiResult<HttpResponse> {
    let filters = filters.0;
    let viewer = viewer_of(caller.0.as_ref());
    let status = status_select(filters.status, caller.0.is_none())?;
    let trashed = filters.trashed.unwrap_or(false);
    if trashed {
        match &caller.0 {
            None => return Err(ApiError::Unauthorized("sign in to see the trash".into())),
            Some(c) => c.require(Role::Editor, Access::Read)?,
        }
    }
    let q = match filters.q.as_deref().map(|q| PlainText::parse(q, QUERY_MAX)) {
        Some(Err(refusal)) => return Err(ApiError::bad_field("q", refusal.code, refusal.message)),
        Some(Ok(q)) => Some(q.into_inner()).filter(|q| !q.is_empty()),
        None => None,
    };
    let default = Sort {
        field: match q.is_some() && filters.sort.is_none() {
            true => ArticleSort::Relevance,
            false => ArticleSort::PublishedAt,
        },
        descending: true,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let bound = |field, value: Option<String>| value.map(|v| parse_bound(field, &v)).transpose();
    let filter = ArticleFilter {
        category: filters.category.filter(|c| !c.is_empty()),
        status,
        q,
        published_from: bound("published_from", filters.published_from)?,
        published_to: bound("published_to", filters.published_to)?,
        author: filters.author,
        trashed,
        agreement: filters.agreement,
        signatory: filters.signatory,
    };
    let after = after(&paging, sort.field)?;
    // The last row's position in the whole list (for relevance, whose cursor is a position).
    let last = model::first_position(&paging, after.as_ref()) + paging.limit - 1;
    // Anonymous answers may come from memory (see `crate::cache`).
    let media = state.media_url();
    let cache = &state.public_cache;
    cache
        .list_page(&state.pool, &req, caller.0.is_none(), async |conn| {
            let (rows, total) =
                model::list(conn, &filter, viewer, sort, &paging, after, media).await?;
            Ok(ListResponse::from_rows(
                rows,
                &paging,
                total,
                |r| cursor_of(r, sort, &sort_key, last),
                ArticleSummary::from,
            ))
        })
        .await
}

fn respond_article(
    req: &HttpRequest,
    caller: &MaybeCaller,
    record: Option<ArticleRecord>,
) -> ApiResult<HttpResponse> {
    let view = ArticleView::from(record.ok_or_else(no_such_article)?);
    http::counted_item(req, counted(&view)?, Cache::for_caller(&caller.0))
}

/// Get an article.
///
/// Anonymous callers get only published articles; authors also their own; editors and
/// admins every article, trashed ones included.
#[utoipa::path(
    operation_id = "getArticle",
    tag = "articles",
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 200, description = "The article", body = ArticleView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such article (or not visible to the caller)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let viewer = viewer_of(caller.0.as_ref());
    let mut conn = state.pool.get().await?;
    let record = model::find(&mut conn, ArticleKey::Id(*id), viewer, state.media_url()).await?;
    respond_article(&req, &caller, record)
}

/// Get an article by its slug.
#[utoipa::path(
    operation_id = "getArticleBySlug",
    tag = "articles",
    params(("slug" = String, Path, description = "Article slug", example = "hoi-nghi-tong-ket-quy-che-phoi-hop")),
    responses(
        (status = 200, description = "The article", body = ArticleView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such article (or not visible to the caller)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/slug/{slug}")]
pub async fn get_article_by_slug(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let viewer = viewer_of(caller.0.as_ref());
    let mut conn = state.pool.get().await?;
    let key = ArticleKey::Slug(&slug);
    let record = model::find(&mut conn, key, viewer, state.media_url()).await?;
    respond_article(&req, &caller, record)
}

/// Count a view of a published article (anonymous). Reads never count views.
#[utoipa::path(
    operation_id = "countArticleView",
    tag = "articles",
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 200, description = "The view count after this view", body = ViewCount),
        (status = 404, description = "No such published article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id}/views")]
pub async fn add_article_view(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view_count = model::add_view(&mut conn, *id)
        .await?
        .ok_or_else(no_such_article)?;
    http::list(&ViewCount { view_count }, Cache::Private)
}

/// Articles to show beside one ("Tin liên quan"): its manually related articles first, then
/// the newest of its category; only published ones, never itself.
#[utoipa::path(
    operation_id = "listRelatedArticles",
    tag = "articles",
    params(("id" = Uuid, Path, description = "Article id"), RelatedQuery),
    responses(
        (status = 200, description = "Related articles (one page, `next_cursor` always null)", body = ListResponse<ArticleSummary>),
        (status = 404, description = "No such article (or not visible to the caller)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/related")]
pub async fn related_articles(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
    query: Query<RelatedQuery>,
) -> ApiResult<HttpResponse> {
    let limit = query.0.limit.unwrap_or(RELATED_SHOWN);
    if !(1..=RELATED_SHOWN_MAX).contains(&limit) {
        return Err(ApiError::bad_field(
            "limit",
            "out_of_range",
            format!("must be between 1 and {RELATED_SHOWN_MAX}"),
        ));
    }
    let viewer = viewer_of(caller.0.as_ref());
    let mut conn = state.pool.get().await?;
    let key = ArticleKey::Id(*id);
    if model::find(&mut conn, key, viewer, state.media_url())
        .await?
        .is_none()
    {
        return Err(no_such_article());
    }
    let rows = model::related(&mut conn, *id, limit, state.media_url()).await?;
    let page = ListResponse {
        data: rows.into_iter().map(ArticleSummary::from).collect(),
        meta: Meta {
            limit,
            next_cursor: None,
            total: None,
        },
    };
    http::list(&page, Cache::for_caller(&caller.0))
}
