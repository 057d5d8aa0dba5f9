//! `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/me`.

use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::views::{
    CredentialView, LoginRequest, MeResponse, RefreshRequest, TokenResponse, UpdateMe,
};
use super::{Caller, Credential, client_ip, model, password, throttle};
use crate::audit::{self, Entry};
use crate::domain::limits::DISPLAY_NAME_MAX;
use crate::domain::{Fields, NewPassword, Title};
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::Actor;
use crate::http::{Cache, Json, list};
use crate::state::AppState;
use crate::text;

fn wrong_credentials() -> ApiError {
    ApiError::Unauthorized("wrong email or password".into())
}

fn tokens(
    state: &AppState,
    user_id: uuid::Uuid,
    role: &str,
    session_id: uuid::Uuid,
    refresh_token: String,
) -> ApiResult<TokenResponse> {
    let access_token = state
        .jwt
        .issue(user_id, role, session_id)
        .map_err(ApiError::Internal)?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_secs,
        refresh_token,
    })
}

/// Log in with email and password.
///
/// A wrong email and a wrong password give the same 401 in about the same time. After 5
/// failures for one account, or 20 from one client address, within 15 minutes, logins answer
/// 429 with `Retry-After` (even with the right password) until enough failures age out.
/// Something that is not an email address at all is a 422 (no password is checked) and counts
/// as a failure for the client address.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`email` is not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see `Retry-After`", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until a login may be tried again"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let LoginRequest { email, password } = body.0;
    let ip = client_ip(&req, &state.config.trusted_proxies);
    let s = sign_in(&state, ip, &email, password).await?;
    list(
        &tokens(&state, s.user_id, &s.role, s.session_id, s.refresh_token)?,
        Cache::Private,
    )
}

/// A login session just started.
pub struct SignedIn {
    pub user_id: uuid::Uuid,
    pub role: String,
    pub session_id: uuid::Uuid,
    pub refresh_token: String,
}

/// The login of the API and of the desk: throttled, audited, a wrong email and a wrong
/// password alike (401); 429 while throttled; 422 for something that is not an email.
pub async fn sign_in(
    state: &AppState,
    ip: std::net::IpAddr,
    email: &str,
    password: String,
) -> ApiResult<SignedIn> {
    let Ok(email) = text::parse_email(email) else {
        // No account can have it: nothing to check, but it counts for the address.
        let mut conn = state.pool.get().await?;
        throttle::reserve(&mut conn, None, ip).await?;
        let failed = Entry::new(Actor::SYSTEM, "auth.login_failed").from(ip);
        let detail = serde_json::json!({"reason": "not an email address"});
        audit::record(&mut conn, failed.with(detail)).await?;
        return Err(ApiError::invalid(
            "email",
            "invalid",
            "not an email address",
        ));
    };
    let email_key = text::email_key(&email);
    // The attempt is counted before the password is checked; the connection goes back to the
    // pool before the slow hash, so logins never hold one while they wait to hash.
    let account = {
        let mut conn = state.pool.get().await?;
        throttle::reserve(&mut conn, Some(&email_key), ip).await?;
        model::find_login_account(&mut conn, &email_key).await?
    };
    let too_long = password.chars().count() > password::MAX_LEN;
    let hash = account
        .as_ref()
        .filter(|a| !a.disabled && !too_long)
        .map(|a| a.password_hash.clone());
    let password_ok =
        password::verify(if too_long { String::new() } else { password }, hash).await?;
    // A failure is already counted.
    let target = account.as_ref().map(|a| a.id);
    let Some(account) = account.filter(|_| password_ok) else {
        let mut failed = Entry::new(Actor::SYSTEM, "auth.login_failed").from(ip);
        if let Some(id) = target {
            failed = failed.on("user", id);
        }
        let detail = serde_json::json!({"email": email, "reason": "wrong email or password"});
        audit::record(&mut *state.pool.get().await?, failed.with(detail)).await?;
        return Err(wrong_credentials());
    };
    let mut conn = state.pool.get().await?;
    throttle::clear_account(&mut conn, &email_key).await?;
    let (session_id, refresh_token) =
        model::create_session(&mut conn, account.id, state.config.refresh_token_ttl_secs).await?;
    tracing::info!(user_id = %account.id, %session_id, "login");
    let entry = Entry::new(Actor::user(account.id, None), "auth.login").on("session", session_id);
    audit::record(&mut conn, entry.from(ip)).await?;
    Ok(SignedIn {
        user_id: account.id,
        role: account.role,
        session_id,
        refresh_token,
    })
}

/// Exchange a refresh token for a new pair.
///
/// The refresh token presented stops working. Presenting one that was already exchanged
/// revokes the whole login session (it was stolen or replayed).
#[utoipa::path(
    operation_id = "refreshSession",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new access token and refresh token", body = TokenResponse),
        (status = 401, description = "Unknown, used, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    match model::rotate_refresh_token(&mut conn, &body.0.refresh_token).await? {
        model::Refresh::Rotated {
            user_id,
            role,
            session_id,
            refresh_token,
        } => list(
            &tokens(&state, user_id, &role, session_id, refresh_token)?,
            Cache::Private,
        ),
        model::Refresh::Reused {
            user_id,
            session_id,
        } => {
            let entry = Entry::new(Actor::user(user_id, None), "auth.refresh_reused");
            audit::record(&mut conn, entry.on("session", session_id)).await?;
            Err(ApiError::Unauthorized(
                "this refresh token was already used; the login session has been revoked".into(),
            ))
        }
        model::Refresh::Invalid => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or revoked".into(),
        )),
    }
}

/// Log out: revoke the login session of a refresh token.
///
/// The refresh token is the credential (no bearer needed). Its session's refresh and access
/// tokens stop working at once. Logging out twice is not an error.
#[utoipa::path(
    operation_id = "logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is revoked"),
        (status = 401, description = "Unknown refresh token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    match sign_out(&state, &body.0.refresh_token).await? {
        true => Ok(HttpResponse::NoContent().finish()),
        false => Err(ApiError::Unauthorized("unknown refresh token".into())),
    }
}

/// Revokes the login session of a refresh token (audited); `false` when the token is unknown.
pub async fn sign_out(state: &AppState, refresh_token: &str) -> ApiResult<bool> {
    let mut conn = state.pool.get().await?;
    match model::logout(&mut conn, refresh_token).await? {
        Some((session, user)) => {
            let entry = Entry::new(Actor::user(user, None), "auth.logout").on("session", session);
            audit::record(&mut conn, entry).await?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// The caller: the signed-in user, or the owner and scope of the API token used.
#[utoipa::path(
    operation_id = "getMe",
    tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, description = "The caller", body = MeResponse))
)]
#[get("/auth/me")]
pub async fn me(caller: Caller) -> ApiResult<HttpResponse> {
    me_response(&caller)
}

fn me_response(caller: &Caller) -> ApiResult<HttpResponse> {
    let credential = match caller.credential.clone() {
        Credential::Session { session_id } => CredentialView::Session { session_id },
        Credential::ApiToken {
            token_id,
            name,
            scope,
        } => CredentialView::ApiToken {
            token_id,
            name,
            scope,
        },
    };
    let view = MeResponse {
        id: caller.user_id,
        email: caller.email.clone(),
        display_name: caller.display_name.clone(),
        role: caller.user_role,
        acts_as: caller.role(),
        credential,
    };
    list(&view, Cache::Private)
}

/// Change one's own display name or password.
///
/// Signed-in users only (not API tokens). A new password needs the current one; it signs out
/// every other login session of the account (this one stays).
#[utoipa::path(
    operation_id = "updateMe",
    tag = "auth",
    security(("bearer" = [])),
    request_body = UpdateMe,
    responses(
        (status = 200, description = "The caller after the change", body = MeResponse),
    )
)]
#[patch("/auth/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    caller: Caller,
    body: Json<UpdateMe>,
) -> ApiResult<HttpResponse> {
    caller.require_session()?;
    let Credential::Session { session_id } = caller.credential else {
        return Err(ApiError::Forbidden("sign in to change your account".into()));
    };
    let body = body.0;
    let mut fields = Fields::new();
    let display_name = body
        .display_name
        .and_then(|n| fields.take("display_name", Title::parse(&n, DISPLAY_NAME_MAX)))
        .map(String::from);
    let new_password = body
        .new_password
        .and_then(|p| fields.take("new_password", NewPassword::parse(&p)));
    if new_password.is_some() && body.current_password.is_none() {
        fields.push(
            "current_password",
            "required",
            "needed to set a new password",
        );
    }
    fields.finish()?;
    let password_hash = match (new_password, body.current_password) {
        (Some(new), Some(current)) => {
            let stored = {
                let mut conn = state.pool.get().await?;
                model::password_hash_of(&mut conn, caller.user_id).await?
            };
            if !password::verify(current, stored).await? {
                return Err(ApiError::invalid(
                    "current_password",
                    "wrong",
                    "this is not the current password",
                ));
            }
            Some(password::hash(new.expose().to_string()).await?)
        }
        _ => None,
    };
    let changed_password = password_hash.is_some();
    let mut conn = state.pool.get().await?;
    model::update_own_account(
        &mut conn,
        caller.user_id,
        session_id,
        display_name,
        password_hash,
    )
    .await?;
    let action = match changed_password {
        true => "auth.password_changed",
        false => "auth.account_updated",
    };
    let entry = Entry::new(caller.actor(), action).on("user", caller.user_id);
    audit::record(&mut conn, entry).await?;
    let fresh = model::caller_for_session(&mut conn, caller.user_id, session_id)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the session ended".into()))?;
    me_response(&fresh)
}

/// Registers the routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me)
        .service(update_me);
}
