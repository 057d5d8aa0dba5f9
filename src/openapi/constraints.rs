//! The rules on values that JSON Schema can state (lengths, ranges, counts, formats), written
//! into the schemas from the domain's named limits, so the spec and the checks cannot drift
//! apart. utoipa's attributes take literals only; this table takes the constants.
//!
//! A rule that names a schema or field the spec does not have fails [`apply`], and with it
//! the test that compares the committed spec: renaming a field cannot drop its rule silently.

use utoipa::openapi::schema::{Schema, SchemaFormat};
use utoipa::openapi::{OpenApi, RefOr};

use crate::domain::limits::*;

/// What a field must be.
#[derive(Clone, Copy)]
enum Rule {
    /// Characters, from `.0` to `.1` (as sent; a blank value may still be refused by a 422).
    Chars(usize, usize),
    /// At most this many characters.
    MaxChars(usize),
    /// At least this many characters.
    MinChars(usize),
    /// Items of an array, from `.0` to `.1`.
    Items(usize, usize),
    /// A whole number in this range.
    Range(i64, i64),
    /// The string's format (`idn-email`, `uri`).
    Format(&'static str),
}

use Rule::*;

const fn range(r: std::ops::RangeInclusive<i32>) -> Rule {
    Range(*r.start() as i64, *r.end() as i64)
}

const ARTICLE: &[&str] = &["CreateArticle", "UpdateArticle"];
const AGREEMENT: &[&str] = &["CreateAgreement", "UpdateAgreement"];
const CATEGORY: &[&str] = &["CreateCategory", "UpdateCategory"];
const ORGANIZATION: &[&str] = &["CreateOrganization", "UpdateOrganization"];
const SIGNATORY: &[&str] = &["CreateSignatory", "UpdateSignatory"];
const USER: &[&str] = &["CreateUser", "UpdateUser"];
const WEBHOOK: &[&str] = &["CreateWebhook", "UpdateWebhook"];
const PHOTO: &[&str] = &["UpdatePhoto"];

/// Each rule once: (schemas, field, rule).
const RULES: &[(&[&str], &str, Rule)] = &[
    (ARTICLE, "title", Chars(1, ARTICLE_TITLE_MAX)),
    (ARTICLE, "slug", Chars(1, SLUG_MAX)),
    (ARTICLE, "summary", MaxChars(ARTICLE_SUMMARY_MAX)),
    (ARTICLE, "related_ids", Items(0, RELATED_MAX)),
    (ARTICLE, "photos", Items(0, GALLERY_MAX)),
    (ARTICLE, "agreement_ids", Items(0, ARTICLE_AGREEMENTS_MAX)),
    (&["GalleryInput"], "caption", MaxChars(GALLERY_CAPTION_MAX)),
    (
        &["GalleryInput"],
        "position",
        Range(0, GALLERY_POSITION_MAX as i64),
    ),
    (AGREEMENT, "document_number", MaxChars(DOCUMENT_NUMBER_MAX)),
    (AGREEMENT, "title", Chars(1, AGREEMENT_TITLE_MAX)),
    (AGREEMENT, "summary", MaxChars(AGREEMENT_SUMMARY_MAX)),
    (AGREEMENT, "place", MaxChars(AGREEMENT_PLACE_MAX)),
    (AGREEMENT, "term_start_year", range(TERM_YEARS)),
    (AGREEMENT, "term_end_year", range(TERM_YEARS)),
    (AGREEMENT, "parties", Items(0, AGREEMENT_LIST_MAX)),
    (AGREEMENT, "signatures", Items(0, AGREEMENT_LIST_MAX)),
    (AGREEMENT, "relations", Items(0, AGREEMENT_RELATIONS_MAX)),
    (&["PartyInput"], "position", range(AGREEMENT_POSITIONS)),
    (&["SignatureInput"], "position", range(AGREEMENT_POSITIONS)),
    (
        &["SignatureInput"],
        "signing_title",
        Chars(1, SIGNING_TITLE_MAX),
    ),
    (
        &["SignatureInput"],
        "positions_at_signing",
        MaxChars(POSITIONS_AT_SIGNING_MAX),
    ),
    (
        &["RelationInput"],
        "reference_text",
        MaxChars(REFERENCE_TEXT_MAX),
    ),
    (CATEGORY, "name", Chars(1, CATEGORY_NAME_MAX)),
    (CATEGORY, "slug", Chars(1, SLUG_MAX)),
    (CATEGORY, "description", MaxChars(CATEGORY_DESCRIPTION_MAX)),
    (ORGANIZATION, "name", Chars(1, ORGANIZATION_NAME_MAX)),
    (ORGANIZATION, "short_name", MaxChars(SHORT_NAME_MAX)),
    (SIGNATORY, "full_name", Chars(2, FULL_NAME_MAX)),
    (SIGNATORY, "current_position", MaxChars(POSITION_MAX)),
    (PHOTO, "caption", MaxChars(CAPTION_MAX)),
    (PHOTO, "alt_text", MaxChars(CAPTION_MAX)),
    (PHOTO, "credit", MaxChars(CREDIT_MAX)),
    // Internationalised addresses (RFC 6531) are accepted, NFC-normalised: `idn-email`, not
    // the ASCII-only `email`, or a checker would call accepted addresses invalid.
    (USER, "email", Format("idn-email")),
    (USER, "email", MaxChars(EMAIL_MAX)),
    (USER, "display_name", Chars(1, DISPLAY_NAME_MAX)),
    (USER, "password", Chars(PASSWORD_MIN, PASSWORD_MAX)),
    (&["LoginRequest"], "password", MinChars(1)),
    (&["UserView", "MeResponse"], "email", Format("idn-email")),
    (&["PutSite"], "name", Chars(1, SITE_FIELD_MAX)),
    (&["PutSite"], "publisher", Chars(1, SITE_FIELD_MAX)),
    (&["PutSite"], "responsible_person", Chars(1, SITE_FIELD_MAX)),
    (&["PutSite"], "address", MaxChars(SITE_TEXT_MAX)),
    (&["PutSite"], "phone", MaxChars(SITE_TEXT_MAX)),
    (&["PutSite"], "fax", MaxChars(SITE_TEXT_MAX)),
    (&["PutSite"], "email", MaxChars(EMAIL_MAX)),
    (&["PutSite"], "attribution_notice", MaxChars(SITE_TEXT_MAX)),
    (WEBHOOK, "url", Format("uri")),
    (WEBHOOK, "url", MaxChars(WEBHOOK_URL_MAX)),
    (WEBHOOK, "events", Items(1, WEBHOOK_EVENTS_MAX)),
    (WEBHOOK, "description", MaxChars(WEBHOOK_DESCRIPTION_MAX)),
    (&["WebhookView"], "url", Format("uri")),
    (
        &["PhotoView", "PhotoVariant", "AttachmentView"],
        "url",
        Format("uri"),
    ),
];

/// Writes every rule into its schemas; panics on a rule whose target is missing (a bug
/// caught by the spec test, never at run time: the spec is built once, at start).
pub fn apply(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        panic!("the spec has no components");
    };
    for (schemas, field, rule) in RULES {
        for name in *schemas {
            let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) else {
                panic!("constraints: no object schema `{name}`");
            };
            let Some(RefOr::T(property)) = object.properties.get_mut(*field) else {
                panic!("constraints: `{name}` has no field `{field}`");
            };
            constrain(property, *rule, name, field);
        }
    }
}

fn constrain(property: &mut Schema, rule: Rule, name: &str, field: &str) {
    match (property, rule) {
        (Schema::Object(o), Chars(min, max)) => {
            o.min_length = Some(min);
            o.max_length = Some(max);
        }
        (Schema::Object(o), MaxChars(max)) => o.max_length = Some(max),
        (Schema::Object(o), MinChars(min)) => o.min_length = Some(min),
        (Schema::Object(o), Range(min, max)) => {
            o.minimum = Some(min.into());
            o.maximum = Some(max.into());
        }
        (Schema::Object(o), Format(format)) => o.format = Some(SchemaFormat::Custom(format.into())),
        (Schema::Array(a), Items(min, max)) => {
            a.min_items = Some(min).filter(|n| *n > 0);
            a.max_items = Some(max);
        }
        _ => panic!("constraints: `{name}.{field}` is not the kind of schema its rule needs"),
    }
}
