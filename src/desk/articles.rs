//! Articles: the list (search, filters, cursor paging), the editor (with conflict handling),
//! preview, revisions with a readable diff and restore, the trash, and the pickers the editor
//! searches as one types.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Faults, Notice, Section};
use super::session::Desk;
use super::signin::see_other;
use super::{DeskError, diff};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(new_form)
        .service(create)
        .service(edit_form)
        .service(save)
        .service(move_to_trash)
        .service(restore);
}

pub(super) fn q(s: &str) -> String {
    page::urlencode(s)
}

/// Categories in tree order, each with its depth, for pickers and filters.
pub(super) async fn category_tree(desk: &Desk) -> Result<Vec<(String, String, usize)>, DeskError> {
    let answer = desk.api.get("/categories?limit=100").await?;
    let mut rows: Vec<(Vec<String>, String, String, usize)> = answer
        .items()
        .iter()
        .map(|c| {
            let path: Vec<String> = c["path"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["name"].as_str().unwrap_or_default().to_string())
                .collect();
            let depth = path.len().saturating_sub(1);
            (
                path,
                c["id"].as_str().unwrap_or_default().to_string(),
                c["name"].as_str().unwrap_or_default().to_string(),
                depth,
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(rows
        .into_iter()
        .map(|(_, id, name, depth)| (id, name, depth))
        .collect())
}

pub(super) fn category_options(tree: &[(String, String, usize)], selected: &str) -> Markup {
    html! {
        @for (id, name, depth) in tree {
            option value=(id) selected[id == selected] {
                (" ".repeat(*depth * 3)) @if *depth > 0 { "└ " } (name)
            }
        }
    }
}

pub(super) fn status_word(lang: Lang, status: &str) -> &'static str {
    lang.t(match status {
        "published" => T::StatusPublished,
        "scheduled" => T::StatusScheduled,
        "archived" => T::StatusArchived,
        _ => T::StatusDraft,
    })
}

/// What the editor shows: an article as read from the API, or as typed in a form.
#[derive(Default)]
struct Draft {
    id: Option<String>,
    title: String,
    slug: String,
    summary: String,
    body: String,
    status: String,
    published_at: String,
    category_id: String,
    cover_photo: Option<(String, String)>,
    /// (photo id, thumbnail URL, caption)
    gallery: Vec<(String, String, String)>,
    /// (id, title)
    related: Vec<(String, String)>,
    agreements: Vec<(String, String)>,
    /// The ETag the edit is based on.
    etag: String,
    trashed: bool,
}

fn thumb(photo: &Value) -> String {
    super::photos::variant(photo, "thumb").to_string()
}

impl Draft {
    fn of(tz: chrono_tz::Tz, a: &Value, etag: Option<String>) -> Draft {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        Draft {
            id: a["id"].as_str().map(String::from),
            title: s(&a["title"]),
            slug: s(&a["slug"]),
            summary: s(&a["summary"]),
            body: s(&a["body"]),
            status: s(&a["status"]),
            published_at: page::local_input(tz, &a["published_at"]),
            category_id: s(&a["category"]["id"]),
            cover_photo: a["cover_photo"]["id"]
                .as_str()
                .map(|id| (id.to_string(), thumb(&a["cover_photo"]))),
            gallery: a["photos"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (s(&p["photo"]["id"]), thumb(&p["photo"]), s(&p["caption"])))
                .collect(),
            related: vec![],
            agreements: a["agreements"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|g| (s(&g["id"]), agreement_label(g)))
                .collect(),
            etag: etag.unwrap_or_default(),
            trashed: !a["deleted_at"].is_null(),
        }
    }

    /// What the form sent, to show again as typed.
    fn typed(form: &Form, id: Option<String>) -> Draft {
        let pairs = |ids: &str, labels: &str| -> Vec<(String, String)> {
            form.all(ids)
                .zip(form.all(labels))
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let gallery = form
            .all("photo_id")
            .zip(form.all("photo_thumb"))
            .zip(form.all("photo_caption"))
            .map(|((id, t), c)| (id.to_string(), t.to_string(), c.to_string()))
            .collect();
        Draft {
            id,
            title: form.text("title").to_string(),
            slug: form.text("slug").to_string(),
            summary: form.text("summary").to_string(),
            body: form.text("body").to_string(),
            status: form.get("status").unwrap_or("draft").to_string(),
            published_at: form.text("published_at").to_string(),
            category_id: form.text("category_id").to_string(),
            cover_photo: form
                .filled("cover_photo_id")
                .map(|id| (id.to_string(), form.text("cover_photo_thumb").to_string())),
            gallery,
            related: pairs("related_ids", "related_labels"),
            agreements: pairs("agreement_ids", "agreement_labels"),
            etag: form.text("etag").to_string(),
            trashed: false,
        }
    }

    /// The JSON the API takes, from the form.
    fn payload(form: &Form, tz: chrono_tz::Tz, creating: bool, may_publish: bool) -> Value {
        let ids = |name: &'static str| -> Vec<&str> {
            form.all(name).filter(|v| !v.is_empty()).collect()
        };
        let photos: Vec<Value> = form
            .all("photo_id")
            .zip(form.all("photo_caption"))
            .enumerate()
            .map(|(i, (id, caption))| json!({"photo_id": id, "caption": caption, "position": i}))
            .collect();
        // A date that is not one is sent as typed: the API names the field (400).
        let published_at = form
            .filled("published_at")
            .map(|v| page::from_local_input(tz, v, "00:00").map_or_else(|| json!(v), Value::from))
            .unwrap_or(Value::Null);
        let mut body = json!({
            "title": form.text("title"),
            "summary": form.text("summary"),
            "body": form.text("body"),
            "category_id": form.filled("category_id"),
            "cover_photo_id": form.filled("cover_photo_id"),
            "photos": photos,
            "related_ids": ids("related_ids"),
            "agreement_ids": ids("agreement_ids"),
            "published_at": published_at,
        });
        // An author's form has no status; the API refuses any other than a draft from them,
        // whatever a forged form says, so a status sent is passed on as it is.
        if let Some(status) = form.filled("status") {
            body["status"] = json!(status);
        } else if creating || !may_publish {
            body["status"] = json!("draft");
        }
        match form.filled("slug") {
            Some(slug) => body["slug"] = json!(slug),
            None if creating => {}
            None => {}
        }
        body
    }
}

pub(super) fn agreement_label(g: &Value) -> String {
    match g["document_number"].as_str() {
        Some(n) if !n.is_empty() => format!("{n} — {}", g["title"].as_str().unwrap_or_default()),
        _ => g["title"].as_str().unwrap_or_default().to_string(),
    }
}

/// A list of chosen items (related articles, agreements) with hidden inputs, and the search
/// field that adds to it.
fn chooser(
    lang: Lang,
    id: &str,
    label: T,
    field: &str,
    label_field: &str,
    chosen: &[(String, String)],
    search_url: &str,
) -> Markup {
    html! {
        fieldset.chooser #(id) {
            legend { (lang.t(label)) }
            ul.chosen data-field=(field) {
                @for (value, text) in chosen {
                    li {
                        input type="hidden" name=(field) value=(value);
                        input type="hidden" name=(label_field) value=(text);
                        span { (text) }
                        button.link type="button" data-remove { (lang.t(T::Remove)) }
                    }
                }
            }
            label for=(format!("{id}-search")) { (lang.t(T::SearchToAdd)) }
            input id=(format!("{id}-search")) type="search" name="q" autocomplete="off"
                hx-get=(search_url) hx-trigger="input changed delay:300ms, search"
                hx-target=(format!("#{id}-results")) hx-include="this";
            div.results id=(format!("{id}-results")) aria-live="polite" {}
        }
    }
}

fn editor(
    desk: &Desk,
    d: &Draft,
    faults: &Faults,
    banner: Option<Markup>,
    categories: Markup,
) -> Markup {
    let lang = desk.lang;
    let action = match &d.id {
        Some(id) => format!("/admin/articles/{id}"),
        None => "/admin/articles".to_string(),
    };
    let tz_name = desk.tz.name();
    let f = faults;
    html! {
        @if let Some(b) = banner { (b) }
        form.editor #article-form method="post" action=(action) data-editor {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(d.etag);
            div.field {
                label for="title" { (lang.t(T::Title)) }
                input #title type="text" name="title" value=(d.title) required
                    aria-invalid=[f.of_field("title").map(|_| "true")]
                    aria-describedby=[page::described_by("title", f, "title")];
                (page::field_error("title", f, "title"))
            }
            div.field {
                label for="slug" { (lang.t(T::Slug)) }
                input #slug type="text" name="slug" value=(d.slug) autocomplete="off"
                    aria-describedby="slug-hint"
                    aria-invalid=[f.of_field("slug").map(|_| "true")];
                p.hint #slug-hint { (lang.t(T::SlugHint)) " " output #slug-preview hx-get="/admin/articles/slug"
                    hx-trigger="input changed delay:400ms from:#title" hx-include="#title" {} }
                (page::field_error("slug", f, "slug"))
            }
            div.field {
                label for="summary" { (lang.t(T::Summary)) }
                textarea #summary name="summary" rows="3"
                    aria-invalid=[f.of_field("summary").map(|_| "true")]
                    aria-describedby=[page::described_by("summary", f, "summary")] { (d.summary) }
                (page::field_error("summary", f, "summary"))
            }
            div.field.body-field {
                label #body-label for="body" { (lang.t(T::Body)) }
                div.toolbar role="toolbar" aria-label=(lang.t(T::Body)) aria-controls="body-editor" hidden {
                    button type="button" data-block="p" { (lang.t(T::Paragraph)) }
                    button type="button" data-block="h2" { (lang.t(T::Heading)) }
                    button type="button" data-block="h3" { (lang.t(T::Subheading)) }
                    button type="button" data-command="bold" aria-label=(lang.t(T::Bold)) { b { "B" } }
                    button type="button" data-command="italic" aria-label=(lang.t(T::Italic)) { i { "I" } }
                    button type="button" data-command="insertUnorderedList" { (lang.t(T::BulletList)) }
                    button type="button" data-command="insertOrderedList" { (lang.t(T::NumberedList)) }
                    button type="button" data-link data-prompt=(lang.t(T::LinkPrompt)) { (lang.t(T::Link)) }
                    button type="button" data-figure hx-get="/admin/photos/pick?mode=figure" hx-target="#photo-picker" { (lang.t(T::InsertPhoto)) }
                }
                div #body-editor.rich hidden contenteditable="true" role="textbox" aria-multiline="true" aria-labelledby="body-label" {}
                textarea #body name="body" rows="16"
                    aria-invalid=[f.of_field("body").map(|_| "true")]
                    aria-describedby=[page::described_by("body", f, "body")] { (d.body) }
                (page::field_error("body", f, "body"))
                div #photo-picker.picker aria-live="polite" {}
            }
            div.columns {
                div.field {
                    label for="category_id" { (lang.t(T::Category)) }
                    select #category_id name="category_id" aria-invalid=[f.of_field("category_id").map(|_| "true")] {
                        option value="" { (lang.t(T::NoCategory)) }
                        (categories)
                    }
                    (page::field_error("category_id", f, "category_id"))
                }
                div.field {
                    label for="status" { (lang.t(T::Status)) }
                    @if desk.is_editor() {
                        select #status name="status" {
                            @for s in ["draft", "scheduled", "published", "archived"] {
                                option value=(s) selected[d.status == s] { (status_word(lang, s)) }
                            }
                        }
                    } @else {
                        input #status type="text" value=(status_word(lang, &d.status)) readonly aria-describedby="status-hint";
                        p.hint #status-hint { (lang.t(T::AuthorsDraftOnly)) }
                    }
                    (page::field_error("status", f, "status"))
                }
                div.field {
                    label for="published_at" { (lang.t(T::PublishedAt)) }
                    input #published_at type="text" name="published_at" value=(d.published_at)
                        placeholder=(page::DATE_TIME_HINT) inputmode="numeric" autocomplete="off"
                        aria-describedby="published_at-hint"
                        aria-invalid=[f.of_field("published_at").map(|_| "true")];
                    p.hint #published_at-hint { (lang.f(T::PublishedAtHint, tz_name)) }
                    (page::field_error("published_at", f, "published_at"))
                }
            }
            fieldset.photos {
                legend { (lang.t(T::CoverPhoto)) }
                div #cover {
                    @if let Some((id, url)) = &d.cover_photo {
                        input type="hidden" name="cover_photo_id" value=(id);
                        input type="hidden" name="cover_photo_thumb" value=(url);
                        img src=(url) alt="" width="120";
                        button.link type="button" data-remove-cover { (lang.t(T::Remove)) }
                    } @else { span.muted { (lang.t(T::None_)) } }
                }
                button type="button" hx-get="/admin/photos/pick?mode=cover" hx-target="#photo-picker" { (lang.t(T::Choose)) }
                (page::field_error("cover_photo_id", f, "cover_photo_id"))
            }
            fieldset.photos {
                legend { (lang.t(T::Gallery)) }
                ol #gallery.gallery {
                    @for (i, (id, url, caption)) in d.gallery.iter().enumerate() {
                        li {
                            input type="hidden" name="photo_id" value=(id);
                            input type="hidden" name="photo_thumb" value=(url);
                            img src=(url) alt="" width="96";
                            label for=(format!("gallery-caption-{i}")) { (lang.t(T::Caption)) }
                            input id=(format!("gallery-caption-{i}")) type="text" name="photo_caption" value=(caption);
                            button.link type="button" data-remove { (lang.t(T::Remove)) }
                        }
                    }
                }
                button type="button" hx-get="/admin/photos/pick?mode=gallery" hx-target="#photo-picker" { (lang.t(T::Add)) }
                (page::field_error("photos", f, "photos"))
            }
            (chooser(lang, "related", T::RelatedArticles, "related_ids", "related_labels", &d.related, "/admin/articles/pick"))
            (page::field_error("related_ids", f, "related_ids"))
            (chooser(lang, "agreements", T::LinkedAgreements, "agreement_ids", "agreement_labels", &d.agreements, "/admin/agreements/pick"))
            (page::field_error("agreement_ids", f, "agreement_ids"))
            div.actions {
                button.primary type="submit" { (lang.t(T::Save)) }
                @if let Some(id) = &d.id {
                    a.button href=(format!("/admin/articles/{id}/preview")) target="_blank" rel="noopener" { (lang.t(T::Preview)) }
                    a.button href=(format!("/admin/articles/{id}/revisions")) { (lang.t(T::Revisions)) }
                }
            }
        }
        @if let (Some(id), true) = (&d.id, desk.is_editor() && !d.trashed) {
            form.danger method="post" action=(format!("/admin/articles/{id}/trash")) {
                (page::csrf_field(&desk.csrf))
                input type="hidden" name="etag" value=(d.etag);
                button type="submit" { (lang.t(T::MoveToTrash)) }
            }
        }
    }
}

/// Renders the editor with the category tree loaded.
async fn editor_page(
    desk: &Desk,
    status: StatusCode,
    d: &Draft,
    faults: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let tree = category_tree(desk).await?;
    let options = category_options(&tree, &d.category_id);
    let title = match &d.id {
        Some(_) => desk.t(T::EditArticle),
        None => desk.t(T::NewArticle),
    };
    let body = html! {
        div.heading {
            h1 { (title) }
            @if d.id.is_some() { (page::status_badge(desk.lang, &d.status, d.trashed)) }
        }
        (editor(desk, d, faults, banner, options))
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Articles,
        title,
        body,
    ))
}

#[get("/articles/new")]
async fn new_form(desk: Desk) -> Result<HttpResponse, DeskError> {
    let d = Draft {
        status: "draft".into(),
        ..Draft::default()
    };
    editor_page(&desk, StatusCode::OK, &d, &Faults::default(), None).await
}

/// Reads related articles' titles for the editor (the API gives their ids).
async fn related_of(desk: &Desk, ids: &Value) -> Vec<(String, String)> {
    let mut out = vec![];
    for id in ids
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let title = match desk.api.get(&format!("/articles/{id}")).await {
            Ok(a) => a.body["title"].as_str().unwrap_or(id).to_string(),
            Err(_) => id.to_string(),
        };
        out.push((id.to_string(), title));
    }
    out
}

async fn load(desk: &Desk, id: &str) -> Result<Draft, DeskError> {
    let answer = desk.api.get(&format!("/articles/{id}")).await?;
    let mut d = Draft::of(desk.tz, &answer.body, answer.etag.clone());
    d.related = related_of(desk, &answer.body["related_ids"]).await;
    Ok(d)
}

#[get("/articles/{id}")]
async fn edit_form(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    done: web::Query<page::Done>,
) -> Result<HttpResponse, DeskError> {
    let d = load(&desk, &id.to_string()).await?;
    let banner = done.done.as_deref().map(|what| {
        let key = match what {
            "created" => T::Created,
            "restored" => T::Restored,
            _ => T::Saved,
        };
        page::notice(Notice::Done, desk.t(key))
    });
    editor_page(&desk, StatusCode::OK, &d, &Faults::default(), banner).await
}

/// Shows the form again as typed, with what the API refused.
async fn refused(desk: &Desk, d: Draft, e: DeskError) -> Result<HttpResponse, DeskError> {
    match e {
        DeskError::Api { status, problem } if matches!(status, 400 | 403 | 409 | 422) => {
            let faults = Faults::of(desk.lang, &problem);
            let text = match (&faults.general, status) {
                (Some(detail), _) => faults.message(desk.lang, status, detail),
                (None, _) => desk.t(T::FixErrors).to_string(),
            };
            let banner = page::notice(Notice::Error, &text);
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            editor_page(desk, code, &d, &faults, Some(banner)).await
        }
        other => Err(other),
    }
}

#[post("/articles")]
async fn create(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let body = Draft::payload(&form, desk.tz, true, desk.is_editor());
    match desk.api.post("/articles", &body).await {
        Ok(a) => {
            let id = a.body["id"].as_str().unwrap_or_default();
            Ok(see_other(&format!("/admin/articles/{id}?done=created")))
        }
        Err(e) => refused(&desk, Draft::typed(&form, None), e).await,
    }
}

#[post("/articles/{id}")]
async fn save(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.to_string();
    let body = Draft::payload(&form, desk.tz, false, desk.is_editor());
    // "Save mine over theirs" is a choice made after seeing a conflict: it is based on the
    // version the conflict showed, so a third save in between is still caught.
    let base = match form.get("overwrite") {
        Some(theirs) if !theirs.is_empty() => theirs,
        _ => form.text("etag"),
    };
    let if_match = Some(base).filter(|t| !t.is_empty());
    match desk
        .api
        .patch(&format!("/articles/{id}"), if_match, &body)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/articles/{id}?done=saved"))),
        Err(DeskError::Api { status: 412, .. }) => conflict(&desk, &id, &form).await,
        Err(e) => refused(&desk, Draft::typed(&form, Some(id)), e).await,
    }
}

/// Someone saved meanwhile: the form comes back as typed, their version beside it, and
/// nothing is written until the editor chooses.
async fn conflict(desk: &Desk, id: &str, form: &Form) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let theirs = desk.api.get(&format!("/articles/{id}")).await?;
    let t = &theirs.body;
    let mut mine = Draft::typed(form, Some(id.to_string()));
    // The typed draft keeps the version it was based on; saving it again is refused again
    // unless the editor chooses to overwrite.
    mine.etag = form.text("etag").to_string();
    let who = page::when(desk.tz, &t["updated_at"]);
    let their_etag = theirs.etag.clone().unwrap_or_default();
    let title_diff = diff::words(t["title"].as_str().unwrap_or_default(), &mine.title);
    let summary_diff = diff::words(t["summary"].as_str().unwrap_or_default(), &mine.summary);
    let body_diff = diff::words(
        &diff::text_of_html(t["body"].as_str().unwrap_or_default()),
        &diff::text_of_html(&mine.body),
    );
    let banner = html! {
        section.conflict role="alert" aria-labelledby="conflict-title" {
            h2 #conflict-title { "⚠ " (lang.f(T::Conflict, &who)) }
            p { (lang.t(T::TheirVersion)) " → " (lang.t(T::YourVersion)) ":" }
            dl.diff {
                dt { (lang.t(T::Title)) } dd { (title_diff) }
                dt { (lang.t(T::Summary)) } dd { (summary_diff) }
                dt { (lang.t(T::Body)) } dd { (body_diff) }
            }
            p.legend { del { (lang.t(T::Removed)) } " " ins { (lang.t(T::Added)) } }
            button.danger type="submit" form="article-form" name="overwrite" value=(their_etag) {
                (lang.t(T::SaveMineAnyway))
            }
            " "
            a.button href=(format!("/admin/articles/{id}")) target="_blank" rel="noopener" { (lang.t(T::TheirVersion)) }
        }
    };
    editor_page(
        desk,
        StatusCode::CONFLICT,
        &mine,
        &Faults::default(),
        Some(banner),
    )
    .await
}

#[post("/articles/{id}/trash")]
async fn move_to_trash(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let if_match = form.filled("etag");
    desk.api
        .delete(&format!("/articles/{}", id.into_inner()), if_match)
        .await?;
    Ok(see_other("/admin/articles?done=trashed"))
}

#[post("/articles/{id}/restore")]
async fn restore(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner();
    desk.api
        .post(&format!("/articles/{id}/restore"), &json!({}))
        .await?;
    Ok(see_other(&format!("/admin/articles/{id}?done=restored")))
}
