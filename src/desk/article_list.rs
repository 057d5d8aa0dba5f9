//! The article list (search as you type, filters, cursor paging) and the trash.

use actix_web::{HttpResponse, get, web};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

use super::DeskError;
use super::articles::{category_options, category_tree, q, status_word};
use super::i18n::T;
use super::page::{self, Notice, Section};
use super::session::Desk;

/// Articles per page of the list.
const PAGE_SIZE: u32 = 20;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(list).service(trash);
}

#[derive(Deserialize, Default)]
struct ListQuery {
    q: Option<String>,
    category: Option<String>,
    status: Option<String>,
    author: Option<String>,
    cursor: Option<String>,
    done: Option<String>,
}

fn article_rows(desk: &Desk, items: &[Value], trashed: bool) -> Markup {
    let lang = desk.lang;
    html! {
        table.list {
            thead { tr {
                th scope="col" { (lang.t(T::Title)) }
                th scope="col" { (lang.t(T::Status)) }
                th scope="col" { (lang.t(T::Category)) }
                th scope="col" { (lang.t(T::Author)) }
                th scope="col" { (lang.t(T::PublishedAt)) }
                th scope="col" { (lang.t(T::Updated)) }
                @if trashed { th scope="col" { span.visually-hidden { (lang.t(T::Restore)) } } }
            } }
            tbody {
                @for a in items {
                    @let id = a["id"].as_str().unwrap_or_default();
                    tr {
                        td { a href=(format!("/admin/articles/{id}")) { (a["title"].as_str().unwrap_or_default()) } }
                        td { (page::status_badge(lang, a["status"].as_str().unwrap_or_default(), !a["deleted_at"].is_null())) }
                        td { (a["category"]["name"].as_str().unwrap_or("—")) }
                        td { (a["author"]["display_name"].as_str().unwrap_or("—")) }
                        td { (page::when(desk.tz, &a["published_at"])) }
                        td { (page::when(desk.tz, &a["updated_at"])) }
                        @if trashed {
                            td {
                                form method="post" action=(format!("/admin/articles/{id}/restore")) {
                                    (page::csrf_field(&desk.csrf))
                                    button type="submit" { (lang.t(T::Restore)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[get("/articles")]
async fn list(desk: Desk, query: web::Query<ListQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let query = query.into_inner();
    let text = query.q.clone().unwrap_or_default();
    let category = query.category.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let author = query.author.clone().unwrap_or_default();
    let me = desk.caller.user_id.to_string();
    // Relevance when searching; otherwise the newest first.
    let mut path = format!("/articles?limit={PAGE_SIZE}");
    if !text.trim().is_empty() {
        path.push_str(&format!("&q={}", q(text.trim())));
    }
    for (name, value) in [
        ("category", &category),
        ("status", &status),
        ("author", &author),
    ] {
        if !value.is_empty() {
            path.push_str(&format!("&{name}={}", q(value)));
        }
    }
    if let Some(cursor) = &query.cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    let answer = desk.api.get(&path).await?;
    let tree = category_tree(&desk).await?;
    let next = answer.next_cursor().map(|c| {
        format!(
            "/admin/articles?q={}&category={}&status={}&author={}&cursor={}",
            q(&text),
            q(&category),
            q(&status),
            q(&author),
            q(c)
        )
    });
    let body = html! {
        div.heading {
            h1 { (lang.t(T::Articles)) }
            a.button.primary href="/admin/articles/new" { (lang.t(T::NewArticle)) }
        }
        @if query.done.is_some() { (page::notice(Notice::Done, lang.t(T::Trashed))) }
        form.filters method="get" action="/admin/articles" role="search"
            hx-get="/admin/articles" hx-trigger="input changed delay:300ms from:#q, change from:select"
            hx-target="#results" hx-select="#results" hx-swap="outerHTML" hx-push-url="true" {
            div.field {
                label for="q" { (lang.t(T::Search)) }
                input #q type="search" name="q" value=(text) placeholder=(lang.t(T::SearchHint));
            }
            div.field {
                label for="category" { (lang.t(T::Category)) }
                select #category name="category" {
                    option value="" { (lang.t(T::AnyCategory)) }
                    (category_options(&tree, &category))
                }
            }
            div.field {
                label for="status" { (lang.t(T::Status)) }
                select #status name="status" {
                    option value="" { (lang.t(T::AnyStatus)) }
                    @for s in ["draft", "scheduled", "published", "archived"] {
                        option value=(s) selected[status == s] { (status_word(lang, s)) }
                    }
                }
            }
            div.field {
                label for="author" { (lang.t(T::Author)) }
                select #author name="author" {
                    option value="" { (lang.t(T::AnyAuthor)) }
                    option value=(me) selected[author == me] { (lang.t(T::OnlyMine)) }
                }
            }
            button type="submit" { (lang.t(T::Filter)) }
        }
        div #results {
            @if answer.items().is_empty() {
                p.empty { (lang.t(T::NoArticles)) }
            } @else {
                (article_rows(&desk, answer.items(), false))
            }
            nav.pager aria-label=(lang.t(T::Pages)) {
                @if query.cursor.is_some() {
                    a href=(format!("/admin/articles?q={}&category={}&status={}&author={}", q(&text), q(&category), q(&status), q(&author))) { "« " (lang.t(T::FirstPage)) }
                }
                @if let Some(next) = next { a rel="next" href=(next) { (lang.t(T::NextPage)) " »" } }
            }
        }
    };
    Ok(page::page(
        &desk,
        Section::Articles,
        lang.t(T::Articles),
        body,
    ))
}

#[get("/trash")]
async fn trash(desk: Desk, query: web::Query<ListQuery>) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let mut path = format!("/articles?trashed=true&limit={PAGE_SIZE}");
    if let Some(cursor) = &query.cursor {
        path.push_str(&format!("&cursor={}", q(cursor)));
    }
    let answer = desk.api.get(&path).await?;
    let body = html! {
        h1 { (lang.t(T::Trash)) }
        @if query.done.is_some() { (page::notice(Notice::Done, lang.t(T::Restored))) }
        @if answer.items().is_empty() {
            p.empty { (lang.t(T::TrashEmpty)) }
        } @else {
            (article_rows(&desk, answer.items(), true))
        }
        @if let Some(c) = answer.next_cursor() {
            nav.pager { a rel="next" href=(format!("/admin/trash?cursor={}", q(c))) { (lang.t(T::NextPage)) " »" } }
        }
    };
    Ok(page::page(&desk, Section::Trash, lang.t(T::Trash), body))
}
