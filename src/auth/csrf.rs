//! Cross-site request forgery: every form the desk serves carries a token that only this
//! server can make, bound to the browser's session (or, before sign-in, to a random visitor
//! cookie). A form posted from anywhere else has no valid token and is refused (403).
//!
//! The token is an HMAC of the binding under a key derived from the JWT secret, so every
//! replica makes and checks the same tokens and nothing is stored.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::config::Secret;

/// The name of the hidden form field (and of the header scripts send it in).
pub const FIELD: &str = "csrf";
pub const HEADER: &str = "x-csrf-token";

/// What a token is bound to.
pub enum Binding<'a> {
    /// A signed-in browser's login session.
    Session(Uuid),
    /// A browser before sign-in: its random visitor cookie.
    Visitor(&'a str),
}

impl Binding<'_> {
    fn message(&self) -> String {
        match self {
            Binding::Session(id) => format!("session:{id}"),
            Binding::Visitor(nonce) => format!("visitor:{nonce}"),
        }
    }
}

#[derive(Clone)]
pub struct CsrfKeys {
    key: hmac::Key,
}

impl CsrfKeys {
    pub fn new(secret: &Secret) -> Self {
        // A key of its own, derived from the secret: a CSRF token is never a valid signature
        // of anything else.
        let derived = Sha256::new()
            .chain_update(b"bantin desk csrf\0")
            .chain_update(secret.expose().as_bytes())
            .finalize();
        CsrfKeys {
            key: hmac::Key::new(hmac::HMAC_SHA256, &derived),
        }
    }

    pub fn token(&self, binding: Binding) -> String {
        let tag = hmac::sign(&self.key, binding.message().as_bytes());
        URL_SAFE_NO_PAD.encode(tag.as_ref())
    }

    /// Whether `token` was made by [`CsrfKeys::token`] for `binding` (compared in constant
    /// time).
    pub fn verify(&self, binding: Binding, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token.as_bytes()) else {
            return false;
        };
        hmac::verify(&self.key, binding.message().as_bytes(), &tag).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_valid_for_its_binding_only() {
        let keys = CsrfKeys::new(&Secret::new("a-secret-long-enough-for-the-test-0123456789"));
        let other = CsrfKeys::new(&Secret::new("another-secret-long-enough-for-the-test-012"));
        let session = Uuid::now_v7();
        let token = keys.token(Binding::Session(session));
        assert!(keys.verify(Binding::Session(session), &token));
        assert!(!keys.verify(Binding::Session(Uuid::now_v7()), &token));
        assert!(!keys.verify(Binding::Visitor("abc"), &token));
        assert!(!other.verify(Binding::Session(session), &token));
        assert!(!keys.verify(Binding::Session(session), ""));
        assert!(!keys.verify(Binding::Session(session), "not base64 !"));
    }
}
