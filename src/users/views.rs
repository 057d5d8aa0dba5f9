//! Request and response bodies of `/users`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::http::non_null;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::UserRow;
use super::model::UserSort;
use crate::auth::Role;

/// A user account (never its password).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "email": "bientap@hdnd.laichau.gov.vn",
    "display_name": "Nguyễn Thị Hoà", "role": "editor", "disabled": false, "version": 1,
    "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    /// A disabled user cannot log in; its sessions and API tokens stop working.
    pub disabled: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserRow> for UserView {
    fn from(row: UserRow) -> Self {
        UserView {
            id: row.id,
            email: row.email,
            display_name: row.display_name,
            role: Role::parse(&row.role).unwrap_or(Role::Author),
            disabled: row.disabled,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "phongvien@hdnd.laichau.gov.vn", "display_name": "Lò Thị Mai", "role": "author", "password": "mật-khẩu-đủ-dài"}))]
pub struct CreateUser {
    pub email: String,
    /// 1–200 characters.
    pub display_name: String,
    pub role: Role,
    /// At least 12 characters.
    pub password: String,
}

/// Partial update (JSON merge semantics): absent fields are left as they are.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "editor", "disabled": false}))]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// `true` disables the user: its sessions are revoked and its API tokens stop working.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub disabled: Option<bool>,
    /// A new password (at least 12 characters); the user's sessions are revoked.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub password: Option<String>,
}

/// Filters and sorts of `GET /users`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserFilters {
    /// Matches email or display name (case-insensitive substring).
    pub q: Option<String>,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, UserSort)] = &[
    ("created_at", UserSort::CreatedAt),
    ("email", UserSort::Email),
    ("display_name", UserSort::DisplayName),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "-created_at",
        "`email`, `display_name` or `created_at` (default), `-` prefix for descending.",
    )
}
