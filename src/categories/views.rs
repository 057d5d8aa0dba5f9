//! Request and response bodies of `/categories`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::CategoryRow;
use super::model::CategorySort;
use crate::http::{int32, int32_or_null, non_null, nullable};

/// One step of a breadcrumb.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân"}))]
pub struct PathItem {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// Reads the stored breadcrumb; a malformed one (never written by Bantin) reads as empty.
pub fn path_of(value: serde_json::Value) -> Vec<PathItem> {
    serde_json::from_value(value).unwrap_or_default()
}

/// A category of the tree.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan",
    "name": "Hội đồng nhân dân", "description": "Tin về hoạt động của HĐND tỉnh",
    "parent_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "position": 1,
    "path": [
        {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "slug": "tin-tuc-hoat-dong", "name": "Tin tức hoạt động"},
        {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân"}
    ],
    "version": 1, "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct CategoryView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The parent category; `null` at the top level.
    #[schema(required = true)]
    pub parent_id: Option<Uuid>,
    /// Order among siblings (ascending).
    pub position: i32,
    /// Breadcrumb from the root down to this category itself.
    pub path: Vec<PathItem>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CategoryRow> for CategoryView {
    fn from(row: CategoryRow) -> Self {
        CategoryView {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            parent_id: row.parent_id,
            position: row.position,
            path: path_of(row.path),
            version: row.version,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A new category.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Hội đồng nhân dân", "parent_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10"}))]
pub struct CreateCategory {
    /// 1–200 characters.
    pub name: String,
    /// Lowercase ASCII words joined by `-`; derived from the name when absent (a derived
    /// slug that is taken gets `-2`, `-3`, …; a given slug that is taken is a 409).
    pub slug: Option<String>,
    /// At most 2,000 characters.
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    /// Order among siblings; after the last sibling when absent.
    #[serde(default, deserialize_with = "int32_or_null")]
    pub position: Option<i32>,
}

/// Partial update (JSON merge semantics). `parent_id: null` moves the category to the top
/// level; moving it under itself or one of its descendants is a 422.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "HĐND tỉnh", "position": 2}))]
pub struct UpdateCategory {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub parent_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "int32")]
    #[schema(nullable = false)]
    pub position: Option<i32>,
}

/// Filters and sorts of `GET /categories`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CategoryFilters {
    /// Only the children of this category.
    pub parent_id: Option<Uuid>,
    /// `true`: only top-level categories.
    pub root: Option<bool>,
    /// Diacritic-insensitive match on the name (`hoi dong` finds `Hội đồng`).
    pub q: Option<String>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

impl crate::events::Subject for CategoryView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Category;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, CategorySort)] = &[
    ("position", CategorySort::Position),
    ("name", CategorySort::Name),
    ("created_at", CategorySort::CreatedAt),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "position",
        "`position` (default; with `parent_id` or `root`, the order of the siblings), `name` (Vietnamese alphabetical order) or `created_at`; `-` prefix for descending.",
    )
}
