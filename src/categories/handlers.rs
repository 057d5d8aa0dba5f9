//! `/categories`: anyone reads the tree; editors and admins change it.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::model::{self, CategoryChanges, CategoryFilter, CategorySort, NewCategory, SlugChoice};
use super::views::{CategoryFilters, CategoryView, CreateCategory, SORTS, UpdateCategory};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::domain::limits::{CATEGORY_DESCRIPTION_MAX, CATEGORY_NAME_MAX};
use crate::domain::{Fields, PlainText, Slug, Title};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{self, Verb};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery, Sort, parse_sort};
use crate::state::AppState;

fn no_such_category() -> ApiError {
    ApiError::NotFound("no such category".into())
}

/// The slug of a category whose name has nothing a slug can keep.
fn fallback_slug() -> Slug {
    Slug::derive("chuyen-muc").unwrap_or_else(|| unreachable!("a slug"))
}

/// List categories.
#[utoipa::path(
    operation_id = "listCategories",
    tag = "categories",
    params(PageQuery, CategoryFilters),
    responses((status = 200, description = "A page of categories", body = ListResponse<CategoryView>))
)]
#[get("/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    paging: Query<PageQuery>,
    filters: Query<CategoryFilters>,
) -> ApiResult<HttpResponse> {
    let filters = filters.0;
    let default = Sort {
        field: CategorySort::Position,
        descending: false,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = CategoryFilter {
        parent_id: filters.parent_id,
        root: filters.root.unwrap_or(false),
        q: filters.q,
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &filter, sort, &paging).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| model::cursor_of(r, sort, &sort_key),
        CategoryView::from,
    );
    http::list(&page, Cache::for_caller(&caller.0))
}

/// Create a category (editors and admins).
#[utoipa::path(
    operation_id = "createCategory",
    tag = "categories",
    security(("bearer" = [])),
    request_body = CreateCategory,
    responses(
        (status = 201, description = "Created", body = CategoryView,
            headers(("Location" = String, description = "URL of the new category"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateCategory>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let name = fields.take("name", Title::parse(&body.name, CATEGORY_NAME_MAX));
    let description = fields.take(
        "description",
        PlainText::parse(
            body.description.as_deref().unwrap_or(""),
            CATEGORY_DESCRIPTION_MAX,
        ),
    );
    let slug = match &body.slug {
        Some(slug) => fields
            .take("slug", Slug::parse(slug))
            .map(SlugChoice::Given),
        None => name.as_ref().map(|name| {
            SlugChoice::Derived(Slug::derive(name.as_str()).unwrap_or_else(fallback_slug))
        }),
    };
    let (Some(name), Some(description), Some(slug)) = (name, description, slug) else {
        return Err(fields.refusal());
    };
    let new = NewCategory {
        name,
        slug,
        description,
        parent_id: body.parent_id,
        position: body.position,
    };
    let actor = caller.actor();
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let view = CategoryView::from(model::create(conn, new).await?);
            events::record_one(conn, actor, Verb::Created, &view).await?;
            Ok(view)
        })
        .await?;
    let location = format!("/api/v1/categories/{}", view.id);
    http::created(&view, Some(location))
}

/// Get a category.
#[utoipa::path(
    operation_id = "getCategory",
    tag = "categories",
    params(("id" = Uuid, Path, description = "Category id")),
    responses(
        (status = 200, description = "The category", body = CategoryView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories/{id}")]
pub async fn get_category(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_category)?;
    http::item(&req, &CategoryView::from(row), Cache::for_caller(&caller.0))
}

/// Get a category by its slug.
#[utoipa::path(
    operation_id = "getCategoryBySlug",
    tag = "categories",
    params(("slug" = String, Path, description = "Category slug", example = "hoi-dong-nhan-dan")),
    responses(
        (status = 200, description = "The category", body = CategoryView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/categories/slug/{slug}")]
pub async fn get_category_by_slug(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row = model::find_by_slug(&mut conn, &slug)
        .await?
        .ok_or_else(no_such_category)?;
    http::item(&req, &CategoryView::from(row), Cache::for_caller(&caller.0))
}

/// Update a category (partial; JSON merge semantics).
#[utoipa::path(
    operation_id = "updateCategory",
    tag = "categories",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Category id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateCategory,
    responses(
        (status = 200, description = "The updated category", body = CategoryView),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/categories/{id}")]
pub async fn update_category(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateCategory>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let changes = CategoryChanges {
        name: body
            .name
            .and_then(|n| fields.take("name", Title::parse(&n, CATEGORY_NAME_MAX))),
        slug: body.slug.and_then(|s| fields.take("slug", Slug::parse(&s))),
        description: body.description.and_then(|d| {
            fields.take(
                "description",
                PlainText::parse(&d, CATEGORY_DESCRIPTION_MAX),
            )
        }),
        parent_id: body.parent_id,
        position: body.position,
    };
    fields.finish()?;
    let (actor, id) = (caller.actor(), *id);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (row, changed) = model::update(conn, id, changes, move |row| {
                if_match.check(&CategoryView::from(row.clone()))
            })
            .await?;
            let view = CategoryView::from(row);
            if changed {
                events::record_one(conn, actor, Verb::Updated, &view).await?;
            }
            Ok(view)
        })
        .await?;
    http::item_written(&view)
}

/// Delete a category; one with sub-categories or articles (trashed ones included) is a 409.
#[utoipa::path(
    operation_id = "deleteCategory",
    tag = "categories",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Category id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The category has sub-categories or articles", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/categories/{id}")]
pub async fn delete_category(
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
            if_match.check(&CategoryView::from(row.clone()))
        })
        .await?;
        let view = CategoryView::from(row);
        Ok(events::record_one(conn, actor, Verb::Deleted, &view).await?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_categories)
        .service(create_category)
        .service(get_category_by_slug)
        .service(get_category)
        .service(update_category)
        .service(delete_category);
}
