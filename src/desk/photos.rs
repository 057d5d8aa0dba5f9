//! The photo library: a searchable grid, uploads of several files at once (each streamed to
//! `POST /api/v1/photos`), a photo's caption, alt text, credit and date, deletion (refused
//! while in use, saying where), and the picker the article editor opens.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use maud::{Markup, html};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Faults, Notice, Section, s};
use super::session::Desk;
use super::signin::see_other;
use super::{DeskError, api};

/// Photos per page of the library, and in a picker.
const PAGE_SIZE: u32 = 24;
const PICK_SIZE: u32 = 12;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(library)
        .service(upload)
        .service(pick)
        .service(show)
        .service(save)
        .service(delete);
}

/// A photo's variant URL (`thumb`, `medium`, `large`), or the original.
pub fn variant<'a>(photo: &'a Value, name: &str) -> &'a str {
    photo["variants"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|v| v["name"] == name)
        .and_then(|v| v["url"].as_str())
        .unwrap_or_else(|| s(&photo["url"]))
}

#[derive(Deserialize)]
struct LibraryQuery {
    q: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

fn dropzone(lang: Lang, refresh: &str) -> Markup {
    html! {
        div.dropzone data-upload="/admin/photos/upload" data-refresh=(refresh)
            data-uploading=(lang.t(T::Uploading)) data-uploaded=(lang.t(T::Uploaded)) data-failed=(lang.t(T::UploadFailed)) {
            p { (lang.t(T::DropHere)) }
            label.button for="files" { (lang.t(T::ChooseFiles)) }
            input #files.visually-hidden type="file" name="file" multiple accept="image/jpeg,image/png,image/webp";
            ul.uploads aria-live="polite" {}
        }
    }
}

fn search_path(base: &str, q: &str) -> String {
    match q.trim() {
        "" => base.to_string(),
        q => format!("{base}&q={}", page::urlencode(q)),
    }
}

#[get("/photos")]
async fn library(desk: Desk, query: web::Query<LibraryQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let text = query.q.clone().unwrap_or_default();
    let mut path = search_path(&format!("/photos?limit={PAGE_SIZE}"), &text);
    if let Some(c) = &query.cursor {
        path.push_str(&format!("&cursor={}", page::urlencode(c)));
    }
    let answer = desk.api.get(&path).await?;
    let here = format!("/admin/photos?q={}", page::urlencode(&text));
    let body = html! {
        h1 { (lang.t(T::Photos)) }
        @if query.done.is_some() { (page::notice(Notice::Done, lang.t(T::Deleted))) }
        (dropzone(lang, "#photo-results"))
        form.filters method="get" action="/admin/photos" role="search"
            hx-get="/admin/photos" hx-trigger="input changed delay:300ms from:#q"
            hx-target="#photo-results" hx-select="#photo-results" hx-swap="outerHTML" hx-push-url="true" {
            div.field {
                label for="q" { (lang.t(T::Search)) }
                input #q type="search" name="q" value=(text) placeholder=(lang.t(T::SearchHint));
            }
            button type="submit" { (lang.t(T::Filter)) }
        }
        div #photo-results hx-get=(here) hx-trigger="refresh" hx-select="#photo-results" hx-swap="outerHTML" {
            @if answer.items().is_empty() {
                p.empty { (lang.t(T::NoPhotos)) }
            } @else {
                ul.photo-grid {
                    @for p in answer.items() {
                        li {
                            a href=(format!("/admin/photos/{}", s(&p["id"]))) {
                                img src=(variant(p, "thumb")) alt=(s(&p["alt_text"])) loading="lazy";
                            }
                            span.caption { (s(&p["caption"])) }
                            @if s(&p["alt_text"]).trim().is_empty() {
                                span.warn { "⚠ " (lang.t(T::AltMissing)) }
                            }
                            a href=(format!("/admin/photos/{}", s(&p["id"]))) { (lang.t(T::Edit)) }
                        }
                    }
                }
            }
            @if let Some(c) = answer.next_cursor() {
                nav.pager { a rel="next" href=(format!("{here}&cursor={}", page::urlencode(c))) { (lang.t(T::NextPage)) " »" } }
            }
        }
    };
    Ok(page::page(&desk, Section::Photos, lang.t(T::Photos), body))
}

/// One file of a multi-upload, streamed on to the API as it arrives (never buffered whole).
/// The CSRF token comes in a header (`desk.js` sends it).
#[post("/photos/upload")]
async fn upload(
    req: HttpRequest,
    desk: Desk,
    payload: web::Payload,
) -> Result<HttpResponse, DeskError> {
    stream_upload(&req, &desk, payload, "/photos").await
}

/// Streams a multipart upload on to `path` of the API, chunk by chunk; answers the API's
/// JSON (201), or its refusal as a short text for the page to show.
pub async fn stream_upload(
    req: &HttpRequest,
    desk: &Desk,
    mut payload: web::Payload,
    path: &str,
) -> Result<HttpResponse, DeskError> {
    let token = req
        .headers()
        .get(crate::auth::csrf::HEADER)
        .and_then(|v| v.to_str().ok());
    desk.check_csrf(token)?;
    let content_type = req
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    actix_web::rt::spawn(async move {
        while let Some(chunk) = payload.next().await {
            let item = chunk.map_err(|e| std::io::Error::other(e.to_string()));
            if tx.send(item).await.is_err() {
                break;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    let sent = desk
        .api
        .raw(Method::POST, path)
        .header("content-type", content_type)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await;
    match api::answer(sent).await {
        Ok(a) => Ok(HttpResponse::Created()
            .content_type("application/json")
            .body(a.body.to_string())),
        Err(DeskError::Api { status, problem }) => Ok(page::html_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            html! { (s(&problem["detail"])) },
        )),
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct PickQuery {
    mode: Option<String>,
    q: Option<String>,
}

/// The picker the article editor opens: search, upload, choose (as a figure in the body, the
/// cover, or a gallery photo).
#[get("/photos/pick")]
async fn pick(desk: Desk, query: web::Query<PickQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let mode = match query.mode.as_deref() {
        Some("cover") => "cover",
        Some("gallery") => "gallery",
        _ => "figure",
    };
    let text = query.q.clone().unwrap_or_default();
    let answer = desk
        .api
        .get(&search_path(&format!("/photos?limit={PICK_SIZE}"), &text))
        .await?;
    let refresh_url = format!(
        "/admin/photos/pick?mode={mode}&q={}",
        page::urlencode(&text)
    );
    Ok(page::fragment(html! {
        div #picker-body hx-get=(refresh_url) hx-trigger="refresh" hx-target="#photo-picker" {
            h2 { (lang.t(T::InsertPhoto)) }
            (dropzone(lang, "#picker-body"))
            div.field {
                label for="picker-q" { (lang.t(T::Search)) }
                input #picker-q type="search" name="q" value=(text) autocomplete="off"
                    hx-get=(format!("/admin/photos/pick?mode={mode}")) hx-trigger="input changed delay:300ms, search"
                    hx-target="#photo-picker";
            }
            @if answer.items().is_empty() {
                p.empty { (lang.t(T::NoPhotos)) }
            } @else {
                ul.photo-grid {
                    @for p in answer.items() {
                        li {
                            img src=(variant(p, "thumb")) alt=(s(&p["alt_text"]));
                            span.caption { (s(&p["caption"])) }
                            button type="button"
                                data-choose-photo=(s(&p["id"])) data-mode=(mode)
                                data-thumb=(variant(p, "thumb")) data-src=(variant(p, "medium"))
                                data-alt=(s(&p["alt_text"])) data-caption=(s(&p["caption"]))
                                data-caption-label=(lang.t(T::Caption)) data-remove-text=(lang.t(T::Remove)) {
                                (lang.t(T::Choose))
                            }
                        }
                    }
                }
            }
            button type="button" data-close-picker { (lang.t(T::Cancel)) }
        }
    }))
}

struct Shown<'a> {
    photo: &'a Value,
    etag: &'a str,
    caption: &'a str,
    alt_text: &'a str,
    credit: &'a str,
    taken_on: &'a str,
    faults: Faults,
    notice: Option<(Notice, String)>,
}

fn render(desk: &Desk, status: StatusCode, p: Shown) -> HttpResponse {
    let lang = desk.lang;
    let id = s(&p.photo["id"]);
    let f = &p.faults;
    let body = html! {
        p { a href="/admin/photos" { "← " (lang.t(T::Photos)) } }
        h1 { (lang.t(T::Photos)) }
        @if let Some((kind, text)) = &p.notice { (page::notice(*kind, text)) }
        div.columns {
            img src=(variant(p.photo, "medium")) alt=(p.alt_text) width="480";
            p.muted { (p.photo["width"]) " × " (p.photo["height"]) " px · " (s(&p.photo["mime_type"])) }
        }
        form.card method="post" action=(format!("/admin/photos/{id}")) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(p.etag);
            div.field {
                label for="caption" { (lang.t(T::Caption)) }
                textarea #caption name="caption" rows="2" { (p.caption) }
                (page::field_error("caption", f, "caption"))
            }
            div.field {
                label for="alt_text" { (lang.t(T::AltText)) }
                input #alt_text type="text" name="alt_text" value=(p.alt_text)
                    aria-describedby=[p.alt_text.trim().is_empty().then_some("alt-warning")];
                @if p.alt_text.trim().is_empty() {
                    p.warn #alt-warning { "⚠ " (lang.t(T::AltMissing)) }
                }
                (page::field_error("alt_text", f, "alt_text"))
            }
            div.field {
                label for="credit" { (lang.t(T::Credit)) }
                input #credit type="text" name="credit" value=(p.credit);
                (page::field_error("credit", f, "credit"))
            }
            div.field {
                label for="taken_on" { (lang.t(T::TakenAt)) }
                input #taken_on type="text" name="taken_on" value=(p.taken_on)
                    placeholder=(page::DATE_HINT) inputmode="numeric" autocomplete="off";
                (page::field_error("taken_at", f, "taken_at"))
            }
            button.primary type="submit" { (lang.t(T::Save)) }
        }
        form.danger method="post" action=(format!("/admin/photos/{id}/delete")) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(p.etag);
            button type="submit" { (lang.t(T::Delete)) }
        }
    };
    page::page_with_status(desk, status, Section::Photos, lang.t(T::Photos), body)
}

/// The day a photo was taken, in the site's time zone, as a date input's value.
fn taken_on(desk: &Desk, photo: &Value) -> String {
    page::local_input(desk.tz, &photo["taken_at"])
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The photo as stored, with a notice.
fn render_stored(
    desk: &Desk,
    status: StatusCode,
    answer: &api::Answer,
    notice: Option<(Notice, String)>,
) -> HttpResponse {
    let photo = &answer.body;
    let day = taken_on(desk, photo);
    render(
        desk,
        status,
        Shown {
            photo,
            etag: answer.etag.as_deref().unwrap_or_default(),
            caption: s(&photo["caption"]),
            alt_text: s(&photo["alt_text"]),
            credit: s(&photo["credit"]),
            taken_on: &day,
            faults: Faults::default(),
            notice,
        },
    )
}

#[get("/photos/{id}")]
async fn show(desk: Desk, id: web::Path<uuid::Uuid>) -> Result<HttpResponse, DeskError> {
    let answer = desk
        .api
        .get(&format!("/photos/{}", id.into_inner()))
        .await?;
    Ok(render_stored(&desk, StatusCode::OK, &answer, None))
}

#[post("/photos/{id}")]
async fn save(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner();
    // A day is noon of that day in the site's time zone (never another day in any zone).
    let taken_at = form
        .filled("taken_on")
        .map(|d| page::from_local_input(desk.tz, d, "12:00").map_or_else(|| json!(d), Value::from))
        .unwrap_or(Value::Null);
    let body = json!({
        "caption": form.text("caption"),
        "alt_text": form.text("alt_text"),
        "credit": form.text("credit"),
        "taken_at": taken_at,
    });
    let result = desk
        .api
        .patch(&format!("/photos/{id}"), form.filled("etag"), &body)
        .await;
    let (status, faults, notice) = match result {
        Ok(_) => (
            StatusCode::OK,
            Faults::default(),
            (Notice::Done, desk.t(T::Saved).to_string()),
        ),
        Err(DeskError::Api { status, problem })
            if matches!(status, 400 | 403 | 409 | 412 | 422) =>
        {
            let faults = Faults::of(desk.lang, &problem);
            let text = faults
                .general
                .clone()
                .unwrap_or_else(|| desk.t(T::FixErrors).to_string());
            (
                StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                faults,
                (Notice::Error, text),
            )
        }
        Err(e) => return Err(e),
    };
    let answer = desk.api.get(&format!("/photos/{id}")).await?;
    Ok(render(
        &desk,
        status,
        Shown {
            photo: &answer.body,
            etag: answer.etag.as_deref().unwrap_or_default(),
            caption: form.text("caption"),
            alt_text: form.text("alt_text"),
            credit: form.text("credit"),
            taken_on: form.text("taken_on"),
            faults,
            notice: Some(notice),
        },
    ))
}

#[post("/photos/{id}/delete")]
async fn delete(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner();
    match desk
        .api
        .delete(&format!("/photos/{id}"), form.filled("etag"))
        .await
    {
        Ok(_) => Ok(see_other("/admin/photos?done=deleted")),
        Err(DeskError::Api {
            status: 409,
            problem,
        }) => {
            let answer = desk.api.get(&format!("/photos/{id}")).await?;
            let text = desk.lang.f(T::InUse, s(&problem["detail"]));
            let notice = Some((Notice::Error, text));
            Ok(render_stored(&desk, StatusCode::CONFLICT, &answer, notice))
        }
        Err(e) => Err(e),
    }
}
