//! `bantin seed-demo`: loads the demo content of `demo/lai-chau-portal.json` (real content from
//! one article page of the Lai Châu People's Council portal) through the app's own model
//! functions, so every row obeys the same rules as one written through the API.
//!
//! Idempotent: rows are looked up by slug (`Slug::derive` of the category name or article
//! title); missing ones are created, differing ones are brought back to the demo content (an
//! article keeps its previous version as a revision), equal ones are left alone and keep
//! their version. Everything is written in one transaction.
//!
//! One file per kind of row, loaded in this order (each names the ones before it by their
//! ids): the site, the categories, the photos, the people (organisations and signatories),
//! the agreements, their attachments (a generated placeholder PDF), the articles. The demo
//! file's shape is in `fixture`.

mod agreements;
mod articles;
mod attachments;
mod categories;
mod fixture;
mod people;
mod photos;
mod site;

use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::config::Config;
use crate::db::schema::users;
use crate::error::{ApiError, FieldError};
use crate::storage;

pub use fixture::{
    DEMO_JSON, Demo, DemoAgreement, DemoArticle, DemoCategory, DemoOrganization, DemoParty,
    DemoPhoto, DemoRelation, DemoShortArticle, DemoSignatory, DemoSignature, DemoSite, demo,
};

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
    /// The placeholder PDF attached to an agreement.
    pub attachments: Tally,
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
            format!("attachments: {}", self.attachments),
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
    let media = photos::Media {
        store: store.as_ref(),
        max_pixels: config.media.max_pixels,
    };
    let url = config.media.public_url.as_str();
    conn.transaction::<_, ApiError, _>(async |conn| load(conn, &demo, author, &media, url).await)
        .await
        .map_err(|e| format!("cannot load the demo content: {}", describe(e)))
}

/// Every part of the demo, in order; the report of what changed.
async fn load(
    conn: &mut AsyncPgConnection,
    demo: &Demo,
    author: Uuid,
    media: &photos::Media<'_>,
    url: &str,
) -> Result<SeedReport, ApiError> {
    let (site_updated, visit_count) = site::load(conn, &demo.site).await?;
    let (categories, category_ids) = categories::load(conn, &demo.categories).await?;
    let (photos, photo_ids) = photos::load(conn, &demo.photos, author, media, url).await?;
    let (organizations, org_ids) = people::load_organizations(conn, &demo.organizations).await?;
    let (signatories, people) =
        people::load_signatories(conn, &demo.signatories, &org_ids, url).await?;
    let (agreements, agreement_ids) =
        agreements::load(conn, &demo.agreements, &org_ids, &people, url).await?;
    let attachments = attachments::load(conn, &demo.agreements, &agreement_ids, media, url).await?;
    let named = articles::Named {
        categories: &category_ids,
        photos: &photo_ids,
        agreements: &agreement_ids,
    };
    let articles = articles::load(conn, demo, author, &named, url).await?;
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
        attachments,
        articles: articles.tally,
        trashed: articles.trashed,
        article_slug: articles.article_slug,
        category_slug: articles.category_slug,
        article_id: articles.article_id,
        agreement_id: articles.agreement_id,
        signatory_id,
        skipped: Vec::new(),
    })
}

/// Why loading failed, for an operator.
fn describe(e: ApiError) -> String {
    match e {
        ApiError::Validation(errors) => faults(&errors),
        // Its `Display` hides the cause, as an API answer must; an operator needs it.
        ApiError::Internal(cause) => cause,
        other => other.to_string(),
    }
}

/// The fields at fault, for an operator: `title: at most 500 characters; …`.
fn faults(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A fault of the demo file itself.
fn invalid(what: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("demo/lai-chau-portal.json: {what}"))
}

/// The id of a row found by a lookup of the demo's.
#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}
