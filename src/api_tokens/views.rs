//! Request and response bodies of `/api-tokens`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::ApiTokenRow;
use crate::auth::TokenScope;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Cổng thông tin tỉnh (đọc)", "scope": "read", "expires_at": "2027-12-31T17:00:00Z"}))]
pub struct CreateApiToken {
    /// What the token is for, 1–200 characters.
    pub name: String,
    pub scope: TokenScope,
    /// When the token stops working; never when absent. Must be in the future.
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
}

/// Who owns a token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenOwner {
    pub id: Uuid,
    pub display_name: String,
}

/// An API token, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "name": "Cổng thông tin tỉnh (đọc)", "scope": "read",
    "expires_at": null, "last_used_at": "2026-11-27T09:15:00Z", "created_at": "2026-11-27T08:00:00Z",
    "owner": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "display_name": "Quản trị viên"}
}))]
pub struct ApiTokenView {
    pub id: Uuid,
    pub name: String,
    pub scope: TokenScope,
    #[schema(required = true)]
    pub expires_at: Option<DateTime<Utc>>,
    /// Last time the token authenticated a request (to the minute).
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub owner: TokenOwner,
}

impl From<ApiTokenRow> for ApiTokenView {
    fn from(r: ApiTokenRow) -> Self {
        ApiTokenView {
            id: r.id,
            name: r.name,
            scope: TokenScope::parse(&r.scope).unwrap_or(TokenScope::Read),
            expires_at: r.expires_at,
            last_used_at: r.last_used_at,
            created_at: r.created_at,
            owner: TokenOwner {
                id: r.owner_id,
                display_name: r.owner_display_name,
            },
        }
    }
}

/// A new token with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "name": "Cổng thông tin tỉnh (đọc)", "scope": "read",
    "expires_at": null, "last_used_at": null, "created_at": "2026-11-27T08:00:00Z",
    "owner": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "display_name": "Quản trị viên"},
    "token": "bt_Zx8…"
}))]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token_info: ApiTokenView,
    /// The secret (`bt_…`): send as `Authorization: Bearer bt_…`. Stored only as a hash.
    pub token: String,
}
