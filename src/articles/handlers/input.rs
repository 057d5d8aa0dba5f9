//! An article's content as a request gives it, parsed into domain values: one 422 names every
//! field at fault.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::articles::model::{ArticleContent, GalleryItem};
use crate::articles::views::{ArticleStatus, CreateArticle, GalleryInput, UpdateArticle};
use crate::auth::{Caller, Role};
use crate::domain::limits::{
    ARTICLE_AGREEMENTS_MAX, ARTICLE_SUMMARY_MAX, ARTICLE_TITLE_MAX, GALLERY_CAPTION_MAX,
    GALLERY_MAX, GALLERY_POSITION_MAX, RELATED_MAX,
};
use crate::domain::{Body, Fields, PlainText, Slug, Title};
use crate::error::{ApiError, ApiResult};

/// The slug of an article whose title has nothing a slug can hold ("bài viết").
const UNTITLED_SLUG: &str = "bai-viet";

/// The changes a request makes to an article's content, parsed: `None` leaves a field as it is.
#[derive(Debug, Default)]
pub(super) struct Edit {
    title: Option<Title>,
    slug: Option<Slug>,
    summary: Option<PlainText>,
    body: Option<Body>,
    status: Option<ArticleStatus>,
    published_at: Option<Option<DateTime<Utc>>>,
    category_id: Option<Option<Uuid>>,
    cover_photo_id: Option<Option<Uuid>>,
    related_ids: Option<Vec<Uuid>>,
    photos: Option<Vec<GalleryItem>>,
    agreement_ids: Option<Vec<Uuid>>,
}

/// The texts and lists a request gives, before parsing.
struct Given<'a> {
    title: Option<&'a str>,
    slug: Option<&'a str>,
    summary: Option<&'a str>,
    body: Option<&'a str>,
    related_ids: Option<&'a [Uuid]>,
    photos: Option<&'a [GalleryInput]>,
    agreement_ids: Option<&'a [Uuid]>,
}

impl Edit {
    /// A new article: absent texts and lists are empty, the status is `draft`.
    pub(super) fn of_create(body: &CreateArticle) -> ApiResult<Edit> {
        let given = Given {
            title: Some(&body.title),
            slug: body.slug.as_deref(),
            summary: Some(body.summary.as_deref().unwrap_or("")),
            body: Some(body.body.as_deref().unwrap_or("")),
            related_ids: Some(body.related_ids.as_deref().unwrap_or(&[])),
            photos: Some(body.photos.as_deref().unwrap_or(&[])),
            agreement_ids: Some(body.agreement_ids.as_deref().unwrap_or(&[])),
        };
        Ok(Edit {
            status: Some(body.status.unwrap_or(ArticleStatus::Draft)),
            published_at: Some(body.published_at),
            category_id: Some(body.category_id),
            cover_photo_id: Some(body.cover_photo_id),
            ..Edit::parse(given)?
        })
    }

    /// A partial update: only the fields present change.
    pub(super) fn of_update(body: &UpdateArticle) -> ApiResult<Edit> {
        let given = Given {
            title: body.title.as_deref(),
            slug: body.slug.as_deref(),
            summary: body.summary.as_deref(),
            body: body.body.as_deref(),
            related_ids: body.related_ids.as_deref(),
            photos: body.photos.as_deref(),
            agreement_ids: body.agreement_ids.as_deref(),
        };
        Ok(Edit {
            status: body.status,
            published_at: body.published_at,
            category_id: body.category_id,
            cover_photo_id: body.cover_photo_id,
            ..Edit::parse(given)?
        })
    }

    fn parse(given: Given<'_>) -> ApiResult<Edit> {
        let mut fields = Fields::new();
        let edit = Edit {
            title: given
                .title
                .and_then(|t| fields.take("title", Title::parse(t, ARTICLE_TITLE_MAX))),
            slug: given.slug.and_then(|s| fields.take("slug", Slug::parse(s))),
            summary: given
                .summary
                .and_then(|s| fields.take("summary", PlainText::parse(s, ARTICLE_SUMMARY_MAX))),
            body: given.body.and_then(|b| fields.take("body", Body::parse(b))),
            related_ids: given.related_ids.map(|ids| {
                let too_many = format!("at most {RELATED_MAX} articles");
                distinct(&mut fields, "related_ids", ids, RELATED_MAX, too_many)
            }),
            photos: given.photos.map(|items| gallery(&mut fields, items)),
            agreement_ids: given.agreement_ids.map(|ids| {
                let too_many = format!("at most {ARTICLE_AGREEMENTS_MAX}");
                distinct(
                    &mut fields,
                    "agreement_ids",
                    ids,
                    ARTICLE_AGREEMENTS_MAX,
                    too_many,
                )
            }),
            ..Edit::default()
        };
        fields.finish()?;
        Ok(edit)
    }

    /// Whether the slug is left to be derived from the title.
    pub(super) fn derives_slug(&self) -> bool {
        self.slug.is_none()
    }

    /// Applies the changes to `content`; a published article without a date is published now.
    pub(super) fn apply(self, content: &mut ArticleContent) {
        if let Some(title) = self.title {
            content.title = title.into_inner();
        }
        if let Some(slug) = self.slug {
            content.slug = slug.into_inner();
        }
        if let Some(summary) = self.summary {
            content.summary = summary.into_inner();
        }
        if let Some(body) = self.body {
            content.body = body.into_inner();
        }
        content.status = self.status.unwrap_or(content.status);
        content.published_at = self.published_at.unwrap_or(content.published_at);
        content.category_id = self.category_id.unwrap_or(content.category_id);
        content.cover_photo_id = self.cover_photo_id.unwrap_or(content.cover_photo_id);
        if let Some(related_ids) = self.related_ids {
            content.related_ids = related_ids;
        }
        if let Some(photos) = self.photos {
            content.photos = photos;
        }
        if let Some(agreement_ids) = self.agreement_ids {
            content.agreement_ids = agreement_ids;
        }
        if content.status == ArticleStatus::Published && content.published_at.is_none() {
            content.published_at = Some(Utc::now());
        }
    }

    /// The content of a new article: these changes to nothing, the slug derived from the title
    /// when none is given.
    pub(super) fn into_new(self) -> ArticleContent {
        let derived = self.derives_slug();
        let mut content = ArticleContent {
            slug: String::new(),
            title: String::new(),
            summary: String::new(),
            body: String::new(),
            status: ArticleStatus::Draft,
            published_at: None,
            category_id: None,
            related_ids: Vec::new(),
            cover_photo_id: None,
            photos: Vec::new(),
            agreement_ids: Vec::new(),
        };
        self.apply(&mut content);
        if derived {
            content.slug =
                Slug::derive(&content.title).map_or_else(|| UNTITLED_SLUG.into(), Slug::into_inner);
        }
        content
    }
}

/// Only editors and admins publish or archive.
pub(super) fn check_status_allowed(caller: &Caller, status: ArticleStatus) -> ApiResult<()> {
    if status != ArticleStatus::Draft && caller.role() < Role::Editor {
        return Err(ApiError::Forbidden(
            "authors write drafts; only editors and admins publish or archive".into(),
        ));
    }
    Ok(())
}

/// Ids that name at most `max` rows, each once.
fn distinct(
    fields: &mut Fields,
    field: &str,
    ids: &[Uuid],
    max: usize,
    too_many: String,
) -> Vec<Uuid> {
    if ids.len() > max {
        fields.push(field, "too_many", too_many);
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            fields.push(format!("{field}.{i}"), "duplicate", "named twice");
        }
    }
    ids.to_vec()
}

/// The gallery, checked and in display order.
fn gallery(fields: &mut Fields, items: &[GalleryInput]) -> Vec<GalleryItem> {
    if items.len() > GALLERY_MAX {
        fields.push(
            "photos",
            "too_many",
            format!("at most {GALLERY_MAX} photos"),
        );
    }
    let mut gallery: Vec<GalleryItem> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let caption = item.caption.as_deref().unwrap_or("");
        let caption = fields.take(
            format!("photos.{i}.caption"),
            PlainText::parse(caption, GALLERY_CAPTION_MAX),
        );
        let position = item.position.unwrap_or(i as i32);
        if !(0..=GALLERY_POSITION_MAX).contains(&position) {
            fields.push(
                format!("photos.{i}.position"),
                "out_of_range",
                format!("must be between 0 and {GALLERY_POSITION_MAX}"),
            );
        } else if gallery.iter().any(|g| g.position == position) {
            fields.push(
                format!("photos.{i}.position"),
                "duplicate",
                "another photo of the gallery has this position",
            );
        }
        gallery.push(GalleryItem {
            photo_id: item.photo_id,
            // A caption refused is named in the 422 this gallery ends in.
            caption: caption.map(PlainText::into_inner).unwrap_or_default(),
            position,
        });
    }
    gallery.sort_by_key(|g| g.position);
    gallery
}
