//! The editor's desk: the web interface editors use, served at `/admin` by the same binary.
//!
//! Pages are rendered on the server (maud templates, checked by the compiler); a small
//! vendored htmx and one short script (`assets/desk.js`) add partial updates, the body
//! editor and uploads. Everything a page reads or changes goes through the HTTP API of this
//! same process ([`api`]), with the signed-in user's session: one rule, two faces.
//!
//! Security: the session cookie ([`session`]), a CSRF token in every form
//! ([`crate::auth::csrf`]), and a
//! Content-Security-Policy without inline scripts or styles (set by the middleware).

pub mod api;
pub mod assets;
pub mod diff;
pub mod form;
pub mod i18n;
pub mod page;
pub mod session;

mod account;
mod admin;
mod agreements;
mod article_list;
mod articles;
mod people;
mod photos;
mod pickers;
mod revisions;
mod signin;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use maud::html;
use serde_json::Value;

use crate::error::ApiError;
use crate::error::ModelError;

/// What the desk's pages share: the CSRF keys, the API client, whether cookies are `Secure`.
pub struct DeskState {
    pub api: api::ApiClient,
    /// The public URL is https: cookies carry `Secure`.
    pub secure_cookies: bool,
    /// How long a desk session lasts (the refresh token's lifetime).
    pub session_secs: i64,
}

/// The desk's routes, under `/admin`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/admin")
            .app_data(web::PayloadConfig::new(form::FORM_LIMIT))
            .service(assets::asset)
            .configure(signin::routes)
            .configure(account::routes)
            .configure(article_list::routes)
            .configure(pickers::routes)
            .configure(articles::routes)
            .configure(revisions::routes)
            .configure(photos::routes)
            .configure(agreements::routes)
            .configure(people::routes)
            .configure(admin::routes)
            .default_service(web::to(not_found)),
    );
}

async fn not_found() -> Result<HttpResponse, DeskError> {
    Err(DeskError::NotFound)
}

/// Why a desk request did not succeed.
#[derive(Debug)]
pub enum DeskError {
    /// No live session: to the sign-in page, then back to `next`.
    SignIn {
        next: String,
    },
    /// The form's CSRF token is missing or not this session's.
    Csrf,
    /// The form could not be read.
    BadForm(String),
    NotFound,
    /// The API refused (its problem document).
    Api {
        status: u16,
        problem: Value,
    },
    Internal(String),
}

impl DeskError {
    pub fn from_api(e: impl Into<ApiError>) -> DeskError {
        let e: ApiError = e.into();
        let status = e.status_code().as_u16();
        DeskError::Api {
            status,
            problem: serde_json::to_value(e.problem()).unwrap_or(Value::Null),
        }
    }

    pub fn from_model(e: ModelError) -> DeskError {
        DeskError::from_api(ApiError::from(e))
    }

    /// The API's status, when the API refused.
    pub fn api_status(&self) -> Option<u16> {
        match self {
            DeskError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

impl std::fmt::Display for DeskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeskError::SignIn { .. } => f.write_str("not signed in"),
            DeskError::Csrf => f.write_str("CSRF token missing or invalid"),
            DeskError::BadForm(e) => write!(f, "bad form: {e}"),
            DeskError::NotFound => f.write_str("no such page"),
            DeskError::Api { status, problem } => {
                write!(f, "the API answered {status}: {}", problem["detail"])
            }
            DeskError::Internal(e) => write!(f, "{e}"),
        }
    }
}

impl ResponseError for DeskError {
    fn status_code(&self) -> StatusCode {
        match self {
            DeskError::SignIn { .. } | DeskError::Api { status: 401, .. } => StatusCode::SEE_OTHER,
            DeskError::Csrf => StatusCode::FORBIDDEN,
            DeskError::BadForm(_) => StatusCode::BAD_REQUEST,
            DeskError::NotFound => StatusCode::NOT_FOUND,
            DeskError::Api { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            DeskError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let next = match self {
            DeskError::SignIn { next } => Some(next.as_str()),
            DeskError::Api { status: 401, .. } => Some("/admin"),
            _ => None,
        };
        if let Some(next) = next {
            return HttpResponse::SeeOther()
                .insert_header((
                    "location",
                    format!("/admin/login?next={}", page::urlencode(next)),
                ))
                .insert_header(("cache-control", "no-store"))
                .finish();
        }
        // The page is in both languages: an error may come before the language is known.
        use i18n::{Lang, T};
        let both = |key: T| format!("{} / {}", Lang::Vi.t(key), Lang::En.t(key));
        let detail = match self {
            DeskError::Csrf => both(T::CsrfRefused),
            DeskError::NotFound => both(T::NotFound),
            DeskError::Api {
                status: 403,
                problem,
            } => format!(
                "{} — {}",
                both(T::NotAllowed),
                problem["detail"].as_str().unwrap_or_default()
            ),
            DeskError::Api { problem, .. } => {
                problem["detail"].as_str().unwrap_or_default().to_string()
            }
            DeskError::BadForm(e) => e.clone(),
            DeskError::Internal(_) | DeskError::SignIn { .. } => String::new(),
        };
        let request_id = crate::error::current_request_id();
        let body = html! {
            section.card.error-page {
                h1 { (both(T::ErrorTitle)) " (" (status.as_u16()) ")" }
                @if !detail.is_empty() { p { (detail) } }
                @if !request_id.is_empty() { p.muted { "Request id: " code { (request_id) } } }
                p { a href="/admin" { (both(T::BackToDesk)) } }
            }
        };
        page::bare(Lang::Vi, status, &both(T::ErrorTitle), body)
    }
}
