//! Signing in: the secret tokens are signed with, and the first-run admin's account.

use crate::domain::limits::PASSWORD_MIN;

use super::sources::Sources;
use super::{ConfigError, Secret, err};

/// Shortest JWT secret accepted, in bytes (HS256 wants a key as long as its hash).
pub const JWT_SECRET_MIN_BYTES: usize = 32;

/// `None`: generated and kept in the data dir.
pub(super) fn jwt_secret(src: &Sources) -> Result<Option<Secret>, ConfigError> {
    match src.text("BANTIN_JWT_SECRET", src.file.jwt_secret.as_deref()) {
        Some(s) if s.len() < JWT_SECRET_MIN_BYTES => Err(err(
            "BANTIN_JWT_SECRET",
            format!(
                "too weak: {} bytes, at least {JWT_SECRET_MIN_BYTES} are required (or leave it unset to generate one)",
                s.len()
            ),
        )),
        other => Ok(other.map(Secret)),
    }
}

pub(super) fn admin_email(src: &Sources) -> Result<Option<String>, ConfigError> {
    let email = src.text("BANTIN_ADMIN_EMAIL", src.file.admin_email.as_deref());
    if let Some(email) = &email
        && crate::text::parse_email(email).is_err()
    {
        return Err(err(
            "BANTIN_ADMIN_EMAIL",
            format!("`{email}` is not an email address"),
        ));
    }
    Ok(email)
}

pub(super) fn admin_password(src: &Sources) -> Result<Option<Secret>, ConfigError> {
    let password = src.text("BANTIN_ADMIN_PASSWORD", src.file.admin_password.as_deref());
    if let Some(p) = &password
        && p.chars().count() < PASSWORD_MIN
    {
        return Err(err(
            "BANTIN_ADMIN_PASSWORD",
            format!("at least {PASSWORD_MIN} characters are required"),
        ));
    }
    Ok(password.map(Secret))
}
