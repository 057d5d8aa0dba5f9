//! Request and response bodies of `/organizations`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::OrganizationRow;
use super::model::OrganizationSort;
use crate::http::{non_null, nullable};

/// Which system a body belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationKind {
    /// A Party body (Tỉnh ủy, Ban Dân vận Tỉnh ủy, Đảng đoàn HĐND tỉnh).
    Party,
    /// A state body (HĐND, UBND, Sở).
    State,
    /// The Fatherland Front and mass organisations (Ủy ban MTTQ, Hội Nông dân…).
    Front,
    Other,
}

impl OrganizationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OrganizationKind::Party => "party",
            OrganizationKind::State => "state",
            OrganizationKind::Front => "front",
            OrganizationKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "party" => Some(OrganizationKind::Party),
            "state" => Some(OrganizationKind::State),
            "front" => Some(OrganizationKind::Front),
            "other" => Some(OrganizationKind::Other),
            _ => None,
        }
    }
}

/// A body that issues or signs documents.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40", "name": "Đảng đoàn HĐND tỉnh",
    "short_name": "ĐĐHĐND", "kind": "party", "parent_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b41",
    "version": 1, "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct OrganizationView {
    pub id: Uuid,
    pub name: String,
    /// The body's own abbreviation with its case kept (`ĐĐHĐND`, `BDV`); empty when none.
    pub short_name: String,
    pub kind: OrganizationKind,
    /// The body it belongs to (`Tỉnh ủy Lai Châu`); `null` at the top.
    #[schema(required = true)]
    pub parent_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for OrganizationView {
    fn from(row: OrganizationRow) -> Self {
        OrganizationView {
            id: row.id,
            name: row.name,
            short_name: row.short_name,
            kind: OrganizationKind::parse(&row.kind).unwrap_or(OrganizationKind::Other),
            parent_id: row.parent_id,
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ban Dân vận Tỉnh ủy", "short_name": "BDV", "kind": "party",
    "parent_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b41"}))]
pub struct CreateOrganization {
    /// 1–300 characters; unique under the same parent (case and tone marks aside).
    pub name: String,
    /// At most 50 characters, kept as typed.
    pub short_name: Option<String>,
    pub kind: OrganizationKind,
    pub parent_id: Option<Uuid>,
}

/// Partial update (JSON merge semantics). `parent_id: null` moves it to the top; under
/// itself or one of its descendants is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"short_name": "ĐĐHĐND"}))]
pub struct UpdateOrganization {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub short_name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<OrganizationKind>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub parent_id: Option<Option<Uuid>>,
}

/// Filters and sorts of `GET /organizations`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrganizationFilters {
    /// Diacritic-insensitive search over the name and short name (`dan van` finds
    /// `Ban Dân vận Tỉnh ủy`, `ddhdnd` finds `ĐĐHĐND`).
    #[param(example = "dan van")]
    pub q: Option<String>,
    #[param(inline)]
    pub kind: Option<OrganizationKind>,
    /// Only the bodies directly under this one.
    pub parent_id: Option<Uuid>,
    /// `true`: only top-level bodies.
    pub root: Option<bool>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

impl crate::events::Subject for OrganizationView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Organization;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, OrganizationSort)] = &[
    ("name", OrganizationSort::Name),
    ("created_at", OrganizationSort::CreatedAt),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "name",
        "`name` (default; Vietnamese order) or `created_at`; `-` prefix for descending.",
    )
}
