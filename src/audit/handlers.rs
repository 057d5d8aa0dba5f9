//! `GET /audit` (admins).

use actix_web::{HttpResponse, get, web};

use super::model::{self, AuditFilter};
use super::views::{AuditEntryView, AuditQuery};
use crate::auth::{Access, Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::http::{self, Cache, Query};
use crate::paging::{ListResponse, PageQuery};
use crate::state::AppState;

/// The audit log (admins), newest first: every content event, logins (and failures, with the
/// client's address), logouts, refresh tokens presented twice, account, API token and webhook
/// changes. Entries are never changed or removed.
#[utoipa::path(
    operation_id = "listAuditEntries",
    tag = "audit",
    security(("bearer" = [])),
    params(PageQuery, AuditQuery),
    responses((status = 200, description = "A page of entries", body = ListResponse<AuditEntryView>))
)]
#[get("/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    caller: Caller,
    paging: Query<PageQuery>,
    query: Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Read)?;
    let q = query.0;
    if let (Some(from), Some(to)) = (q.from, q.to)
        && from > to
    {
        return Err(ApiError::bad_field(
            "to",
            "before_from",
            "must not be before `from`",
        ));
    }
    let paging = paging.0.check(model::SORT)?;
    let filter = AuditFilter {
        actor: q.actor,
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        action: q.action,
        from: q.from,
        to: q.to,
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &filter, &paging).await?;
    let page =
        ListResponse::from_rows(rows, &paging, total, model::cursor_of, AuditEntryView::from);
    http::list(&page, Cache::Private)
}
