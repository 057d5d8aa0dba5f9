//! An article's history: its earlier versions, one of them as it was, and restoring one as a
//! new version.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use diesel_async::AsyncConnection;
use serde_json::value::RawValue;
use uuid::Uuid;

use super::common::{
    counted, if_match_current, load_view, no_such_article, record_write, viewer_of,
};
use super::writes::check_writable;
use crate::articles::figures;
use crate::articles::model::revisions::{self, RevisionRecord};
use crate::articles::model::{self, ArticleKey, ArticleRecord, Viewer};
use crate::articles::views::{ArticleStatus, ArticleView, AuthorRef, CategoryRef, RevisionSummary};
use crate::auth::{Access, Caller, Role};
use crate::categories;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, ModelError, Problem};
use crate::events::Verb;
use crate::http::{self, Cache, IfMatch, Query};
use crate::paging::{Cursor, ListResponse, PageQuery, Start};
use crate::state::AppState;

/// How revision lists are sorted, as their cursors remember it.
const SORT_KEY: &str = "-version";

fn no_such_revision() -> ApiError {
    ApiError::NotFound("no such revision".into())
}

/// Who may see an article's history: editors and admins, and the author of the article.
async fn history_access(
    conn: &mut DbConn,
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
    operation_id = "listArticleRevisions",
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
    let paging = paging.0.check(SORT_KEY)?;
    let mut conn = state.pool.get().await?;
    history_access(&mut conn, &caller, *id, state.media_url()).await?;
    let before = match &paging.start {
        Start::After(Some(cursor)) => Some(
            cursor
                .value
                .as_i64()
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(Cursor::invalid)?,
        ),
        _ => None,
    };
    let (rows, total) = revisions::list(&mut conn, *id, &paging, before).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| Cursor {
            sort: SORT_KEY.into(),
            value: r.version.into(),
            id: *id,
        },
        |r: RevisionRecord| RevisionSummary {
            version: r.version,
            title: r.content.title,
            status: r.content.status,
            created_at: r.created_at,
            author: r
                .author_id
                .zip(r.author_name)
                .map(|(id, display_name)| AuthorRef { id, display_name }),
        },
    );
    http::list(&page, Cache::Private)
}

/// The article as it was at `version` (with today's category names, author and photos).
async fn revision_view(
    conn: &mut DbConn,
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
    .ok_or_else(no_such_revision)?;
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
    view.body = figures::fill(conn, content.body, media).await?;
    view.status = content.status;
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
    operation_id = "getArticleRevision",
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
    operation_id = "restoreArticleRevision",
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
    let current = history_access(&mut conn, &caller, id, state.media_url()).await?;
    // Articles and photos deleted for good since then are left out.
    let revision = match n {
        1.. => revisions::find_restorable(&mut conn, id, n).await?,
        _ => None,
    };
    if revision.is_none() && current.version != n {
        return Err(no_such_revision());
    }
    let viewer = viewer_of(Some(&caller));
    let is_author = caller.role() < Role::Editor;
    let me = caller.user_id;
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let with_record = if_match.is_present().then_some(media.as_str());
            let changed = model::write(conn, id, viewer, me, with_record, move |current| {
                check_writable(current, is_author, me)?;
                if_match_current(&if_match, current)?;
                let Some(revision) = revision else {
                    // Restoring the current version changes nothing.
                    return Ok(current.content.clone());
                };
                let next = revision.content;
                if is_author && next.status != ArticleStatus::Draft {
                    return Err(ModelError::Forbidden(
                        "authors may only restore draft versions".into(),
                    ));
                }
                Ok(next)
            })
            .await
            .map_err(|e| match e {
                ModelError::Invalid(_) => ModelError::Conflict(
                    "the version names a category or related articles that no longer exist".into(),
                ),
                other => other,
            })?;
            match changed {
                true => record_write(conn, id, Verb::Updated, actor, viewer, &media).await,
                false => load_view(conn, id, viewer, &media).await,
            }
        })
        .await?;
    http::updated_counted(counted(&view)?)
}
