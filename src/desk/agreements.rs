//! Agreements (văn bản phối hợp): the list, and the form with number, type, dates, term,
//! parties, signatures (signatory, organisation, TM./KT./… prefix, signing title, position at
//! signing), relations and PDF attachments; the status the API derives is shown.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::{Value, json};

use super::DeskError;
use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Faults, Notice, Section, s};
use super::session::Desk;
use super::signin::see_other;

const PAGE_SIZE: u32 = 20;
/// Empty rows offered for new parties, signatures and relations (the script adds more).
const SPARE_ROWS: usize = 2;
const PREFIXES: [&str; 5] = ["TM.", "KT.", "Q.", "TL.", "TUQ."];
const RELATION_KINDS: [&str; 7] = [
    "replaces",
    "amends",
    "repeals",
    "corrects",
    "based_on",
    "implements",
    "references",
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list)
        .service(new_form)
        .service(create)
        .service(edit_form)
        .service(save)
        .service(upload_attachment)
        .service(delete_attachment);
}

/// The derived status, as words and a badge.
pub fn status_badge(lang: Lang, status: &str) -> Markup {
    let key = match status {
        "in_effect" => T::AgreementInEffect,
        "expired" => T::AgreementExpired,
        "superseded" => T::AgreementSuperseded,
        _ => T::AgreementUpcoming,
    };
    let class = match status {
        "in_effect" => "published",
        "expired" | "superseded" => "archived",
        _ => "scheduled",
    };
    html! { span class=(format!("badge {class}")) { (lang.t(key)) } }
}

fn relation_label(lang: Lang, kind: &str) -> &'static str {
    lang.t(match kind {
        "replaces" => T::RelReplaces,
        "amends" => T::RelAmends,
        "repeals" => T::RelRepeals,
        "corrects" => T::RelCorrects,
        "based_on" => T::RelBasedOn,
        "implements" => T::RelImplements,
        _ => T::RelReferences,
    })
}

#[derive(Deserialize)]
struct ListQuery {
    q: Option<String>,
    cursor: Option<String>,
}

#[get("/agreements")]
async fn list(desk: Desk, query: web::Query<ListQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let text = query.q.clone().unwrap_or_default();
    let mut path = format!("/agreements?limit={PAGE_SIZE}");
    if !text.trim().is_empty() {
        path.push_str(&format!("&q={}", page::urlencode(text.trim())));
    }
    if let Some(c) = &query.cursor {
        path.push_str(&format!("&cursor={}", page::urlencode(c)));
    }
    let answer = desk.api.get(&path).await?;
    let body = html! {
        div.heading {
            h1 { (lang.t(T::Agreements)) }
            @if desk.is_editor() {
                a.button.primary href="/admin/agreements/new" { (lang.t(T::NewAgreement)) }
            }
        }
        form.filters method="get" action="/admin/agreements" role="search"
            hx-get="/admin/agreements" hx-trigger="input changed delay:300ms from:#q"
            hx-target="#results" hx-select="#results" hx-swap="outerHTML" hx-push-url="true" {
            div.field {
                label for="q" { (lang.t(T::Search)) }
                input #q type="search" name="q" value=(text) placeholder=(lang.t(T::AgreementSearchHint));
            }
            button type="submit" { (lang.t(T::Filter)) }
        }
        div #results {
            table.list {
                thead { tr {
                    th scope="col" { (lang.t(T::DocumentNumber)) }
                    th scope="col" { (lang.t(T::Title)) }
                    th scope="col" { (lang.t(T::DocType)) }
                    th scope="col" { (lang.t(T::SignedOn)) }
                    th scope="col" { (lang.t(T::Status)) }
                } }
                tbody {
                    @for g in answer.items() {
                        tr {
                            td { (g["document_number"].as_str().unwrap_or("—")) }
                            td { a href=(format!("/admin/agreements/{}", s(&g["id"]))) { (s(&g["title"])) } }
                            td { (s(&g["doc_type_label"])) }
                            td { (page::day(&g["signed_on"])) }
                            td { (status_badge(lang, s(&g["status"]))) }
                        }
                    }
                }
            }
            @if let Some(c) = answer.next_cursor() {
                nav.pager { a rel="next" href=(format!("/admin/agreements?q={}&cursor={}", page::urlencode(&text), page::urlencode(c))) { (lang.t(T::NextPage)) " »" } }
            }
        }
    };
    Ok(page::page(
        &desk,
        Section::Agreements,
        lang.t(T::Agreements),
        body,
    ))
}

/// What the form's selects offer: document types, organisations (as a tree), signatories,
/// other agreements.
struct Choices {
    doc_types: Vec<(String, String)>,
    organizations: Vec<(String, String)>,
    signatories: Vec<(String, String)>,
    agreements: Vec<(String, String)>,
}

async fn choices(desk: &Desk) -> Result<Choices, DeskError> {
    let doc_types = desk.api.get("/agreements/doc-types").await?;
    let doc_types = doc_types
        .body
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| (s(&t["code"]).to_string(), s(&t["label"]).to_string()))
        .collect();
    let organizations = super::people::organization_tree(desk).await?;
    let signatories = desk
        .api
        .get("/signatories?limit=100&sort=name")
        .await?
        .items()
        .iter()
        .map(|p| {
            let label = match s(&p["current_position"]) {
                "" => s(&p["full_name"]).to_string(),
                pos => format!("{} — {pos}", s(&p["full_name"])),
            };
            (s(&p["id"]).to_string(), label)
        })
        .collect();
    let agreements = desk
        .api
        .get("/agreements?limit=100")
        .await?
        .items()
        .iter()
        .map(|g| {
            let label = match g["document_number"].as_str() {
                Some(n) => format!("{n} — {}", s(&g["title"])),
                None => s(&g["title"]).to_string(),
            };
            (s(&g["id"]).to_string(), label)
        })
        .collect();
    Ok(Choices {
        doc_types,
        organizations,
        signatories,
        agreements,
    })
}

pub fn options(items: &[(String, String)], selected: &str, empty: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = empty { option value="" { (e) } }
        @for (value, label) in items {
            option value=(value) selected[value == selected] { (label) }
        }
    }
}

/// An agreement as shown in the form: read from the API, or as typed.
#[derive(Default)]
struct Shown {
    id: Option<String>,
    etag: String,
    status: String,
    fields: Vec<(&'static str, String)>,
    /// (organisation, role)
    parties: Vec<(String, String)>,
    /// (signatory, organisation, prefix, signing title, positions at signing)
    signatures: Vec<[String; 5]>,
    /// (kind, agreement, reference text)
    relations: Vec<[String; 3]>,
    /// (id, file name, URL, size)
    attachments: Vec<(String, String, String, i64)>,
}

/// The plain fields of the form, by name.
const FIELDS: [&str; 11] = [
    "document_number",
    "doc_type",
    "title",
    "summary",
    "place",
    "signed_on",
    "effective_from",
    "effective_to",
    "term_start_year",
    "term_end_year",
    "body",
];
const DATES: [&str; 3] = ["signed_on", "effective_from", "effective_to"];

impl Shown {
    fn field(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| *k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn of(g: &Value, etag: Option<String>) -> Shown {
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        let fields = FIELDS
            .iter()
            .map(|&f| {
                let value = match DATES.contains(&f) {
                    true => page::day(&g[f]),
                    false => text(&g[f]),
                };
                (f, value)
            })
            .collect();
        Shown {
            id: g["id"].as_str().map(String::from),
            etag: etag.unwrap_or_default(),
            status: s(&g["status"]).to_string(),
            fields,
            parties: g["parties"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| (text(&p["organization"]["id"]), text(&p["role"])))
                .collect(),
            signatures: g["signatures"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| {
                    [
                        text(&x["signatory"]["id"]),
                        text(&x["organization"]["id"]),
                        text(&x["authority_prefix"]),
                        text(&x["signing_title"]),
                        text(&x["positions_at_signing"]),
                    ]
                })
                .collect(),
            relations: g["relations"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|r| {
                    [
                        text(&r["kind"]),
                        text(&r["agreement"]["id"]),
                        text(&r["reference_text"]),
                    ]
                })
                .collect(),
            attachments: g["attachments"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|a| {
                    (
                        text(&a["id"]),
                        text(&a["file_name"]),
                        text(&a["url"]),
                        a["size_bytes"].as_i64().unwrap_or_default(),
                    )
                })
                .collect(),
        }
    }

    fn typed(form: &Form, id: Option<String>) -> Shown {
        let column =
            |name: &'static str| -> Vec<String> { form.all(name).map(String::from).collect() };
        let (orgs, roles) = (column("party_org"), column("party_role"));
        let sig: Vec<Vec<String>> = [
            "sig_signatory",
            "sig_org",
            "sig_prefix",
            "sig_title",
            "sig_positions",
        ]
        .into_iter()
        .map(column)
        .collect();
        let rel: Vec<Vec<String>> = ["rel_kind", "rel_agreement", "rel_text"]
            .into_iter()
            .map(column)
            .collect();
        let at = |c: &Vec<String>, i: usize| c.get(i).cloned().unwrap_or_default();
        Shown {
            id,
            etag: form.text("etag").to_string(),
            status: String::new(),
            fields: FIELDS
                .iter()
                .map(|&f| (f, form.text(f).to_string()))
                .collect(),
            parties: orgs
                .iter()
                .cloned()
                .zip(roles)
                .filter(|(o, _)| !o.is_empty())
                .collect(),
            signatures: (0..sig[0].len())
                .map(|i| {
                    [
                        at(&sig[0], i),
                        at(&sig[1], i),
                        at(&sig[2], i),
                        at(&sig[3], i),
                        at(&sig[4], i),
                    ]
                })
                .filter(|r| !r[0].is_empty())
                .collect(),
            relations: (0..rel[0].len())
                .map(|i| [at(&rel[0], i), at(&rel[1], i), at(&rel[2], i)])
                .filter(|r| !r[1].is_empty() || !r[2].trim().is_empty())
                .collect(),
            attachments: vec![],
        }
    }

    /// The JSON the API takes.
    fn payload(form: &Form, tz: chrono_tz::Tz) -> Value {
        let typed = Shown::typed(form, None);
        let mut body = json!({});
        for f in FIELDS {
            let value = form.text(f).trim();
            body[f] = match f {
                _ if value.is_empty() && f != "title" && f != "doc_type" => Value::Null,
                "term_start_year" | "term_end_year" => value
                    .parse::<i64>()
                    .map_or_else(|_| json!(value), Value::from),
                _ if DATES.contains(&f) => page::from_local_input(tz, value, "00:00")
                    .and_then(|t| {
                        chrono::DateTime::parse_from_rfc3339(&t)
                            .ok()
                            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d").to_string())
                    })
                    .map_or_else(|| json!(value), Value::from),
                _ => json!(value),
            };
        }
        body["parties"] = typed
            .parties
            .iter()
            .enumerate()
            .map(
                |(i, (org, role))| json!({"organization_id": org, "role": role, "position": i + 1}),
            )
            .collect();
        body["signatures"] = typed
            .signatures
            .iter()
            .enumerate()
            .map(|(i, [who, org, prefix, title, positions])| {
                json!({
                    "signatory_id": who,
                    "organization_id": Some(org).filter(|o| !o.is_empty()),
                    "authority_prefix": Some(prefix).filter(|p| !p.is_empty()),
                    "signing_title": title,
                    "positions_at_signing": positions,
                    "position": i + 1,
                })
            })
            .collect();
        body["relations"] = typed
            .relations
            .iter()
            .map(|[kind, agreement, text]| {
                json!({
                    "kind": kind,
                    "agreement_id": Some(agreement).filter(|a| !a.is_empty()),
                    "reference_text": Some(text.trim()).filter(|t| !t.is_empty()),
                })
            })
            .collect();
        body
    }
}

fn text_field(
    lang: Lang,
    f: &Faults,
    shown: &Shown,
    name: &'static str,
    label: T,
    hint: Option<&str>,
) -> Markup {
    page::text_input(f, name, lang.t(label), "text", shown.field(name), hint)
}

fn render(
    desk: &Desk,
    status: StatusCode,
    g: &Shown,
    c: &Choices,
    f: &Faults,
    banner: Option<Markup>,
) -> HttpResponse {
    let lang = desk.lang;
    let action = match &g.id {
        Some(id) => format!("/admin/agreements/{id}"),
        None => "/admin/agreements".to_string(),
    };
    let title = match &g.id {
        Some(_) => lang.t(T::EditAgreement),
        None => lang.t(T::NewAgreement),
    };
    let parties: Vec<(String, String)> = g
        .parties
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(
            (String::new(), "partner".to_string()),
            SPARE_ROWS,
        ))
        .collect();
    let empty_sig: [String; 5] = Default::default();
    let signatures: Vec<[String; 5]> = g
        .signatures
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(empty_sig, SPARE_ROWS))
        .collect();
    let relations: Vec<[String; 3]> = g
        .relations
        .iter()
        .cloned()
        .chain(std::iter::repeat_n(
            ["references".to_string(), String::new(), String::new()],
            1,
        ))
        .collect();
    let none = lang.t(T::None_);
    let body = html! {
        p { a href="/admin/agreements" { "← " (lang.t(T::Agreements)) } }
        div.heading {
            h1 { (title) }
            @if g.id.is_some() { (status_badge(lang, &g.status)) span.muted { (lang.t(T::StatusDerived)) } }
        }
        @if let Some(b) = banner { (b) }
        form.editor #agreement-form method="post" action=(action) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(g.etag);
            div.columns {
                (text_field(lang, f, g, "document_number", T::DocumentNumber, Some("31B-QCPH/BDV-ĐĐHĐND")))
                div.field {
                    label for="doc_type" { (lang.t(T::DocType)) }
                    select #doc_type name="doc_type" { (options(&c.doc_types, g.field("doc_type"), None)) }
                    (page::field_error("doc_type", f, "doc_type"))
                }
                (text_field(lang, f, g, "place", T::Place, None))
            }
            div.field {
                label for="title" { (lang.t(T::Title)) }
                input #title type="text" name="title" value=(g.field("title")) required
                    aria-invalid=[f.of_field("title").map(|_| "true")]
                    aria-describedby=[page::described_by("title", f, "title")];
                (page::field_error("title", f, "title"))
            }
            div.field {
                label for="summary" { (lang.t(T::Summary)) }
                textarea #summary name="summary" rows="3" { (g.field("summary")) }
                (page::field_error("summary", f, "summary"))
            }
            input type="hidden" name="body" value=(g.field("body"));
            div.columns {
                (text_field(lang, f, g, "signed_on", T::SignedOn, Some(page::DATE_HINT)))
                (text_field(lang, f, g, "effective_from", T::EffectiveFrom, Some(page::DATE_HINT)))
                (text_field(lang, f, g, "effective_to", T::EffectiveTo, Some(page::DATE_HINT)))
                (text_field(lang, f, g, "term_start_year", T::TermStart, Some("2021")))
                (text_field(lang, f, g, "term_end_year", T::TermEnd, Some("2026")))
            }
            fieldset.rows {
                legend { (lang.t(T::Parties)) }
                (page::field_error("parties", f, "parties"))
                table.list {
                    thead { tr { th scope="col" { (lang.t(T::Organization)) } th scope="col" { (lang.t(T::PartyRoleLabel)) } } }
                    tbody data-rows {
                        @for (i, (org, role)) in parties.iter().enumerate() {
                            tr {
                                td {
                                    label.visually-hidden for=(format!("party-org-{i}")) { (lang.t(T::Organization)) " " (i + 1) }
                                    select id=(format!("party-org-{i}")) name="party_org" { (options(&c.organizations, org, Some(none))) }
                                }
                                td {
                                    label.visually-hidden for=(format!("party-role-{i}")) { (lang.t(T::PartyRoleLabel)) " " (i + 1) }
                                    select id=(format!("party-role-{i}")) name="party_role" {
                                        option value="lead" selected[role == "lead"] { (lang.t(T::RoleLead)) }
                                        option value="partner" selected[role == "partner"] { (lang.t(T::RolePartner)) }
                                    }
                                }
                            }
                        }
                    }
                }
                button type="button" data-add-row { (lang.t(T::AddRow)) }
            }
            fieldset.rows {
                legend { (lang.t(T::Signatures)) }
                (page::field_error("signatures", f, "signatures"))
                table.list {
                    thead { tr {
                        th scope="col" { (lang.t(T::Signatory)) }
                        th scope="col" { (lang.t(T::SignedFor)) }
                        th scope="col" { (lang.t(T::Prefix)) }
                        th scope="col" { (lang.t(T::SigningTitle)) }
                        th scope="col" { (lang.t(T::PositionsAtSigning)) }
                    } }
                    tbody data-rows {
                        @for (i, [who, org, prefix, title_held, positions]) in signatures.iter().enumerate() {
                            tr {
                                td {
                                    label.visually-hidden for=(format!("sig-who-{i}")) { (lang.t(T::Signatory)) " " (i + 1) }
                                    select id=(format!("sig-who-{i}")) name="sig_signatory" { (options(&c.signatories, who, Some(none))) }
                                }
                                td {
                                    label.visually-hidden for=(format!("sig-org-{i}")) { (lang.t(T::SignedFor)) " " (i + 1) }
                                    select id=(format!("sig-org-{i}")) name="sig_org" { (options(&c.organizations, org, Some(none))) }
                                }
                                td {
                                    label.visually-hidden for=(format!("sig-prefix-{i}")) { (lang.t(T::Prefix)) " " (i + 1) }
                                    select id=(format!("sig-prefix-{i}")) name="sig_prefix" {
                                        option value="" { "—" }
                                        @for p in PREFIXES { option value=(p) selected[prefix == p] { (p) } }
                                    }
                                }
                                td {
                                    label.visually-hidden for=(format!("sig-title-{i}")) { (lang.t(T::SigningTitle)) " " (i + 1) }
                                    input id=(format!("sig-title-{i}")) type="text" name="sig_title" value=(title_held) placeholder="Trưởng ban";
                                }
                                td {
                                    label.visually-hidden for=(format!("sig-positions-{i}")) { (lang.t(T::PositionsAtSigning)) " " (i + 1) }
                                    input id=(format!("sig-positions-{i}")) type="text" name="sig_positions" value=(positions);
                                }
                            }
                        }
                    }
                }
                button type="button" data-add-row { (lang.t(T::AddRow)) }
            }
            fieldset.rows {
                legend { (lang.t(T::Relations)) }
                (page::field_error("relations", f, "relations"))
                table.list {
                    thead { tr {
                        th scope="col" { (lang.t(T::RelationKind)) }
                        th scope="col" { (lang.t(T::OtherAgreement)) }
                        th scope="col" { (lang.t(T::ReferenceText)) }
                    } }
                    tbody data-rows {
                        @for (i, [kind, other, text]) in relations.iter().enumerate() {
                            tr {
                                td {
                                    label.visually-hidden for=(format!("rel-kind-{i}")) { (lang.t(T::RelationKind)) " " (i + 1) }
                                    select id=(format!("rel-kind-{i}")) name="rel_kind" {
                                        @for k in RELATION_KINDS { option value=(k) selected[kind == k] { (relation_label(lang, k)) } }
                                    }
                                }
                                td {
                                    label.visually-hidden for=(format!("rel-agreement-{i}")) { (lang.t(T::OtherAgreement)) " " (i + 1) }
                                    select id=(format!("rel-agreement-{i}")) name="rel_agreement" { (options(&c.agreements, other, Some(none))) }
                                }
                                td {
                                    label.visually-hidden for=(format!("rel-text-{i}")) { (lang.t(T::ReferenceText)) " " (i + 1) }
                                    input id=(format!("rel-text-{i}")) type="text" name="rel_text" value=(text) placeholder="Nghị quyết số 12/NQ-HĐND";
                                }
                            }
                        }
                    }
                }
                button type="button" data-add-row { (lang.t(T::AddRow)) }
            }
            div.actions { button.primary type="submit" { (lang.t(T::Save)) } }
        }
        @if let Some(id) = &g.id {
            section.card #attachments {
                h2 { (lang.t(T::Attachments)) }
                @if g.attachments.is_empty() { p.empty { (lang.t(T::None_)) } }
                ul {
                    @for (aid, name, url, size) in &g.attachments {
                        li {
                            a href=(url) { (name) } " (" (size / 1024) " KB) "
                            form.inline method="post" action=(format!("/admin/agreements/{id}/attachments/{aid}/delete")) {
                                (page::csrf_field(&desk.csrf))
                                button.link type="submit" { (lang.t(T::Delete)) }
                            }
                        }
                    }
                }
                div.dropzone data-upload=(format!("/admin/agreements/{id}/attachments")) data-reload
                    data-uploading=(lang.t(T::Uploading)) data-uploaded=(lang.t(T::Uploaded)) data-failed=(lang.t(T::UploadFailed)) {
                    p { (lang.t(T::DropPdf)) }
                    label.button for="pdf-files" { (lang.t(T::ChooseFiles)) }
                    input #pdf-files.visually-hidden type="file" name="file" multiple accept="application/pdf";
                    ul.uploads aria-live="polite" {}
                }
            }
        }
    };
    page::page_with_status(desk, status, Section::Agreements, title, body)
}

#[get("/agreements/new")]
async fn new_form(desk: Desk) -> Result<HttpResponse, DeskError> {
    let c = choices(&desk).await?;
    let mut g = Shown::default();
    g.fields.push(("doc_type", "chuong_trinh".into()));
    Ok(render(
        &desk,
        StatusCode::OK,
        &g,
        &c,
        &Faults::default(),
        None,
    ))
}

#[get("/agreements/{id}")]
async fn edit_form(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    done: web::Query<page::Done>,
) -> Result<HttpResponse, DeskError> {
    let answer = desk
        .api
        .get(&format!("/agreements/{}", id.into_inner()))
        .await?;
    let c = choices(&desk).await?;
    let g = Shown::of(&answer.body, answer.etag.clone());
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Saved)));
    Ok(render(
        &desk,
        StatusCode::OK,
        &g,
        &c,
        &Faults::default(),
        banner,
    ))
}

async fn refused(desk: &Desk, g: Shown, e: DeskError) -> Result<HttpResponse, DeskError> {
    match e {
        DeskError::Api { status, problem } if matches!(status, 400 | 403 | 409 | 412 | 422) => {
            let faults = Faults::of(desk.lang, &problem);
            let text = match (status, &faults.general) {
                (412, _) => desk.t(T::ChangedMeanwhile).to_string(),
                (_, Some(detail)) => faults.message(desk.lang, status, detail),
                (_, None) => desk.t(T::FixErrors).to_string(),
            };
            let c = choices(desk).await?;
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            Ok(render(
                desk,
                code,
                &g,
                &c,
                &faults,
                Some(page::notice(Notice::Error, &text)),
            ))
        }
        other => Err(other),
    }
}

#[post("/agreements")]
async fn create(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let body = Shown::payload(&form, desk.tz);
    match desk.api.post("/agreements", &body).await {
        Ok(a) => Ok(see_other(&format!(
            "/admin/agreements/{}?done=created",
            s(&a.body["id"])
        ))),
        Err(e) => refused(&desk, Shown::typed(&form, None), e).await,
    }
}

#[post("/agreements/{id}")]
async fn save(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner().to_string();
    let body = Shown::payload(&form, desk.tz);
    match desk
        .api
        .patch(&format!("/agreements/{id}"), form.filled("etag"), &body)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/agreements/{id}?done=saved"))),
        Err(e) => refused(&desk, Shown::typed(&form, Some(id)), e).await,
    }
}

/// A PDF, streamed on to `POST /api/v1/agreements/{id}/attachments` (CSRF token in a header).
#[post("/agreements/{id}/attachments")]
async fn upload_attachment(
    req: HttpRequest,
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, DeskError> {
    let path = format!("/agreements/{}/attachments", id.into_inner());
    super::photos::stream_upload(&req, &desk, payload, &path).await
}

#[post("/agreements/{id}/attachments/{attachment}/delete")]
async fn delete_attachment(
    desk: Desk,
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let (id, attachment) = path.into_inner();
    desk.api
        .delete(&format!("/agreements/{id}/attachments/{attachment}"), None)
        .await?;
    Ok(see_other(&format!("/admin/agreements/{id}?done=saved")))
}
