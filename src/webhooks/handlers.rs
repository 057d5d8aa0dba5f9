//! `/webhooks`: admins register endpoints that hear about events, see every delivery and its
//! tries, send one again, ping, and rotate the signing secret.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use uuid::Uuid;

use super::model::{self, NewWebhook, WebhookChanges};
use super::signing::new_secret;
use super::targets;
use super::views::{CreateWebhook, DeliveryView, UpdateWebhook, WebhookView, WebhookWithSecret};
use crate::audit::{self, Entry};
use crate::auth::{Access, Caller, Role};
use crate::domain::limits::{WEBHOOK_DESCRIPTION_MAX, WEBHOOK_EVENTS_MAX};
use crate::domain::{Fields, PlainText};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{Resource, all_types};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery};
use crate::state::AppState;

/// An audit entry about webhook `row` (its URL, events and state; never its secret).
fn changed(caller: &Caller, action: &'static str, row: &model::WebhookRow) -> Entry {
    let detail =
        serde_json::json!({"url": row.url, "events": row.patterns(), "enabled": row.enabled});
    Entry::new(caller.actor(), action)
        .on("webhook", row.id)
        .with(detail)
}

fn no_such_webhook() -> ApiError {
    ApiError::NotFound("no such webhook".into())
}

/// Whether `pattern` names event types: `*`, a type, or a resource's `<resource>.*`.
fn known_pattern(pattern: &str) -> bool {
    pattern == "*"
        || all_types().iter().any(|t| t == pattern)
        || Resource::ALL
            .iter()
            .any(|r| pattern.strip_suffix(".*") == Some(r.as_str()))
}

/// Checks the URL (and where it leads), noting faults in `fields`.
async fn check_url(fields: &mut Fields, state: &AppState, url: &str) -> Option<String> {
    let allow_private = state.config.events.webhook_allow_private;
    let checked = match targets::parse(url) {
        Ok(url) => targets::resolve(&url, allow_private).await.map(|_| url),
        Err(e) => Err(e),
    };
    match checked {
        Ok(url) => Some(url.to_string()),
        Err(why) => {
            fields.push("url", "invalid", why);
            None
        }
    }
}

fn check_events(fields: &mut Fields, events: &[String]) -> Vec<String> {
    if events.is_empty() || events.len() > WEBHOOK_EVENTS_MAX {
        let message = format!("from 1 to {WEBHOOK_EVENTS_MAX} event types or patterns");
        fields.push("events", "invalid", message);
    }
    let mut kept: Vec<String> = Vec::new();
    for (i, pattern) in events.iter().enumerate() {
        let pattern = pattern.trim();
        if !known_pattern(pattern) {
            let message = "an event type (`article.published`), `<resource>.*` or `*`";
            fields.push(format!("events.{i}"), "unknown_event", message);
        } else if !kept.iter().any(|k| k == pattern) {
            kept.push(pattern.to_string());
        }
    }
    kept
}

fn check_description(fields: &mut Fields, text: &str) -> Option<String> {
    let parsed = PlainText::parse(text, WEBHOOK_DESCRIPTION_MAX);
    fields.take("description", parsed).map(String::from)
}

/// Register a webhook endpoint (admins). The signing secret is in the answer, this once.
#[utoipa::path(
    operation_id = "createWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhook,
    responses(
        (status = 201, description = "Created; `secret` is shown this once", body = WebhookWithSecret,
            headers(("Location" = String, description = "URL of the new webhook"))),
        (status = 422, description = "A bad URL (or one that leads to a private address), an unknown event type", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<CreateWebhook>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let url = check_url(&mut fields, &state, &body.url).await;
    let events = check_events(&mut fields, &body.events);
    let description = check_description(&mut fields, body.description.as_deref().unwrap_or(""));
    let (Some(url), Some(description)) = (url, description) else {
        return Err(fields.refusal());
    };
    fields.finish()?;
    let secret = new_secret();
    let new = NewWebhook {
        url,
        events,
        enabled: body.enabled.unwrap_or(true),
        description,
        secret: secret.clone(),
    };
    let mut conn = state.pool.get().await?;
    let row = model::create(&mut conn, new).await?;
    audit::record(&mut conn, changed(&caller, "webhook.created", &row)).await?;
    let location = format!("/api/v1/webhooks/{}", row.id);
    let webhook = WebhookView::from(row);
    http::created(&WebhookWithSecret { webhook, secret }, Some(location))
}

/// List webhook endpoints (admins), newest first.
#[utoipa::path(
    operation_id = "listWebhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "A page of webhooks", body = ListResponse<WebhookView>))
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    paging: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Read)?;
    let paging = paging.0.check(model::SORT)?;
    let mut conn = state.pool.get().await?;
    let (rows, total) = model::list(&mut conn, &paging).await?;
    let page = ListResponse::from_rows(rows, &paging, total, model::cursor_of, WebhookView::from);
    http::list(&page, Cache::Private)
}

/// Get a webhook endpoint (admins), without its secret.
#[utoipa::path(
    operation_id = "getWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The webhook", body = WebhookView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Read)?;
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_webhook)?;
    http::item(&req, &WebhookView::from(row), Cache::Private)
}

/// Change a webhook endpoint (admins; partial). Enabling one that was disabled after failures
/// clears `disabled_reason`; its deliveries still pending then go out.
#[utoipa::path(
    operation_id = "updateWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdateWebhook,
    responses(
        (status = 200, description = "The webhook", body = WebhookView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad URL or event type", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdateWebhook>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let url = match &body.url {
        Some(url) => check_url(&mut fields, &state, url).await,
        None => None,
    };
    let events = body.events.as_deref().map(|e| check_events(&mut fields, e));
    let description = match &body.description {
        Some(d) => check_description(&mut fields, d),
        None => None,
    };
    fields.finish()?;
    let changes = WebhookChanges {
        url,
        events,
        enabled: body.enabled,
        description,
    };
    let mut conn = state.pool.get().await?;
    let row = model::update(&mut conn, *id, changes, move |row| {
        if_match.check(&WebhookView::from(row.clone()))
    })
    .await?;
    audit::record(&mut conn, changed(&caller, "webhook.updated", &row)).await?;
    state.wake_deliveries.notify_waiters();
    http::item_written(&WebhookView::from(row))
}

/// Delete a webhook endpoint (admins), with its deliveries.
#[utoipa::path(
    operation_id = "deleteWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let mut conn = state.pool.get().await?;
    let row = model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_webhook)?;
    match model::delete(&mut conn, *id).await? {
        true => {
            audit::record(&mut conn, changed(&caller, "webhook.deleted", &row)).await?;
            Ok(HttpResponse::NoContent().finish())
        }
        false => Err(no_such_webhook()),
    }
}

/// Give a webhook endpoint a new signing secret (admins); the old one stops at once. The new
/// secret is in the answer, this once.
#[utoipa::path(
    operation_id = "rotateWebhookSecret",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The webhook and its new secret", body = WebhookWithSecret),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let secret = new_secret();
    let mut conn = state.pool.get().await?;
    let row = model::rotate_secret(&mut conn, *id, secret.clone()).await?;
    audit::record(&mut conn, changed(&caller, "webhook.secret_rotated", &row)).await?;
    let answer = WebhookWithSecret {
        webhook: WebhookView::from(row),
        secret,
    };
    Ok(HttpResponse::Ok().json(answer))
}

/// The deliveries of a webhook endpoint (admins), newest first, each with every try.
#[utoipa::path(
    operation_id = "listWebhookDeliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), PageQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = ListResponse<DeliveryView>),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Read)?;
    let paging = paging.0.check(model::DELIVERY_SORT)?;
    let mut conn = state.pool.get().await?;
    model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_webhook)?;
    let rows = model::deliveries(&mut conn, *id, &paging).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        None,
        model::delivery_cursor,
        DeliveryView::from,
    );
    http::list(&page, Cache::Private)
}

/// Send a delivery again, now (admins), whatever became of it.
#[utoipa::path(
    operation_id = "retryWebhookDelivery",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued; the delivery as it stands", body = DeliveryView),
        (status = 404, description = "No such delivery of this webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let (webhook, delivery) = path.into_inner();
    let mut conn = state.pool.get().await?;
    if !model::retry(&mut conn, webhook, delivery).await? {
        return Err(ApiError::NotFound(
            "no such delivery of this webhook".into(),
        ));
    }
    state.wake_deliveries.notify_waiters();
    accepted(&mut conn, webhook, delivery).await
}

/// Send a `webhook.ping` to an endpoint (admins), to check that it answers and verifies.
#[utoipa::path(
    operation_id = "pingWebhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 202, description = "Queued; the ping's delivery", body = DeliveryView),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let mut conn = state.pool.get().await?;
    model::find(&mut conn, *id)
        .await?
        .ok_or_else(no_such_webhook)?;
    let delivery = model::ping(&mut conn, *id).await?;
    state.wake_deliveries.notify_waiters();
    accepted(&mut conn, *id, delivery).await
}

/// 202 with the delivery as it stands.
async fn accepted(
    conn: &mut crate::db::DbConn,
    webhook: Uuid,
    delivery: Uuid,
) -> ApiResult<HttpResponse> {
    let found = model::find_delivery(conn, webhook, delivery)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such delivery of this webhook".into()))?;
    Ok(HttpResponse::Accepted().json(DeliveryView::from(found)))
}
