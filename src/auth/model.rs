//! Sessions, refresh tokens and API-token lookups: the queries behind authentication.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::{Caller, Credential, Role, TokenScope};
use crate::db::schema::{api_tokens, refresh_tokens, sessions, users};
use crate::error::{ModelError, ModelResult};

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// SHA-256 of a token secret: what is stored instead of the secret.
pub fn hash_secret(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// A new random secret with a prefix (`bt_` for API tokens, `rt_` for refresh tokens).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

fn role_of(s: &str) -> ModelResult<Role> {
    Role::parse(s).ok_or_else(|| ModelError::internal(format!("unknown role in database: {s}")))
}

/// The caller behind a session's access token, if the session is live and the user enabled.
pub async fn caller_for_session(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    session_id: Uuid,
) -> ModelResult<Option<Caller>> {
    let row: Option<(Uuid, String, String, String)> = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(users::id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now()))
        .filter(users::disabled.eq(false))
        .select((users::id, users::email, users::display_name, users::role))
        .first(conn)
        .await
        .optional()?;
    row.map(|(user_id, email, display_name, role)| {
        Ok(Caller {
            user_id,
            email,
            display_name,
            user_role: role_of(&role)?,
            credential: Credential::Session { session_id },
        })
    })
    .transpose()
}

/// The caller behind an API token, if it exists, has not expired and its owner is enabled.
/// Records `last_used_at` (at most once a minute, to keep reads cheap).
pub async fn caller_for_api_token(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> ModelResult<Option<Caller>> {
    let now = Utc::now();
    type Row = (
        Uuid,
        String,
        String,
        Option<DateTime<Utc>>,
        Uuid,
        String,
        String,
        String,
    );
    let row: Option<Row> = api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(users::disabled.eq(false))
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(now)),
        )
        .select((
            api_tokens::id,
            api_tokens::name,
            api_tokens::scope,
            api_tokens::last_used_at,
            users::id,
            users::email,
            users::display_name,
            users::role,
        ))
        .first(conn)
        .await
        .optional()?;
    let Some((token_id, name, scope, last_used, user_id, email, display_name, role)) = row else {
        return Ok(None);
    };
    if last_used.is_none_or(|t| now - t > Duration::seconds(60)) {
        diesel::update(api_tokens::table.find(token_id))
            .set(api_tokens::last_used_at.eq(now))
            .execute(conn)
            .await?;
    }
    let scope = TokenScope::parse(&scope)
        .ok_or_else(|| ModelError::internal("unknown token scope in database"))?;
    Ok(Some(Caller {
        user_id,
        email,
        display_name,
        user_role: role_of(&role)?,
        credential: Credential::ApiToken {
            token_id,
            name,
            scope,
        },
    }))
}

/// What login needs to know about an account.
pub struct LoginAccount {
    pub id: Uuid,
    pub role: String,
    pub password_hash: String,
    pub disabled: bool,
}

/// Finds an account by email, whatever its case.
pub async fn find_login_account(
    conn: &mut AsyncPgConnection,
    email_key: &str,
) -> ModelResult<Option<LoginAccount>> {
    let row: Option<(Uuid, String, String, bool)> = users::table
        .filter(lower(users::email).eq(email_key))
        .select((
            users::id,
            users::role,
            users::password_hash,
            users::disabled,
        ))
        .first(conn)
        .await
        .optional()?;
    Ok(row.map(|(id, role, password_hash, disabled)| LoginAccount {
        id,
        role,
        password_hash,
        disabled,
    }))
}

/// Starts a login session; returns its id and its first refresh token.
pub async fn create_session(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    ttl_secs: u64,
) -> ModelResult<(Uuid, String)> {
    let session_id = Uuid::now_v7();
    let refresh = new_secret("rt_");
    let hash = hash_secret(&refresh);
    let expires_at = Utc::now() + Duration::seconds(ttl_secs as i64);
    conn.transaction::<_, ModelError, _>(async move |conn| {
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(session_id),
                sessions::user_id.eq(user_id),
                sessions::expires_at.eq(expires_at),
            ))
            .execute(conn)
            .await?;
        diesel::insert_into(refresh_tokens::table)
            .values((
                refresh_tokens::token_hash.eq(hash),
                refresh_tokens::session_id.eq(session_id),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    Ok((session_id, refresh))
}

/// used_at, session id, user id, session revoked_at, session expires_at.
type RefreshRow = (
    Option<DateTime<Utc>>,
    Uuid,
    Uuid,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
);

/// The result of presenting a refresh token.
pub enum Refresh {
    /// A new refresh token was issued in the same session.
    Rotated {
        user_id: Uuid,
        role: String,
        session_id: Uuid,
        refresh_token: String,
    },
    /// The token had been used already: the session is now revoked.
    Reused { user_id: Uuid, session_id: Uuid },
    /// Unknown token, or a session that is revoked, expired or whose user is disabled.
    Invalid,
}

/// Rotates a refresh token. Presenting one that was already rotated revokes the session.
pub async fn rotate_refresh_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ModelResult<Refresh> {
    let hash = hash_secret(token);
    conn.transaction::<_, ModelError, _>(async move |conn| {
            let row: Option<RefreshRow> = refresh_tokens::table
                .inner_join(sessions::table)
                .filter(refresh_tokens::token_hash.eq(&hash))
                .select((
                    refresh_tokens::used_at,
                    sessions::id,
                    sessions::user_id,
                    sessions::revoked_at,
                    sessions::expires_at,
                ))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let Some((used_at, session_id, user_id, revoked_at, expires_at)) = row else {
                return Ok(Refresh::Invalid);
            };
            if revoked_at.is_some() || expires_at <= Utc::now() {
                return Ok(Refresh::Invalid);
            }
            if used_at.is_some() {
                revoke_session(conn, session_id, "refresh token reuse").await?;
                tracing::warn!(%session_id, "a rotated refresh token was presented again; session revoked");
                return Ok(Refresh::Reused { user_id, session_id });
            }
            let user: Option<(String, bool)> = users::table
                .find(user_id)
                .select((users::role, users::disabled))
                .first(conn)
                .await
                .optional()?;
            let Some((role, false)) = user else {
                return Ok(Refresh::Invalid);
            };
            diesel::update(refresh_tokens::table.find(&hash))
                .set(refresh_tokens::used_at.eq(Utc::now()))
                .execute(conn)
                .await?;
            let refresh_token = new_secret("rt_");
            diesel::insert_into(refresh_tokens::table)
                .values((refresh_tokens::token_hash.eq(hash_secret(&refresh_token)), refresh_tokens::session_id.eq(session_id)))
                .execute(conn)
                .await?;
            Ok(Refresh::Rotated { user_id, role, session_id, refresh_token })
        })
    .await
}

async fn revoke_session(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    reason: &str,
) -> ModelResult<()> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Utc::now()),
        sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes the session a refresh token (current or already rotated) belongs to; answers the
/// session and its user, `None` when the token is unknown.
pub async fn logout(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ModelResult<Option<(Uuid, Uuid)>> {
    let session: Option<(Uuid, Uuid)> = refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash_secret(token)))
        .select((refresh_tokens::session_id, sessions::user_id))
        .first(conn)
        .await
        .optional()?;
    if let Some((id, _)) = session {
        revoke_session(conn, id, "logout").await?;
    }
    Ok(session)
}

/// The login session a desk cookie's refresh token belongs to (user, session), if the token
/// is current (not yet exchanged) and the session live. The desk never exchanges it.
pub async fn session_of_refresh_token(
    conn: &mut AsyncPgConnection,
    token: &str,
) -> ModelResult<Option<(Uuid, Uuid)>> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash_secret(token)))
        .filter(refresh_tokens::used_at.is_null())
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now()))
        .select((sessions::user_id, sessions::id))
        .first(conn)
        .await
        .optional()?)
}

/// The stored password hash of an account.
pub async fn password_hash_of(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
) -> ModelResult<Option<String>> {
    Ok(users::table
        .find(user_id)
        .select(users::password_hash)
        .first(conn)
        .await
        .optional()?)
}

/// One's own account change: the display name and/or the password; a new password revokes
/// every other live session of the account.
pub async fn update_own_account(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep_session: Uuid,
    display_name: Option<String>,
    password_hash: Option<String>,
) -> ModelResult<()> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let revoke = password_hash.is_some();
        diesel::update(users::table.find(user_id))
            .set((
                display_name.map(|v| users::display_name.eq(v)),
                password_hash.map(|v| users::password_hash.eq(v)),
                users::version.eq(users::version + 1),
                users::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        if revoke {
            diesel::update(
                sessions::table
                    .filter(sessions::user_id.eq(user_id))
                    .filter(sessions::id.ne(keep_session))
                    .filter(sessions::revoked_at.is_null()),
            )
            .set((
                sessions::revoked_at.eq(Utc::now()),
                sessions::revoke_reason.eq("password changed"),
            ))
            .execute(conn)
            .await?;
        }
        Ok(())
    })
    .await
}

/// Revokes every live session of a user (disabled, password changed).
pub async fn revoke_user_sessions(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    reason: &str,
) -> ModelResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Utc::now()),
        sessions::revoke_reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(())
}
