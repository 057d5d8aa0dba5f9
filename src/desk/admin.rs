//! Admins only (the API refuses everyone else): users (roles, disabling), API tokens (the
//! secret shown once), site settings (footer, publisher, responsible person, time zone).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::{Markup, html};
use serde_json::{Value, json};

use super::DeskError;
use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Faults, Notice, Section, s};
use super::people::form_refusal;
use super::session::Desk;
use super::signin::see_other;

const ROLES: [&str; 3] = ["author", "editor", "admin"];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(users)
        .service(create_user)
        .service(user)
        .service(save_user)
        .service(tokens)
        .service(create_token)
        .service(revoke_token)
        .service(site)
        .service(save_site);
}

fn role_word(lang: Lang, role: &str) -> &'static str {
    page::role_label(
        lang,
        crate::auth::Role::parse(role).unwrap_or(crate::auth::Role::Author),
    )
}

async fn users_page(
    desk: &Desk,
    status: StatusCode,
    typed: Option<&Form>,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let answer = desk.api.get("/users?limit=100").await?;
    let typed_text = |name: &str| typed.map_or("", |t| t.text(name));
    let chosen_role = typed.and_then(|t| t.get("role")).unwrap_or("author");
    let body = html! {
        h1 { (lang.t(T::Users)) }
        @if let Some(b) = banner { (b) }
        table.list {
            thead { tr {
                th scope="col" { (lang.t(T::DisplayName)) }
                th scope="col" { (lang.t(T::Email)) }
                th scope="col" { (lang.t(T::Role)) }
                th scope="col" { (lang.t(T::Status)) }
            } }
            tbody {
                @for u in answer.items() {
                    tr {
                        td { a href=(format!("/admin/users/{}", s(&u["id"]))) { (s(&u["display_name"])) } }
                        td { (s(&u["email"])) }
                        td { (role_word(lang, s(&u["role"]))) }
                        td {
                            @if u["disabled"].as_bool() == Some(true) {
                                span.badge.trashed { (lang.t(T::Disabled)) }
                            } @else {
                                span.badge.published { (lang.t(T::Active)) }
                            }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (lang.t(T::NewUser)) }
            form method="post" action="/admin/users" {
                (page::csrf_field(&desk.csrf))
                div.columns {
                    (page::text_input(f, "email", lang.t(T::Email), "email", typed_text("email"), None))
                    (page::text_input(f, "display_name", lang.t(T::DisplayName), "text", typed_text("display_name"), None))
                    div.field {
                        label for="role" { (lang.t(T::Role)) }
                        select #role name="role" {
                            @for r in ROLES { option value=(r) selected[chosen_role == r] { (role_word(lang, r)) } }
                        }
                    }
                    (page::text_input(f, "password", lang.t(T::Password), "password", "", None))
                }
                p.hint { (lang.t(T::PasswordHint)) }
                button.primary type="submit" { (lang.t(T::CreateUser)) }
            }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Users,
        lang.t(T::Users),
        body,
    ))
}

#[get("/users")]
async fn users(desk: Desk, done: web::Query<page::Done>) -> Result<HttpResponse, DeskError> {
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Created)));
    users_page(&desk, StatusCode::OK, None, &Faults::default(), banner).await
}

#[post("/users")]
async fn create_user(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let body = json!({
        "email": form.text("email"),
        "display_name": form.text("display_name"),
        "role": form.text("role"),
        "password": form.text("password"),
    });
    match desk.api.post("/users", &body).await {
        Ok(_) => Ok(see_other("/admin/users?done=created")),
        Err(e) => {
            let (status, faults, text) = form_refusal(&desk, e)?;
            let banner = Some(page::notice(Notice::Error, &text));
            users_page(&desk, status, Some(&form), &faults, banner).await
        }
    }
}

async fn user_page(
    desk: &Desk,
    id: &str,
    status: StatusCode,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let answer = desk.api.get(&format!("/users/{id}")).await?;
    let u = &answer.body;
    let body = html! {
        p { a href="/admin/users" { "← " (lang.t(T::Users)) } }
        h1 { (s(&u["display_name"])) }
        @if let Some(b) = banner { (b) }
        form.card method="post" action=(format!("/admin/users/{id}")) {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(answer.etag.as_deref().unwrap_or_default());
            (page::text_input(f, "email", lang.t(T::Email), "email", s(&u["email"]), None))
            (page::text_input(f, "display_name", lang.t(T::DisplayName), "text", s(&u["display_name"]), None))
            div.field {
                label for="role" { (lang.t(T::Role)) }
                select #role name="role" {
                    @for r in ROLES { option value=(r) selected[s(&u["role"]) == r] { (role_word(lang, r)) } }
                }
                (page::field_error("role", f, "role"))
            }
            div.field.check {
                input #disabled type="checkbox" name="disabled" value="true" checked[u["disabled"].as_bool() == Some(true)];
                label for="disabled" { (lang.t(T::DisableAccount)) }
            }
            (page::text_input(f, "password", lang.t(T::NewPassword), "password", "", None))
            p.hint { (lang.t(T::NewPasswordOptional)) }
            button.primary type="submit" { (lang.t(T::Save)) }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Users,
        lang.t(T::Users),
        body,
    ))
}

#[get("/users/{id}")]
async fn user(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    done: web::Query<page::Done>,
) -> Result<HttpResponse, DeskError> {
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Saved)));
    user_page(
        &desk,
        &id.into_inner().to_string(),
        StatusCode::OK,
        &Faults::default(),
        banner,
    )
    .await
}

#[post("/users/{id}")]
async fn save_user(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let id = id.into_inner().to_string();
    let mut body = json!({
        "email": form.text("email"),
        "display_name": form.text("display_name"),
        "role": form.text("role"),
        "disabled": form.get("disabled") == Some("true"),
    });
    if let Some(password) = form.filled("password") {
        body["password"] = json!(password);
    }
    match desk
        .api
        .patch(&format!("/users/{id}"), form.filled("etag"), &body)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/admin/users/{id}?done=saved"))),
        Err(e) => {
            let (status, faults, text) = form_refusal(&desk, e)?;
            user_page(
                &desk,
                &id,
                status,
                &faults,
                Some(page::notice(Notice::Error, &text)),
            )
            .await
        }
    }
}

async fn tokens_page(
    desk: &Desk,
    status: StatusCode,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let answer = desk.api.get("/api-tokens?limit=100").await?;
    let body = html! {
        h1 { (lang.t(T::ApiTokens)) }
        @if let Some(b) = banner { (b) }
        table.list {
            thead { tr {
                th scope="col" { (lang.t(T::Name)) }
                th scope="col" { (lang.t(T::Scope)) }
                th scope="col" { (lang.t(T::Owner)) }
                th scope="col" { (lang.t(T::Expires)) }
                th scope="col" { (lang.t(T::LastUsed)) }
                th scope="col" { span.visually-hidden { (lang.t(T::Revoke)) } }
            } }
            tbody {
                @for t in answer.items() {
                    tr {
                        td { (s(&t["name"])) }
                        td { (scope_word(lang, s(&t["scope"]))) }
                        td { (s(&t["owner"]["display_name"])) }
                        td { @if t["expires_at"].is_null() { (lang.t(T::Never)) } @else { (page::when(desk.tz, &t["expires_at"])) } }
                        td { @if t["last_used_at"].is_null() { "—" } @else { (page::when(desk.tz, &t["last_used_at"])) } }
                        td {
                            form method="post" action=(format!("/admin/tokens/{}/revoke", s(&t["id"]))) {
                                (page::csrf_field(&desk.csrf))
                                button.danger type="submit" { (lang.t(T::Revoke)) }
                            }
                        }
                    }
                }
            }
        }
        section.card {
            h2 { (lang.t(T::NewToken)) }
            form method="post" action="/admin/tokens" {
                (page::csrf_field(&desk.csrf))
                div.columns {
                    (page::text_input(f, "name", lang.t(T::Name), "text", "", None))
                    div.field {
                        label for="scope" { (lang.t(T::Scope)) }
                        select #scope name="scope" {
                            option value="read" { (scope_word(lang, "read")) }
                            option value="write" { (scope_word(lang, "write")) }
                        }
                    }
                    div.field {
                        label for="expires_at" { (lang.t(T::Expires)) }
                        input #expires_at type="text" name="expires_at" placeholder=(page::DATE_HINT) autocomplete="off"
                            aria-describedby="expires-hint";
                        p.hint #expires-hint { (lang.t(T::ExpiresHint)) }
                        (page::field_error("expires_at", f, "expires_at"))
                    }
                }
                button.primary type="submit" { (lang.t(T::CreateToken)) }
            }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::ApiTokens,
        lang.t(T::ApiTokens),
        body,
    ))
}

fn scope_word(lang: Lang, scope: &str) -> &'static str {
    lang.t(match scope {
        "write" => T::ScopeWrite,
        _ => T::ScopeRead,
    })
}

#[get("/tokens")]
async fn tokens(desk: Desk, done: web::Query<page::Done>) -> Result<HttpResponse, DeskError> {
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Revoked)));
    tokens_page(&desk, StatusCode::OK, &Faults::default(), banner).await
}

#[post("/tokens")]
async fn create_token(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let expires_at = form
        .filled("expires_at")
        .map(|d| page::from_local_input(desk.tz, d, "23:59").map_or_else(|| json!(d), Value::from))
        .unwrap_or(Value::Null);
    let body =
        json!({"name": form.text("name"), "scope": form.text("scope"), "expires_at": expires_at});
    match desk.api.post("/api-tokens", &body).await {
        // The secret is shown on this answer only (never stored, never in a URL).
        Ok(created) => {
            let lang = desk.lang;
            let secret = html! {
                section.card role="status" {
                    h2 { (lang.t(T::TokenCreated)) }
                    p { (lang.t(T::SecretShownOnce)) }
                    p.secret #token-secret { (s(&created.body["token"])) }
                }
            };
            tokens_page(&desk, StatusCode::CREATED, &Faults::default(), Some(secret)).await
        }
        Err(e) => {
            let (status, faults, text) = form_refusal(&desk, e)?;
            tokens_page(
                &desk,
                status,
                &faults,
                Some(page::notice(Notice::Error, &text)),
            )
            .await
        }
    }
}

#[post("/tokens/{id}/revoke")]
async fn revoke_token(
    desk: Desk,
    id: web::Path<uuid::Uuid>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    desk.api
        .delete(&format!("/api-tokens/{}", id.into_inner()), None)
        .await?;
    Ok(see_other("/admin/tokens?done=revoked"))
}

/// The fields of the site settings, with their labels.
const SITE_FIELDS: [(&str, T); 8] = [
    ("name", T::SiteName),
    ("publisher", T::Publisher),
    ("responsible_person", T::ResponsiblePerson),
    ("address", T::Address),
    ("phone", T::Phone),
    ("fax", T::Fax),
    ("email", T::Email),
    ("time_zone", T::TimeZone),
];

async fn site_page(
    desk: &Desk,
    status: StatusCode,
    typed: Option<&Form>,
    f: &Faults,
    banner: Option<Markup>,
) -> Result<HttpResponse, DeskError> {
    let lang = desk.lang;
    let answer = desk.api.get("/site").await?;
    let stored = &answer.body;
    let value = |name: &str| {
        typed.map_or_else(
            || s(&stored[name]).to_string(),
            |t| t.text(name).to_string(),
        )
    };
    let body = html! {
        h1 { (lang.t(T::SiteSettings)) }
        @if let Some(b) = banner { (b) }
        form.card method="post" action="/admin/site" {
            (page::csrf_field(&desk.csrf))
            input type="hidden" name="etag" value=(answer.etag.as_deref().unwrap_or_default());
            @for (name, key) in SITE_FIELDS {
                (page::text_input(f, name, lang.t(key), "text", &value(name), None))
            }
            div.field {
                label for="attribution_notice" { (lang.t(T::Attribution)) }
                textarea #attribution_notice name="attribution_notice" rows="3" { (value("attribution_notice")) }
                (page::field_error("attribution_notice", f, "attribution_notice"))
            }
            p.hint { (lang.t(T::SiteHint)) }
            button.primary type="submit" { (lang.t(T::Save)) }
        }
    };
    Ok(page::page_with_status(
        desk,
        status,
        Section::Site,
        lang.t(T::SiteSettings),
        body,
    ))
}

#[get("/site")]
async fn site(desk: Desk, done: web::Query<page::Done>) -> Result<HttpResponse, DeskError> {
    let banner = done
        .done
        .as_ref()
        .map(|_| page::notice(Notice::Done, desk.t(T::Saved)));
    site_page(&desk, StatusCode::OK, None, &Faults::default(), banner).await
}

#[post("/site")]
async fn save_site(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let mut body = json!({});
    for (name, _) in SITE_FIELDS {
        body[name] = json!(form.text(name));
    }
    body["attribution_notice"] = json!(form.text("attribution_notice"));
    match desk.api.put("/site", form.filled("etag"), &body).await {
        Ok(_) => Ok(see_other("/admin/site?done=saved")),
        Err(e) => {
            let (status, faults, text) = form_refusal(&desk, e)?;
            site_page(
                &desk,
                status,
                Some(&form),
                &faults,
                Some(page::notice(Notice::Error, &text)),
            )
            .await
        }
    }
}
