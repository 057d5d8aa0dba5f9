//! An article as readers will see it (preview), and its history: earlier versions, each
//! compared word by word with the current one, and restored.

use actix_web::{HttpResponse, get, post, web};
use maud::html;
use serde_json::{Value, json};

use super::form::Form;
use super::i18n::T;
use super::page::{self, Section};
use super::session::Desk;
use super::signin::see_other;
use super::{DeskError, diff};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(preview)
        .service(revisions)
        .service(revision)
        .service(restore_revision);
}

/// The article as the public will see it (body with its photos filled, gallery, cover).
#[get("/articles/{id}/preview")]
async fn preview(desk: Desk, id: web::Path<uuid::Uuid>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let a = desk
        .api
        .get(&format!("/articles/{}", id.into_inner()))
        .await?
        .body;
    let title = a["title"].as_str().unwrap_or_default();
    let body = html! {
        p.notice.done role="status" { (lang.t(T::PreviewNote)) }
        article.preview {
            @if let Some(path) = a["category"]["path"].as_array() {
                nav.breadcrumb aria-label=(lang.t(T::Breadcrumb)) {
                    @for (i, p) in path.iter().enumerate() {
                        @if i > 0 { " › " }
                        span { (p["name"].as_str().unwrap_or_default()) }
                    }
                }
            }
            h1 { (title) }
            p.muted { (page::when(desk.tz, &a["published_at"])) }
            @if let Some(cover) = a["cover_photo"].as_object() {
                img.cover src=(cover.get("url").and_then(Value::as_str).unwrap_or_default())
                    alt=(cover.get("alt_text").and_then(Value::as_str).unwrap_or_default());
            }
            p.summary { strong { (a["summary"].as_str().unwrap_or_default()) } }
            div.body { (page::trusted_html(a["body"].as_str().unwrap_or_default())) }
            @for p in a["photos"].as_array().into_iter().flatten() {
                figure {
                    img src=(p["photo"]["url"].as_str().unwrap_or_default()) alt=(p["photo"]["alt_text"].as_str().unwrap_or_default());
                    figcaption { (p["caption"].as_str().unwrap_or_default()) }
                }
            }
        }
    };
    Ok(page::page(&desk, Section::Articles, title, body))
}

#[get("/articles/{id}/revisions")]
async fn revisions(desk: Desk, id: web::Path<uuid::Uuid>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let id = id.into_inner();
    let current = desk.api.get(&format!("/articles/{id}")).await?.body;
    let history = desk
        .api
        .get(&format!("/articles/{id}/revisions?limit=100"))
        .await?;
    let body = html! {
        p { a href=(format!("/admin/articles/{id}")) { "← " (current["title"].as_str().unwrap_or_default()) } }
        h1 { (lang.t(T::Revisions)) }
        table.list {
            thead { tr {
                th scope="col" { "#" }
                th scope="col" { (lang.t(T::Title)) }
                th scope="col" { (lang.t(T::Status)) }
                th scope="col" { (lang.t(T::SavedBy)) }
                th scope="col" { (lang.t(T::When)) }
            } }
            tbody {
                @for r in history.items() {
                    @let n = r["version"].as_i64().unwrap_or_default();
                    tr {
                        td { a href=(format!("/admin/articles/{id}/revisions/{n}")) { (lang.f(T::Revision, n)) } }
                        td { (r["title"].as_str().unwrap_or_default()) }
                        td { (page::status_badge(lang, r["status"].as_str().unwrap_or_default(), false)) }
                        td { (r["author"]["display_name"].as_str().unwrap_or("—")) }
                        td { (page::when(desk.tz, &r["created_at"])) }
                    }
                }
            }
        }
    };
    Ok(page::page(
        &desk,
        Section::Articles,
        lang.t(T::Revisions),
        body,
    ))
}

#[get("/articles/{id}/revisions/{n}")]
async fn revision(
    desk: Desk,
    path: web::Path<(uuid::Uuid, u32)>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let (id, n) = path.into_inner();
    let current = desk.api.get(&format!("/articles/{id}")).await?;
    let old = desk
        .api
        .get(&format!("/articles/{id}/revisions/{n}"))
        .await?
        .body;
    let cur = &current.body;
    let fields: Vec<(T, String, String)> = vec![
        (T::Title, text(&old["title"]), text(&cur["title"])),
        (T::Slug, text(&old["slug"]), text(&cur["slug"])),
        (T::Status, text(&old["status"]), text(&cur["status"])),
        (T::Summary, text(&old["summary"]), text(&cur["summary"])),
        (
            T::Body,
            diff::text_of_html(&text(&old["body"])),
            diff::text_of_html(&text(&cur["body"])),
        ),
        (
            T::Category,
            text(&old["category"]["name"]),
            text(&cur["category"]["name"]),
        ),
    ];
    let changed: Vec<_> = fields.iter().filter(|(_, a, b)| a != b).collect();
    let body = html! {
        p { a href=(format!("/admin/articles/{id}/revisions")) { "← " (lang.t(T::Revisions)) } }
        h1 { (lang.f(T::Revision, n)) ": " (lang.t(T::Compare)) }
        @if changed.is_empty() {
            p { (lang.t(T::NoChanges)) }
        } @else {
            p.legend { del { (lang.t(T::Removed)) } " " ins { (lang.t(T::Added)) } " — " (lang.f(T::Revision, n)) " → " (lang.t(T::Updated)) }
            dl.diff {
                @for (key, a, b) in &changed {
                    dt { (lang.t(*key)) }
                    dd { (diff::words(a, b)) }
                }
            }
        }
        form method="post" action=(format!("/admin/articles/{id}/revisions/{n}/restore")) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(current.etag.clone().unwrap_or_default());
            button.primary type="submit" { (lang.t(T::RestoreRevision)) }
        }
    };
    Ok(page::page(
        &desk,
        Section::Articles,
        &lang.f(T::Revision, n),
        body,
    ))
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

#[post("/articles/{id}/revisions/{n}/restore")]
async fn restore_revision(
    desk: Desk,
    path: web::Path<(uuid::Uuid, u32)>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let (id, n) = path.into_inner();
    let if_match = form.filled("etag");
    desk.api
        .post_if(
            &format!("/articles/{id}/revisions/{n}/restore"),
            if_match,
            &json!({}),
        )
        .await?;
    Ok(see_other(&format!("/admin/articles/{id}?done=restored")))
}
