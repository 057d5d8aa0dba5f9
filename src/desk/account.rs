//! "My account": the display name and the password (`PATCH /api/v1/auth/me`).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use maud::html;
use serde_json::json;

use super::DeskError;
use super::form::Form;
use super::i18n::T;
use super::page::{self, Faults, Notice, Section};
use super::session::Desk;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(show).service(save).service(change_password);
}

struct Shown<'a> {
    display_name: &'a str,
    faults: Faults,
    notice: Option<(Notice, String)>,
}

fn render(desk: &Desk, status: StatusCode, s: Shown) -> HttpResponse {
    let lang = desk.lang;
    let f = &s.faults;
    let body = html! {
        h1 { (lang.t(T::MyAccount)) }
        @if let Some((kind, text)) = &s.notice { (page::notice(*kind, text)) }
        section.card {
            form method="post" action="/admin/account" {
                (page::csrf_field(&desk.csrf))
                div.field {
                    label for="email" { (lang.t(T::Email)) }
                    input #email type="email" value=(desk.caller.email) readonly;
                }
                div.field {
                    label for="role" { (lang.t(T::Role)) }
                    input #role type="text" value=(page::role_label(lang, desk.caller.user_role)) readonly;
                }
                div.field {
                    label for="display_name" { (lang.t(T::DisplayName)) }
                    input #display_name type="text" name="display_name" value=(s.display_name) required
                        aria-invalid=[f.of_field("display_name").map(|_| "true")]
                        aria-describedby=[page::described_by("display_name", f, "display_name")];
                    (page::field_error("display_name", f, "display_name"))
                }
                button.primary type="submit" { (lang.t(T::Save)) }
            }
        }
        section.card {
            h2 { (lang.t(T::ChangePassword)) }
            form method="post" action="/admin/account/password" {
                (page::csrf_field(&desk.csrf))
                input type="hidden" name="username" value=(desk.caller.email) autocomplete="username";
                div.field {
                    label for="current_password" { (lang.t(T::CurrentPassword)) }
                    input #current_password type="password" name="current_password" autocomplete="current-password" required
                        aria-invalid=[f.of_field("current_password").map(|_| "true")]
                        aria-describedby=[page::described_by("current_password", f, "current_password")];
                    (page::field_error("current_password", f, "current_password"))
                }
                div.field {
                    label for="new_password" { (lang.t(T::NewPassword)) }
                    input #new_password type="password" name="new_password" autocomplete="new-password" required minlength="12"
                        aria-describedby="new_password-hint";
                    p.hint #new_password-hint { (lang.t(T::PasswordHint)) }
                    (page::field_error("new_password", f, "new_password"))
                }
                button.primary type="submit" { (lang.t(T::ChangePassword)) }
            }
        }
    };
    page::page_with_status(desk, status, Section::Account, lang.t(T::MyAccount), body)
}

#[get("/account")]
async fn show(desk: Desk) -> HttpResponse {
    let name = desk.caller.display_name.clone();
    render(
        &desk,
        StatusCode::OK,
        Shown {
            display_name: &name,
            faults: Faults::default(),
            notice: None,
        },
    )
}

/// A refused change shown on the form, or the error page for anything else.
fn refused(desk: &Desk, e: DeskError, display_name: &str) -> Result<HttpResponse, DeskError> {
    match e {
        DeskError::Api { status, problem } if status == 422 || status == 403 => {
            let faults = Faults::of(desk.lang, &problem);
            let text = desk.lang.t(T::FixErrors).to_string();
            Ok(render(
                desk,
                StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                Shown {
                    display_name,
                    faults,
                    notice: Some((Notice::Error, text)),
                },
            ))
        }
        other => Err(other),
    }
}

#[post("/account")]
async fn save(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let name = form.text("display_name");
    match desk
        .api
        .patch("/auth/me", None, &json!({ "display_name": name }))
        .await
    {
        Ok(answer) => {
            let saved = answer.body["display_name"].as_str().unwrap_or(name);
            let text = desk.lang.t(T::Saved).to_string();
            Ok(render(
                &desk,
                StatusCode::OK,
                Shown {
                    display_name: saved,
                    faults: Faults::default(),
                    notice: Some((Notice::Done, text)),
                },
            ))
        }
        Err(e) => refused(&desk, e, name),
    }
}

#[post("/account/password")]
async fn change_password(desk: Desk, form: Form) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    let body = json!({
        "current_password": form.text("current_password"),
        "new_password": form.text("new_password"),
    });
    let name = desk.caller.display_name.clone();
    match desk.api.patch("/auth/me", None, &body).await {
        Ok(_) => {
            let text = desk.lang.t(T::PasswordChanged).to_string();
            Ok(render(
                &desk,
                StatusCode::OK,
                Shown {
                    display_name: &name,
                    faults: Faults::default(),
                    notice: Some((Notice::Done, text)),
                },
            ))
        }
        Err(e) => refused(&desk, e, &name),
    }
}
