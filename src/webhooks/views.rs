//! Request and response bodies of `/webhooks`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{AttemptRow, DeliveryRow, WebhookRow};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://congthongtin.laichau.gov.vn/hooks/bantin",
    "events": ["article.*", "agreement.created"],
    "description": "Cổng thông tin tỉnh: làm mới trang khi có bài mới"
}))]
pub struct CreateWebhook {
    /// Where deliveries are POSTed: http(s), a host that resolves to public addresses only
    /// (unless `BANTIN_WEBHOOK_ALLOW_PRIVATE=true`), at most 2,048 characters.
    pub url: String,
    /// Event types (`article.published`), a resource's prefix (`article.*`) or `*`; 1–50.
    pub events: Vec<String>,
    /// `true` when absent.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// At most 500 characters.
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"enabled": true}))]
pub struct UpdateWebhook {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Option<Vec<String>>,
    /// Enabling an endpoint that was disabled after failures clears `disabled_reason`.
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A webhook endpoint, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10",
    "url": "https://congthongtin.laichau.gov.vn/hooks/bantin",
    "events": ["article.*"], "enabled": true,
    "description": "Cổng thông tin tỉnh", "disabled_reason": null, "version": 1,
    "created_at": "2026-12-04T08:00:00Z", "updated_at": "2026-12-04T08:00:00Z"
}))]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub description: String,
    /// Why Bantin disabled the endpoint (after a run of failed deliveries), if it did.
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for WebhookView {
    fn from(r: WebhookRow) -> Self {
        WebhookView {
            events: r.patterns(),
            id: r.id,
            url: r.url,
            enabled: r.enabled,
            description: r.description,
            disabled_reason: r.disabled_reason,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A webhook with its signing secret: answered once, on creation (and on rotation).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_` and a base64 key: verify `webhook-signature` with it (Standard Webhooks).
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// One try of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptView {
    /// 1 for the first try.
    pub n: i32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's HTTP status; `null` when it did not answer.
    #[schema(required = true)]
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    /// Why the try failed (no answer, a refused address, a status outside 2xx).
    #[schema(required = true)]
    pub error: Option<String>,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its next try (`next_attempt_at`).
    Pending,
    Delivered,
    /// Every try failed; `POST …/retry` sends it again.
    Failed,
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b20", "event_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b21",
    "event_type": "article.published", "status": "delivered", "attempts": 1,
    "next_attempt_at": null, "created_at": "2026-12-04T08:00:00Z",
    "delivered_at": "2026-12-04T08:00:00Z",
    "attempt_log": [{"n": 1, "attempted_at": "2026-12-04T08:00:00Z", "status_code": 200, "duration_ms": 41, "error": null}]
}))]
pub struct DeliveryView {
    /// Also the `webhook-id` header, the same on every try.
    pub id: Uuid,
    /// `null` for a ping.
    #[schema(required = true)]
    pub event_id: Option<Uuid>,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// Every try, oldest first.
    pub attempt_log: Vec<AttemptView>,
}

impl From<(DeliveryRow, Vec<AttemptRow>)> for DeliveryView {
    fn from((d, attempts): (DeliveryRow, Vec<AttemptRow>)) -> Self {
        let status = match d.status.as_str() {
            "delivered" => DeliveryStatus::Delivered,
            "failed" => DeliveryStatus::Failed,
            _ => DeliveryStatus::Pending,
        };
        DeliveryView {
            id: d.id,
            event_id: d.event_id,
            event_type: d.event_type,
            status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            attempt_log: attempts
                .into_iter()
                .map(|a| AttemptView {
                    n: a.n,
                    attempted_at: a.attempted_at,
                    status_code: a.status_code,
                    duration_ms: a.duration_ms,
                    error: a.error,
                })
                .collect(),
        }
    }
}
