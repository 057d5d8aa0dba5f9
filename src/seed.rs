//! `bantin seed-demo`: loads the demo content of `demo/lai-chau-portal.json` (real content from
//! one article page of the Lai Châu People's Council portal) through the app's own model
//! functions, so every row obeys the same rules as one written through the API.
//!
//! Idempotent: rows are looked up by slug (`text::slugify` of the category name or article
//! title); missing ones are created, differing ones are brought back to the demo content (an
//! article keeps its previous version as a revision), equal ones are left alone and keep
//! their version. Everything is written in one transaction.

use chrono::{DateTime, FixedOffset, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::Deserialize;
use uuid::Uuid;

use crate::articles::model::{
    self as articles, ArticleContent, ArticleKey, GalleryItem, NewArticle, Viewer,
};
use crate::categories::model::{self as categories, CategoryChanges, NewCategory, SlugChoice};
use std::collections::HashMap;

use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};

use crate::agreements::model::{
    self as agreement_model, AgreementContent, Party, Relation, Signature,
};
use crate::config::Config;
use crate::db::schema::{site, users};
use crate::db::sql::Sql;
use crate::error::ApiError;
use crate::organizations::model::{self as organizations, NewOrganization};
use crate::organizations::views::OrganizationKind;
use crate::photos::model::{self as photos, Description};
use crate::signatories::model::{self as signatory_model, SignatoryContent};
use crate::site::model::{self as site_model, SiteSettings};
use crate::storage::{self, MediaStore};
use crate::text;

/// The demo data, compiled in so that the command works from any directory.
pub const DEMO_JSON: &str = include_str!("../demo/lai-chau-portal.json");

/// The demo file: the site, the category tree, the article with its photos, organisations,
/// signatories and agreements, and the article lists beside it. The demo has no photo files:
/// each photo gets a generated placeholder image. `breadcrumb` is what the category tree
/// gives back as the category's `path`.
#[derive(Debug, Deserialize)]
pub struct Demo {
    pub site: DemoSite,
    pub categories: Vec<DemoCategory>,
    pub article: DemoArticle,
    pub related_articles: Vec<DemoShortArticle>,
    pub latest_articles: Vec<DemoShortArticle>,
    #[serde(default)]
    pub organizations: Vec<DemoOrganization>,
    #[serde(default)]
    pub signatories: Vec<DemoSignatory>,
    #[serde(default)]
    pub agreements: Vec<DemoAgreement>,
    #[serde(default)]
    pub photos: Vec<DemoPhoto>,
}

/// A body; `parent` is another one's `key`.
#[derive(Debug, Deserialize)]
pub struct DemoOrganization {
    pub key: String,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: String,
    pub parent: Option<String>,
}

/// A person; `organization` is a body's `key`.
#[derive(Debug, Deserialize)]
pub struct DemoSignatory {
    pub key: String,
    pub full_name: String,
    pub organization: Option<String>,
    #[serde(default)]
    pub current_position: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoParty {
    pub organization: String,
    pub role: String,
    pub position: i32,
}

#[derive(Debug, Deserialize)]
pub struct DemoSignature {
    pub signatory: String,
    pub organization: Option<String>,
    pub signing_title: String,
    #[serde(default)]
    pub positions_at_signing: String,
    pub position: i32,
}

#[derive(Debug, Deserialize)]
pub struct DemoRelation {
    pub kind: String,
    pub reference_text: String,
}

/// An agreement; parties and signatures name bodies and people by `key`.
#[derive(Debug, Deserialize)]
pub struct DemoAgreement {
    pub key: String,
    pub document_number: Option<String>,
    pub doc_type: String,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub place: String,
    pub signed_on: Option<chrono::NaiveDate>,
    pub term_start_year: Option<i16>,
    pub term_end_year: Option<i16>,
    #[serde(default)]
    pub parties: Vec<DemoParty>,
    #[serde(default)]
    pub signatures: Vec<DemoSignature>,
    #[serde(default)]
    pub relations: Vec<DemoRelation>,
}

/// A photo of the page: its caption and alt text (the image itself is generated).
#[derive(Debug, Deserialize)]
pub struct DemoPhoto {
    pub key: String,
    pub caption: String,
    pub alt_text: String,
}

#[derive(Debug, Deserialize)]
pub struct DemoSite {
    pub name: String,
    pub publisher: String,
    pub responsible_person: String,
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub attribution_notice: String,
    pub visit_count: i64,
}

#[derive(Debug, Deserialize)]
pub struct DemoCategory {
    pub key: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DemoArticle {
    pub title: String,
    /// A category `key`.
    pub category: String,
    pub status: String,
    pub published_at: DateTime<Utc>,
    pub summary: String,
    /// `<figure data-photo="key">` names a photo by its `key`; seeding puts the photo's id there.
    pub body_html: String,
    /// A photo `key`.
    #[serde(default)]
    pub cover_photo: Option<String>,
    /// Photo `key`s, in the order of the page.
    #[serde(default)]
    pub photos: Vec<String>,
    /// Agreement `key`s: the agreements the article reports.
    #[serde(default)]
    pub agreements: Vec<String>,
}

/// An article known only by its title and date (the page's "related" and "latest" lists).
#[derive(Debug, Deserialize)]
pub struct DemoShortArticle {
    pub title: String,
    pub published_at: DateTime<Utc>,
}

/// Parses the demo file, every text in NFC (as the API's JSON extractor stores it).
pub fn demo() -> Result<Demo, String> {
    let mut value: serde_json::Value = serde_json::from_str(DEMO_JSON)
        .map_err(|e| format!("demo/lai-chau-portal.json is not JSON: {e}"))?;
    text::nfc_json(&mut value);
    serde_json::from_value(value).map_err(|e| format!("demo/lai-chau-portal.json: {e}"))
}

/// How many rows of a kind were created, changed, or already as in the demo.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} created, {} updated, {} unchanged",
            self.created, self.updated, self.unchanged
        )
    }
}

/// What `seed_demo` did.
#[derive(Debug)]
pub struct SeedReport {
    /// Whether the site settings changed.
    pub site_updated: bool,
    /// The visit count before and after (raised to the demo's only when it was lower).
    pub visit_count: (i64, i64),
    pub categories: Tally,
    pub photos: Tally,
    pub organizations: Tally,
    pub signatories: Tally,
    pub agreements: Tally,
    pub articles: Tally,
    /// Articles found in the trash: left there, untouched.
    pub trashed: Vec<String>,
    /// The slug of the main article and of its category.
    pub article_slug: String,
    pub category_slug: String,
    /// The main article, the first agreement it reports and the first of the demo's
    /// signatories, for the commands printed to try.
    pub article_id: Uuid,
    pub agreement_id: Option<Uuid>,
    pub signatory_id: Option<Uuid>,
    /// Counts of the demo's parts that are not loaded yet.
    pub skipped: Vec<(&'static str, usize)>,
}

impl SeedReport {
    /// One line per kind, then where to look (`base` is the service's public URL).
    pub fn lines(&self, base: &str) -> Vec<String> {
        let (before, after) = self.visit_count;
        let visits = if after != before {
            format!("visit_count raised from {before} to {after}")
        } else {
            format!("visit_count {after} kept")
        };
        let mut lines = vec![
            format!(
                "site: {}, {visits}",
                if self.site_updated {
                    "updated"
                } else {
                    "unchanged"
                }
            ),
            format!("categories: {}", self.categories),
            format!("photos: {}", self.photos),
            format!("organizations: {}", self.organizations),
            format!("signatories: {}", self.signatories),
            format!("agreements: {}", self.agreements),
            format!("articles: {}", self.articles),
        ];
        if !self.trashed.is_empty() {
            lines.push(format!(
                "left in the trash (restore them to see them): {}",
                self.trashed.join(", ")
            ));
        }
        let skipped: Vec<String> = self
            .skipped
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect();
        if !skipped.is_empty() {
            lines.push(format!(
                "not loaded yet (later issues): {}",
                skipped.join(", ")
            ));
        }
        lines.push("try it (once `bantin serve` runs):".to_string());
        let article = self.article_id;
        for command in [
            format!("{base}/api/v1/articles/slug/{}", self.article_slug),
            format!("'{base}/api/v1/articles/{article}/related?limit=5'"),
            format!(
                "'{base}/api/v1/articles?category={}&limit=5'",
                self.category_slug
            ),
            format!("'{base}/api/v1/articles?q=hoi%20nghi'"),
        ] {
            lines.push(format!("  curl -s {command}"));
        }
        if let Some(agreement) = self.agreement_id {
            lines.push(format!("  curl -s {base}/api/v1/agreements/{agreement}"));
        }
        if let Some(signatory) = self.signatory_id {
            lines.push(format!(
                "  curl -s {base}/api/v1/signatories/{signatory}/agreements"
            ));
        }
        lines
    }
}

/// The account the demo articles are written by: the oldest admin (enabled ones first).
pub async fn demo_author(conn: &mut AsyncPgConnection) -> Result<Uuid, String> {
    users::table
        .filter(users::role.eq("admin"))
        .order((
            users::disabled.asc(),
            users::created_at.asc(),
            users::id.asc(),
        ))
        .select(users::id)
        .first::<Uuid>(conn)
        .await
        .optional()
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "there is no admin to write the demo articles; create one with `bantin create-admin --email …`".to_string())
}

/// Loads the demo into the (migrated) database at `url`, the articles written by the oldest
/// admin (`bootstrap::first_admin` makes sure there is one on a fresh database).
pub async fn seed_demo(url: &str, config: &Config) -> Result<SeedReport, String> {
    let demo = demo()?;
    let store = storage::from_config(&config.media, &config.data_dir)?;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .map_err(|e| format!("cannot connect: {e}"))?;
    let author = demo_author(&mut conn).await?;
    let media = Media {
        store: store.as_ref(),
        max_pixels: config.media.max_pixels,
    };
    conn.transaction::<_, ApiError, _>(async |conn| load(conn, &demo, author, &media).await)
        .await
        .map_err(|e| format!("cannot load the demo content: {}", describe(e)))
}

fn describe(e: ApiError) -> String {
    match e {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        // Its `Display` hides the cause, as an API answer must; an operator needs it.
        ApiError::Internal(cause) => cause,
        other => other.to_string(),
    }
}

fn invalid(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("demo/lai-chau-portal.json: {what}"))
}

/// The slug a title or name is found under (the API's fallback when it has no letters).
fn slug_of(text_: &str, fallback: &str) -> String {
    Some(text::slugify(text_))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| fallback.to_string())
}

/// Where the demo's photos go.
struct Media<'a> {
    store: &'a dyn MediaStore,
    max_pixels: u64,
}

async fn load(
    conn: &mut AsyncPgConnection,
    demo: &Demo,
    author: Uuid,
    media: &Media<'_>,
) -> Result<SeedReport, ApiError> {
    let (site_updated, visit_count) = load_site(conn, &demo.site).await?;
    let (categories, category_ids) = load_categories(conn, &demo.categories).await?;
    let (photos, photo_ids) = load_photos(conn, &demo.photos, author, media).await?;
    let (organizations, org_ids) = load_organizations(conn, &demo.organizations).await?;
    let (signatories, people) = load_signatories(conn, &demo.signatories, &org_ids).await?;
    let (agreements, agreement_ids) =
        load_agreements(conn, &demo.agreements, &org_ids, &people).await?;
    let photo_id = |key: &String| {
        photo_ids
            .get(key)
            .copied()
            .ok_or_else(|| invalid(format!("no photo `{key}`")))
    };

    let article = &demo.article;
    let category_id = *category_ids
        .get(&article.category)
        .ok_or_else(|| invalid(format!("no category `{}`", article.category)))?;
    let category_name = demo
        .categories
        .iter()
        .find(|c| c.key == article.category)
        .map(|c| c.name.trim().to_string())
        .unwrap_or_default();
    let category_slug = slug_of(&category_name, "chuyen-muc");

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
        let content = short_content(short, &demo.site.name, &category_name, category_id);
        let id = upsert(conn, content, author, &mut tally, &mut trashed).await?;
        if i < demo.related_articles.len() {
            related_ids.push(id);
        }
    }
    if !matches!(article.status.as_str(), "draft" | "published" | "archived") {
        return Err(invalid(format!("article status `{}`", article.status)));
    }
    let title = article.title.trim().to_string();
    let mut body = article.body_html.clone();
    let mut gallery = Vec::new();
    for (position, key) in article.photos.iter().enumerate() {
        let id = photo_id(key)?;
        body = body.replace(
            &format!("data-photo=\"{key}\""),
            &format!("data-photo=\"{id}\""),
        );
        let caption = demo
            .photos
            .iter()
            .find(|p| p.key == *key)
            .map(|p| p.caption.trim().to_string())
            .unwrap_or_default();
        gallery.push(GalleryItem {
            photo_id: id,
            caption,
            position: position as i32,
        });
    }
    let main = ArticleContent {
        slug: slug_of(&title, "bai-viet"),
        title,
        summary: article.summary.trim().to_string(),
        // Sanitised by the same rules as a body sent to the API.
        body: text::sanitize_html(&body),
        status: crate::domain::ArticleStatus::parse(&article.status)
            .ok_or_else(|| invalid(format!("unknown article status `{}`", article.status)))?,
        published_at: Some(article.published_at),
        category_id: Some(category_id),
        related_ids,
        cover_photo_id: article.cover_photo.as_ref().map(photo_id).transpose()?,
        photos: gallery,
        agreement_ids: article
            .agreements
            .iter()
            .map(|k| {
                agreement_ids
                    .get(k)
                    .copied()
                    .ok_or_else(|| invalid(format!("no agreement `{k}`")))
            })
            .collect::<Result<_, _>>()?,
    };
    let article_slug = main.slug.clone();
    let agreement_id = main.agreement_ids.as_slice().first().copied();
    let article_id = upsert(conn, main, author, &mut tally, &mut trashed).await?;
    let signatory_id = demo
        .signatories
        .as_slice()
        .first()
        .and_then(|p| people.get(&p.key))
        .copied();

    Ok(SeedReport {
        site_updated,
        visit_count,
        categories,
        photos,
        organizations,
        signatories,
        agreements,
        articles: tally,
        trashed,
        article_slug,
        category_slug,
        article_id,
        agreement_id,
        signatory_id,
        skipped: Vec::new(),
    })
}

/// A placeholder for a demo photo: a 1200×800 JPEG, the same bytes on every run (so a
/// second run finds the stored file by its hash), its colours drawn from the photo's key.
fn placeholder(key: &str) -> Result<Vec<u8>, ApiError> {
    let seed = key
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    let tint = [
        (seed % 160) as u8 + 60,
        (seed / 7 % 160) as u8 + 60,
        (seed / 49 % 160) as u8 + 60,
    ];
    let (width, height) = (1200u32, 800u32);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let shade = |c: u8, t: u32| (u32::from(c) * (200 + t) / 400) as u8;
        image::Rgb([
            shade(tint[0], x * 200 / width),
            shade(tint[1], y * 200 / height),
            shade(tint[2], (x + y) * 100 / (width + height)),
        ])
    });
    let mut out = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut out, 85,
        ))
        .map_err(ApiError::internal)?;
    Ok(out)
}

/// The demo's photos, found by their placeholder's hash and caption, or uploaded as the API
/// would (metadata-free original, three variants). Returns their ids by key.
async fn load_photos(
    conn: &mut AsyncPgConnection,
    demo: &[DemoPhoto],
    author: Uuid,
    media: &Media<'_>,
) -> Result<(Tally, std::collections::HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = std::collections::HashMap::new();
    for photo in demo {
        let bytes = placeholder(&photo.key)?;
        let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        let description = Description {
            caption: photo.caption.trim().to_string(),
            alt_text: photo.alt_text.trim().to_string(),
            credit: String::new(),
            taken_at: None,
        };
        if let Some(id) = photos::find_described(conn, &sha256, &description.caption).await? {
            tally.unchanged += 1;
            ids.insert(photo.key.clone(), id);
            continue;
        }
        let reused = if photos::file_exists(conn, &sha256).await? {
            photos::create_reusing(conn, &sha256, &description, author).await?
        } else {
            None
        };
        let id = match reused {
            Some(id) => id,
            None => {
                let processed = crate::photos::imaging::process_bytes(
                    bytes::Bytes::from(bytes.clone()),
                    media.max_pixels,
                )
                .map_err(ApiError::internal)?;
                let (row, files) = photos::files_of(&sha256, processed);
                photos::create_with_files(conn, media.store, &row, files, &description, author)
                    .await?
            }
        };
        tally.created += 1;
        ids.insert(photo.key.clone(), id);
    }
    Ok((tally, ids))
}

/// The demo's bodies, found by name under their parent (case and tone marks aside) or
/// created; parents first.
async fn load_organizations(
    conn: &mut AsyncPgConnection,
    demo: &[DemoOrganization],
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids: HashMap<String, Uuid> = HashMap::new();
    let mut pending: Vec<&DemoOrganization> = demo.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for o in pending {
            let parent = match &o.parent {
                None => None,
                Some(key) => match ids.get(key) {
                    Some(id) => Some(*id),
                    None => {
                        rest.push(o);
                        continue;
                    }
                },
            };
            let name = o.name.trim().to_string();
            let mut find =
                Sql::new("SELECT id FROM organizations WHERE bantin_fold(name) = bantin_fold(");
            find.bind::<Text, _>(name.clone())
                .push(") AND parent_id IS NOT DISTINCT FROM ")
                .bind::<Nullable<SqlUuid>, _>(parent);
            let found: Option<Found> = find.get_result(conn).await.optional()?;
            let id = match found {
                Some(f) => {
                    tally.unchanged += 1;
                    f.id
                }
                None => {
                    if OrganizationKind::parse(&o.kind).is_none() {
                        return Err(invalid(format!("organization kind `{}`", o.kind)));
                    }
                    tally.created += 1;
                    organizations::create(
                        conn,
                        NewOrganization {
                            name,
                            short_name: o.short_name.clone().unwrap_or_default().trim().to_string(),
                            kind: o.kind.clone(),
                            parent_id: parent,
                        },
                    )
                    .await?
                    .id
                }
            };
            ids.insert(o.key.clone(), id);
        }
        if rest.len() == before {
            return Err(invalid("organizations whose parent is missing or a cycle"));
        }
        pending = rest;
    }
    Ok((tally, ids))
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// The demo's people, found by name or created.
async fn load_signatories(
    conn: &mut AsyncPgConnection,
    demo: &[DemoSignatory],
    orgs: &HashMap<String, Uuid>,
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = HashMap::new();
    for p in demo {
        let full_name = text::collapse_spaces(&p.full_name);
        if text::leading_honorific(&full_name).is_some() {
            return Err(invalid(format!("`{full_name}` starts with an honorific")));
        }
        let mut find = Sql::new("SELECT id FROM signatories WHERE full_name = ");
        find.bind::<Text, _>(full_name.clone())
            .push(" ORDER BY created_at LIMIT 1");
        let id = match find.get_result::<Found>(conn).await.optional()? {
            Some(f) => {
                tally.unchanged += 1;
                f.id
            }
            None => {
                tally.created += 1;
                let organization_id = match &p.organization {
                    None => None,
                    Some(k) => Some(
                        *orgs
                            .get(k)
                            .ok_or_else(|| invalid(format!("no organization `{k}`")))?,
                    ),
                };
                signatory_model::create(
                    conn,
                    SignatoryContent {
                        full_name,
                        current_position: p.current_position.trim().to_string(),
                        organization_id,
                        photo_id: None,
                    },
                )
                .await?
            }
        };
        ids.insert(p.key.clone(), id);
    }
    Ok((tally, ids))
}

/// The demo's agreements, found by title and signing day or created with their parties,
/// signatures and relations.
async fn load_agreements(
    conn: &mut AsyncPgConnection,
    demo: &[DemoAgreement],
    orgs: &HashMap<String, Uuid>,
    people: &HashMap<String, Uuid>,
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = HashMap::new();
    let org = |k: &String| {
        orgs.get(k)
            .copied()
            .ok_or_else(|| invalid(format!("no organization `{k}`")))
    };
    for a in demo {
        let title = a.title.trim().to_string();
        let mut find = Sql::new("SELECT id FROM agreements WHERE title = ");
        find.bind::<Text, _>(title.clone())
            .push(" AND signed_on IS NOT DISTINCT FROM ")
            .bind::<Nullable<diesel::sql_types::Date>, _>(a.signed_on);
        if let Some(f) = find.get_result::<Found>(conn).await.optional()? {
            tally.unchanged += 1;
            ids.insert(a.key.clone(), f.id);
            continue;
        }
        let content = AgreementContent {
            document_number: a.document_number.clone(),
            doc_type: a.doc_type.clone(),
            title,
            summary: a.summary.trim().to_string(),
            body: String::new(),
            place: a.place.trim().to_string(),
            signed_on: a.signed_on,
            effective_from: None,
            effective_to: None,
            term_start_year: a.term_start_year,
            term_end_year: a.term_end_year,
            parties: a
                .parties
                .iter()
                .map(|p| {
                    Ok(Party {
                        organization_id: org(&p.organization)?,
                        role: p.role.clone(),
                        position: p.position,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            signatures: a
                .signatures
                .iter()
                .map(|s| {
                    Ok(Signature {
                        signatory_id: people
                            .get(&s.signatory)
                            .copied()
                            .ok_or_else(|| invalid(format!("no signatory `{}`", s.signatory)))?,
                        organization_id: s.organization.as_ref().map(org).transpose()?,
                        authority_prefix: None,
                        signing_title: s.signing_title.trim().to_string(),
                        positions_at_signing: s.positions_at_signing.trim().to_string(),
                        position: s.position,
                    })
                })
                .collect::<Result<_, ApiError>>()?,
            relations: a
                .relations
                .iter()
                .map(|r| Relation {
                    kind: r.kind.clone(),
                    target_id: None,
                    reference_text: Some(r.reference_text.trim().to_string()),
                })
                .collect(),
        };
        tally.created += 1;
        let id = agreement_model::create(conn, content).await?;
        ids.insert(a.key.clone(), id);
    }
    Ok((tally, ids))
}

/// The settings through `site::model::replace` (no new version when equal); the visit count
/// raised to the demo's only when lower (it is a counter, not a setting: no new version).
async fn load_site(
    conn: &mut AsyncPgConnection,
    demo: &DemoSite,
) -> Result<(bool, (i64, i64)), ApiError> {
    let current = site_model::get(conn).await?;
    let email = demo.email.trim().to_string();
    if !email.is_empty() && text::parse_email(&email).is_err() {
        return Err(invalid("site.email is not an email address"));
    }
    let settings = SiteSettings {
        name: demo.name.trim().to_string(),
        publisher: demo.publisher.trim().to_string(),
        responsible_person: demo.responsible_person.trim().to_string(),
        address: demo.address.trim().to_string(),
        phone: demo.phone.trim().to_string(),
        fax: demo.fax.trim().to_string(),
        email,
        attribution_notice: demo.attribution_notice.trim().to_string(),
        // The demo has none: keep the portal's own.
        time_zone: current.time_zone.clone(),
    };
    let after = site_model::replace(conn, settings, |_| Ok(())).await?;
    let raised: Option<i64> =
        diesel::update(site::table.filter(site::visit_count.lt(demo.visit_count)))
            .set(site::visit_count.eq(demo.visit_count))
            .returning(site::visit_count)
            .get_result(conn)
            .await
            .optional()?;
    let before = after.visit_count;
    Ok((
        after.version != current.version,
        (before, raised.unwrap_or(before)),
    ))
}

/// The tree, parents before children; returns the id of every `key`.
async fn load_categories(
    conn: &mut AsyncPgConnection,
    demo: &[DemoCategory],
) -> Result<(Tally, std::collections::HashMap<String, Uuid>), ApiError> {
    let mut ids = std::collections::HashMap::new();
    let mut tally = Tally::default();
    let mut pending: Vec<&DemoCategory> = demo.iter().collect();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|c| c.parent.as_ref().is_none_or(|p| ids.contains_key(p)))
            .ok_or_else(|| invalid("a category's parent is missing or the tree has a cycle"))?;
        let category = pending.remove(ready);
        let parent_id = category.parent.as_ref().map(|p| ids[p]);
        let name = category.name.trim().to_string();
        let slug = slug_of(&name, "chuyen-muc");
        let id = match categories::find_by_slug(conn, &slug).await? {
            None => {
                tally.created += 1;
                categories::create(
                    conn,
                    NewCategory {
                        name,
                        slug: SlugChoice::Given(slug),
                        description: String::new(),
                        parent_id,
                        position: None,
                    },
                )
                .await?
                .id
            }
            Some(row) => {
                let changes = CategoryChanges {
                    name: Some(name),
                    parent_id: Some(parent_id),
                    ..CategoryChanges::default()
                };
                let after = categories::update(conn, row.id, changes, |_| Ok(())).await?;
                if after.version == row.version {
                    tally.unchanged += 1;
                } else {
                    tally.updated += 1;
                }
                row.id
            }
        };
        ids.insert(category.key.clone(), id);
    }
    Ok((tally, ids))
}

/// A published article of the page's lists: only its title and date are known, so the
/// summary and body say so.
fn short_content(
    short: &DemoShortArticle,
    site_name: &str,
    category_name: &str,
    category_id: Uuid,
) -> ArticleContent {
    let title = short.title.trim().to_string();
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
    ArticleContent {
        slug: slug_of(&title, "bai-viet"),
        title,
        summary,
        body: text::sanitize_html(&body),
        status: crate::domain::ArticleStatus::Published,
        published_at: Some(short.published_at),
        category_id: Some(category_id),
        related_ids: Vec::new(),
        cover_photo_id: None,
        photos: Vec::new(),
        agreement_ids: Vec::new(),
    }
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
) -> Result<Uuid, ApiError> {
    if content.title.chars().count() > 500 || content.summary.chars().count() > 2000 {
        return Err(invalid(format!("`{}` is too long", content.slug)));
    }
    // Photo URLs do not matter here.
    let Some(found) =
        articles::find(conn, ArticleKey::Slug(&content.slug), Viewer::Editor, "").await?
    else {
        tally.created += 1;
        return Ok(articles::create(
            conn,
            NewArticle {
                content,
                derived_slug: false,
                author_id: author,
            },
        )
        .await?);
    };
    if found.deleted_at.is_some() {
        trashed.push(found.slug);
        return Ok(found.id);
    }
    // `write` changes nothing when the content is already there; the flag says which.
    let changed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = changed.clone();
    articles::write(
        conn,
        found.id,
        Viewer::Editor,
        author,
        None,
        move |current| {
            flag.store(
                current.content != content,
                std::sync::atomic::Ordering::Relaxed,
            );
            Ok(content)
        },
    )
    .await?;
    if std::sync::atomic::AtomicBool::load(&changed, std::sync::atomic::Ordering::Relaxed) {
        tally.updated += 1;
    } else {
        tally.unchanged += 1;
    }
    Ok(found.id)
}
