//! HTTP plumbing shared by every resource: JSON and query extractors that answer with
//! problem documents (and normalise text to NFC), strong ETags with `If-None-Match` and
//! `If-Match`, the caching headers of docs/contract.md, and request-field deserialisers.

mod conditional;
mod extract;
mod fields;
mod respond;

pub use conditional::{Counted, IfMatch, counted, etag_of};
pub use extract::{JSON_LIMIT, Json, Query, parse_json, parse_query};
pub use fields::{empty_list, int32, int32_or_null, non_null, nullable, nullable_int32};
pub use respond::{
    Cache, counted_item, created, created_counted, document, item, item_written, list, list_bytes,
    updated_counted,
};

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
mod tests;
