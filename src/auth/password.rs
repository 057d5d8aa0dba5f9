//! Password hashing with argon2id at the OWASP parameters (19 MiB, 2 passes, 1 lane: the
//! argon2 crate's defaults), always on a blocking thread, and at most one hash per core at a
//! time: a burst of logins queues here, among itself, instead of taking every core (and the
//! blocking pool) from the requests that only read.

use std::sync::OnceLock;

use tokio::sync::Semaphore;

use argon2::{Argon2, PasswordHasher, PasswordVerifier};

use crate::error::{ApiError, ApiResult};

pub use crate::domain::limits::{PASSWORD_MAX as MAX_LEN, PASSWORD_MIN as MIN_LEN};

/// Hashes synchronously (for the CLI and first-run bootstrap).
pub fn hash_blocking(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// The slots for hashing: one per core, for the whole process.
pub fn hashing_slots() -> &'static Semaphore {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    SLOTS
        .get_or_init(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// Runs `work` on a blocking thread once a hashing slot is free.
async fn in_slot<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> ApiResult<T> {
    let _slot = hashing_slots()
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the hashing slots are closed"))?;
    Ok(actix_web::web::block(work).await?)
}

/// Hashes on a blocking thread.
pub async fn hash(password: String) -> ApiResult<String> {
    in_slot(move || hash_blocking(&password))
        .await?
        .map_err(ApiError::Internal)
}

/// A fixed hash checked when the email is unknown, so that such logins take as long as real ones.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_blocking("bantin-dummy-password-for-timing").unwrap_or_default())
}

/// Verifies `password` against `phc` (or against a dummy hash when `phc` is `None`, always
/// answering false but taking the same time). Runs on a blocking thread.
pub async fn verify(password: String, phc: Option<String>) -> ApiResult<bool> {
    in_slot(move || {
        let known = phc.is_some();
        let hash = phc.unwrap_or_else(|| dummy_hash().to_string());
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), hash.as_str())
            .is_ok();
        known && matches
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery", h.as_str())
                .is_ok()
        );
        assert!(
            Argon2::default()
                .verify_password(b"wrong horse battery", h.as_str())
                .is_err()
        );
    }
}
