//! Request and response bodies of `/auth/*`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Role, TokenScope};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "bientap@hdnd.laichau.gov.vn", "password": "mật-khẩu-đủ-dài"}))]
pub struct LoginRequest {
    /// The account's email address, in any case.
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    pub password: String,
}

/// A new access token and the refresh token that replaces the one presented (if any).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"access_token": "eyJhbGciOiJIUzI1NiJ9…", "token_type": "Bearer", "expires_in": 900, "refresh_token": "rt_3q2-…"}))]
pub struct TokenResponse {
    /// JWT (HS256) to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: u64,
    /// Single-use token for `/auth/refresh` and `/auth/logout`.
    pub refresh_token: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"refresh_token": "rt_3q2-…"}))]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// How the caller authenticated.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CredentialView {
    /// An access token of a login session.
    Session { session_id: Uuid },
    /// An API token owned by the user; it acts as an editor within its scope.
    ApiToken {
        token_id: Uuid,
        name: String,
        scope: TokenScope,
    },
}

/// The caller: the signed-in user, or the owner of the API token used.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "email": "bientap@hdnd.laichau.gov.vn",
    "display_name": "Nguyễn Thị Hoà", "role": "editor", "acts_as": "editor",
    "credential": {"kind": "session", "session_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11"}
}))]
pub struct MeResponse {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The user's role.
    pub role: Role,
    /// The role this credential acts with (API tokens act as editors).
    pub acts_as: Role,
    pub credential: CredentialView,
}

/// Changes to one's own account; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"display_name": "Nguyễn Thị Hòa", "current_password": "mật-khẩu-đủ-dài", "new_password": "mật-khẩu-mới-đủ-dài"}))]
pub struct UpdateMe {
    pub display_name: Option<String>,
    /// Needed with `new_password`.
    pub current_password: Option<String>,
    pub new_password: Option<String>,
}
