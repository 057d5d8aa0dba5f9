//! Request extractors that answer with problem documents: JSON bodies and query strings,
//! every string normalised to NFC, a bad field named in the 400.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, dev::Payload};
use bytes::BytesMut;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult, FieldError};

/// Largest JSON body accepted.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// A JSON request body: `application/json` (or `+json`), at most 1 MiB, every string in NFC,
/// unknown fields and wrong shapes answered with a 400 naming the field.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json"
                    || (essence.starts_with("application/") && essence.ends_with("+json"))
            })
            .unwrap_or(false);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON (Content-Type: application/json)".into(),
                ));
            }
            if declared_len.is_some_and(|n| n > JSON_LIMIT) {
                return Err(too_large());
            }
            let mut body = BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(ApiError::from_payload)?;
                if body.len() + chunk.len() > JSON_LIMIT {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(Json)
        })
    }
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(format!("JSON bodies are limited to {JSON_LIMIT} bytes"))
}

/// Parses a JSON body into `T`, NFC-normalising its text, with errors naming the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; a JSON object is expected",
        ));
    }
    let mut value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    crate::text::nfc_json(&mut value);
    if let Some(path) = crate::text::find_nul(&value, "") {
        let field = if path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        return Err(ApiError::invalid(
            field,
            "invalid_character",
            "must not contain the NUL character (U+0000)",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = dotted_path(e.path());
        let message = e.inner().to_string();
        schema_error(&path, &message)
    })
}

fn dotted_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    path.iter()
        .filter_map(|seg| match seg {
            Segment::Seq { index } => Some(index.to_string()),
            Segment::Map { key } => Some(key.clone()),
            Segment::Enum { variant } => Some(variant.clone()),
            Segment::Unknown => None,
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A 400 for a body or query that does not fit the schema, naming the field.
fn schema_error(path: &str, message: &str) -> ApiError {
    let join = |name: &str| {
        if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = message.split('`').nth(1).unwrap_or("").to_string();
    let (field, code, message) = if message.starts_with("unknown field") {
        // The path already ends at the unknown key.
        let field = if path.rsplit('.').next() == Some(quoted.as_str()) {
            path.to_string()
        } else {
            join(&quoted)
        };
        (field, "unknown_field", "unknown field".to_string())
    } else if message.starts_with("missing field") {
        (
            join(&quoted),
            "required",
            "this field is required".to_string(),
        )
    } else if message.starts_with("unknown variant") {
        let allowed = message
            .split("expected ")
            .nth(1)
            .unwrap_or("")
            .replace('`', "");
        (
            path.to_string(),
            "invalid_value",
            format!("must be {allowed}"),
        )
    } else {
        (path.to_string(), "invalid_type", message.to_string())
    };
    let field = if field.is_empty() {
        "body".to_string()
    } else {
        field
    };
    ApiError::BadRequest {
        detail: format!("`{field}`: {message}"),
        errors: vec![FieldError::new(field, code, message)],
    }
}

/// Query parameters, NFC-normalised; a bad parameter is a 400 naming it. Unknown
/// parameters are ignored (caches and analytics add their own).
pub struct Query<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> ApiResult<T> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (crate::text::nfc(&k), crate::text::nfc(&v)))
        .collect();
    if let Some((k, _)) = pairs
        .iter()
        .find(|(k, v)| k.contains('\0') || v.contains('\0'))
    {
        return Err(ApiError::bad_field(
            k.replace('\0', ""),
            "invalid_character",
            "must not contain the NUL character (U+0000)",
        ));
    }
    let normalised = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(normalised.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = dotted_path(e.path());
        let message = e.inner().to_string();
        let field = if field.is_empty() {
            message.split('`').nth(1).unwrap_or("query").to_string()
        } else {
            field
        };
        ApiError::bad_field(field, "invalid", message)
    })
}
