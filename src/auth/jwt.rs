//! Access tokens: HS256 JWTs with `sub`, `role`, `sid`, `iat`, `exp`, `iss`, `aud`. Nothing but
//! HS256 with our secret, issuer and audience is accepted, and expiry has no leeway.

use std::path::Path;

use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Secret;

pub const ISSUER: &str = "bantin";
pub const AUDIENCE: &str = "bantin-api";

/// The claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    pub sid: Uuid,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
    pub aud: String,
}

/// Signing and verification keys plus the token lifetime.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_secs: u64,
}

impl JwtKeys {
    pub fn new(secret: &Secret, ttl_secs: u64) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 0;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose().as_bytes()),
            decoding: DecodingKey::from_secret(secret.expose().as_bytes()),
            validation,
            ttl_secs,
        }
    }

    /// Issues an access token for a user's login session.
    pub fn issue(&self, user_id: Uuid, role: &str, session_id: Uuid) -> Result<String, String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id,
            role: role.to_string(),
            sid: session_id,
            iat: now,
            exp: now + self.ttl_secs,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| format!("cannot sign token: {e}"))
    }

    /// Verifies signature, algorithm, issuer, audience and expiry.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

/// The configured secret, or the one kept in `<data_dir>/jwt-secret` (generated on first use,
/// file mode 600), so that restarts keep sessions valid.
pub fn load_or_create_secret(
    configured: Option<&Secret>,
    data_dir: &Path,
) -> Result<Secret, String> {
    if let Some(secret) = configured {
        return Ok(secret.clone());
    }
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(text) if text.trim().len() >= 32 => {
            tracing::info!(path = %path.display(), "BANTIN_JWT_SECRET is not set; using the generated secret kept in the data dir");
            return Ok(Secret::new(text.trim()));
        }
        Ok(_) => {
            return Err(format!(
                "{} holds a secret shorter than 32 bytes; delete it to generate a new one",
                path.display()
            ));
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("cannot read {}: {e}", path.display()));
        }
        Err(_) => {}
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    std::fs::create_dir_all(data_dir)
        .map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "BANTIN_JWT_SECRET is not set; generated a random secret and saved it in the data dir \
         (set BANTIN_JWT_SECRET to share one between replicas)"
    );
    Ok(Secret::new(secret))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> JwtKeys {
        JwtKeys::new(&Secret::new("k".repeat(32)), 900)
    }

    #[test]
    fn round_trip() {
        let (u, s) = (Uuid::now_v7(), Uuid::now_v7());
        let token = keys().issue(u, "editor", s).unwrap();
        let claims = keys().verify(&token).unwrap();
        assert_eq!(
            (claims.sub, claims.sid, claims.role.as_str()),
            (u, s, "editor")
        );
    }

    #[test]
    fn other_secret_is_refused() {
        let token = keys()
            .issue(Uuid::now_v7(), "admin", Uuid::now_v7())
            .unwrap();
        assert!(
            JwtKeys::new(&Secret::new("z".repeat(32)), 900)
                .verify(&token)
                .is_none()
        );
    }

    #[test]
    fn secret_is_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("bantin-jwt-{}", Uuid::now_v7()));
        let a = load_or_create_secret(None, &dir).unwrap();
        let b = load_or_create_secret(None, &dir).unwrap();
        assert_eq!(a, b);
        assert!(a.expose().len() >= 32);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("jwt-secret"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
