//! HTTP plumbing shared by every resource: JSON and query extractors that answer with
//! problem documents (and normalise text to NFC), strong ETags with `If-None-Match` and
//! `If-Match`, and the caching headers of docs/contract.md.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, dev::Payload};
use bytes::BytesMut;
use futures_util::StreamExt;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult, FieldError, ModelError, ModelResult};

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

/// The strong ETag of a representation: a hash of the exact JSON sent.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    format!("\"{}\"", hex::encode(&digest[..16]))
}

/// Who may cache a JSON read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// Public content read anonymously: shared caches may keep it for a minute.
    Public,
    /// Anything read with credentials.
    Private,
}

impl Cache {
    pub fn for_caller<C>(caller: &Option<C>) -> Cache {
        if caller.is_some() {
            Cache::Private
        } else {
            Cache::Public
        }
    }

    fn header(self) -> &'static str {
        match self {
            Cache::Public => "public, max-age=60",
            Cache::Private => "private, no-store",
        }
    }
}

fn json_bytes<T: Serialize>(value: &T) -> ApiResult<Vec<u8>> {
    serde_json::to_vec(value).map_err(ApiError::internal)
}

fn if_none_match_hits(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
}

/// A representation holding a counter that readers bump (views, visits), serialised once,
/// with its ETag: the hash of the JSON without the counter's digits, then the counter. The
/// tag changes whenever the representation does, but `If-Match` compares only the first
/// part ([`IfMatch::check_counted`]), so an editor's write is not refused because someone
/// read the page meanwhile.
pub struct Counted {
    body: Vec<u8>,
    etag: String,
}

/// The content hash and the counter of `"key":N` in a JSON object's bytes. The key appears
/// once: inside JSON strings every `"` is escaped, so `"key":` cannot occur there.
fn split_counter(json: &[u8], key: &str) -> (String, i64) {
    let needle = format!("\"{key}\":");
    let mut hasher = Sha256::new();
    let mut counter = 0;
    match json
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
    {
        Some(at) => {
            let digits_start = at + needle.len();
            let digits_end = json[digits_start..]
                .iter()
                .position(|b| !(b.is_ascii_digit() || *b == b'-'))
                .map_or(json.len(), |n| digits_start + n);
            counter = std::str::from_utf8(&json[digits_start..digits_end])
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(0);
            hasher.update(&json[..digits_start]);
            hasher.update(&json[digits_end..]);
        }
        None => hasher.update(json),
    }
    (hex::encode(&hasher.finalize()[..16]), counter)
}

/// Serialises `value`, whose field `key` is a counter, with its ETag.
pub fn counted<T: Serialize>(value: &T, key: &str) -> ApiResult<Counted> {
    let body = json_bytes(value)?;
    let (content, counter) = split_counter(&body, key);
    Ok(Counted {
        etag: format!("\"{content}.{counter}\""),
        body,
    })
}

impl Counted {
    pub fn etag(&self) -> &str {
        &self.etag
    }
}

/// 200 with an item, its strong ETag and caching headers; 304 when `If-None-Match` matches.
pub fn item<T: Serialize>(req: &HttpRequest, value: &T, cache: Cache) -> ApiResult<HttpResponse> {
    let body = json_bytes(value)?;
    let etag = etag_of(&body);
    respond_item(req, body, etag, cache)
}

/// Like [`item`], for a [`Counted`] representation.
pub fn counted_item(req: &HttpRequest, value: Counted, cache: Cache) -> ApiResult<HttpResponse> {
    respond_item(req, value.body, value.etag, cache)
}

fn respond_item(
    req: &HttpRequest,
    body: Vec<u8>,
    etag: String,
    cache: Cache,
) -> ApiResult<HttpResponse> {
    let status = if if_none_match_hits(req, &etag) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache.header()));
    if status == StatusCode::NOT_MODIFIED {
        return Ok(res.finish());
    }
    Ok(res.content_type("application/json").body(body))
}

/// 201 with a new item, its ETag and `Location`.
pub fn created<T: Serialize>(value: &T, location: Option<String>) -> ApiResult<HttpResponse> {
    let body = json_bytes(value)?;
    let etag = etag_of(&body);
    created_tagged(body, etag, location)
}

/// Like [`created`], for a [`Counted`] representation.
pub fn created_counted(value: Counted, location: Option<String>) -> ApiResult<HttpResponse> {
    created_tagged(value.body, value.etag, location)
}

/// 200 with an item just written, its ETag, never cached.
pub fn item_written<T: Serialize>(value: &T) -> ApiResult<HttpResponse> {
    let body = json_bytes(value)?;
    let etag = etag_of(&body);
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, Cache::Private.header()))
        .content_type("application/json")
        .body(body))
}

/// 200 with an updated [`Counted`] item and its ETag.
pub fn updated_counted(value: Counted) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, value.etag))
        .insert_header((header::CACHE_CONTROL, Cache::Private.header()))
        .content_type("application/json")
        .body(value.body))
}

fn created_tagged(
    body: Vec<u8>,
    etag: String,
    location: Option<String>,
) -> ApiResult<HttpResponse> {
    let mut res = HttpResponse::Created();
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, Cache::Private.header()));
    if let Some(location) = location
        && let Ok(v) = HeaderValue::from_str(&location)
    {
        res.insert_header((header::LOCATION, v));
    }
    Ok(res.content_type("application/json").body(body))
}

/// 200 with a collection page (or an action's result), never cached by shared caches when
/// read with credentials.
pub fn list<T: Serialize>(value: &T, cache: Cache) -> ApiResult<HttpResponse> {
    Ok(list_bytes(json_bytes(value)?.into(), cache))
}

/// 200 with a collection page already serialised.
pub fn list_bytes(body: bytes::Bytes, cache: Cache) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, cache.header()))
        .content_type("application/json")
        .body(body)
}

/// The `If-Match` precondition of a write, checked against the current representation
/// inside the write's transaction, so nothing is written when it fails.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(Option<Vec<String>>);

impl IfMatch {
    pub fn from_request(req: &HttpRequest) -> IfMatch {
        let present = req.headers().contains_key(header::IF_MATCH);
        let tags: Vec<String> = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        // An empty or unreadable `If-Match` matches nothing rather than being ignored.
        IfMatch(if present { Some(tags) } else { None })
    }

    /// Whether the request carried `If-Match`.
    pub fn is_present(&self) -> bool {
        self.0.is_some()
    }

    /// [`ModelError::Stale`] (412) unless the header is absent, `*`, or names the current
    /// representation's ETag. Models call it inside the write's transaction.
    pub fn check<T: Serialize>(&self, current: &T) -> ModelResult<()> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let body = serde_json::to_vec(current).map_err(ModelError::internal)?;
        let etag = etag_of(&body);
        if tags.iter().any(|t| t == "*" || *t == etag) {
            Ok(())
        } else {
            Err(ModelError::Stale)
        }
    }
}

impl IfMatch {
    /// Like [`IfMatch::check`] for a [`Counted`] representation of `current` whose counter
    /// is `key`: the counter part of the tags is ignored.
    pub fn check_counted<T: Serialize>(&self, current: &T, key: &str) -> ModelResult<()> {
        let Some(tags) = &self.0 else { return Ok(()) };
        let body = serde_json::to_vec(current).map_err(ModelError::internal)?;
        let (content, _) = split_counter(&body, key);
        let matches = |t: &str| {
            t == "*"
                || t.strip_prefix('"')
                    .and_then(|t| t.strip_suffix('"'))
                    .and_then(|t| t.rsplit_once('.'))
                    .is_some_and(|(head, counter)| {
                        head == content && counter.parse::<i64>().is_ok()
                    })
        };
        if tags.iter().any(|t| matches(t)) {
            Ok(())
        } else {
            Err(ModelError::Stale)
        }
    }
}

/// A text field trimmed and checked: empty is a 422 `required` when `required`, longer than
/// `max` characters a 422 `too_long`; the problems are added to `errors`.
pub fn checked_text(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let value = value.trim().to_string();
    let n = value.chars().count();
    if required && n == 0 {
        errors.push(FieldError::new(field, "required", "must not be empty"));
    } else if n > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
    value
}

/// Deserialises a present field as `Some(value)`, refusing `null` (the field cannot be
/// cleared). Use with `#[serde(default, deserialize_with = "non_null")]`.
pub fn non_null<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON number that must be a whole 32-bit integer: JSON Schema counts `3.0` as an integer,
/// so it is accepted like `3`.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum WholeNumber {
    Int(i64),
    Float(f64),
}

fn whole_i32<E: serde::de::Error>(n: WholeNumber) -> Result<i32, E> {
    let int = match n {
        WholeNumber::Int(i) => Some(i),
        WholeNumber::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
        WholeNumber::Float(_) => None,
    };
    int.and_then(|i| i32::try_from(i).ok())
        .ok_or_else(|| E::custom("expected a whole number between -2147483648 and 2147483647"))
}

/// A present 32-bit integer field (`null` refused); use with `#[serde(default, …)]`.
pub fn int32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    let n = <WholeNumber as serde::Deserialize>::deserialize(d)?;
    whole_i32(n).map(Some)
}

/// An optional 32-bit integer field (`null` means absent); use with `#[serde(default, …)]`.
pub fn int32_or_null<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
    match <Option<WholeNumber> as serde::Deserialize>::deserialize(d)? {
        Some(n) => whole_i32(n).map(Some),
        None => Ok(None),
    }
}

/// A 32-bit integer field that may be cleared: absent → `None`, `null` → `Some(None)`; whole
/// numbers written as floats (`2021.0`) are accepted. Use with `#[serde(default, …)]`.
pub fn nullable_int32<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<i32>>, D::Error> {
    int32_or_null(d).map(Some)
}

/// Deserialises a field that may be cleared: absent → `None`, `null` → `Some(None)`, a value
/// → `Some(Some(value))`. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Ok(IfMatch::from_request(req)))
    }
}

/// An empty JSON array, for lists built by the database that came back `NULL`.
pub fn empty_list() -> Box<serde_json::value::RawValue> {
    serde_json::value::RawValue::from_string("[]".into())
        .unwrap_or_else(|_| unreachable!("[] is JSON"))
}

/// Route guard: the path's resource id (`/api/v1/<resource>/<id>…`) is a UUID. Keeps
/// `PATCH /agreements/doc-types` from reaching `PATCH /agreements/{id}` (and its
/// credentials check): unmatched, it is answered 405 like any method a path lacks.
pub fn id_segment(ctx: &actix_web::guard::GuardContext<'_>) -> bool {
    ctx.head()
        .uri
        .path()
        .split('/')
        .nth(4)
        .is_some_and(|id| uuid::Uuid::parse_str(id).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_tags_keep_the_content_apart_from_the_counter() {
        let a = counted(
            &serde_json::json!({"title": "Tin", "view_count": 7, "version": 1}),
            "view_count",
        )
        .unwrap();
        let b = counted(
            &serde_json::json!({"title": "Tin", "view_count": 12, "version": 1}),
            "view_count",
        )
        .unwrap();
        let c = counted(
            &serde_json::json!({"title": "Tin\"view_count\":", "view_count": 7, "version": 1}),
            "view_count",
        )
        .unwrap();
        assert_ne!(a.etag(), b.etag());
        assert_eq!(a.etag().split('.').next(), b.etag().split('.').next());
        assert!(a.etag().ends_with(".7\""));
        assert_ne!(a.etag().split('.').next(), c.etag().split('.').next());
        let current = serde_json::json!({"title": "Tin", "view_count": 99, "version": 1});
        let if_match = IfMatch(Some(vec![a.etag().to_string()]));
        assert!(if_match.check_counted(&current, "view_count").is_ok());
        let changed = serde_json::json!({"title": "Tin mới", "view_count": 7, "version": 2});
        assert!(if_match.check_counted(&changed, "view_count").is_err());
        let forged = IfMatch(Some(vec!["\"abc.7\"".into()]));
        assert!(forged.check_counted(&current, "view_count").is_err());
    }
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        title: String,
        items: Vec<Item>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        id: u32,
    }

    fn field_of(e: ApiError) -> (String, String) {
        match e {
            ApiError::BadRequest { errors, .. } => {
                (errors[0].field.clone(), errors[0].code.clone())
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_errors_name_the_field() {
        let e = parse_json::<Body>(br#"{"title": "x", "items": [{"id": 1}, {"id": "2"}]}"#)
            .unwrap_err();
        assert_eq!(field_of(e), ("items.1.id".into(), "invalid_type".into()));
        let e = parse_json::<Body>(br#"{"title": "x", "items": [], "extra": 1}"#).unwrap_err();
        assert_eq!(field_of(e), ("extra".into(), "unknown_field".into()));
        let e = parse_json::<Body>(br#"{"items": []}"#).unwrap_err();
        assert_eq!(field_of(e), ("title".into(), "required".into()));
        assert!(matches!(
            parse_json::<Body>(b"{nope"),
            Err(ApiError::BadRequest { .. })
        ));
        assert!(matches!(
            parse_json::<Body>(b"  "),
            Err(ApiError::BadRequest { .. })
        ));
    }

    #[derive(Debug, Deserialize)]
    struct Q {
        limit: Option<u32>,
        q: Option<String>,
    }

    #[test]
    fn query_is_normalised_and_errors_name_the_parameter() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = "Hội nghị".nfd().collect();
        let qs = form_urlencoded::Serializer::new(String::new())
            .append_pair("q", &nfd)
            .finish();
        let q: Q = parse_query(&qs).unwrap();
        assert_eq!(q.q.as_deref(), Some("Hội nghị"));
        assert_eq!(q.limit, None);
        let e = parse_query::<Q>("limit=abc").unwrap_err();
        assert_eq!(field_of(e).0, "limit");
    }

    #[test]
    fn if_match_compares_strong_tags() {
        let value = serde_json::json!({"a": 1});
        let tag = etag_of(&serde_json::to_vec(&value).unwrap());
        assert!(IfMatch(None).check(&value).is_ok());
        assert!(IfMatch(Some(vec![tag])).check(&value).is_ok());
        assert!(IfMatch(Some(vec!["*".into()])).check(&value).is_ok());
        assert!(matches!(
            IfMatch(Some(vec!["\"x\"".into()])).check(&value),
            Err(crate::error::ModelError::Stale)
        ));
    }
}
