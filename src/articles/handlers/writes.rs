//! Writing articles: authors write their own drafts; editors and admins publish, archive,
//! trash and restore; admins delete for good.

use actix_web::{HttpResponse, delete, patch, post, web};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::common::{
    counted, if_match_current, if_match_ok, life, load_view, record_write, viewer_of,
};
use super::input::{Edit, check_status_allowed};
use crate::articles::model::{self, ArticleRecord, NewArticle, Viewer};
use crate::articles::views::{
    ArticleStatus, ArticleView, CreateArticle, DeleteQuery, UpdateArticle,
};
use crate::auth::{Access, Caller, Role};
use crate::error::{ApiError, ApiResult, ModelError, ModelResult, Problem};
use crate::events::{self, Event, Resource, Verb};
use crate::http::{self, IfMatch, Json, Query};
use crate::state::AppState;

/// Create an article.
///
/// Authors may only create drafts. The body is sanitised; the slug is derived from the title
/// when absent.
#[utoipa::path(
    operation_id = "createArticle",
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
    check_status_allowed(&caller, body.status.unwrap_or(ArticleStatus::Draft))?;
    let edit = Edit::of_create(&body)?;
    let derived_slug = edit.derives_slug();
    let new = NewArticle {
        content: edit.into_new(),
        derived_slug,
        author_id: caller.user_id,
    };
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let id = model::create(conn, new).await?;
            record_write(conn, id, Verb::Created, actor, Viewer::Editor, &media).await
        })
        .await?;
    let location = format!("/api/v1/articles/{}", view.id);
    http::created_counted(counted(&view)?, Some(location))
}

/// Update an article (partial; JSON merge semantics).
///
/// Authors may edit only their own drafts and cannot change the status. The previous
/// version is kept as a revision. `If-Match` (the article's ETag) makes the write refuse
/// (412) if someone else changed it meanwhile; views counted meanwhile do not matter.
#[utoipa::path(
    operation_id = "updateArticle",
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
    let edit = Edit::of_update(&body)?;
    let viewer = viewer_of(Some(&caller));
    let is_author = caller.role() < Role::Editor;
    let (me, id) = (caller.user_id, *id);
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let with_record = if_match.is_present().then_some(media.as_str());
            let changed = model::write(conn, id, viewer, me, with_record, move |current| {
                check_writable(current, is_author, me)?;
                if_match_current(&if_match, current)?;
                let mut next = current.content.clone();
                edit.apply(&mut next);
                Ok(next)
            })
            .await?;
            match changed {
                true => record_write(conn, id, Verb::Updated, actor, viewer, &media).await,
                false => load_view(conn, id, viewer, &media).await,
            }
        })
        .await?;
    http::updated_counted(counted(&view)?)
}

/// Authors change only their own drafts; nobody edits the trash.
pub(super) fn check_writable(
    current: &model::Current,
    is_author: bool,
    me: Uuid,
) -> ModelResult<()> {
    let row = &current.row;
    if row.deleted_at.is_some() {
        return Err(ModelError::Conflict(
            "the article is in the trash; restore it first".into(),
        ));
    }
    if is_author && (row.author_id != Some(me) || row.status != ArticleStatus::Draft) {
        return Err(ModelError::Forbidden(
            "authors may only edit their own drafts".into(),
        ));
    }
    Ok(())
}

/// Move an article to the trash (editors and admins), or delete it for good with
/// `permanent=true` (admins).
#[utoipa::path(
    operation_id = "deleteArticle",
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
    let role = if permanent { Role::Admin } else { Role::Editor };
    caller.require(role, Access::Write)?;
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let check = move |record: &ArticleRecord| if_match_ok(&if_match, record);
        if !permanent {
            if model::set_trashed(conn, id, true, &media, check).await? {
                record_write(conn, id, Verb::Trashed, actor, Viewer::Editor, &media).await?;
            }
            return Ok(());
        }
        // The article as it was, for the event; 404 if there is none.
        let view = load_view(conn, id, Viewer::Editor, &media).await?;
        let was_public = model::announced(conn, id).await?;
        model::purge(conn, id, &media, check).await?;
        let deleted = Event::new(
            Resource::Article,
            Verb::Deleted,
            Some(id),
            Some(view.version),
            &view,
        )?;
        let dark = was_public.then(|| deleted.also(life(model::Went::Dark)));
        events::record(conn, actor, dark.into_iter().chain([deleted])).await?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bring an article back from the trash (editors and admins).
#[utoipa::path(
    operation_id = "restoreArticle",
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
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            match model::set_trashed(conn, id, false, &media, |_| Ok(())).await? {
                true => record_write(conn, id, Verb::Restored, actor, Viewer::Editor, &media).await,
                false => load_view(conn, id, Viewer::Editor, &media).await,
            }
        })
        .await?;
    http::updated_counted(counted(&view)?)
}
