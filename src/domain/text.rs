//! Text values: slugs, plain texts with their length limits, sanitised HTML bodies, document
//! numbers. Each is built only by parsing; the text rules themselves (NFC, folding, slugify,
//! the sanitiser) live in [`crate::text`].

use super::Refusal;
use super::limits::{
    BODY_MAX_BYTES, DOCUMENT_NUMBER_MAX, FULL_NAME_MAX, PASSWORD_MAX, PASSWORD_MIN, SLUG_MAX,
};

macro_rules! text_value {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// A URL slug: lowercase ASCII letters and digits in words joined by single `-`, at most
/// [`SLUG_MAX`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);
text_value!(Slug);

impl Slug {
    pub fn parse(raw: &str) -> Result<Slug, Refusal> {
        match crate::text::is_slug(raw) {
            true => Ok(Slug(raw.to_string())),
            false => Err(Refusal::new(
                "invalid",
                format!(
                    "lowercase ASCII letters and digits in words joined by single `-`, at most {SLUG_MAX} characters"
                ),
            )),
        }
    }

    /// The slug of a title or name (Vietnamese folding: `Đảng Đoàn` → `dang-doan`), or
    /// `None` when nothing of it can be written in a slug.
    pub fn derive(text: &str) -> Option<Slug> {
        Some(crate::text::slugify(text))
            .filter(|s| !s.is_empty())
            .map(Slug)
    }
}

/// Plain text that must not be empty: trimmed, at most `max` characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);
text_value!(Title);

impl Title {
    pub fn parse(raw: &str, max: usize) -> Result<Title, Refusal> {
        let text = PlainText::parse(raw, max)?;
        match text.0.is_empty() {
            true => Err(Refusal::new("required", "must not be empty")),
            false => Ok(Title(text.0)),
        }
    }
}

/// Plain text that may be empty: trimmed, at most `max` characters. Kept as written (`<`
/// included): whoever renders it as HTML escapes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainText(String);
text_value!(PlainText);

/// The limit counts the characters as sent (as the spec's `maxLength` does), before
/// trimming: a value the schema calls too long is never accepted.
fn within(raw: &str, max: usize) -> Result<(), Refusal> {
    match raw.chars().count() > max {
        true => Err(Refusal::new(
            "too_long",
            format!("at most {max} characters"),
        )),
        false => Ok(()),
    }
}

impl PlainText {
    pub fn parse(raw: &str, max: usize) -> Result<PlainText, Refusal> {
        within(raw, max)?;
        Ok(PlainText(raw.trim().to_string()))
    }
}

/// HTML that is safe to serve as is: at most [`BODY_MAX_BYTES`] as sent, then sanitised
/// ([`crate::text::sanitize_html`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Body(String);
text_value!(Body);

impl Body {
    pub fn parse(raw: &str) -> Result<Body, Refusal> {
        match raw.len() > BODY_MAX_BYTES {
            true => Err(Refusal::new(
                "too_long",
                format!("at most {} KiB", BODY_MAX_BYTES / 1024),
            )),
            false => Ok(Body(crate::text::sanitize_html(raw))),
        }
    }
}

/// A person's full name as Vietnamese lists write it — family name, middle name(s), given
/// name — with spaces collapsed, 2 to [`FULL_NAME_MAX`] characters and no honorific or title
/// in front (`Ông`, `TS.`, `đồng chí`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);
text_value!(PersonName);

impl PersonName {
    pub fn parse(raw: &str) -> Result<PersonName, Refusal> {
        within(raw, FULL_NAME_MAX)?;
        let name = Title::parse(&crate::text::collapse_spaces(raw), FULL_NAME_MAX)?;
        if let Some(honorific) = crate::text::leading_honorific(name.as_str()) {
            return Err(Refusal::new(
                "honorific",
                format!(
                    "write the name without `{honorific}`: family name, middle name(s), given name"
                ),
            ));
        }
        match name.as_str().chars().count() < 2 {
            true => Err(Refusal::new("too_short", "at least 2 characters")),
            false => Ok(PersonName(name.0)),
        }
    }
}

/// An email address: NFC, trimmed, at most [`super::limits::EMAIL_MAX`] characters, one `@` between a local
/// part and a domain (`localhost` or a dotted name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);
text_value!(Email);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, Refusal> {
        crate::text::parse_email(raw)
            .map(Email)
            .map_err(|_| Refusal::new("invalid", "not an email address"))
    }
}

/// A password someone chooses: [`PASSWORD_MIN`] to [`PASSWORD_MAX`] characters (never
/// shown: its `Debug` hides it).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(raw: &str) -> Result<NewPassword, Refusal> {
        match raw.chars().count() {
            n if n < PASSWORD_MIN => Err(Refusal::new(
                "too_short",
                format!("at least {PASSWORD_MIN} characters"),
            )),
            n if n > PASSWORD_MAX => Err(Refusal::new(
                "too_long",
                format!("at most {PASSWORD_MAX} characters"),
            )),
            _ => Ok(NewPassword(raw.to_string())),
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// A document's number exactly as printed (`31B-QCPH/BDV-ĐĐHĐND`): case and letters kept,
/// trimmed, at most [`DOCUMENT_NUMBER_MAX`] characters. A programme may have none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentNumber(String);
text_value!(DocumentNumber);

impl DocumentNumber {
    /// `None` for an absent or blank number.
    pub fn parse(raw: Option<&str>) -> Result<Option<DocumentNumber>, Refusal> {
        if let Some(raw) = raw {
            within(raw, DOCUMENT_NUMBER_MAX)?;
        }
        let Some(raw) = raw.map(str::trim).filter(|n| !n.is_empty()) else {
            return Ok(None);
        };
        Title::parse(raw, DOCUMENT_NUMBER_MAX).map(|t| Some(DocumentNumber(t.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_parsed_or_derived() {
        assert!(Slug::parse("hoi-nghi-2021").is_ok());
        for bad in [
            "",
            "Hoi-nghi",
            "hoi--nghi",
            "-hoi",
            "hội-nghị",
            &"a".repeat(101),
        ] {
            assert_eq!(Slug::parse(bad).unwrap_err().code, "invalid", "{bad}");
        }
        let derived = Slug::derive("Hội nghị tổng kết – Đảng Đoàn HĐND").unwrap();
        assert_eq!(derived.as_str(), "hoi-nghi-tong-ket-dang-doan-hdnd");
        assert_eq!(Slug::derive("–…–"), None);
    }

    #[test]
    fn titles_are_required_and_bounded_plain_texts_only_bounded() {
        assert_eq!(Title::parse("  Tin  ", 10).unwrap().as_str(), "Tin");
        assert_eq!(Title::parse("   ", 10).unwrap_err().code, "required");
        assert_eq!(Title::parse("Hội nghị", 3).unwrap_err().code, "too_long");
        // Characters, not bytes: 8 Vietnamese letters fit a limit of 8.
        assert!(Title::parse("Hội nghị", 8).is_ok());
        assert_eq!(PlainText::parse("  ", 10).unwrap().as_str(), "");
        assert_eq!(PlainText::parse("<b>", 10).unwrap().as_str(), "<b>");
    }

    #[test]
    fn bodies_are_sanitised_and_bounded() {
        let body = Body::parse("<p onclick=\"x()\">Tin</p><script>x()</script>").unwrap();
        assert_eq!(body.as_str(), "<p>Tin</p>");
        let big = "a".repeat(BODY_MAX_BYTES + 1);
        assert_eq!(Body::parse(&big).unwrap_err().code, "too_long");
    }

    #[test]
    fn passwords_count_characters_and_never_show() {
        assert_eq!(
            NewPassword::parse("ngắn quá").unwrap_err().code,
            "too_short"
        );
        let ok = NewPassword::parse("mật khẩu đủ dài").unwrap();
        assert_eq!(format!("{ok:?}"), "NewPassword(…)");
        let long = "x".repeat(PASSWORD_MAX + 1);
        assert_eq!(NewPassword::parse(&long).unwrap_err().code, "too_long");
        assert_eq!(Email::parse("ai@").unwrap_err().code, "invalid");
        assert_eq!(Email::parse(" Ai@Test.vn ").unwrap().as_str(), "Ai@Test.vn");
    }

    #[test]
    fn document_numbers_are_kept_as_printed() {
        let n = DocumentNumber::parse(Some(" 31B-QCPH/BDV-ĐĐHĐND ")).unwrap();
        assert_eq!(n.unwrap().as_str(), "31B-QCPH/BDV-ĐĐHĐND");
        assert_eq!(DocumentNumber::parse(Some("  ")).unwrap(), None);
        assert_eq!(DocumentNumber::parse(None).unwrap(), None);
        let long = "X".repeat(DOCUMENT_NUMBER_MAX + 1);
        assert_eq!(
            DocumentNumber::parse(Some(&long)).unwrap_err().code,
            "too_long"
        );
    }
}
