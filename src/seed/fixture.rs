//! The demo file's shape: what `demo/lai-chau-portal.json` says, every reference to another
//! part by its `key`.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::text;

/// The demo data, compiled in so that the command works from any directory.
pub const DEMO_JSON: &str = include_str!("../../demo/lai-chau-portal.json");

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
