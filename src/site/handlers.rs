//! `/site`: the portal's settings (public read, admin write) and its visit counter.

use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use diesel_async::AsyncConnection;

use super::model::{self, SiteSettings};
use super::views::{PutSite, SiteView, VisitCount};
use crate::auth::{Access, Caller, MaybeCaller, Role};
use crate::domain::limits::{SITE_FIELD_MAX, SITE_TEXT_MAX};
use crate::domain::{Fields, PlainText, Title};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::{self, Verb};
use crate::http::{self, Cache, IfMatch, Json};
use crate::state::AppState;
use crate::text;

/// Get the site settings and visit count.
#[utoipa::path(
    operation_id = "getSite",
    tag = "site",
    responses(
        (status = 200, description = "The site", body = SiteView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/site")]
pub async fn get_site(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let view = SiteView::from(model::get(&mut conn).await?);
    http::counted_item(
        &req,
        http::counted(&view, "visit_count")?,
        Cache::for_caller(&caller.0),
    )
}

/// A required setting (the portal must show it), checked; empty when refused.
fn required(fields: &mut Fields, field: &str, value: &str) -> String {
    let parsed = Title::parse(value, SITE_FIELD_MAX);
    fields
        .take(field, parsed)
        .map(String::from)
        .unwrap_or_default()
}

/// An optional setting, checked; empty when refused.
fn optional(fields: &mut Fields, field: &str, value: &str) -> String {
    let parsed = PlainText::parse(value, SITE_TEXT_MAX);
    fields
        .take(field, parsed)
        .map(String::from)
        .unwrap_or_default()
}

/// Replace the site settings (admins).
///
/// Portals must show their publisher and the person responsible for the content, so both
/// are required. The visit counter is not part of the settings and is kept.
#[utoipa::path(
    operation_id = "updateSite",
    tag = "site",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = PutSite,
    responses(
        (status = 200, description = "The updated site", body = SiteView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/site")]
pub async fn put_site(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    body: Json<PutSite>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Admin, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let email = optional(&mut fields, "email", &body.email);
    if !email.is_empty() && text::parse_email(&email).is_err() {
        fields.push("email", "invalid", "not an email address");
    }
    let settings = SiteSettings {
        name: required(&mut fields, "name", &body.name),
        publisher: required(&mut fields, "publisher", &body.publisher),
        responsible_person: required(&mut fields, "responsible_person", &body.responsible_person),
        address: optional(&mut fields, "address", &body.address),
        phone: optional(&mut fields, "phone", &body.phone),
        fax: optional(&mut fields, "fax", &body.fax),
        email,
        attribution_notice: optional(&mut fields, "attribution_notice", &body.attribution_notice),
        time_zone: body
            .time_zone
            .as_deref()
            .map(str::trim)
            .unwrap_or("Asia/Ho_Chi_Minh")
            .to_string(),
    };
    let mut conn = state.pool.get().await?;
    if !model::is_time_zone(&mut conn, &settings.time_zone).await? {
        fields.push(
            "time_zone",
            "invalid",
            "not an IANA time zone name (e.g. Asia/Ho_Chi_Minh)",
        );
    }
    fields.finish()?;
    let actor = caller.actor();
    let view = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (row, changed) = model::replace(conn, settings, move |row| {
                if_match.check_counted(&SiteView::from(row.clone()), "visit_count")
            })
            .await?;
            let view = SiteView::from(row);
            if changed {
                events::record_one(conn, actor, Verb::Updated, &view).await?;
            }
            Ok(view)
        })
        .await?;
    http::updated_counted(http::counted(&view, "visit_count")?)
}

/// Count a visit to the portal (anonymous); an atomic increment.
#[utoipa::path(
    operation_id = "countSiteVisit",
    tag = "site",
    responses((status = 200, description = "The visit count after this visit", body = VisitCount))
)]
#[post("/site/visits")]
pub async fn add_site_visit(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let visit_count = model::add_visit(&mut conn).await?;
    http::list(&VisitCount { visit_count }, Cache::Private)
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_site)
        .service(put_site)
        .service(add_site_visit);
}
