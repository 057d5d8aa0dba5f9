//! Signing in and out, and the language switch.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use maud::html;
use rand::RngCore;
use serde::Deserialize;

use super::form::Form;
use super::i18n::{Lang, T};
use super::page::{self, Notice};
use super::session::{self, Desk, LANG_COOKIE, SESSION_COOKIE, VISITOR_COOKIE};
use super::{DeskError, DeskState};
use crate::auth;
use crate::auth::csrf::Binding;
use crate::error::ApiError;
use crate::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(index)
        .service(index_slash)
        .service(login_form)
        .service(login)
        .service(logout)
        .service(switch_language);
}

#[get("")]
async fn index() -> HttpResponse {
    see_other("/admin/articles")
}

#[get("/")]
async fn index_slash() -> HttpResponse {
    see_other("/admin/articles")
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .insert_header(("cache-control", "no-store"))
        .finish()
}

/// Where to go after signing in: a desk path only (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with("/admin") && !n.starts_with("//") && !n.contains('\\') => {
            n.to_string()
        }
        _ => "/admin/articles".to_string(),
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    bye: Option<String>,
}

fn new_visitor() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

struct SignInForm<'a> {
    lang: Lang,
    csrf: &'a str,
    next: &'a str,
    email: &'a str,
    error: Option<String>,
    notice: Option<&'a str>,
}

fn sign_in_page(status: StatusCode, f: SignInForm) -> HttpResponse {
    let lang = f.lang;
    let body = html! {
        section.card.signin {
            p.brand { "Bantin" span { (lang.t(T::Desk)) } }
            h1 { (lang.t(T::SignIn)) }
            @if let Some(n) = f.notice { (page::notice(Notice::Done, n)) }
            @if let Some(e) = &f.error { (page::notice(Notice::Error, e)) }
            form method="post" action="/admin/login" {
                (page::csrf_field(f.csrf))
                input type="hidden" name="next" value=(f.next);
                div.field {
                    label for="email" { (lang.t(T::Email)) }
                    input #email type="email" name="email" value=(f.email) autocomplete="username" required autofocus;
                }
                div.field {
                    label for="password" { (lang.t(T::Password)) }
                    input #password type="password" name="password" autocomplete="current-password" required;
                }
                button.primary type="submit" { (lang.t(T::SignIn)) }
            }
            p.lang-switch {
                a lang=(lang.other().code()) href=(format!("/admin/lang/{}?next={}", lang.other().code(), page::urlencode(&format!("/admin/login?next={}", page::urlencode(f.next))))) {
                    (lang.t(T::SwitchLanguage))
                }
            }
        }
    };
    page::bare(lang, status, lang.t(T::SignIn), body)
}

#[get("/login")]
async fn login_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    desk: web::Data<DeskState>,
    query: web::Query<LoginQuery>,
) -> HttpResponse {
    let lang = session::lang_of(&req);
    let (visitor, fresh) = match req.cookie(VISITOR_COOKIE) {
        Some(c) if !c.value().is_empty() => (c.value().to_string(), false),
        _ => (new_visitor(), true),
    };
    let csrf = state.csrf.token(Binding::Visitor(&visitor));
    let notice = query.bye.as_ref().map(|_| lang.t(T::SignedOut));
    let next = safe_next(query.next.as_deref());
    let mut res = sign_in_page(
        StatusCode::OK,
        SignInForm {
            lang,
            csrf: &csrf,
            next: &next,
            email: "",
            error: None,
            notice,
        },
    );
    if fresh {
        let cookie = session::cookie(VISITOR_COOKIE, visitor, desk.secure_cookies, 3600);
        let _ = res.add_cookie(&cookie);
    }
    res
}

#[post("/login")]
async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    desk: web::Data<DeskState>,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    let lang = session::lang_of(&req);
    let visitor = req
        .cookie(VISITOR_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let token = form.get(crate::auth::csrf::FIELD).unwrap_or_default();
    if visitor.is_empty() || !state.csrf.verify(Binding::Visitor(&visitor), token) {
        return Err(DeskError::Csrf);
    }
    let next = safe_next(form.get("next"));
    let email = form.text("email");
    let ip = auth::client_ip(&req, &state.config.trusted_proxies);
    let password = form.text("password").to_string();
    match auth::handlers::sign_in(&state, ip, email, password).await {
        Ok(signed_in) => {
            let mut res = see_other(&next);
            let cookie = session::cookie(
                SESSION_COOKIE,
                signed_in.refresh_token,
                desk.secure_cookies,
                desk.session_secs,
            );
            let _ = res.add_cookie(&cookie);
            let _ = res.add_cookie(&session::removal(VISITOR_COOKIE, desk.secure_cookies));
            Ok(res)
        }
        Err(e) => {
            let (status, error) = match e {
                ApiError::TooManyRequests {
                    retry_after_secs, ..
                } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    lang.f(T::TooManyAttempts, retry_after_secs),
                ),
                ApiError::Unauthorized(_) | ApiError::Validation(_) => (
                    StatusCode::UNAUTHORIZED,
                    lang.t(T::WrongCredentials).to_string(),
                ),
                other => return Err(DeskError::from_api(other)),
            };
            let csrf = state.csrf.token(Binding::Visitor(&visitor));
            Ok(sign_in_page(
                status,
                SignInForm {
                    lang,
                    csrf: &csrf,
                    next: &next,
                    email,
                    error: Some(error),
                    notice: None,
                },
            ))
        }
    }
}

#[post("/logout")]
async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    desk_state: web::Data<DeskState>,
    desk: Desk,
    form: Form,
) -> Result<HttpResponse, DeskError> {
    desk.check_csrf(form.get(crate::auth::csrf::FIELD))?;
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        auth::handlers::sign_out(&state, cookie.value())
            .await
            .map_err(DeskError::from_api)?;
    }
    let mut res = see_other("/admin/login?bye=1");
    let _ = res.add_cookie(&session::removal(SESSION_COOKIE, desk_state.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Chooses the interface language (a preference cookie, kept a year).
#[get("/lang/{code}")]
async fn switch_language(
    code: web::Path<String>,
    query: web::Query<NextQuery>,
    desk: web::Data<DeskState>,
) -> HttpResponse {
    let lang = Lang::parse(&code).unwrap_or_default();
    let mut res = see_other(&safe_next(query.next.as_deref()));
    let cookie = session::cookie(
        LANG_COOKIE,
        lang.code().to_string(),
        desk.secure_cookies,
        365 * 24 * 3600,
    );
    let _ = res.add_cookie(&cookie);
    res
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn after_sign_in_only_desk_paths_are_followed() {
        assert_eq!(safe_next(Some("/admin/photos?q=a")), "/admin/photos?q=a");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/api/v1",
            "/admin\\..",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/admin/articles", "{bad}");
        }
        assert_eq!(safe_next(None), "/admin/articles");
    }
}
