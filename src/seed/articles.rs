//! The demo's articles: the short ones of the page's "related" and "latest" lists, then the
//! main one with its photos and agreements. Each is parsed by the rules of `POST /articles`
//! (the same domain values within the same limits), then created under its slug, or brought
//! to the demo's content, with a revision, when it differs.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, Utc};
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::articles::handlers::common::record_write;
use crate::articles::model::{
    self as model, ArticleContent, ArticleKey, GalleryItem, NewArticle, Viewer,
};
use crate::domain::{ArticleStatus, Body, Fields, PlainText, Slug, Title, limits};
use crate::error::ApiError;
use crate::events::{Actor, Verb};

use super::categories::slug_of;
use super::fixture::{Demo, DemoShortArticle};
use super::{Tally, faults, invalid};

/// The ids of what the articles name, by the demo's keys.
pub(super) struct Named<'a> {
    pub(super) categories: &'a HashMap<String, Uuid>,
    pub(super) photos: &'a HashMap<String, Uuid>,
    pub(super) agreements: &'a HashMap<String, Uuid>,
}

/// What loading the articles did, for the report.
pub(super) struct Loaded {
    pub(super) tally: Tally,
    /// Slugs of the articles found in the trash (left there).
    pub(super) trashed: Vec<String>,
    pub(super) article_slug: String,
    pub(super) category_slug: String,
    pub(super) article_id: Uuid,
    /// The first agreement the main article reports.
    pub(super) agreement_id: Option<Uuid>,
}

pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &Demo,
    author: Uuid,
    named: &Named<'_>,
    url: &str,
) -> Result<Loaded, ApiError> {
    let article = &demo.article;
    let photo_id = |key: &String| {
        named
            .photos
            .get(key)
            .copied()
            .ok_or_else(|| invalid(format!("no photo `{key}`")))
    };
    let category_id = *named
        .categories
        .get(&article.category)
        .ok_or_else(|| invalid(format!("no category `{}`", article.category)))?;
    let category_name = demo
        .categories
        .iter()
        .find(|c| c.key == article.category)
        .map(|c| c.name.trim().to_string())
        .unwrap_or_default();

    let mut tally = Tally::default();
    let mut trashed = Vec::new();
    // The short articles first, so the main one can name its related ones.
    let mut related_ids = Vec::new();
    for (i, short) in demo
        .related_articles
        .iter()
        .chain(&demo.latest_articles)
        .enumerate()
    {
        let content = short_content(short, &demo.site.name, &category_name, category_id)?;
        let id = upsert(conn, content, author, &mut tally, &mut trashed, url).await?;
        if i < demo.related_articles.len() {
            related_ids.push(id);
        }
    }
    let status = ArticleStatus::parse(&article.status)
        .ok_or_else(|| invalid(format!("article status `{}`", article.status)))?;
    let mut body = article.body_html.clone();
    let mut gallery = Vec::new();
    for key in &article.photos {
        let id = photo_id(key)?;
        body = body.replace(
            &format!("data-photo=\"{key}\""),
            &format!("data-photo=\"{id}\""),
        );
        let caption = demo
            .photos
            .iter()
            .find(|p| p.key == *key)
            .map_or("", |p| p.caption.as_str());
        gallery.push((id, caption));
    }
    let main = parse(Draft {
        title: &article.title,
        summary: &article.summary,
        body: &body,
        status,
        published_at: article.published_at,
        category_id,
        related_ids,
        cover_photo_id: article.cover_photo.as_ref().map(photo_id).transpose()?,
        gallery,
        agreement_ids: article
            .agreements
            .iter()
            .map(|k| {
                named
                    .agreements
                    .get(k)
                    .copied()
                    .ok_or_else(|| invalid(format!("no agreement `{k}`")))
            })
            .collect::<Result<_, _>>()?,
    })?;
    let article_slug = main.slug.clone();
    let agreement_id = main.agreement_ids.first().copied();
    let article_id = upsert(conn, main, author, &mut tally, &mut trashed, url).await?;
    Ok(Loaded {
        tally,
        trashed,
        article_slug,
        category_slug: slug_of(&category_name).into_inner(),
        article_id,
        agreement_id,
    })
}

/// An article as the demo gives it, before it is parsed.
struct Draft<'a> {
    title: &'a str,
    summary: &'a str,
    /// HTML as it would be sent to the API.
    body: &'a str,
    status: ArticleStatus,
    published_at: DateTime<Utc>,
    category_id: Uuid,
    related_ids: Vec<Uuid>,
    cover_photo_id: Option<Uuid>,
    /// Photos and their captions, in the order of the page.
    gallery: Vec<(Uuid, &'a str)>,
    agreement_ids: Vec<Uuid>,
}

/// The content `POST /articles` would store for `draft`: the title, summary, body and
/// captions parsed into the domain's values within its limits, the slug derived from the title
/// as the API derives it, and the API's bounds on related articles, photos and agreements. A
/// fault stops the seed, naming the article and every field at fault.
fn parse(draft: Draft<'_>) -> Result<ArticleContent, ApiError> {
    let mut fields = Fields::new();
    let title = fields.take(
        "title",
        Title::parse(draft.title, limits::ARTICLE_TITLE_MAX),
    );
    let summary = fields.take(
        "summary",
        PlainText::parse(draft.summary, limits::ARTICLE_SUMMARY_MAX),
    );
    let body = fields.take("body", Body::parse(draft.body));
    let count = |fields: &mut Fields, field: &str, n: usize, max: usize| {
        if n > max {
            fields.push(field, "too_many", format!("at most {max}"));
        }
    };
    count(
        &mut fields,
        "related_ids",
        draft.related_ids.len(),
        limits::RELATED_MAX,
    );
    count(
        &mut fields,
        "photos",
        draft.gallery.len(),
        limits::GALLERY_MAX,
    );
    count(
        &mut fields,
        "agreement_ids",
        draft.agreement_ids.len(),
        limits::ARTICLE_AGREEMENTS_MAX,
    );
    distinct(&mut fields, "related_ids", &draft.related_ids);
    distinct(&mut fields, "agreement_ids", &draft.agreement_ids);
    let mut photos = Vec::with_capacity(draft.gallery.len());
    for (i, (photo_id, caption)) in draft.gallery.iter().enumerate() {
        let caption = PlainText::parse(caption, limits::GALLERY_CAPTION_MAX);
        if let Some(caption) = fields.take(format!("photos.{i}.caption"), caption) {
            photos.push(GalleryItem {
                photo_id: *photo_id,
                caption: caption.into_inner(),
                position: i as i32,
            });
        }
    }
    match (title, summary, body) {
        (Some(title), Some(summary), Some(body)) if fields.is_empty() => Ok(ArticleContent {
            slug: Slug::derive(title.as_str())
                .map(Slug::into_inner)
                .unwrap_or_else(|| "bai-viet".into()),
            title: title.into_inner(),
            summary: summary.into_inner(),
            body: body.into_inner(),
            status: draft.status,
            published_at: Some(draft.published_at),
            category_id: Some(draft.category_id),
            related_ids: draft.related_ids,
            cover_photo_id: draft.cover_photo_id,
            photos,
            agreement_ids: draft.agreement_ids,
        }),
        _ => Err(invalid(format!(
            "article `{}`: {}",
            draft.title.trim(),
            faults(&fields.into_errors())
        ))),
    }
}

/// Notes every id named a second time.
fn distinct(fields: &mut Fields, field: &str, ids: &[Uuid]) {
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            fields.push(format!("{field}.{i}"), "duplicate", "named twice");
        }
    }
}

/// A published article of the page's lists: only its title and date are known, so the
/// summary and body say so.
fn short_content(
    short: &DemoShortArticle,
    site_name: &str,
    category_name: &str,
    category_id: Uuid,
) -> Result<ArticleContent, ApiError> {
    let vietnam = FixedOffset::east_opt(7 * 3600).expect("UTC+07:00");
    let day = short
        .published_at
        .with_timezone(&vietnam)
        .format("%d/%m/%Y");
    let summary = format!("Tin đăng ngày {day} trong chuyên mục {category_name} của {site_name}.");
    let body = format!(
        "<p>{}</p>\n<p>Bài viết mẫu: bộ dữ liệu demo chỉ giữ tiêu đề và thời điểm đăng của tin này trên cổng thông tin; nội dung đầy đủ chưa được đưa vào.</p>",
        html_escape::encode_text(&summary)
    );
    parse(Draft {
        title: &short.title,
        summary: &summary,
        body: &body,
        status: ArticleStatus::Published,
        published_at: short.published_at,
        category_id,
        related_ids: Vec::new(),
        cover_photo_id: None,
        gallery: Vec::new(),
        agreement_ids: Vec::new(),
    })
}

/// Creates the article under its slug, or brings the existing one to `content` through
/// `articles::model::write` (a revision, a new version) when it differs. One in the trash
/// is left alone.
async fn upsert(
    conn: &mut AsyncPgConnection,
    content: ArticleContent,
    author: Uuid,
    tally: &mut Tally,
    trashed: &mut Vec<String>,
    url: &str,
) -> Result<Uuid, ApiError> {
    // Photo URLs do not matter here.
    let Some(found) =
        model::find(conn, ArticleKey::Slug(&content.slug), Viewer::Editor, "").await?
    else {
        tally.created += 1;
        let new = NewArticle {
            content,
            derived_slug: false,
            author_id: author,
        };
        let id = model::create(conn, new).await?;
        record_write(conn, id, Verb::Created, Actor::SYSTEM, Viewer::Editor, url).await?;
        return Ok(id);
    };
    if found.deleted_at.is_some() {
        trashed.push(found.slug);
        return Ok(found.id);
    }
    // `write` changes nothing when the content is already there.
    let editor = Viewer::Editor;
    let changed = model::write(conn, found.id, editor, author, None, move |_| Ok(content)).await?;
    if changed {
        tally.updated += 1;
        record_write(conn, found.id, Verb::Updated, Actor::SYSTEM, editor, url).await?;
    } else {
        tally.unchanged += 1;
    }
    Ok(found.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(title: &str) -> Draft<'_> {
        Draft {
            title,
            summary: "",
            body: "<p>Tin</p><script>x()</script>",
            status: ArticleStatus::Published,
            published_at: Utc::now(),
            category_id: Uuid::nil(),
            related_ids: Vec::new(),
            cover_photo_id: None,
            gallery: Vec::new(),
            agreement_ids: Vec::new(),
        }
    }

    #[test]
    fn articles_are_parsed_by_the_apis_rules() {
        let content = parse(draft("  Hội nghị tổng kết  ")).unwrap();
        assert_eq!(content.title, "Hội nghị tổng kết");
        assert_eq!(content.slug, "hoi-nghi-tong-ket");
        assert_eq!(content.body, "<p>Tin</p>");
        assert_eq!(parse(draft("–…–")).unwrap().slug, "bai-viet");

        let long = "a".repeat(limits::ARTICLE_TITLE_MAX + 1);
        let e = parse(draft(&long)).unwrap_err();
        let fault = format!("title: at most {} characters", limits::ARTICLE_TITLE_MAX);
        assert!(
            matches!(&e, ApiError::Internal(m) if m.contains(&fault)),
            "{e:?}"
        );
        let id = Uuid::now_v7();
        let twice = Draft {
            related_ids: vec![id, id],
            ..draft("Tin")
        };
        let e = parse(twice).unwrap_err();
        assert!(
            matches!(&e, ApiError::Internal(m) if m.contains("related_ids.1: named twice")),
            "{e:?}"
        );
    }
}
