//! The stored files under `/media/…` (local media backend): photos' originals and variants,
//! and agreements' attachments. Anyone may fetch them; names derive from content.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, web};
use utoipa::ToSchema;

use crate::agreements::attachments;
use crate::error::{ApiError, ApiResult, Problem};
use crate::state::AppState;
use crate::storage;

/// The bytes of a stored file.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct MediaBytes(Vec<u8>);

/// A stored file (local media backend): a photo's original or variant, or an agreement's
/// attachment (downloaded under its own file name). Names are derived from the content, so a
/// file never changes: it may be cached for a year. Supports `If-None-Match` (304) and byte
/// ranges (206).
#[utoipa::path(
    operation_id = "getMediaFile",
    tag = "media",
    params(("path" = String, Path, description = "The file's path, as in a photo's `url`", example = "3f/3fa1c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90/medium.jpg")),
    responses(
        (status = 200, description = "The file", content((MediaBytes = "image/jpeg"), (MediaBytes = "image/png"), (MediaBytes = "image/webp"), (MediaBytes = "application/pdf")),
            headers(("ETag" = String, description = "Strong entity tag"), ("Cache-Control" = String, description = "public, max-age=31536000, immutable"))),
        (status = 206, description = "The requested byte range"),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such file", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "Range not satisfiable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{path:.*}")]
pub async fn media_file(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let missing = || ApiError::NotFound("no such file".into());
    let root = state.media_store.local_root().ok_or_else(missing)?;
    if !storage::is_safe_key(&path) {
        return Err(missing());
    }
    let file_path = root.join(path.as_str());
    let mime = match file_path.extension().and_then(|e| e.to_str()) {
        Some("jpg") => "image/jpeg",
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("pdf") => "application/pdf",
        _ => return Err(missing()),
    };
    // An attachment is downloaded under the name it was uploaded with.
    let disposition = if path.starts_with("attachments/") {
        let mut conn = state.pool.get().await?;
        let name = attachments::file_name_of(&mut conn, &path)
            .await?
            .ok_or_else(missing)?;
        Some(attachments::content_disposition(&name))
    } else {
        None
    };
    let file = web::block(move || actix_files::NamedFile::open(file_path))
        .await
        .map_err(ApiError::internal)?
        .map_err(|_| missing())?;
    let mime: actix_web::mime::Mime = mime.parse().map_err(ApiError::internal)?;
    let mut res = file
        .set_content_type(mime)
        .disable_content_disposition()
        .into_response(&req);
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    if let Some(disposition) = disposition
        && let Ok(value) = HeaderValue::from_str(&disposition)
    {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(res)
}
