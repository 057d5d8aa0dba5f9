//! What the articles model reads and writes: the read model of an article, its editable
//! content, and who is reading.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, Int4, Int8, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::ArticleStatus;

/// An article as the API shows it, with its category and author joined in.
#[derive(Debug, Clone, QueryableByName)]
pub struct ArticleRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub slug: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub status: ArticleStatus,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub category_id: Option<Uuid>,
    /// `{id, slug, name, path}` as JSON text.
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub author_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Text>)]
    pub author_name: Option<String>,
    /// The cover photo as JSON text (`bantin_photo_json`).
    #[diesel(sql_type = Nullable<Text>)]
    pub cover_photo: Option<String>,
    /// The gallery, `[{photo, caption, position}]` as JSON text; `NULL` in lists or when empty.
    #[diesel(sql_type = Nullable<Text>)]
    pub photos: Option<String>,
    #[diesel(sql_type = Array<SqlUuid>)]
    pub related_ids: Vec<Uuid>,
    /// `[{id, document_number, title}]` as JSON text; `NULL` in lists or when none.
    #[diesel(sql_type = Nullable<Text>)]
    pub agreements: Option<String>,
    #[diesel(sql_type = Int8)]
    pub view_count: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub deleted_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The editable content of an article: what a revision keeps and a restore brings back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleContent {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub status: ArticleStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub category_id: Option<Uuid>,
    pub related_ids: Vec<Uuid>,
    /// Revisions written before photos existed have neither of these.
    #[serde(default)]
    pub cover_photo_id: Option<Uuid>,
    #[serde(default)]
    pub photos: Vec<GalleryItem>,
    /// The agreements the article reports, in order.
    #[serde(default)]
    pub agreement_ids: Vec<Uuid>,
}

/// A photo in an article's gallery, with the caption it has there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GalleryItem {
    pub photo_id: Uuid,
    pub caption: String,
    pub position: i32,
}

/// Who reads, deciding which articles exist for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Published, not scheduled, not trashed.
    Public,
    /// The public articles and the author's own (not trashed).
    Author(Uuid),
    /// Everything not trashed (and the trash on request).
    Editor,
}

/// How an article is named in a path.
#[derive(Debug, Clone, Copy)]
pub enum ArticleKey<'a> {
    Id(Uuid),
    Slug(&'a str),
}
