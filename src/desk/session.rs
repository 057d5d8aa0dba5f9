//! The browser's session: a cookie holding the refresh token of a login session (made by the
//! same login as the API's, throttle included), `HttpOnly`, `SameSite=Strict`, `Secure` when
//! the public URL is https, sent to `/admin` only. The desk never rotates it; signing out (or
//! an admin disabling the account, or a password change) revokes the session and the cookie
//! stops working at once.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono_tz::Tz;
use uuid::Uuid;

use super::api::Api;
use super::i18n::Lang;
use super::{DeskError, DeskState};
use crate::auth::csrf::{self, Binding};
use crate::auth::{Caller, Role, model as auth_model};
use crate::state::AppState;

/// The session cookie (a refresh token).
pub const SESSION_COOKIE: &str = "bantin_desk";
/// A random value bound to the sign-in form's CSRF token, before there is a session.
pub const VISITOR_COOKIE: &str = "bantin_visitor";
/// The interface language chosen.
pub const LANG_COOKIE: &str = "bantin_lang";
/// Every desk cookie is sent to the desk only.
pub const COOKIE_PATH: &str = "/admin";
/// The time zone dates are shown in when the site's cannot be read.
const FALLBACK_TZ: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// A desk cookie: `HttpOnly`, `SameSite=Strict`, path `/admin`, `Secure` when the public URL
/// is https.
pub fn cookie(
    name: &'static str,
    value: String,
    secure: bool,
    max_age_secs: i64,
) -> Cookie<'static> {
    Cookie::build(name, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(CookieDuration::seconds(max_age_secs))
        .finish()
}

/// A cookie that tells the browser to forget `name`.
pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut c = cookie(name, String::new(), secure, 0);
    c.make_removal();
    c
}

/// The language of a request: its cookie, else Vietnamese.
pub fn lang_of(req: &HttpRequest) -> Lang {
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse(c.value()))
        .unwrap_or_default()
}

/// The path and query asked for, to come back to after signing in.
pub fn here(req: &HttpRequest) -> String {
    match req.query_string() {
        "" => req.path().to_string(),
        q => format!("{}?{q}", req.path()),
    }
}

/// A signed-in desk user, with what every page needs. Extracting it sends a browser without
/// a live session to the sign-in page.
pub struct Desk {
    pub caller: Caller,
    pub session_id: Uuid,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    pub lang: Lang,
    /// The site's time zone: dates are shown and entered in it.
    pub tz: Tz,
    pub api: Api,
    /// The path asked for (with its query).
    pub here: String,
    keys: csrf::CsrfKeys,
}

impl Desk {
    pub fn role(&self) -> Role {
        self.caller.role()
    }

    pub fn is_editor(&self) -> bool {
        self.role() >= Role::Editor
    }

    pub fn is_admin(&self) -> bool {
        self.role() >= Role::Admin
    }

    pub fn t(&self, key: super::i18n::T) -> &'static str {
        self.lang.t(key)
    }

    /// 403 unless `token` is this session's CSRF token.
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), DeskError> {
        match token {
            Some(t) if self.keys.verify(Binding::Session(self.session_id), t) => Ok(()),
            _ => Err(DeskError::Csrf),
        }
    }
}

impl FromRequest for Desk {
    type Error = DeskError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { signed_in(&req).await })
    }
}

async fn signed_in(req: &HttpRequest) -> Result<Desk, DeskError> {
    let sign_in = || DeskError::SignIn { next: here(req) };
    let token = req.cookie(SESSION_COOKIE).ok_or_else(sign_in)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| DeskError::Internal("no app state".into()))?;
    let desk = req
        .app_data::<web::Data<DeskState>>()
        .ok_or_else(|| DeskError::Internal("no desk state".into()))?;
    let mut conn = state.pool.get().await.map_err(DeskError::from_api)?;
    let session = auth_model::session_of_refresh_token(&mut conn, token.value())
        .await
        .map_err(DeskError::from_model)?;
    let Some((user_id, session_id)) = session else {
        return Err(sign_in());
    };
    let caller = auth_model::caller_for_session(&mut conn, user_id, session_id)
        .await
        .map_err(DeskError::from_model)?
        .ok_or_else(sign_in)?;
    let tz = crate::site::model::get(&mut conn)
        .await
        .ok()
        .and_then(|site| site.time_zone.parse::<Tz>().ok())
        .unwrap_or(FALLBACK_TZ);
    drop(conn);
    let access = state
        .jwt
        .issue(user_id, caller.user_role.as_str(), session_id)
        .map_err(DeskError::Internal)?;
    let request_id = Some(crate::error::current_request_id()).filter(|id| !id.is_empty());
    Ok(Desk {
        csrf: state.csrf.token(Binding::Session(session_id)),
        keys: state.csrf.clone(),
        session_id,
        lang: lang_of(req),
        tz,
        api: desk.api.with(access, request_id),
        here: here(req),
        caller,
    })
}
