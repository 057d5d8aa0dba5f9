//! Signatories (người ký: name, current position, body; what they signed) and organisations
//! (cơ quan, tổ chức: a tree by parent), each on its own pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::DeskError;
use super::agreements::{options, status_badge};
use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Faults, Notice, Section, s};
use super::session::Desk;
use super::signin::see_other;

const KINDS: [&str; 4] = ["party", "state", "front", "other"];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(signatories)
        .service(new_signatory)
        .service(create_signatory)
        .service(signatory)
        .service(save_signatory)
        .service(delete_signatory)
        .service(organizations)
        .service(new_organization)
        .service(create_organization)
        .service(organization)
        .service(save_organization)
        .service(delete_organization);
}

fn kind_label(lang: Lang, kind: &str) -> &'static str {
    lang.t(match kind {
        "party" => T::KindParty,
        "state" => T::KindState,
        "front" => T::KindFront,
        _ => T::KindOther,
    })
}

/// Organisations in tree order, labelled with their depth, for selects.
pub async fn organization_tree(desk: &Desk) -> Result<Vec<(String, String)>, DeskError> {
    let answer = desk.api.get("/organizations?limit=100").await?;
    Ok(tree(answer.items())
        .into_iter()
        .map(|(o, depth)| {
            let indent = "\u{a0}\u{a0}\u{a0}".repeat(depth);
            let mark = if depth > 0 { "└ " } else { "" };
            (
                s(&o["id"]).to_string(),
                format!("{indent}{mark}{}", s(&o["name"])),
            )
        })
        .collect())
}

/// Items with `parent_id`, ordered as a tree (each after its parent), with their depth.
fn tree(items: &[Value]) -> Vec<(&Value, usize)> {
    fn walk<'a>(
        items: &'a [Value],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(&'a Value, usize)>,
    ) {
        for item in items.iter().filter(|i| i["parent_id"].as_str() == parent) {
            out.push((item, depth));
            if depth < 16 {
                walk(items, item["id"].as_str(), depth + 1, out);
            }
        }
    }
    let mut out = vec![];
    walk(items, None, 0, &mut out);
    // Children whose parent is not on the page still show, at the top level.
    for item in items {
        if !out.iter().any(|(o, _)| o["id"] == item["id"]) {
            out.push((item, 0));
        }
    }
    out
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    done: Option<String>,
}

#[get("/signatories")]
async fn signatories(desk: Desk, query: web::Query<ListQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let text = query.q.clone().unwrap_or_default();
    let mut path = "/signatories?limit=100".to_string();
    if !text.trim().is_empty() {
        path.push_str(&format!("&q={}", page::urlencode(text.trim())));
    }
    let answer = desk.api.get(&path).await?;
    let body = html! {
        div.heading {
            h1 { (lang.t(T::Signatories)) }
            @if desk.is_editor() { a.button.primary href="/admin/signatories/new" { (lang.t(T::NewSignatory)) } }
        }
        @if query.done.is_some() { (page::notice(Notice::Done, lang.t(T::Deleted))) }
        form.filters method="get" action="/admin/signatories" role="search" {
            div.field {
                label for="q" { (lang.t(T::Search)) }
                input #q type="search" name="q" value=(text) placeholder=(lang.t(T::SearchHint));
            }
            button type="submit" { (lang.t(T::Filter)) }
        }
        table.list {
            thead { tr {
                th scope="col" { (lang.t(T::FullName)) }
                th scope="col" { (lang.t(T::CurrentPosition)) }
                th scope="col" { (lang.t(T::Organization)) }
            } }
            tbody {
                @for p in answer.items() {
                    tr {
                        td { a href=(format!("/admin/signatories/{}", s(&p["id"]))) { (s(&p["full_name"])) } }
                        td { (s(&p["current_position"])) }
                        td { (p["organization"]["name"].as_str().unwrap_or("—")) }
                    }
                }
            }
        }
    };
    Ok(page::page(
        &desk,
        Section::Signatories,
        lang.t(T::Signatories),
        body,
    ))
}

struct Person<'a> {
    id: Option<&'a str>,
    etag: &'a str,
    full_name: &'a str,
    current_position: &'a str,
    organization_id: &'a str,
    signed: Option<Markup>,
}

async fn render_signatory(
    desk: &Desk,
    status: StatusCode,
    p: Person<'_>,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let orgs = organization_tree(desk).await?;
    let action = p.id.map_or("/admin/signatories".to_string(), |id| {
        format!("/admin/signatories/{id}")
    });
    let title = p.id.map_or(lang.t(T::NewSignatory), |_| p.full_name);
    let body = html! {
        p { a href="/admin/signatories" { "← " (lang.t(T::Signatories)) } }
        h1 { (title) }
        @if let Some(b) = banner { (b) }
        form.card method="post" action=(action) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(p.etag);
            div.field {
                label for="full_name" { (lang.t(T::FullName)) }
                input #full_name type="text" name="full_name" value=(p.full_name) required
                    aria-invalid=[f.of_field("full_name").map(|_| "true")]
                    aria-describedby=[page::described_by("full_name", f, "full_name")];
                (page::field_error("full_name", f, "full_name"))
            }
            div.field {
                label for="current_position" { (lang.t(T::CurrentPosition)) }
                input #current_position type="text" name="current_position" value=(p.current_position);
                (page::field_error("current_position", f, "current_position"))
            }
            div.field {
                label for="organization_id" { (lang.t(T::Organization)) }
                select #organization_id name="organization_id" { (options(&orgs, p.organization_id, Some(lang.t(T::None_)))) }
                (page::field_error("organization_id", f, "organization_id"))
            }
            button.primary type="submit" { (lang.t(T::Save)) }
        }
        @if let Some(signed) = p.signed { (signed) }
        @if let (Some(id), true) = (p.id, desk.is_editor()) {
            form.danger method="post" action=(format!("/admin/signatories/{id}/delete")) {
                (page::csrf_field(&desk.csrf))
                input type="hidden" name="etag" value=(p.etag);
                button type="submit" { (lang.t(T::Delete)) }
            }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Signatories,
        title,
        body,
    ))
}

#[get("/signatories/new")]
async fn new_signatory(desk: Desk) -> Result<HttpResponse, DeskError> {
    let p = Person {
        id: None,
        etag: "",
        full_name: "",
        current_position: "",
        organization_id: "",
        signed: None,
    };
    render_signatory(&desk, StatusCode::OK, p, &Faults::default(), None).await
}

#[get("/signatories/{id}")]
async fn signatory(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    done: web::Query<ListQuery>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let id = id.into_inner();
    let answer = desk.api.get(&format!("/signatories/{id}")).await?;
    let signed = desk
        .api
        .get(&format!("/signatories/{id}/agreements"))
        .await?;
    let p = &answer.body;
    // What they signed, with the title held and the positions at the time.
    let rows: Vec<&Value> = signed
        .body
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_else(|| signed.items().iter().collect());
    let list = html! {
        section.card {
            h2 { (lang.t(T::WhatTheySigned)) }
            @if rows.is_empty() { p.empty { (lang.t(T::None_)) } }
            ul {
                @for r in &rows {
                    @let g = if r["agreement"].is_object() { &r["agreement"] } else { *r };
                    li {
                        a href=(format!("/admin/agreements/{}", s(&g["id"]))) {
                            (g["document_number"].as_str().unwrap_or("")) " " (s(&g["title"]))
                        }
                        @if let Some(st) = g["status"].as_str() { " " (status_badge(lang, st)) }
                        @if let Some(t) = r["signing_title"].as_str() { " — " (r["authority_prefix"].as_str().unwrap_or("")) " " (t) }
                    }
                }
            }
        }
    };
    let person = Person {
        id: p["id"].as_str(),
        etag: answer.etag.as_deref().unwrap_or_default(),
        full_name: s(&p["full_name"]),
        current_position: s(&p["current_position"]),
        organization_id: s(&p["organization"]["id"]),
        signed: Some(list),
    };
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, lang.t(T::Saved)));
    render_signatory(&desk, StatusCode::OK, person, &Faults::default(), banner).await
}

fn signatory_payload(form: &Form) -> Value {
    json!({
        "full_name": form.text("full_name"),
        "current_position": form.text("current_position"),
        "organization_id": form.filled("organization_id"),
    })
}

async fn refused_signatory(
    desk: &Desk,
    form: &Form,
    id: Option<&str>,
    e: DeskError,
) -> Result<HttpResponse, DeskError> {
    let (status, faults, text) = form_refusal(desk, e)?;
    let p = Person {
        id,
        etag: form.text("etag"),
        full_name: form.text("full_name"),
        current_position: form.text("current_position"),
        organization_id: form.text("organization_id"),
        signed: None,
    };
    render_signatory(
        desk,
        status,
        p,
        &faults,
        Some(page::notice(Notice::Error, &text)),
    )
    .await
}

/// A refusal a form shows (status, faults by field, the message), or the error page.
pub fn form_refusal(desk: &Desk, e: DeskError) -> Result<(StatusCode, Faults, String), DeskError> {
    match e {
        DeskError::Api { status, problem } if matches!(status, 400 | 403 | 409 | 412 | 422) => {
            let faults = Faults::of(desk.lang, &problem);
            let text = match (status, &faults.general) {
                (412, _) => desk.t(T::ChangedMeanwhile).to_string(),
                (_, Some(detail)) => faults.message(desk.lang, status, detail),
                (_, None) => desk.t(T::FixErrors).to_string(),
            };
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            Ok((code, faults, text))
        }
        other => Err(other),
    }
}

#[post("/signatories")]
async fn create_signatory(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    match desk
        .api
        .post("/signatories", &signatory_payload(&form))
        .await
    {
        Ok(a) => Ok(see_other(&format!(
            "/admin/signatories/{}?done=created",
            s(&a.body["id"])
        ))),
        Err(e) => refused_signatory(&desk, &form, None, e).await,
    }
}

#[post("/signatories/{id}")]
async fn save_signatory(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner().to_string();
    match desk
        .api
        .patch(
            &format!("/signatories/{id}"),
            form.filled("etag"),
            &signatory_payload(&form),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/signatories/{id}?done=saved"))),
        Err(e) => refused_signatory(&desk, &form, Some(&id), e).await,
    }
}

#[post("/signatories/{id}/delete")]
async fn delete_signatory(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner();
    match desk
        .api
        .delete(&format!("/signatories/{id}"), form.filled("etag"))
        .await
    {
        Ok(_) => Ok(see_other("/admin/signatories?done=deleted")),
        Err(e) => {
            let (status, _, text) = form_refusal(&desk, e)?;
            let answer = desk.api.get(&format!("/signatories/{id}")).await?;
            let p = &answer.body;
            let person = Person {
                id: p["id"].as_str(),
                etag: answer.etag.as_deref().unwrap_or_default(),
                full_name: s(&p["full_name"]),
                current_position: s(&p["current_position"]),
                organization_id: s(&p["organization"]["id"]),
                signed: None,
            };
            render_signatory(
                &desk,
                status,
                person,
                &Faults::default(),
                Some(page::notice(Notice::Error, &text)),
            )
            .await
        }
    }
}

#[get("/organizations")]
async fn organizations(
    desk: Desk,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let answer = desk.api.get("/organizations?limit=100").await?;
    let body = html! {
        div.heading {
            h1 { (lang.t(T::Organizations)) }
            @if desk.is_editor() { a.button.primary href="/admin/organizations/new" { (lang.t(T::NewOrganization)) } }
        }
        @if query.done.is_some() { (page::notice(Notice::Done, lang.t(T::Deleted))) }
        table.list {
            thead { tr {
                th scope="col" { (lang.t(T::Name)) }
                th scope="col" { (lang.t(T::ShortName)) }
                th scope="col" { (lang.t(T::Kind)) }
            } }
            tbody {
                @for (o, depth) in tree(answer.items()) {
                    tr {
                        td.tree { span.indent { ("\u{a0}\u{a0}\u{a0}".repeat(depth)) @if depth > 0 { "└ " } }
                            a href=(format!("/admin/organizations/{}", s(&o["id"]))) { (s(&o["name"])) } }
                        td { (s(&o["short_name"])) }
                        td { (kind_label(lang, s(&o["kind"]))) }
                    }
                }
            }
        }
    };
    Ok(page::page(
        &desk,
        Section::Organizations,
        lang.t(T::Organizations),
        body,
    ))
}

struct Org<'a> {
    id: Option<&'a str>,
    etag: &'a str,
    name: &'a str,
    short_name: &'a str,
    kind: &'a str,
    parent_id: &'a str,
}

async fn render_organization(
    desk: &Desk,
    status: StatusCode,
    o: Org<'_>,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let orgs: Vec<(String, String)> = organization_tree(desk)
        .await?
        .into_iter()
        .filter(|(id, _)| Some(id.as_str()) != o.id)
        .collect();
    let action = o.id.map_or("/admin/organizations".to_string(), |id| {
        format!("/admin/organizations/{id}")
    });
    let title = o.id.map_or(lang.t(T::NewOrganization), |_| o.name);
    let body = html! {
        p { a href="/admin/organizations" { "← " (lang.t(T::Organizations)) } }
        h1 { (title) }
        @if let Some(b) = banner { (b) }
        form.card method="post" action=(action) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(o.etag);
            div.field {
                label for="name" { (lang.t(T::Name)) }
                input #name type="text" name="name" value=(o.name) required
                    aria-invalid=[f.of_field("name").map(|_| "true")]
                    aria-describedby=[page::described_by("name", f, "name")];
                (page::field_error("name", f, "name"))
            }
            div.field {
                label for="short_name" { (lang.t(T::ShortName)) }
                input #short_name type="text" name="short_name" value=(o.short_name);
                (page::field_error("short_name", f, "short_name"))
            }
            div.field {
                label for="kind" { (lang.t(T::Kind)) }
                select #kind name="kind" {
                    @for k in KINDS { option value=(k) selected[o.kind == k] { (kind_label(lang, k)) } }
                }
            }
            div.field {
                label for="parent_id" { (lang.t(T::Parent)) }
                select #parent_id name="parent_id" { (options(&orgs, o.parent_id, Some(lang.t(T::None_)))) }
                (page::field_error("parent_id", f, "parent_id"))
            }
            button.primary type="submit" { (lang.t(T::Save)) }
        }
        @if let (Some(id), true) = (o.id, desk.is_editor()) {
            form.danger method="post" action=(format!("/admin/organizations/{id}/delete")) {
                (page::csrf_field(&desk.csrf))
                input type="hidden" name="etag" value=(o.etag);
                button type="submit" { (lang.t(T::Delete)) }
            }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Organizations,
        title,
        body,
    ))
}

#[get("/organizations/new")]
async fn new_organization(desk: Desk) -> Result<HttpResponse, DeskError> {
    let o = Org {
        id: None,
        etag: "",
        name: "",
        short_name: "",
        kind: "state",
        parent_id: "",
    };
    render_organization(&desk, StatusCode::OK, o, &Faults::default(), None).await
}

async fn stored_organization(
    desk: &Desk,
    id: &str,
    status: StatusCode,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let answer = desk.api.get(&format!("/organizations/{id}")).await?;
    let o = &answer.body;
    let org = Org {
        id: o["id"].as_str(),
        etag: answer.etag.as_deref().unwrap_or_default(),
        name: s(&o["name"]),
        short_name: s(&o["short_name"]),
        kind: s(&o["kind"]),
        parent_id: s(&o["parent_id"]),
    };
    render_organization(desk, status, org, &Faults::default(), banner).await
}

#[get("/organizations/{id}")]
async fn organization(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    done: web::Query<ListQuery>,
) -> Result<HttpResponse, DeskError> {
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Saved)));
    stored_organization(&desk, &id.into_inner().to_string(), StatusCode::OK, banner).await
}

fn organization_payload(form: &Form) -> Value {
    json!({
        "name": form.text("name"),
        "short_name": form.text("short_name"),
        "kind": form.text("kind"),
        "parent_id": form.filled("parent_id"),
    })
}

async fn refused_organization(
    desk: &Desk,
    form: &Form,
    id: Option<&str>,
    e: DeskError,
) -> Result<HttpResponse, DeskError> {
    let (status, faults, text) = form_refusal(desk, e)?;
    let o = Org {
        id,
        etag: form.text("etag"),
        name: form.text("name"),
        short_name: form.text("short_name"),
        kind: form.text("kind"),
        parent_id: form.text("parent_id"),
    };
    render_organization(
        desk,
        status,
        o,
        &faults,
        Some(page::notice(Notice::Error, &text)),
    )
    .await
}

#[post("/organizations")]
async fn create_organization(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    match desk
        .api
        .post("/organizations", &organization_payload(&form))
        .await
    {
        Ok(a) => Ok(see_other(&format!(
            "/admin/organizations/{}?done=created",
            s(&a.body["id"])
        ))),
        Err(e) => refused_organization(&desk, &form, None, e).await,
    }
}

#[post("/organizations/{id}")]
async fn save_organization(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner().to_string();
    match desk
        .api
        .patch(
            &format!("/organizations/{id}"),
            form.filled("etag"),
            &organization_payload(&form),
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/organizations/{id}?done=saved"))),
        Err(e) => refused_organization(&desk, &form, Some(&id), e).await,
    }
}

#[post("/organizations/{id}/delete")]
async fn delete_organization(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner().to_string();
    match desk
        .api
        .delete(&format!("/organizations/{id}"), form.filled("etag"))
        .await
    {
        Ok(_) => Ok(see_other("/admin/organizations?done=deleted")),
        Err(e) => {
            let (status, _, text) = form_refusal(&desk, e)?;
            stored_organization(&desk, &id, status, Some(page::notice(Notice::Error, &text))).await
        }
    }
}
