//! Who is calling: passwords, access tokens (JWT), API tokens, the login throttle, and the
//! [`Caller`] extractor that handlers use to check roles in one line.

pub mod csrf;
pub mod handlers;
pub mod jwt;
pub mod model;
pub mod password;
pub mod throttle;
pub mod views;

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::DbPool;
use crate::error::{ApiError, ApiResult};

/// A user's role; later roles include the earlier ones' rights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates content and edits own drafts; cannot publish or delete.
    Author,
    /// All content: publish, archive, delete.
    Editor,
    /// Everything, including users, API tokens and site settings.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// An API token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    /// Every GET an editor may make, and the anonymous actions; nothing else.
    Read,
    /// Acts as an editor.
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An access token of a login session.
    Session { session_id: Uuid },
    /// An integrator's API token; it acts as an editor within its scope.
    ApiToken {
        token_id: Uuid,
        name: String,
        scope: TokenScope,
    },
}

/// Whether an action only reads or also writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// An authenticated caller. Extracting it answers 401 when credentials are missing or bad.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The user's own role (the token's owner for API tokens).
    pub user_role: Role,
    pub credential: Credential,
}

impl Caller {
    /// The role the caller acts with. API tokens act as editors, but never with more than
    /// their owner's current role (read on every request): a token of an owner demoted to
    /// author acts as an author.
    /// Who the caller is in events and the audit log: the user, and the API token used.
    pub fn actor(&self) -> crate::events::Actor {
        let token = match &self.credential {
            Credential::ApiToken { token_id, .. } => Some(*token_id),
            Credential::Session { .. } => None,
        };
        crate::events::Actor::user(self.user_id, token)
    }

    pub fn role(&self) -> Role {
        match self.credential {
            Credential::Session { .. } => self.user_role,
            Credential::ApiToken { .. } => self.user_role.min(Role::Editor),
        }
    }

    /// 403 unless the caller acts with at least `min` and, for writes, holds a token that may
    /// write. One line in a handler: `caller.require(Role::Admin, Access::Write)?`.
    pub fn require(&self, min: Role, access: Access) -> ApiResult<()> {
        if let Credential::ApiToken {
            scope: TokenScope::Read,
            ..
        } = self.credential
            && access == Access::Write
        {
            return Err(ApiError::Forbidden(
                "this API token has the `read` scope".into(),
            ));
        }
        if self.role() < min {
            return Err(ApiError::Forbidden(format!(
                "this needs the `{}` role",
                min.as_str()
            )));
        }
        Ok(())
    }

    /// 403 for API tokens: some things (users, tokens) are for people signed in only.
    pub fn require_session(&self) -> ApiResult<()> {
        match self.credential {
            Credential::Session { .. } => Ok(()),
            Credential::ApiToken { .. } => Err(ApiError::Forbidden(
                "API tokens cannot manage users or tokens".into(),
            )),
        }
    }
}

/// A caller that may be anonymous; bad credentials are still a 401.
#[derive(Debug, Clone)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(&req).await?.ok_or_else(|| {
                ApiError::Unauthorized("this needs a bearer token (Authorization: Bearer …)".into())
            })
        })
    }
}

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(&req).await.map(MaybeCaller) })
    }
}

/// What the [`Caller`] extractor needs to check credentials; the app registers it beside its
/// state.
#[derive(Clone)]
pub struct Authenticator {
    pub pool: DbPool,
    pub jwt: jwt::JwtKeys,
}

/// The prefix that marks an API token secret.
pub const API_TOKEN_PREFIX: &str = "bt_";

async fn authenticate(req: &HttpRequest) -> ApiResult<Option<Caller>> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let bad = || ApiError::Unauthorized("the bearer token is invalid, expired or revoked".into());
    let value = value.to_str().map_err(|_| bad())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(bad)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized(
            "only Bearer credentials are accepted".into(),
        ));
    }
    let token = token.trim();
    let keys = req
        .app_data::<web::Data<Authenticator>>()
        .ok_or_else(|| ApiError::internal("the authenticator is missing"))?;
    let mut conn = keys.pool.get().await?;
    let caller = if token.starts_with(API_TOKEN_PREFIX) {
        model::caller_for_api_token(&mut conn, &model::hash_secret(token)).await?
    } else {
        let claims = keys.jwt.verify(token).ok_or_else(bad)?;
        model::caller_for_session(&mut conn, claims.sub, claims.sid).await?
    };
    caller.map(Some).ok_or_else(bad)
}

/// The client's address: the TCP peer, or the right-most untrusted `X-Forwarded-For` entry
/// when the peer is a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}
