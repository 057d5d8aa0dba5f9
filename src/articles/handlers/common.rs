//! What the articles handlers share: who is reading, the 404, the article's ETag and its
//! `If-Match` check.

use uuid::Uuid;

use diesel_async::AsyncPgConnection;

use crate::articles::model::{self, ArticleKey, ArticleRecord, Viewer, Went};
use crate::articles::views::ArticleView;
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult, ModelError, ModelResult};
use crate::events::{self, Actor, Event, Resource, Verb};
use crate::http::{self, IfMatch};

pub(super) fn no_such_article() -> ApiError {
    ApiError::NotFound("no such article".into())
}

pub(super) fn viewer_of(caller: Option<&Caller>) -> Viewer {
    match caller {
        None => Viewer::Public,
        Some(c) if c.role() >= Role::Editor => Viewer::Editor,
        Some(c) => Viewer::Author(c.user_id),
    }
}

/// An article serialised with its ETag (its view counter does not make `If-Match` fail).
pub(super) fn counted(view: &ArticleView) -> ApiResult<http::Counted> {
    http::counted(view, "view_count")
}

/// `If-Match` against the article as the writer sees it, inside the write's transaction.
pub(super) fn if_match_ok(if_match: &IfMatch, record: &ArticleRecord) -> ModelResult<()> {
    if_match.check_counted(&ArticleView::from(record.clone()), "view_count")
}

/// `If-Match` inside [`model::write`], which reads the article only when the header is there.
pub(super) fn if_match_current(if_match: &IfMatch, current: &model::Current) -> ModelResult<()> {
    match &current.record {
        Some(record) => if_match_ok(if_match, record),
        None if if_match.is_present() => Err(ModelError::NotFound("article")),
        None => Ok(()),
    }
}

/// The article `id` as `viewer` sees it.
pub(crate) async fn load_view(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    viewer: Viewer,
    media: &str,
) -> ApiResult<ArticleView> {
    model::find(conn, ArticleKey::Id(id), viewer, media)
        .await?
        .map(ArticleView::from)
        .ok_or_else(no_such_article)
}

/// Inside the transaction of a write of article `id`: records its event `verb` (and
/// `article.published` or `article.unpublished` when the write changed its public life), with
/// the article as an editor reads it, and answers the article as `viewer` sees it.
pub(crate) async fn record_write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    verb: Verb,
    actor: Actor,
    viewer: Viewer,
    media: &str,
) -> ApiResult<ArticleView> {
    let view = load_view(conn, id, Viewer::Editor, media).await?;
    let event = Event::new(Resource::Article, verb, Some(id), Some(view.version), &view)?;
    let went = model::announce(conn, id)
        .await?
        .map(|went| event.also(life(went)));
    events::record(conn, actor, std::iter::once(event).chain(went)).await?;
    match viewer {
        Viewer::Editor => Ok(view),
        _ => load_view(conn, id, viewer, media).await,
    }
}

/// The event of a change of public life.
pub(crate) fn life(went: Went) -> Verb {
    match went {
        Went::Public => Verb::Published,
        Went::Dark => Verb::Unpublished,
    }
}
