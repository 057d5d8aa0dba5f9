//! `/organizations`: anyone reads; editors and admins write.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::model::{
    self, NewOrganization, OrganizationChanges, OrganizationFilter, OrganizationSort,
};
use super::views::{
    CreateOrganization, OrganizationFilters, OrganizationView, SORTS, UpdateOrganization,
};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::domain::limits::{ORGANIZATION_NAME_MAX, SHORT_NAME_MAX};
use crate::domain::{Fields, PlainText, Title};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{self, Verb};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery, Sort, parse_sort};
use crate::state::AppState;

fn no_such_organization() -> ApiError {
    ApiError::NotFound("no such organization".into())
}

/// List organisations.
#[utoipa::path(
    operation_id = "listOrganizations",
    tag = "organizations",
    params(PageQuery, OrganizationFilters),
    responses(
        (status = 200, description = "A page of organizations", body = ListResponse<OrganizationView>),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations")]
pub async fn list_organizations(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    paging: Query<PageQuery>,
    filters: Query<OrganizationFilters>,
) -> ApiResult<HttpResponse> {
    let filters = filters.0;
    let default = Sort {
        field: OrganizationSort::Name,
        descending: false,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = OrganizationFilter {
        q: filters
            .q
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
        kind: filters.kind.map(|k| k.as_str().to_string()),
        parent_id: filters.parent_id,
        root: filters.root.unwrap_or(false),
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &filter, sort, &paging).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| model::cursor_of(r, sort, &sort_key),
        OrganizationView::from,
    );
    http::list(&page, Cache::for_caller(&caller.0))
}

/// Create an organisation (editors and admins).
#[utoipa::path(
    operation_id = "createOrganization",
    tag = "organizations",
    security(("bearer" = [])),
    request_body = CreateOrganization,
    responses(
        (status = 201, description = "Created", body = OrganizationView,
            headers(("Location" = String, description = "URL of the new organization"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 409, description = "The same name exists under the same parent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule, or the parent does not exist", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/organizations")]
pub async fn create_organization(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateOrganization>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let name = fields.take("name", Title::parse(&body.name, ORGANIZATION_NAME_MAX));
    let short_name = fields.take(
        "short_name",
        PlainText::parse(body.short_name.as_deref().unwrap_or(""), SHORT_NAME_MAX),
    );
    let (Some(name), Some(short_name)) = (name, short_name) else {
        return Err(fields.refusal());
    };
    let new = NewOrganization {
        name,
        short_name,
        kind: body.kind.as_str().to_string(),
        parent_id: body.parent_id,
    };
    let actor = caller.actor();
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let view = OrganizationView::from(model::create(conn, new).await?);
            events::record_one(conn, actor, Verb::Created, &view).await?;
            Ok(view)
        })
        .await?;
    let location = format!("/api/v1/organizations/{}", view.id);
    http::created(&view, Some(location))
}

/// Get an organisation.
#[utoipa::path(
    operation_id = "getOrganization",
    tag = "organizations",
    params(("id" = Uuid, Path, description = "Organization id")),
    responses(
        (status = 200, description = "The organization", body = OrganizationView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/organizations/{id}")]
pub async fn get_organization(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_organization)?;
    http::item(
        &req,
        &OrganizationView::from(row),
        Cache::for_caller(&caller.0),
    )
}

/// Update an organisation (partial; JSON merge semantics).
#[utoipa::path(
    operation_id = "updateOrganization",
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateOrganization,
    responses(
        (status = 200, description = "The updated organization", body = OrganizationView),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The same name exists under the same parent", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule, or the move would make a cycle", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/organizations/{id}")]
pub async fn update_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateOrganization>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let changes = OrganizationChanges {
        name: body
            .name
            .and_then(|n| fields.take("name", Title::parse(&n, ORGANIZATION_NAME_MAX))),
        short_name: body
            .short_name
            .and_then(|s| fields.take("short_name", PlainText::parse(&s, SHORT_NAME_MAX))),
        kind: body.kind.map(|k| k.as_str().to_string()),
        parent_id: body.parent_id,
    };
    fields.finish()?;
    let (actor, id) = (caller.actor(), *id);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (row, changed) = model::update(conn, id, changes, move |row| {
                if_match.check(&OrganizationView::from(row.clone()))
            })
            .await?;
            let view = OrganizationView::from(row);
            if changed {
                events::record_one(conn, actor, Verb::Updated, &view).await?;
            }
            Ok(view)
        })
        .await?;
    http::item_written(&view)
}

/// Delete an organisation; one with sub-organisations, signatories, or agreements that name
/// it is a 409.
#[utoipa::path(
    operation_id = "deleteOrganization",
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Organization id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such organization", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Still in use", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/organizations/{id}")]
pub async fn delete_organization(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let (actor, id) = (caller.actor(), *id);
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let row = model::delete(conn, id, move |row| {
            if_match.check(&OrganizationView::from(row.clone()))
        })
        .await?;
        let view = OrganizationView::from(row);
        Ok(events::record_one(conn, actor, Verb::Deleted, &view).await?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_organizations)
        .service(create_organization)
        .service(get_organization)
        .service(update_organization)
        .service(delete_organization);
}
