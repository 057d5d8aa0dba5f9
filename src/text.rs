//! Text rules shared by every resource: Unicode NFC on the way in, and parsed newtypes for
//! values with a fixed shape (emails).

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// Returns `s` in Unicode NFC (composed), the form every stored text is kept in.
pub fn nfc(s: &str) -> String {
    if is_nfc(s) {
        s.to_string()
    } else {
        s.nfc().collect()
    }
}

/// Normalises every string (and object key) in a JSON value to NFC, in place.
fn is_nfc(s: &str) -> bool {
    matches!(
        is_nfc_quick(s.chars()),
        unicode_normalization::IsNormalized::Yes
    )
}

pub fn nfc_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(s) if !is_nfc(s) => *s = s.nfc().collect(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(nfc_json),
        serde_json::Value::Object(map) => {
            let needs_key_fix = map.keys().any(|k| !is_nfc(k));
            if needs_key_fix {
                let old = std::mem::take(map);
                for (k, v) in old {
                    map.insert(k.nfc().collect(), v);
                }
            }
            map.values_mut().for_each(nfc_json);
        }
        _ => {}
    }
}

/// The dotted path of the first string (or key) holding U+0000, which PostgreSQL text
/// cannot store.
pub fn find_nul(value: &serde_json::Value, path: &str) -> Option<String> {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(path.to_string()),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, &join(&i.to_string()))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.contains('\0') {
                Some(join(&k.replace('\0', "")))
            } else {
                find_nul(v, &join(k))
            }
        }),
        _ => None,
    }
}

/// Why a text is not an email address.
#[derive(Debug, PartialEq, Eq)]
pub struct NotAnEmail;

/// Parses an email address: trimmed, NFC, one `@` with a non-empty local part and a domain
/// with a dot (or `localhost`), no spaces or control characters, at most 254 characters.
pub fn parse_email(input: &str) -> Result<String, NotAnEmail> {
    let email = nfc(input.trim());
    if email.is_empty() || email.chars().count() > 254 {
        return Err(NotAnEmail);
    }
    let (local, domain) = email.rsplit_once('@').ok_or(NotAnEmail)?;
    let bad = |s: &str| {
        s.is_empty()
            || s.chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '@')
    };
    if bad(local) || bad(domain) || local.chars().count() > 64 {
        return Err(NotAnEmail);
    }
    let domain_ok = domain == "localhost"
        || (domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.starts_with('-'));
    if !domain_ok {
        return Err(NotAnEmail);
    }
    Ok(email)
}

/// The key an email is unique under: case-insensitive.
pub fn email_key(email: &str) -> String {
    email.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd: String = "Hội nghị".nfd().collect();
        assert_ne!(nfd, "Hội nghị");
        assert_eq!(nfc(&nfd), "Hội nghị");
    }

    #[test]
    fn json_strings_and_keys_are_normalised() {
        let nfd: String = "Lò Văn Cương".nfd().collect();
        let mut v = serde_json::json!({ nfd.clone(): [nfd.clone(), 1, {"x": nfd}] });
        nfc_json(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"Lò Văn Cương": ["Lò Văn Cương", 1, {"x": "Lò Văn Cương"}]})
        );
    }

    #[test]
    fn emails() {
        assert_eq!(
            parse_email("  Editor@LaiChau.gov.vn ").unwrap(),
            "Editor@LaiChau.gov.vn"
        );
        assert!(parse_email("admin@localhost").is_ok());
        for bad in [
            "", "x", "@a.vn", "a@", "a b@c.vn", "a@b", "a@.vn", "a@b..vn", "a@@b.vn",
        ] {
            assert_eq!(parse_email(bad), Err(NotAnEmail), "{bad}");
        }
        assert_eq!(email_key("Editor@LaiChau.gov.vn"), "editor@laichau.gov.vn");
    }
}
