//! `/signatories`: anyone reads; editors and admins write.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::model::{self, SignatoryContent, SignatoryFilter, SignatorySort};
use super::views::{CreateSignatory, SORTS, SignatoryFilters, SignatoryView, UpdateSignatory};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::domain::limits::POSITION_MAX;
use crate::domain::{Fields, PersonName, PlainText};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{self, Verb};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery, Sort, parse_sort};
use crate::state::AppState;

/// List signatories.
#[utoipa::path(
    operation_id = "listSignatories",
    tag = "signatories",
    params(PageQuery, SignatoryFilters),
    responses(
        (status = 200, description = "A page of signatories", body = ListResponse<SignatoryView>),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signatories")]
pub async fn list_signatories(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    paging: Query<PageQuery>,
    filters: Query<SignatoryFilters>,
) -> ApiResult<HttpResponse> {
    let filters = filters.0;
    let default = Sort {
        field: SignatorySort::Name,
        descending: false,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = SignatoryFilter {
        q: filters
            .q
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
        organization: filters.organization,
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &filter, sort, &paging, state.media_url()).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| model::cursor_of(r, sort, &sort_key),
        SignatoryView::from,
    );
    http::list(&page, Cache::for_caller(&caller.0))
}

/// Create a signatory (editors and admins).
#[utoipa::path(
    operation_id = "createSignatory",
    tag = "signatories",
    security(("bearer" = [])),
    request_body = CreateSignatory,
    responses(
        (status = 201, description = "Created", body = SignatoryView,
            headers(("Location" = String, description = "URL of the new signatory"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 422, description = "A field breaks a rule (an honorific in the name, an unknown organization or photo)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/signatories")]
pub async fn create_signatory(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateSignatory>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let full_name = fields.take("full_name", PersonName::parse(&body.full_name));
    let position = fields.take(
        "current_position",
        PlainText::parse(body.current_position.as_deref().unwrap_or(""), POSITION_MAX),
    );
    let (Some(full_name), Some(position)) = (full_name, position) else {
        return Err(fields.refusal());
    };
    let content = SignatoryContent {
        full_name: full_name.into_inner(),
        current_position: position.into_inner(),
        organization_id: body.organization_id,
        photo_id: body.photo_id,
    };
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let id = model::create(conn, content).await?;
            let view = load_view(conn, id, &media).await?;
            events::record_one(conn, actor, Verb::Created, &view).await?;
            Ok(view)
        })
        .await?;
    let location = format!("/api/v1/signatories/{}", view.id);
    http::created(&view, Some(location))
}

/// Get a signatory.
#[utoipa::path(
    operation_id = "getSignatory",
    tag = "signatories",
    params(("id" = Uuid, Path, description = "Signatory id")),
    responses(
        (status = 200, description = "The signatory", body = SignatoryView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such signatory", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/signatories/{id}")]
pub async fn get_signatory(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let record = model::find(&mut conn, *id, state.media_url())
        .await?
        .ok_or_else(model::no_such_signatory)?;
    http::item(
        &req,
        &SignatoryView::from(record),
        Cache::for_caller(&caller.0),
    )
}

/// Update a signatory (partial; JSON merge semantics).
#[utoipa::path(
    operation_id = "updateSignatory",
    tag = "signatories",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signatory id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateSignatory,
    responses(
        (status = 200, description = "The updated signatory", body = SignatoryView),
        (status = 404, description = "No such signatory", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/signatories/{id}")]
pub async fn update_signatory(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateSignatory>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let full_name = body
        .full_name
        .and_then(|n| fields.take("full_name", PersonName::parse(&n)))
        .map(String::from);
    let position = body
        .current_position
        .and_then(|p| fields.take("current_position", PlainText::parse(&p, POSITION_MAX)))
        .map(String::from);
    fields.finish()?;
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let changed = model::update(conn, id, &media, move |current, record| {
                if_match.check(&SignatoryView::from(record.clone()))?;
                Ok(SignatoryContent {
                    full_name: full_name.unwrap_or_else(|| current.full_name.clone()),
                    current_position: position.unwrap_or_else(|| current.current_position.clone()),
                    organization_id: body.organization_id.unwrap_or(current.organization_id),
                    photo_id: body.photo_id.unwrap_or(current.photo_id),
                })
            })
            .await?;
            let view = load_view(conn, id, &media).await?;
            if changed {
                events::record_one(conn, actor, Verb::Updated, &view).await?;
            }
            Ok(view)
        })
        .await?;
    http::item_written(&view)
}

/// Delete a signatory; one who signed an agreement is a 409.
#[utoipa::path(
    operation_id = "deleteSignatory",
    tag = "signatories",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Signatory id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such signatory", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The signatory signed agreements", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/signatories/{id}")]
pub async fn delete_signatory(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let (actor, media, id) = (caller.actor(), state.media_url().to_string(), *id);
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let record = model::delete(conn, id, &media, move |record| {
            if_match.check(&SignatoryView::from(record.clone()))
        })
        .await?;
        let view = SignatoryView::from(record);
        Ok(events::record_one(conn, actor, Verb::Deleted, &view).await?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Signatory `id` as the API shows it.
pub(crate) async fn load_view(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
) -> ApiResult<SignatoryView> {
    let record = model::find(conn, id, media)
        .await?
        .ok_or_else(model::no_such_signatory)?;
    Ok(SignatoryView::from(record))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_signatories)
        .service(create_signatory)
        .service(get_signatory)
        .service(update_signatory)
        .service(delete_signatory);
}
