//! Request and response bodies of `/photos`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::PhotoSort;
use crate::http::{non_null, nullable};

/// One resized file of a photo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"name": "medium", "width": 800, "height": 533,
    "url": "https://hdnd.laichau.gov.vn/media/3f/3fa1…/medium.jpg"}))]
pub struct PhotoVariant {
    /// `thumb` (320 px on the long side), `medium` (800 px) or `large` (1600 px).
    pub name: String,
    pub width: i32,
    pub height: i32,
    pub url: String,
}

/// An uploaded photo. `url` is the original (metadata removed, turned upright); the
/// variants are never larger than it (a small photo's variants are its original).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b30",
    "url": "https://hdnd.laichau.gov.vn/media/3f/3fa1…/original.jpg",
    "mime_type": "image/jpeg", "width": 4000, "height": 2667, "size_bytes": 3145728,
    "sha256": "3fa1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
    "caption": "Quang cảnh hội nghị", "alt_text": "Đại biểu dự hội nghị tại phòng họp số 1",
    "credit": "Ban Dân vận Tỉnh ủy", "taken_at": "2021-08-30T08:00:00Z",
    "variants": [
        {"name": "thumb", "width": 320, "height": 213, "url": "https://hdnd.laichau.gov.vn/media/3f/3fa1…/thumb.jpg"},
        {"name": "medium", "width": 800, "height": 533, "url": "https://hdnd.laichau.gov.vn/media/3f/3fa1…/medium.jpg"},
        {"name": "large", "width": 1600, "height": 1067, "url": "https://hdnd.laichau.gov.vn/media/3f/3fa1…/large.jpg"}
    ],
    "version": 1, "created_at": "2021-08-31T01:00:00Z", "updated_at": "2021-08-31T01:00:00Z"
}))]
pub struct PhotoView {
    pub id: Uuid,
    /// The original file.
    pub url: String,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub mime_type: String,
    pub width: i32,
    pub height: i32,
    /// Size of the served original.
    pub size_bytes: i64,
    /// SHA-256 of the uploaded bytes (hex).
    pub sha256: String,
    pub caption: String,
    /// Text for readers who cannot see the image.
    pub alt_text: String,
    /// Photographer or source.
    pub credit: String,
    #[schema(required = true)]
    pub taken_at: Option<DateTime<Utc>>,
    /// Always `thumb`, `medium` and `large`, in that order.
    pub variants: Vec<PhotoVariant>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The multipart form of `POST /photos` (documentation of the body; read as a stream).
/// Other form fields are refused (400).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadPhoto {
    /// The image: JPEG, PNG or WebP, recognised from its bytes.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// At most 1,000 characters.
    #[schema(nullable = false, example = "Quang cảnh hội nghị")]
    pub caption: Option<String>,
    /// At most 1,000 characters.
    #[schema(nullable = false, example = "Đại biểu dự hội nghị tại phòng họp số 1")]
    pub alt_text: Option<String>,
    /// At most 200 characters.
    #[schema(nullable = false, example = "Ban Dân vận Tỉnh ủy")]
    pub credit: Option<String>,
    /// RFC 3339 instant (an empty value is refused).
    #[schema(nullable = false, example = "2021-08-30T08:00:00Z")]
    pub taken_at: Option<DateTime<Utc>>,
}

/// Partial update of a photo's description (JSON merge semantics).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"caption": "Hai bên ký kết chương trình phối hợp", "credit": "Văn phòng HĐND tỉnh"}))]
pub struct UpdatePhoto {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub caption: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub alt_text: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub credit: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable = true)]
    pub taken_at: Option<Option<DateTime<Utc>>>,
}

/// Filters and sort of `GET /photos`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhotoFilters {
    /// Diacritic-insensitive search over caption, alt text and credit.
    #[param(example = "quang canh hoi nghi")]
    pub q: Option<String>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

/// `?force=` of `DELETE /photos/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeletePhotoQuery {
    /// `true` (editors and admins): delete even when articles use the photo, taking it off
    /// them (cover and gallery).
    pub force: Option<bool>,
}

impl crate::events::Subject for PhotoView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Photo;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, PhotoSort)] = &[("created_at", PhotoSort::CreatedAt)];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "-created_at",
        "`created_at`, `-` for descending (default `-created_at`: newest first).",
    )
}
