//! `/articles`: public reading of published articles; authors write their own drafts;
//! editors and admins publish, archive, trash and restore; admins delete for good.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::value::RawValue;
use uuid::Uuid;

use super::model::{
    self, ArticleContent, ArticleFilter, ArticleKey, ArticleRecord, ArticleSort, GalleryItem,
    NewArticle, StatusSelect, TimeBound, Viewer,
};
use super::revisions;
use super::views::{
    ArticleFilters, ArticleStatus, ArticleSummary, ArticleView, AuthorRef, CategoryRef,
    CreateArticle, DeleteQuery, GalleryInput, RelatedQuery, RevisionSummary, StatusFilter,
    UpdateArticle, ViewCount,
};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::categories;
use crate::db::visibility;
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{Cursor, ListResponse, Meta, PageQuery, Sort, Start, parse_sort};
use crate::state::AppState;
use crate::text;

const SORTS: &[(&str, ArticleSort)] = &[
    ("published_at", ArticleSort::PublishedAt),
    ("title", ArticleSort::Title),
    ("view_count", ArticleSort::ViewCount),
];

const MAX_TITLE: usize = 500;
const MAX_SUMMARY: usize = 2000;
const MAX_BODY_BYTES: usize = 512 * 1024;
const MAX_RELATED: usize = 20;
const MAX_QUERY: usize = 200;

fn no_such_article() -> ApiError {
    ApiError::NotFound("no such article".into())
}

fn viewer_of(caller: Option<&Caller>) -> Viewer {
    match caller {
        None => Viewer::Public,
        Some(c) if c.role() >= Role::Editor => Viewer::Editor,
        Some(c) => Viewer::Author(c.user_id),
    }
}

/// An article serialised with its ETag (its view counter does not make `If-Match` fail).
fn counted(view: &ArticleView) -> ApiResult<http::Counted> {
    http::counted(view, "view_count")
}

fn if_match_ok(if_match: &IfMatch, record: &ArticleRecord) -> ApiResult<()> {
    Ok(if_match.check_counted(&ArticleView::from(record.clone()), "view_count")?)
}

/// `If-Match` inside [`model::write`], which reads the article only when the header is there.
fn if_match_current(if_match: &IfMatch, current: &model::Current) -> ApiResult<()> {
    match &current.record {
        Some(record) => if_match_ok(if_match, record),
        None if if_match.is_present() => Err(no_such_article()),
        None => Ok(()),
    }
}

fn checked_slug(errors: &mut Vec<FieldError>, slug: &str) -> String {
    if let Err(refusal) = crate::domain::Slug::parse(slug) {
        errors.push(FieldError::new("slug", refusal.code, refusal.message));
    }
    slug.to_string()
}

fn check_title(errors: &mut Vec<FieldError>, title: &str) -> String {
    http::checked_text(errors, "title", title, true, MAX_TITLE)
}

fn check_summary(errors: &mut Vec<FieldError>, summary: &str) -> String {
    http::checked_text(errors, "summary", summary, false, MAX_SUMMARY)
}

fn check_body(errors: &mut Vec<FieldError>, body: &str) -> String {
    if body.len() > MAX_BODY_BYTES {
        errors.push(FieldError::new(
            "body",
            "too_long",
            format!("at most {} KiB", MAX_BODY_BYTES / 1024),
        ));
        return String::new();
    }
    text::sanitize_html(body)
}

fn check_related(errors: &mut Vec<FieldError>, ids: &[Uuid]) -> Vec<Uuid> {
    if ids.len() > MAX_RELATED {
        errors.push(FieldError::new(
            "related_ids",
            "too_many",
            format!("at most {MAX_RELATED} articles"),
        ));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            errors.push(FieldError::new(
                format!("related_ids.{i}"),
                "duplicate",
                "named twice",
            ));
        }
    }
    ids.to_vec()
}

/// Up to 20 agreements, each once.
fn check_agreements(errors: &mut Vec<FieldError>, ids: &[Uuid]) -> Vec<Uuid> {
    if ids.len() > 20 {
        errors.push(FieldError::new("agreement_ids", "too_many", "at most 20"));
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            errors.push(FieldError::new(
                format!("agreement_ids.{i}"),
                "duplicate",
                "named twice",
            ));
        }
    }
    ids.to_vec()
}

/// At most this many photos in a gallery.
const GALLERY_MAX: usize = 50;

/// The gallery, checked and in display order.
fn check_gallery(errors: &mut Vec<FieldError>, items: &[GalleryInput]) -> Vec<GalleryItem> {
    if items.len() > GALLERY_MAX {
        errors.push(FieldError::new(
            "photos",
            "too_many",
            format!("at most {GALLERY_MAX} photos"),
        ));
    }
    let mut gallery: Vec<GalleryItem> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let caption = http::checked_text(
            errors,
            &format!("photos.{i}.caption"),
            item.caption.as_deref().unwrap_or(""),
            false,
            1000,
        );
        let position = item.position.unwrap_or(i as i32);
        if !(0..=10_000).contains(&position) {
            errors.push(FieldError::new(
                format!("photos.{i}.position"),
                "out_of_range",
                "must be between 0 and 10000",
            ));
        } else if gallery.iter().any(|g| g.position == position) {
            errors.push(FieldError::new(
                format!("photos.{i}.position"),
                "duplicate",
                "another photo of the gallery has this position",
            ));
        }
        gallery.push(GalleryItem {
            photo_id: item.photo_id,
            caption,
            position,
        });
    }
    gallery.sort_by_key(|g| g.position);
    gallery
}

/// Only editors and admins publish or archive.
fn check_status_allowed(caller: &Caller, status: ArticleStatus) -> ApiResult<()> {
    if status != ArticleStatus::Draft && caller.role() < Role::Editor {
        return Err(ApiError::Forbidden(
            "authors write drafts; only editors and admins publish or archive".into(),
        ));
    }
    Ok(())
}

/// A published article without a date is published now.
fn settle_publication(content: &mut ArticleContent) {
    if content.status == "published" && content.published_at.is_none() {
        content.published_at = Some(Utc::now());
    }
}

async fn load_view(
    conn: &mut crate::db::DbConn,
    id: Uuid,
    viewer: Viewer,
    media: &str,
) -> ApiResult<ArticleView> {
    model::find(conn, ArticleKey::Id(id), viewer, media)
        .await?
        .map(ArticleView::from)
        .ok_or_else(no_such_article)
}

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

/// List articles.
///
/// Anonymous callers see published articles only (never drafts, scheduled or trashed ones);
/// authors also see their own; editors and admins see everything, and the trash with
/// `trashed=true`. Every item embeds its category (with breadcrumb) and author, loaded in
/// the same query as the page.
#[utoipa::path(
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
    let anonymous = caller.0.is_none();
    let status = match filters.status {
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
    };
    let trashed = filters.trashed.unwrap_or(false);
    if trashed {
        match &caller.0 {
            None => return Err(ApiError::Unauthorized("sign in to see the trash".into())),
            Some(c) => c.require(Role::Editor, Access::Read)?,
        }
    }
    let q = filters
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(str::to_string);
    if q.as_ref().is_some_and(|q| q.chars().count() > MAX_QUERY) {
        return Err(ApiError::bad_field(
            "q",
            "too_long",
            format!("at most {MAX_QUERY} characters"),
        ));
    }
    let default = Sort {
        field: if q.is_some() && filters.sort.is_none() {
            ArticleSort::Relevance
        } else {
            ArticleSort::PublishedAt
        },
        descending: true,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = ArticleFilter {
        category: filters.category.filter(|c| !c.is_empty()),
        status,
        q,
        published_from: filters
            .published_from
            .as_deref()
            .map(|v| parse_bound("published_from", v))
            .transpose()?,
        published_to: filters
            .published_to
            .as_deref()
            .map(|v| parse_bound("published_to", v))
            .transpose()?,
        author: filters.author,
        trashed,
        agreement: filters.agreement,
        signatory: filters.signatory,
    };
    // Where the page starts in the whole list (for relevance, whose cursor is a position).
    let start = match &paging.start {
        Start::Offset(n) => *n,
        Start::After(Some(c)) => c.value.as_i64().unwrap_or(0),
        Start::After(None) => 0,
    };
    // Anonymous answers may come from memory (see `crate::cache`).
    let cache_key = match caller.0 {
        None => state.public_cache.key(req.path(), req.query_string()),
        Some(_) => None,
    };
    let kept = cache_key.is_some();
    let media = state.media_url();
    let body = state
        .public_cache
        .get_or_compute(cache_key, async {
            let mut conn = state.pool.get().await?;
            if kept {
                let next = visibility::next_publication(&mut conn);
                state.public_cache.learn_horizon(next).await?;
            }
            let (rows, total) =
                model::list(&mut conn, &filter, viewer, sort, &paging, media).await?;
            let last = start + paging.limit - 1;
            let page = ListResponse::from_rows(
                rows,
                &paging,
                total,
                |r| model::cursor_of(r, sort, &sort_key, last),
                ArticleSummary::from,
            );
            Ok(bytes::Bytes::from(
                serde_json::to_vec(&page).map_err(ApiError::internal)?,
            ))
        })
        .await?;
    Ok(http::list_bytes(body, Cache::for_caller(&caller.0)))
}

/// Create an article.
///
/// Authors may only create drafts. The body is sanitised; the slug is derived from the title
/// when absent.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    request_body = CreateArticle,
    responses(
        (status = 201, description = "Created", body = ArticleView,
            headers(("Location" = String, description = "URL of the new article"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 409, description = "The given slug is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateArticle>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Write)?;
    let body = body.0;
    let status = body.status.unwrap_or(ArticleStatus::Draft);
    check_status_allowed(&caller, status)?;
    let mut errors = Vec::new();
    let title = check_title(&mut errors, &body.title);
    let (slug, derived_slug) = match &body.slug {
        Some(slug) => (checked_slug(&mut errors, slug), false),
        None => (
            Some(text::slugify(&title))
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "bai-viet".into()),
            true,
        ),
    };
    let mut content = ArticleContent {
        slug,
        title,
        summary: check_summary(&mut errors, body.summary.as_deref().unwrap_or("")),
        body: check_body(&mut errors, body.body.as_deref().unwrap_or("")),
        status: status.as_str().into(),
        published_at: body.published_at,
        category_id: body.category_id,
        related_ids: check_related(&mut errors, body.related_ids.as_deref().unwrap_or(&[])),
        cover_photo_id: body.cover_photo_id,
        photos: check_gallery(&mut errors, body.photos.as_deref().unwrap_or(&[])),
        agreement_ids: check_agreements(&mut errors, body.agreement_ids.as_deref().unwrap_or(&[])),
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    settle_publication(&mut content);
    let mut conn = state.pool.get().await?;
    let id = model::create(
        &mut conn,
        NewArticle {
            content,
            derived_slug,
            author_id: caller.user_id,
        },
    )
    .await?;
    let view = load_view(&mut conn, id, Viewer::Editor, state.media_url()).await?;
    let location = format!("/api/v1/articles/{id}");
    http::created_counted(counted(&view)?, Some(location))
}

async fn respond_article(
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
    respond_article(&req, &caller, record).await
}

/// Get an article by its slug.
#[utoipa::path(
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
    let record = model::find(
        &mut conn,
        ArticleKey::Slug(&slug),
        viewer,
        state.media_url(),
    )
    .await?;
    respond_article(&req, &caller, record).await
}

/// Update an article (partial; JSON merge semantics).
///
/// Authors may edit only their own drafts and cannot change the status. The previous
/// version is kept as a revision. `If-Match` (the article's ETag) makes the write refuse
/// (412) if someone else changed it meanwhile; views counted meanwhile do not matter.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateArticle,
    responses(
        (status = 200, description = "The updated article", body = ArticleView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken, or the article is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateArticle>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Write)?;
    let body = body.0;
    if let Some(status) = body.status {
        check_status_allowed(&caller, status)?;
    }
    let mut errors = Vec::new();
    let title = body.title.as_deref().map(|t| check_title(&mut errors, t));
    let slug = body.slug.as_deref().map(|s| checked_slug(&mut errors, s));
    let summary = body
        .summary
        .as_deref()
        .map(|s| check_summary(&mut errors, s));
    let html = body.body.as_deref().map(|b| check_body(&mut errors, b));
    let related = body
        .related_ids
        .as_deref()
        .map(|r| check_related(&mut errors, r));
    let gallery = body
        .photos
        .as_deref()
        .map(|p| check_gallery(&mut errors, p));
    let agreements = body
        .agreement_ids
        .as_deref()
        .map(|a| check_agreements(&mut errors, a));
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let viewer = viewer_of(Some(&caller));
    let is_author = caller.role() < Role::Editor;
    let me = caller.user_id;
    let mut conn = state.pool.get().await?;
    let with_record = if_match.is_present().then_some(state.media_url());
    model::write(&mut conn, *id, viewer, me, with_record, move |current| {
        check_writable(current, is_author, me)?;
        if_match_current(&if_match, current)?;
        let mut next = current.content.clone();
        if let Some(v) = title {
            next.title = v;
        }
        if let Some(v) = slug {
            next.slug = v;
        }
        if let Some(v) = summary {
            next.summary = v;
        }
        if let Some(v) = html {
            next.body = v;
        }
        if let Some(v) = body.status {
            next.status = v.as_str().into();
        }
        if let Some(v) = body.published_at {
            next.published_at = v;
        }
        if let Some(v) = body.category_id {
            next.category_id = v;
        }
        if let Some(v) = body.cover_photo_id {
            next.cover_photo_id = v;
        }
        if let Some(v) = gallery {
            next.photos = v;
        }
        if let Some(v) = agreements {
            next.agreement_ids = v;
        }
        if let Some(v) = related {
            next.related_ids = v;
        }
        settle_publication(&mut next);
        Ok(next)
    })
    .await?;
    let view = load_view(&mut conn, *id, viewer, state.media_url()).await?;
    http::updated_counted(counted(&view)?)
}

/// Authors change only their own drafts; nobody edits the trash.
fn check_writable(current: &model::Current, is_author: bool, me: Uuid) -> ApiResult<()> {
    if current.row.deleted_at.is_some() {
        return Err(ApiError::Conflict(
            "the article is in the trash; restore it first".into(),
        ));
    }
    if is_author && (current.row.author_id != Some(me) || current.row.status != "draft") {
        return Err(ApiError::Forbidden(
            "authors may only edit their own drafts".into(),
        ));
    }
    Ok(())
}

/// Move an article to the trash (editors and admins), or delete it for good with
/// `permanent=true` (admins).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), DeleteQuery,
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Moved to the trash, or deleted"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<DeleteQuery>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let permanent = query.0.permanent.unwrap_or(false);
    caller.require(
        if permanent { Role::Admin } else { Role::Editor },
        Access::Write,
    )?;
    let mut conn = state.pool.get().await?;
    let check = move |record: &ArticleRecord| if_match_ok(&if_match, record);
    if permanent {
        model::purge(&mut conn, *id, state.media_url(), check).await?;
    } else {
        model::set_trashed(&mut conn, *id, true, state.media_url(), check).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Bring an article back from the trash (editors and admins).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 200, description = "The restored article", body = ArticleView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id}/restore")]
pub async fn restore_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let mut conn = state.pool.get().await?;
    model::set_trashed(&mut conn, *id, false, state.media_url(), |_| Ok(())).await?;
    let view = load_view(&mut conn, *id, Viewer::Editor, state.media_url()).await?;
    http::updated_counted(counted(&view)?)
}

/// Count a view of a published article (anonymous). Reads never count views.
#[utoipa::path(
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
    let limit = query.0.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::bad_field(
            "limit",
            "out_of_range",
            "must be between 1 and 20",
        ));
    }
    let viewer = viewer_of(caller.0.as_ref());
    let mut conn = state.pool.get().await?;
    if model::find(&mut conn, ArticleKey::Id(*id), viewer, state.media_url())
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

/// Who may see an article's history: editors and admins, and the author of the article.
async fn history_access(
    conn: &mut crate::db::DbConn,
    caller: &Caller,
    id: Uuid,
    media: &str,
) -> ApiResult<ArticleRecord> {
    caller.require(Role::Author, Access::Read)?;
    let viewer = viewer_of(Some(caller));
    let record = model::find(conn, ArticleKey::Id(id), viewer, media)
        .await?
        .ok_or_else(no_such_article)?;
    if viewer != Viewer::Editor && record.author_id != Some(caller.user_id) {
        return Err(ApiError::Forbidden(
            "only the article's author, editors and admins see its history".into(),
        ));
    }
    Ok(record)
}

/// List the earlier versions of an article, newest first.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), PageQuery),
    responses(
        (status = 200, description = "Earlier versions (the current one is the article itself)", body = ListResponse<RevisionSummary>),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let paging = paging.0.check("-version")?;
    let mut conn = state.pool.get().await?;
    history_access(&mut conn, &caller, *id, state.media_url()).await?;
    let (rows, total) = revisions::list(&mut conn, *id, &paging).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| Cursor {
            sort: "-version".into(),
            value: r.version.into(),
            id: *id,
        },
        |r| RevisionSummary {
            version: r.version,
            title: r.content.title,
            status: ArticleStatus::parse(&r.content.status).unwrap_or(ArticleStatus::Draft),
            created_at: r.created_at,
            author: r
                .author_id
                .zip(r.author_name)
                .map(|(id, display_name)| AuthorRef { id, display_name }),
        },
    );
    http::list(&page, Cache::Private)
}

/// The article as it was at `version` (with today's category names and author).
async fn revision_view(
    conn: &mut crate::db::DbConn,
    current: ArticleRecord,
    version: i32,
    media: &str,
) -> ApiResult<ArticleView> {
    if version == current.version {
        return Ok(ArticleView::from(current));
    }
    let revision = match version {
        1.. if version < current.version => revisions::find(conn, current.id, version).await?,
        _ => None,
    }
    .ok_or_else(|| ApiError::NotFound("no such revision".into()))?;
    let content = revision.content;
    let category = match content.category_id {
        None => None,
        Some(cid) => categories::model::find(conn, cid)
            .await?
            .map(|c| CategoryRef {
                id: c.id,
                slug: c.slug,
                name: c.name,
                path: categories::views::path_of(c.path),
            }),
    };
    let mut view = ArticleView::from(current);
    view.slug = content.slug;
    view.title = content.title;
    view.summary = content.summary;
    view.body = super::figures::fill(conn, content.body, media).await?;
    view.status = ArticleStatus::parse(&content.status).unwrap_or(ArticleStatus::Draft);
    view.published_at = content.published_at;
    view.category = category
        .map(|c| serde_json::value::to_raw_value(&c))
        .transpose()
        .map_err(ApiError::internal)?;
    view.related_ids = content.related_ids;
    // The photos as they are now; those deleted since are left out.
    let mut ids: Vec<Uuid> = content.photos.iter().map(|p| p.photo_id).collect();
    ids.extend(content.cover_photo_id);
    let found = crate::photos::model::json_by_id(conn, &ids, media).await?;
    let raw = |json: &String| RawValue::from_string(json.clone()).map_err(ApiError::internal);
    view.cover_photo = content
        .cover_photo_id
        .and_then(|id| found.get(&id))
        .map(raw)
        .transpose()?;
    let mut gallery = Vec::new();
    for item in &content.photos {
        if let Some(json) = found.get(&item.photo_id) {
            gallery.push(serde_json::json!({
                "photo": raw(json)?, "caption": item.caption, "position": item.position
            }));
        }
    }
    view.photos = serde_json::value::to_raw_value(&gallery).map_err(ApiError::internal)?;
    view.version = revision.version;
    view.updated_at = revision.created_at;
    Ok(view)
}

/// Get an article as it was at version `n`.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("n" = i32, Path, description = "Version")),
    responses(
        (status = 200, description = "The article at version n", body = ArticleView),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/revisions/{n}")]
pub async fn get_revision(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> ApiResult<HttpResponse> {
    let (id, n) = path.into_inner();
    let mut conn = state.pool.get().await?;
    let current = history_access(&mut conn, &caller, id, state.media_url()).await?;
    let view = revision_view(&mut conn, current, n, state.media_url()).await?;
    http::item(&req, &view, Cache::Private)
}

/// Restore version `n`: a new version with n's content (history is never rewritten).
///
/// Authors may restore only their own drafts to a draft version. A slug that another
/// article took meanwhile is a 409.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("n" = i32, Path, description = "Version to restore"),
        ("If-Match" = Option<String>, Header, description = "ETag of the current article")),
    responses(
        (status = 200, description = "The article, now at a new version", body = ArticleView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The revision's slug is taken, or the article is in the trash", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id}/revisions/{n}/restore")]
pub async fn restore_revision(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Write)?;
    let (id, n) = path.into_inner();
    let mut conn = state.pool.get().await?;
    history_access(&mut conn, &caller, id, state.media_url()).await?;
    let mut revision = if n >= 1 {
        revisions::find(&mut conn, id, n).await?
    } else {
        None
    };
    // Articles deleted for good since then cannot be related any more: they are left out.
    if let Some(r) = revision.as_mut() {
        let existing = model::existing_ids(&mut conn, &r.content.related_ids).await?;
        r.content.related_ids.retain(|id| existing.contains(id));
        // So are photos deleted since.
        let mut photo_ids: Vec<Uuid> = r.content.photos.iter().map(|p| p.photo_id).collect();
        photo_ids.extend(r.content.cover_photo_id);
        let existing =
            crate::db::sql::existing_ids(&mut conn, crate::db::sql::IdTable::Photos, &photo_ids)
                .await?;
        r.content.photos.retain(|p| existing.contains(&p.photo_id));
        r.content.cover_photo_id = r.content.cover_photo_id.filter(|c| existing.contains(c));
    }
    let viewer = viewer_of(Some(&caller));
    let is_author = caller.role() < Role::Editor;
    let me = caller.user_id;
    let current_version = model::find(&mut conn, ArticleKey::Id(id), viewer, state.media_url())
        .await?
        .map(|r| r.version);
    if revision.is_none() && current_version != Some(n) {
        return Err(ApiError::NotFound("no such revision".into()));
    }
    let with_record = if_match.is_present().then_some(state.media_url());
    model::write(&mut conn, id, viewer, me, with_record, move |current| {
        check_writable(current, is_author, me)?;
        if_match_current(&if_match, current)?;
        let Some(revision) = revision else {
            // Restoring the current version changes nothing.
            return Ok(current.content.clone());
        };
        let next = revision.content;
        if is_author && next.status != "draft" {
            return Err(ApiError::Forbidden(
                "authors may only restore draft versions".into(),
            ));
        }
        Ok(next)
    })
    .await
    .map_err(|e| match e {
        ApiError::Validation(_) => ApiError::Conflict(
            "the version names a category or related articles that no longer exist".into(),
        ),
        other => other,
    })?;
    let view = load_view(&mut conn, id, viewer, state.media_url()).await?;
    http::updated_counted(counted(&view)?)
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article_by_slug)
        .service(get_article)
        .service(update_article)
        .service(delete_article)
        .service(restore_article)
        .service(add_article_view)
        .service(related_articles)
        .service(list_revisions)
        .service(get_revision)
        .service(restore_revision);
}
