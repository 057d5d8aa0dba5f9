//! Request and response bodies of `/signatories`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::SignatoryRecord;
use super::model::SignatorySort;
use crate::http::{non_null, nullable};
use crate::organizations::views::OrganizationKind;
use crate::photos::views::PhotoView;

/// An organisation as embedded in other objects.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40", "name": "Ban Dân vận Tỉnh ủy", "short_name": "BDV", "kind": "party"}))]
pub struct OrganizationRef {
    pub id: Uuid,
    pub name: String,
    pub short_name: String,
    pub kind: OrganizationKind,
}

/// A person who signs documents.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b50", "full_name": "Chu Lê Chinh",
    "current_position": "Phó Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh",
    "organization": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40", "name": "Đảng đoàn HĐND tỉnh", "short_name": "ĐĐHĐND", "kind": "party"},
    "photo": null, "version": 1, "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct SignatoryView {
    pub id: Uuid,
    /// Family name first, no honorifics: `Lò Văn Cương`.
    pub full_name: String,
    /// The position held now; each signature keeps the positions held when it was signed.
    pub current_position: String,
    #[schema(value_type = Option<OrganizationRef>, required = true)]
    pub organization: Option<Box<RawValue>>,
    #[schema(value_type = Option<PhotoView>, required = true)]
    pub photo: Option<Box<RawValue>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn raw(json: Option<String>) -> Option<Box<RawValue>> {
    json.and_then(|j| RawValue::from_string(j).ok())
}

impl From<SignatoryRecord> for SignatoryView {
    fn from(r: SignatoryRecord) -> Self {
        SignatoryView {
            id: r.id,
            full_name: r.full_name,
            current_position: r.current_position,
            organization: raw(r.organization),
            photo: raw(r.photo),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new signatory.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"full_name": "Lò Văn Cương", "current_position": "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy",
    "organization_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40"}))]
pub struct CreateSignatory {
    /// 2–100 characters, family name first; a leading honorific or title (`Ông`, `Bà`,
    /// `TS.`, `ThS.`, `PGS.`, `đồng chí`, …) is a 422.
    pub full_name: String,
    /// At most 500 characters.
    pub current_position: Option<String>,
    pub organization_id: Option<Uuid>,
    /// An uploaded photo (portrait).
    pub photo_id: Option<Uuid>,
}

/// Partial update (JSON merge semantics).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"current_position": "Phó Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh"}))]
pub struct UpdateSignatory {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub current_position: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub organization_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub photo_id: Option<Option<Uuid>>,
}

/// Filters and sorts of `GET /signatories`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignatoryFilters {
    /// Diacritic-insensitive search over the name (`lo van cuong` finds `Lò Văn Cương`).
    #[param(example = "lo van cuong")]
    pub q: Option<String>,
    /// Only the signatories of this organisation.
    pub organization: Option<Uuid>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

impl crate::events::Subject for SignatoryView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Signatory;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, SignatorySort)] = &[
    ("name", SignatorySort::Name),
    ("created_at", SignatorySort::CreatedAt),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "name",
        "`name` (default): by given name (the last word), then middle name(s), then family name, in Vietnamese order (a < ă < â, d < đ), as Vietnamese lists of people are sorted; or `created_at`. `-` prefix for descending.",
    )
}
