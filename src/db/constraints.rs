//! What the database's own rules mean when a write breaks them, recognised by the name of the
//! constraint (never by the text of the message, which the server's language may change), and
//! diesel's other errors in the models' terms ([`ModelError`]).

use diesel::result::{DatabaseErrorKind, Error};

use crate::error::ModelError;

/// Which kind of rule a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    Unique,
    ForeignKey,
}

/// The kind and the name of the constraint `e` reports, if it is a violation of one.
pub fn violated(e: &Error) -> Option<(Violation, &str)> {
    let Error::DatabaseError(kind, info) = e else {
        return None;
    };
    let kind = match kind {
        DatabaseErrorKind::UniqueViolation => Violation::Unique,
        DatabaseErrorKind::ForeignKeyViolation => Violation::ForeignKey,
        _ => return None,
    };
    info.constraint_name().map(|name| (kind, name))
}

/// Whether `e` broke the constraint `name`.
pub fn breaks(e: &Error, name: &str) -> bool {
    violated(e).is_some_and(|(_, n)| n == name)
}

/// What breaking a constraint means wherever it happens. Constraints whose meaning depends on
/// the write (a referenced row deleted meanwhile) are mapped by the model that knows.
fn meaning(name: &str) -> Option<ModelError> {
    let conflict = |text: &str| Some(ModelError::Conflict(text.to_string()));
    match name {
        "users_email_key" => conflict("a user with this email already exists"),
        "categories_slug_key" => conflict("a category with this slug already exists"),
        "articles_slug_key" => conflict("an article with this slug already exists"),
        "organizations_name_key" => {
            conflict("an organization with this name already exists under the same parent")
        }
        "agreements_number_day_key" => {
            conflict("an agreement with this document number and signing day already exists")
        }
        _ => None,
    }
}

impl From<Error> for ModelError {
    fn from(e: Error) -> Self {
        if let Some(known) = violated(&e).and_then(|(_, name)| meaning(name)) {
            return known;
        }
        match e {
            Error::NotFound => ModelError::NotFound("item"),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ModelError::Contention
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => ModelError::Disconnected(info.message().to_string()),
            other => ModelError::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for ModelError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        ModelError::Disconnected(e.to_string())
    }
}
