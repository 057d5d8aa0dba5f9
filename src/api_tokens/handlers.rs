//! `/api-tokens`: admins issue and revoke tokens for integrators.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use chrono::Utc;
use uuid::Uuid;

use super::model;
use super::views::{ApiTokenView, CreateApiToken, CreatedApiToken};
use crate::audit::{self, Entry};
use crate::auth::model::new_secret;
use crate::auth::{API_TOKEN_PREFIX, Access, Caller, Role};
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::http::{self, Cache, Json, Query};
use crate::paging::{ListResponse, PageQuery};
use crate::state::AppState;

fn admin_only(caller: &Caller, access: Access) -> ApiResult<()> {
    caller.require_session()?;
    caller.require(Role::Admin, access)
}

/// Create an API token. The secret is in the answer, this once.
#[utoipa::path(
    operation_id = "createApiToken",
    tag = "api-tokens",
    security(("bearer" = [])),
    request_body = CreateApiToken,
    responses((status = 201, description = "Created; `token` is the secret, shown once", body = CreatedApiToken,
        headers(("Location" = String, description = "URL of the new token"))))
)]
#[post("/api-tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateApiToken>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Write)?;
    let body = body.0;
    let name = body.name.trim().to_string();
    let mut errors = Vec::new();
    match name.chars().count() {
        0 => errors.push(FieldError::new("name", "required", "must not be empty")),
        n if n > 200 => errors.push(FieldError::new(
            "name",
            "too_long",
            "at most 200 characters",
        )),
        _ => {}
    }
    if body.expires_at.is_some_and(|t| t <= Utc::now()) {
        errors.push(FieldError::new(
            "expires_at",
            "in_the_past",
            "must be in the future",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let secret = new_secret(API_TOKEN_PREFIX);
    let mut conn = state.pool.get().await?;
    let row = model::create(
        &mut conn,
        caller.user_id,
        &name,
        body.scope.as_str(),
        body.expires_at,
        &secret,
    )
    .await?;
    let location = format!("/api/v1/api-tokens/{}", row.id);
    let detail = serde_json::json!({"name": row.name, "scope": row.scope});
    let entry = Entry::new(caller.actor(), "api_token.created").on("api_token", row.id);
    audit::record(&mut conn, entry.with(detail)).await?;
    http::created(
        &CreatedApiToken {
            token_info: row.into(),
            token: secret,
        },
        Some(location),
    )
}

/// List API tokens (never their secrets), newest first.
#[utoipa::path(
    operation_id = "listApiTokens",
    tag = "api-tokens",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of tokens", body = ListResponse<ApiTokenView>))
)]
#[get("/api-tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    paging: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Read)?;
    let paging = paging.0.check(model::SORT)?;
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &paging).await?;
    http::list(
        &ListResponse::from_rows(rows, &paging, total, model::cursor_of, ApiTokenView::from),
        Cache::Private,
    )
}

/// Get an API token (without its secret).
#[utoipa::path(
    operation_id = "getApiToken",
    tag = "api-tokens",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 200, description = "The token", body = ApiTokenView),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/api-tokens/{id}")]
pub async fn get_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Read)?;
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such API token".into()))?;
    http::item(&req, &ApiTokenView::from(row), Cache::Private)
}

/// Revoke an API token, at once.
#[utoipa::path(
    operation_id = "deleteApiToken",
    tag = "api-tokens",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/api-tokens/{id}")]
pub async fn delete_token(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    admin_only(&caller, Access::Write)?;
    let mut conn = state.pool.get().await?;
    if model::delete(&mut conn, *id).await? {
        let entry = Entry::new(caller.actor(), "api_token.revoked").on("api_token", *id);
        audit::record(&mut conn, entry).await?;
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::NotFound("no such API token".into()))
    }
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_token)
        .service(list_tokens)
        .service(get_token)
        .service(delete_token);
}
