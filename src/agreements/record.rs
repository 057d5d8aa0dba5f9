//! Writes of agreements record their events here, with the agreement as an editor reads it.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::model;
use super::views::AgreementView;
use crate::error::ApiResult;
use crate::events::{self, Actor, Verb};

/// Agreement `id` as an editor reads it.
pub(crate) async fn load_view(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
) -> ApiResult<AgreementView> {
    let record = model::find(conn, id, false)
        .await?
        .ok_or_else(model::no_such_agreement)?;
    Ok(AgreementView::new(record, media))
}

/// Inside the transaction of a write of agreement `id`: records its event `verb` with the
/// agreement as an editor reads it, and answers that.
pub(crate) async fn record_write(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    verb: Verb,
    actor: Actor,
    media: &str,
) -> ApiResult<AgreementView> {
    let view = load_view(conn, id, media).await?;
    events::record_one(conn, actor, verb, &view).await?;
    Ok(view)
}
