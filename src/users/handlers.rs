//! `/users`: admins manage accounts.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::model::{self, NewUser, UserChanges, UserFilter, UserRow, UserSort};
use super::views::{CreateUser, SORTS, UpdateUser, UserFilters, UserView};
use crate::audit::{self, Entry};
use crate::auth::{Access, Caller, Role, password};
use crate::domain::limits::DISPLAY_NAME_MAX;
use crate::domain::{Email, Fields, NewPassword, Title};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery, Sort, parse_sort};
use crate::state::AppState;

fn admin_only(caller: &Caller, access: Access) -> ApiResult<()> {
    caller.require_session()?;
    caller.require(Role::Admin, access)
}

fn no_such_user() -> ApiError {
    ApiError::NotFound("no such user".into())
}

/// List users.
#[utoipa::path(
    operation_id = "listUsers",
    tag = "users",
    security(("bearer" = [])),
    params(PageQuery, UserFilters),
    responses((status = 200, description = "A page of users", body = ListResponse<UserView>))
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    paging: Query<PageQuery>,
    filters: Query<UserFilters>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Read)?;
    let default = Sort {
        field: UserSort::CreatedAt,
        descending: false,
    };
    let sort = parse_sort(filters.0.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let filter = UserFilter {
        q: filters.0.q.clone(),
        role: filters.0.role.map(|r| r.as_str().to_string()),
        disabled: filters.0.disabled,
    };
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &filter, sort, &paging).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |r| model::cursor_of(r, sort, &sort_key),
        UserView::from,
    );
    http::list(&page, Cache::Private)
}

/// Create a user.
#[utoipa::path(
    operation_id = "createUser",
    tag = "users",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = UserView,
            headers(("Location" = String, description = "URL of the new user"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 409, description = "The email is taken", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateUser>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let email = fields.take("email", Email::parse(&body.email));
    let display_name = fields.take(
        "display_name",
        Title::parse(&body.display_name, DISPLAY_NAME_MAX),
    );
    let password = fields.take("password", NewPassword::parse(&body.password));
    let (Some(email), Some(display_name), Some(password)) = (email, display_name, password) else {
        return Err(fields.refusal());
    };
    let password_hash = password::hash(password.expose().to_string()).await?;
    let (email, display_name) = (email.into_inner(), display_name.into_inner());
    let mut conn = state.pool.get().await?;
    let row = model::create(
        &mut conn,
        NewUser {
            email,
            display_name,
            role: body.role.as_str().into(),
            password_hash,
        },
    )
    .await?;
    let location = format!("/api/v1/users/{}", row.id);
    let detail = serde_json::json!({"email": row.email, "role": row.role});
    let entry = Entry::new(caller.actor(), "user.created").on("user", row.id);
    audit::record(&mut conn, entry.with(detail)).await?;
    http::created(&UserView::from(row), Some(location))
}

/// Get a user.
#[utoipa::path(
    operation_id = "getUser",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = UserView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Read)?;
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_user)?;
    http::item(&req, &UserView::from(row), Cache::Private)
}

/// Update a user (partial; JSON merge semantics).
///
/// Disabling a user or setting its password revokes its sessions. The last enabled admin
/// cannot be disabled or demoted (409).
#[utoipa::path(
    operation_id = "updateUser",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "The updated user", body = UserView),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken, or the last enabled admin", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateUser>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let email = body
        .email
        .and_then(|e| fields.take("email", Email::parse(&e)))
        .map(String::from);
    let display_name = body
        .display_name
        .and_then(|n| fields.take("display_name", Title::parse(&n, DISPLAY_NAME_MAX)))
        .map(String::from);
    let password = body
        .password
        .and_then(|p| fields.take("password", NewPassword::parse(&p)));
    fields.finish()?;
    let password_hash = match password {
        Some(pw) => Some(password::hash(pw.expose().to_string()).await?),
        None => None,
    };
    let changes = UserChanges {
        email,
        display_name,
        role: body.role.map(|r| r.as_str().to_string()),
        disabled: body.disabled,
        password_hash,
    };
    let mut conn = state.pool.get().await?;
    let password_changed = changes.password_hash.is_some();
    let (before, row) = model::update(&mut conn, *id, changes, move |row| {
        if_match.check(&UserView::from(row.clone()))
    })
    .await?;
    for entry in user_changes(&caller, &before, &row, password_changed) {
        audit::record(&mut conn, entry).await?;
    }
    // Display names are embedded in article lists.
    http::list(&UserView::from(row), Cache::Private)
}

/// Delete a user (its sessions and API tokens go with it).
#[utoipa::path(
    operation_id = "deleteUser",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last enabled admin", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Write)?;
    let mut conn = state.pool.get().await?;
    let gone = model::delete(&mut conn, *id, move |row| {
        if_match.check(&UserView::from(row.clone()))
    })
    .await?;
    let detail = serde_json::json!({"email": gone.email, "role": gone.role});
    let entry = Entry::new(caller.actor(), "user.deleted").on("user", gone.id);
    audit::record(&mut conn, entry.with(detail)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit entries of an account change: its role, its being disabled or enabled, a new
/// password (never the password), and the other fields by name.
fn user_changes(caller: &Caller, before: &UserRow, after: &UserRow, password: bool) -> Vec<Entry> {
    let entry = |action| Entry::new(caller.actor(), action).on("user", after.id);
    let mut entries = Vec::new();
    if before.role != after.role {
        let detail = serde_json::json!({"from": before.role, "to": after.role});
        entries.push(entry("user.role_changed").with(detail));
    }
    if before.disabled != after.disabled {
        entries.push(entry(if after.disabled {
            "user.disabled"
        } else {
            "user.enabled"
        }));
    }
    if password {
        entries.push(entry("user.password_changed"));
    }
    let mut fields = Vec::new();
    if before.email != after.email {
        fields.push("email");
    }
    if before.display_name != after.display_name {
        fields.push("display_name");
    }
    if !fields.is_empty() {
        entries.push(entry("user.updated").with(serde_json::json!({"fields": fields})));
    }
    entries
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user);
}
