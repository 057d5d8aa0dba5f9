//! Signatures of the Standard Webhooks specification (<https://www.standardwebhooks.com>), so
//! that receivers verify deliveries with that specification's libraries: the signed content is
//! `{webhook-id}.{webhook-timestamp}.{body}`, signed with HMAC-SHA256 under the endpoint's
//! secret (`whsec_` and the key in base64), sent as `webhook-signature: v1,{base64}`.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::RngCore;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";
/// Bytes of a new secret's key.
const KEY_BYTES: usize = 32;

/// A new random secret, `whsec_` and 32 bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0u8; KEY_BYTES];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// The key of a secret (with or without its prefix).
pub fn key_of(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    STANDARD
        .decode(encoded)
        .map_err(|e| format!("a webhook secret is not base64: {e}"))
}

/// The `webhook-signature` header value of a message.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, key);
    let mut mac = hmac::Context::with_key(&key);
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.sign().as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The test vector the specification publishes.
    #[test]
    fn signs_as_the_specification_s_test_vector_says() {
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn new_secrets_are_random_32_byte_keys() {
        let (one, two) = (new_secret(), new_secret());
        assert!(one.starts_with(SECRET_PREFIX));
        assert_ne!(one, two);
        assert_eq!(key_of(&one).unwrap().len(), KEY_BYTES);
        assert!(key_of("whsec_not base64!").is_err());
    }
}
