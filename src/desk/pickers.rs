//! What the article editor asks for as one types: the slug a title gives, and the articles
//! and agreements a chooser adds from. Registered before `/articles/{id}`.

use actix_web::{HttpResponse, get, web};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::DeskError;
use super::articles::{agreement_label, q};
use super::i18n::{Lang, T};
use super::page;
use super::session::Desk;

/// Results a picker shows.
const PICK_SIZE: u32 = 8;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(slug_preview)
        .service(pick_articles)
        .service(pick_agreements);
}

#[derive(Deserialize)]
struct SlugQuery {
    title: Option<String>,
}

/// The slug a title gives (the API's own rule), shown while the title is typed.
#[get("/articles/slug")]
async fn slug_preview(_desk: Desk, query: web::Query<SlugQuery>) -> HttpResponse {
    let slug = crate::text::slugify(query.title.as_deref().unwrap_or_default());
    page::fragment(html! { "→ " code { (slug) } })
}

#[derive(Deserialize)]
struct PickQuery {
    q: Option<String>,
}

/// Search results a chooser adds from: `path` of the API searched with `q`, each item
/// labelled by `label`.
async fn pick(
    desk: &Desk,
    query: &PickQuery,
    path: &str,
    fields: (&str, &str),
    label: fn(&Value) -> String,
) -> Result<HttpResponse, DeskError> {
    let text = query.q.as_deref().unwrap_or_default().trim();
    if text.is_empty() {
        return Ok(page::fragment(html! {}));
    }
    let answer = desk
        .api
        .get(&format!("{path}?limit={PICK_SIZE}&q={}", q(text)))
        .await?;
    let items: Vec<(String, String)> = answer
        .items()
        .iter()
        .map(|a| (text_of(&a["id"]), label(a)))
        .collect();
    Ok(page::fragment(pick_list(
        desk.lang, fields.0, fields.1, &items,
    )))
}

#[get("/articles/pick")]
async fn pick_articles(
    desk: Desk,
    query: web::Query<PickQuery>,
) -> Result<HttpResponse, DeskError> {
    let fields = ("related_ids", "related_labels");
    pick(&desk, &query, "/articles", fields, |a| text_of(&a["title"])).await
}

#[get("/agreements/pick")]
async fn pick_agreements(
    desk: Desk,
    query: web::Query<PickQuery>,
) -> Result<HttpResponse, DeskError> {
    let fields = ("agreement_ids", "agreement_labels");
    pick(&desk, &query, "/agreements", fields, agreement_label).await
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Results with an "Add" button each; `desk.js` moves a chosen one into its list.
fn pick_list(lang: Lang, field: &str, label_field: &str, items: &[(String, String)]) -> Markup {
    html! {
        @if items.is_empty() {
            p.muted { (lang.t(T::NoArticles)) }
        } @else {
            ul.picks {
                @for (id, label) in items {
                    li {
                        span { (label) }
                        button type="button" data-pick=(id) data-label=(label) data-field=(field) data-label-field=(label_field) data-remove-text=(lang.t(T::Remove)) {
                            (lang.t(T::Add))
                        }
                    }
                }
            }
        }
    }
}
