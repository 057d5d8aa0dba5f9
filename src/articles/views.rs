//! Request and response bodies of `/articles`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::ArticleRecord;
use super::model::ArticleSort;
use crate::categories::views::PathItem;
/// Where an article is in its life (a domain value; the spec names its schema `ArticleStatus`).
pub use crate::domain::ArticleStatus;
use crate::http::{empty_list, non_null, nullable};
use crate::photos::views::PhotoView;

/// A photo in an article's gallery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticlePhoto {
    pub photo: PhotoView,
    /// The caption under the photo in this article (the photo's own caption may differ).
    pub caption: String,
    /// Display order, ascending.
    pub position: i32,
}

/// An agreement an article reports.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b60", "document_number": "31B-QCPH/BDV-ĐĐHĐND",
    "title": "Quy chế phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy với Đảng Đoàn HĐND tỉnh"}))]
pub struct ArticleAgreement {
    pub id: Uuid,
    pub document_number: Option<String>,
    pub title: String,
}

/// A photo to show in an article's gallery.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"photo_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b30", "caption": "Quang cảnh hội nghị", "position": 0}))]
pub struct GalleryInput {
    pub photo_id: Uuid,
    /// At most 1,000 characters; empty when absent.
    pub caption: Option<String>,
    /// Display order, 0–10,000, unique within the article; the item's index when absent.
    #[serde(default, deserialize_with = "crate::http::int32_or_null")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 10000)]
    pub position: Option<i32>,
}

/// The category an article is filed under, with its breadcrumb.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân",
    "path": [
        {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "slug": "tin-tuc-hoat-dong", "name": "Tin tức hoạt động"},
        {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân"}
    ]
}))]
pub struct CategoryRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// Breadcrumb from the root down to the category itself.
    pub path: Vec<PathItem>,
}

/// Who wrote an article.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[schema(example = json!({"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b12", "display_name": "Lò Thị Mai"}))]
pub struct AuthorRef {
    pub id: Uuid,
    pub display_name: String,
}

/// An article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b20",
    "slug": "hoi-nghi-tong-ket-quy-che-phoi-hop-giua-ban-dan-van-tinh-uy-phoi-hop-voi-dang-doan-hdnd-tinh",
    "title": "Hội nghị tổng kết Quy chế phối hợp giữa Ban Dân vận Tỉnh ủy phối hợp với Đảng Đoàn HĐND tỉnh",
    "summary": "Chiều ngày 30/8/2021, tại phòng họp số 1, tầng 4, Nhà B, Trung tâm Hành chính - Chính trị tỉnh…",
    "body": "<p>Chiều ngày 30/8/2021, tại phòng họp số 1…</p>",
    "status": "published", "published_at": "2021-08-31T02:52:45Z",
    "category": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân",
        "path": [{"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b10", "slug": "tin-tuc-hoat-dong", "name": "Tin tức hoạt động"},
                 {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân"}]},
    "cover_photo": null, "photos": [], "agreements": [],
    "related_ids": [], "author": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b12", "display_name": "Lò Thị Mai"},
    "view_count": 1520, "deleted_at": null, "version": 3,
    "created_at": "2021-08-31T01:00:00Z", "updated_at": "2021-08-31T02:52:45Z"
}))]
pub struct ArticleView {
    pub id: Uuid,
    pub slug: String,
    /// Plain text: escape it when rendering HTML.
    pub title: String,
    /// Plain text: escape it when rendering HTML.
    pub summary: String,
    /// Sanitised HTML, safe to insert as is. A photo is placed with `<figure
    /// data-photo="<photo id>"><figcaption>…</figcaption></figure>`; every such figure comes
    /// filled with an `<img>` of that photo (`src` its `medium` variant, `srcset` and `sizes`
    /// over its variants, `width`, `height`, `alt` from the photo, `loading="lazy"`) before
    /// its caption. A figure whose photo was deleted keeps its caption only.
    pub body: String,
    pub status: ArticleStatus,
    /// When the article becomes (or became) public.
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<CategoryRef>, required = true)]
    pub category: Option<Box<RawValue>>,
    #[schema(value_type = Option<PhotoView>, required = true)]
    pub cover_photo: Option<Box<RawValue>>,
    /// The gallery, in `position` order.
    #[schema(value_type = Vec<ArticlePhoto>)]
    pub photos: Box<RawValue>,
    /// The agreements the article reports, in order.
    #[schema(value_type = Vec<ArticleAgreement>)]
    pub agreements: Box<RawValue>,
    /// Manually related articles, in order (anonymous readers see only the public ones).
    pub related_ids: Vec<Uuid>,
    /// `null` when the author's account was deleted.
    #[schema(required = true)]
    pub author: Option<AuthorRef>,
    pub view_count: i64,
    /// When the article was moved to the trash; `null` otherwise.
    #[schema(required = true)]
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An article in a list: everything but `body`, `photos` and `related_ids`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub status: ArticleStatus,
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<CategoryRef>, required = true)]
    pub category: Option<Box<RawValue>>,
    #[schema(value_type = Option<PhotoView>, required = true)]
    pub cover_photo: Option<Box<RawValue>>,
    #[schema(required = true)]
    pub author: Option<AuthorRef>,
    pub view_count: i64,
    #[schema(required = true)]
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// JSON built by the database (a category, a photo), passed through as it is.
fn category_of(json: Option<String>) -> Option<Box<RawValue>> {
    json.and_then(|j| RawValue::from_string(j).ok())
}

fn author_of(id: Option<Uuid>, name: Option<String>) -> Option<AuthorRef> {
    Some(AuthorRef {
        id: id?,
        display_name: name?,
    })
}

impl From<ArticleRecord> for ArticleView {
    fn from(r: ArticleRecord) -> Self {
        ArticleView {
            id: r.id,
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            body: r.body,
            status: r.status,
            published_at: r.published_at,
            category: category_of(r.category),
            cover_photo: category_of(r.cover_photo),
            photos: category_of(r.photos).unwrap_or_else(empty_list),
            agreements: category_of(r.agreements).unwrap_or_else(empty_list),
            related_ids: r.related_ids,
            author: author_of(r.author_id, r.author_name),
            view_count: r.view_count,
            deleted_at: r.deleted_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<ArticleRecord> for ArticleSummary {
    fn from(r: ArticleRecord) -> Self {
        ArticleSummary {
            id: r.id,
            slug: r.slug,
            title: r.title,
            summary: r.summary,
            status: r.status,
            published_at: r.published_at,
            category: category_of(r.category),
            cover_photo: category_of(r.cover_photo),
            author: author_of(r.author_id, r.author_name),
            view_count: r.view_count,
            deleted_at: r.deleted_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new article. Authors may only create drafts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Hội nghị tổng kết Quy chế phối hợp giữa Ban Dân vận Tỉnh ủy phối hợp với Đảng Đoàn HĐND tỉnh",
    "summary": "Chiều ngày 30/8/2021, tại phòng họp số 1, tầng 4, Nhà B…",
    "body": "<p>Chiều ngày 30/8/2021, tại phòng họp số 1…</p>",
    "status": "published", "published_at": "2021-08-31T02:52:45Z",
    "category_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b11", "related_ids": []
}))]
pub struct CreateArticle {
    /// Plain text (kept as written, `<` included), 1–500 characters.
    pub title: String,
    /// Lowercase ASCII words joined by `-`, at most 100 characters. Derived from the title
    /// when absent (a derived slug that is taken gets `-2`, `-3`, …); a given slug that is
    /// taken is a 409.
    pub slug: Option<String>,
    /// Plain text, at most 2,000 characters.
    pub summary: Option<String>,
    /// HTML, at most 512 KiB; sanitised (no scripts, event handlers or `javascript:` URLs).
    /// Place a photo with `<figure data-photo="<photo id>"><figcaption>…</figcaption></figure>`:
    /// reads fill it with the photo's `<img>` (an `<img>` given inside it is replaced).
    pub body: Option<String>,
    /// `draft` when absent.
    pub status: Option<ArticleStatus>,
    /// A future instant with `published` schedules the article; `published` without it
    /// means now.
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    /// Up to 20 existing articles (trashed ones included), in display order.
    pub related_ids: Option<Vec<Uuid>>,
    /// An uploaded photo shown with the article in lists and on its page.
    pub cover_photo_id: Option<Uuid>,
    /// Up to 50 uploaded photos with their captions in this article.
    pub photos: Option<Vec<GalleryInput>>,
    /// Up to 20 agreements the article reports, in order.
    pub agreement_ids: Option<Vec<Uuid>>,
}

/// Partial update (JSON merge semantics). Authors may only edit their own drafts and not
/// change their status.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Chiều ngày 30/8/2021, Ban Dân vận Tỉnh ủy phối hợp với Đảng Đoàn HĐND tỉnh tổ chức hội nghị…", "status": "published"}))]
pub struct UpdateArticle {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<ArticleStatus>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>, nullable = true)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub category_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub related_ids: Option<Vec<Uuid>>,
    /// `null` removes the cover photo.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable = true)]
    pub cover_photo_id: Option<Option<Uuid>>,
    /// Replaces the whole gallery (`[]` empties it).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub photos: Option<Vec<GalleryInput>>,
    /// Replaces the list of agreements reported.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub agreement_ids: Option<Vec<Uuid>>,
}

/// What `status` selects in `GET /articles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Draft,
    /// Published, scheduled ones included when read with credentials.
    Published,
    /// Published with `published_at` in the future (credentials needed).
    Scheduled,
    Archived,
}

/// Filters and sorts of `GET /articles`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilters {
    /// A category id or slug; its sub-categories are included.
    #[param(example = "hoi-dong-nhan-dan")]
    pub category: Option<String>,
    /// Anonymous callers may only ask for `published` (else 401). With credentials the
    /// default is every article the caller may see.
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Diacritic-insensitive full-text search over title, summary and body text; the results
    /// are ranked by relevance unless `sort` is given.
    #[param(example = "hoi nghi")]
    pub q: Option<String>,
    /// Published at or after: an RFC 3339 instant, or `YYYY-MM-DD` (from the start of that day
    /// in the site's time zone).
    #[param(example = "2021-08-01")]
    pub published_from: Option<String>,
    /// Published at or before: an RFC 3339 instant, or `YYYY-MM-DD` (to the end of that day
    /// in the site's time zone).
    #[param(example = "2021-08-31")]
    pub published_to: Option<String>,
    /// Only articles by this user.
    pub author: Option<Uuid>,
    /// `true`: the trash instead of the live articles (editors and admins).
    pub trashed: Option<bool>,
    /// Only articles that report this agreement.
    pub agreement: Option<Uuid>,
    /// Only articles that report an agreement this signatory signed.
    pub signatory: Option<Uuid>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

/// `?limit=` of `GET /articles/{id}/related`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    /// 1–20 (default 5).
    #[param(minimum = 1, maximum = 20, example = 5)]
    pub limit: Option<i64>,
}

/// `?permanent=` of `DELETE /articles/{id}`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// `true` (admins): remove the article and its revisions for good instead of moving it
    /// to the trash.
    pub permanent: Option<bool>,
}

/// The view counter after a view.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"view_count": 1521}))]
pub struct ViewCount {
    pub view_count: i64,
}

/// An earlier version of an article.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"version": 2, "title": "Hội nghị tổng kết Quy chế phối hợp", "status": "draft",
    "created_at": "2021-08-31T02:00:00Z", "author": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b12", "display_name": "Lò Thị Mai"}}))]
pub struct RevisionSummary {
    /// The article's `version` this revision holds.
    pub version: i32,
    pub title: String,
    pub status: ArticleStatus,
    /// When this version was written.
    pub created_at: DateTime<Utc>,
    /// Who wrote this version; `null` when unknown or deleted.
    #[schema(required = true)]
    pub author: Option<AuthorRef>,
}

impl crate::events::Subject for ArticleView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Article;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, ArticleSort)] = &[
    ("published_at", ArticleSort::PublishedAt),
    ("title", ArticleSort::Title),
    ("view_count", ArticleSort::ViewCount),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "-published_at",
        "`published_at` (default `-published_at`), `title` (Vietnamese order) or `view_count`; `-` prefix for descending. With `q` and no `sort`: by relevance.",
    )
}
