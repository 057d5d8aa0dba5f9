//! The values Bantin accepts, parsed once where they enter (a handler, the demo seed) and
//! trusted after: a [`Slug`] is always a slug, a [`Body`] always sanitised HTML within its
//! limit, an [`ArticleStatus`] one of three. Every limit is a named constant in [`limits`].
//!
//! Parsing a request collects every field at fault in [`Fields`], so that one 422 names them
//! all; a parser only says why a value is refused ([`Refusal`]), the caller names the field.

pub mod limits;
mod status;
mod text;

pub use status::ArticleStatus;
pub use text::{Body, DocumentNumber, Email, NewPassword, PersonName, PlainText, Slug, Title};

use crate::error::{ApiError, FieldError};

/// Why a value was refused: a machine-readable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

impl Refusal {
    pub fn new(code: &'static str, message: impl Into<String>) -> Refusal {
        Refusal {
            code,
            message: message.into(),
        }
    }
}

/// The fields at fault in one request, in the order they were found.
#[derive(Debug, Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    /// The parsed value, or `None` with `field` noted as refused.
    pub fn take<T>(&mut self, field: impl Into<String>, parsed: Result<T, Refusal>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(refusal) => {
                self.0
                    .push(FieldError::new(field, refusal.code, refusal.message));
                None
            }
        }
    }

    /// Notes a field at fault found by a rule that spans values (date order, duplicates…).
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A 422 naming every field at fault, if any.
    pub fn finish(self) -> Result<(), ApiError> {
        match self.0.is_empty() {
            true => Ok(()),
            false => Err(ApiError::Validation(self.0)),
        }
    }

    /// The fields at fault so far.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.0
    }

    /// The 422 for a parse where some value came out `None`; use in the `else` of a
    /// `let (Some(a), Some(b)) = (…) else { … }` after taking every field.
    pub fn refusal(self) -> ApiError {
        match self.0.is_empty() {
            false => ApiError::Validation(self.0),
            true => ApiError::internal("a value was refused without a reason"),
        }
    }
}

/// Collects the faults a legacy `Vec<FieldError>` check found.
impl Extend<FieldError> for Fields {
    fn extend<I: IntoIterator<Item = FieldError>>(&mut self, iter: I) {
        self.0.extend(iter);
    }
}
