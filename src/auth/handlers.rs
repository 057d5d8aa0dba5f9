//! `/auth/login`, `/auth/refresh`, `/auth/logout`, `/auth/me`.

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::views::{CredentialView, LoginRequest, MeResponse, RefreshRequest, TokenResponse};
use super::{Caller, Credential, client_ip, model, password, throttle};
use crate::audit::{self, Entry};
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
    let Ok(email) = text::parse_email(&email) else {
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
    list(
        &tokens(&state, account.id, &account.role, session_id, refresh_token)?,
        Cache::Private,
    )
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
    let mut conn = state.pool.get().await?;
    match model::logout(&mut conn, &body.0.refresh_token).await? {
        Some((session, user)) => {
            let entry = Entry::new(Actor::user(user, None), "auth.logout").on("session", session);
            audit::record(&mut conn, entry).await?;
            Ok(HttpResponse::NoContent().finish())
        }
        None => Err(ApiError::Unauthorized("unknown refresh token".into())),
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
    let me = MeResponse {
        id: caller.user_id,
        email: caller.email.clone(),
        display_name: caller.display_name.clone(),
        role: caller.user_role,
        acts_as: caller.role(),
        credential,
    };
    list(&me, Cache::Private)
}

/// Registers the routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login)
        .service(refresh)
        .service(logout)
        .service(me);
}
