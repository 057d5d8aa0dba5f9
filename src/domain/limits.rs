//! Every limit on what Bantin accepts, named once. The spec, the handlers and the demo seed
//! read them from here.

/// Characters of a slug (`[a-z0-9]+(-[a-z0-9]+)*`); slugify keeps to it ([`crate::text`]).
pub use crate::text::SLUG_MAX;

/// Characters of a category's name.
pub const CATEGORY_NAME_MAX: usize = 200;
/// Characters of a category's description.
pub const CATEGORY_DESCRIPTION_MAX: usize = 2_000;

/// Characters of an organisation's name.
pub const ORGANIZATION_NAME_MAX: usize = 300;
/// Characters of an organisation's short name (`ĐĐHĐND`).
pub const SHORT_NAME_MAX: usize = 50;
/// Characters of a signatory's full name.
pub const FULL_NAME_MAX: usize = 100;
/// Characters of a position (a signatory's current one).
pub const POSITION_MAX: usize = 500;
/// Characters of a photo's caption and of its alt text.
pub const CAPTION_MAX: usize = 1_000;
/// Characters of a photo's credit.
pub const CREDIT_MAX: usize = 200;
/// Characters of a required field of the site settings (name, publisher, responsible person).
pub const SITE_FIELD_MAX: usize = 300;
/// Characters of an optional field of the site settings (address, attribution notice…).
pub const SITE_TEXT_MAX: usize = 1_000;

/// Characters of an article's title.
pub const ARTICLE_TITLE_MAX: usize = 500;
/// Characters of an article's summary.
pub const ARTICLE_SUMMARY_MAX: usize = 2_000;
/// Bytes of an HTML body (articles, agreements), before sanitising.
pub const BODY_MAX_BYTES: usize = 512 * 1024;
/// Articles named in `related_ids`.
pub const RELATED_MAX: usize = 20;
/// Photos in an article's gallery.
pub const GALLERY_MAX: usize = 50;
/// Characters of a photo's caption in an article's gallery.
pub const GALLERY_CAPTION_MAX: usize = 1_000;
/// Agreements an article reports.
pub const ARTICLE_AGREEMENTS_MAX: usize = 20;
/// Characters of a search query (`q`).
pub const QUERY_MAX: usize = 200;
/// Highest position of a photo in an article's gallery (the first may be 0).
pub const GALLERY_POSITION_MAX: i32 = 10_000;
/// Articles shown beside one (`GET /articles/{id}/related?limit=`).
pub const RELATED_SHOWN_MAX: i64 = 20;

/// Characters of an agreement's document number, as printed.
pub const DOCUMENT_NUMBER_MAX: usize = 100;
/// Characters of an agreement's title (tên loại và trích yếu).
pub const AGREEMENT_TITLE_MAX: usize = 1_000;
/// Characters of an agreement's summary.
pub const AGREEMENT_SUMMARY_MAX: usize = 4_000;
/// Parties and signatures of one agreement.
pub const AGREEMENT_LIST_MAX: usize = 20;
/// Relations of one agreement.
pub const AGREEMENT_RELATIONS_MAX: usize = 50;
/// Years a term may name.
pub const TERM_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;
/// Characters of the place an agreement was signed at.
pub const AGREEMENT_PLACE_MAX: usize = 200;
/// Positions of an agreement's parties and signatures (display order).
pub const AGREEMENT_POSITIONS: std::ops::RangeInclusive<i32> = 1..=1000;
/// Characters of the title under a signature.
pub const SIGNING_TITLE_MAX: usize = 300;
/// Characters of the positions a signatory held the day they signed.
pub const POSITIONS_AT_SIGNING_MAX: usize = 500;
/// Characters of a relation's reference to a document outside the CMS.
pub const REFERENCE_TEXT_MAX: usize = 500;
/// Characters of an attached file's name, as downloaded.
pub const ATTACHMENT_FILE_NAME_MAX: usize = 200;
/// Agreements listed on a signatory's page (unpaged).
pub const SIGNED_AGREEMENTS_MAX: i64 = 1_000;

/// Characters of a person's display name (users).
pub const DISPLAY_NAME_MAX: usize = 200;
/// Shortest password accepted, in characters.
pub const PASSWORD_MIN: usize = 12;
/// Longest password accepted, in characters (hashing cost must not depend on the attacker).
pub const PASSWORD_MAX: usize = 256;
/// Characters of an email address ([`crate::text::parse_email`] keeps to it).
pub use crate::text::EMAIL_MAX;

/// A webhook's target URL, in characters.
pub const WEBHOOK_URL_MAX: usize = 2048;
/// A webhook's description, in characters.
pub const WEBHOOK_DESCRIPTION_MAX: usize = 500;
/// Event types or patterns one webhook listens to.
pub const WEBHOOK_EVENTS_MAX: usize = 50;
/// How long a webhook receiver has to answer, in seconds.
pub const WEBHOOK_TIMEOUT_SECS: u64 = 10;

/// Articles in a feed, newest first.
pub const FEED_ITEMS: i64 = 50;
/// URLs in one sitemap (the sitemaps.org limit); past it, a sitemap index.
pub const SITEMAP_URLS_MAX: i64 = 50_000;

/// How many of the articles and signatories using a photo a refused deletion names.
pub const PHOTO_USES_NAMED: i64 = 5;
