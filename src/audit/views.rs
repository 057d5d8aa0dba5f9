//! Bodies of `/audit`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::AuditRow;

/// Filters of `GET /audit`; all optional, combined with AND.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The acting user's id.
    pub actor: Option<Uuid>,
    /// `article`, `category`, `photo`, `agreement`, `signatory`, `organization`, `site`,
    /// `user`, `api_token`, `webhook`, `session`.
    pub resource_type: Option<String>,
    pub resource_id: Option<Uuid>,
    /// An action (`article.published`) or a prefix (`auth.*`).
    pub action: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this instant (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Who acted.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActor {
    /// `null` for Bantin itself (the scheduler, `seed-demo`) or an unknown caller (a failed
    /// login).
    #[schema(required = true)]
    pub user_id: Option<Uuid>,
    /// The user's name now (`null` when the account is gone).
    #[schema(required = true)]
    pub display_name: Option<String>,
    /// The API token used, if one was.
    #[schema(required = true)]
    pub token_id: Option<Uuid>,
}

/// One entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b30", "at": "2026-12-04T08:00:00Z",
    "actor": {"user_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "display_name": "Biên tập viên", "token_id": null},
    "action": "article.published", "resource_type": "article",
    "resource_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b12", "address": null,
    "detail": {"version": 3, "title": "Kỳ họp thứ mười HĐND tỉnh Lai Châu"}
}))]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: AuditActor,
    pub action: String,
    #[schema(required = true)]
    pub resource_type: Option<String>,
    #[schema(required = true)]
    pub resource_id: Option<Uuid>,
    /// The client's address (logins and their failures).
    #[schema(required = true)]
    pub address: Option<String>,
    /// What else the entry says (a version and title; a role before and after; …).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

impl From<AuditRow> for AuditEntryView {
    fn from(r: AuditRow) -> Self {
        AuditEntryView {
            id: r.id,
            at: r.at,
            actor: AuditActor {
                user_id: r.actor_user_id,
                display_name: r.actor_display_name,
                token_id: r.actor_token_id,
            },
            action: r.action,
            resource_type: r.resource_type,
            resource_id: r.resource_id,
            address: r.address,
            detail: r.detail,
        }
    }
}
