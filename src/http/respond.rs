//! Responses: items with their ETag (304 when unchanged), created items with `Location`,
//! pages, and the caching policy of docs/contract.md.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;

use super::conditional::{Counted, etag_of, if_none_match_hits, json_bytes};
use crate::error::ApiResult;

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

/// 200 with a public document that is not JSON (a feed, a sitemap): its strong ETag,
/// `Last-Modified` when known, public caching; 304 when `If-None-Match` matches.
pub fn document(
    req: &HttpRequest,
    body: Vec<u8>,
    content_type: &'static str,
    last_modified: Option<chrono::DateTime<chrono::Utc>>,
) -> HttpResponse {
    let etag = etag_of(&body);
    let status = match if_none_match_hits(req, &etag) {
        true => StatusCode::NOT_MODIFIED,
        false => StatusCode::OK,
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, Cache::Public.header()));
    if let Some(at) = last_modified {
        let http_date = at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        res.insert_header((header::LAST_MODIFIED, http_date));
    }
    match status {
        StatusCode::NOT_MODIFIED => res.finish(),
        _ => res.content_type(content_type).body(body),
    }
}
