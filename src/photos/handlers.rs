//! `/photos` (authors and above) and the files under `/media/…` (anyone).

use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::imaging::{self, ImageError, Kind, Processed};
use super::model::{self, Changes, Description, PhotoSort};
use super::upload;
use super::views::{DeletePhotoQuery, PhotoFilters, PhotoView, SORTS, UpdatePhoto, UploadPhoto};
use crate::auth::{Access, Caller, Role};
use crate::budget::Reservation;
use crate::domain::limits::{CAPTION_MAX, CREDIT_MAX};
use crate::domain::{Fields, PlainText};
use crate::error::{ApiError, ApiResult, FieldError, Problem};
use crate::events::{self, Actor, Verb};
use crate::http::{self, Cache, IfMatch, Json, Query};
use crate::paging::{ListResponse, PageQuery, Sort, parse_sort};
use crate::state::AppState;

/// A photo's text field (caption, alt text, credit) with its limit, checked; empty when
/// refused.
fn description_field(fields: &mut Fields, field: &str, value: &str) -> String {
    let max = match field {
        "credit" => CREDIT_MAX,
        _ => CAPTION_MAX,
    };
    let parsed = PlainText::parse(value, max);
    fields
        .take(field, parsed)
        .map(String::from)
        .unwrap_or_default()
}

/// What `POST /photos` takes.
const ACCEPT_IMAGE: upload::Accept<Kind> = upload::Accept {
    sniff: Kind::sniff,
    refused: "the file is not a JPEG, PNG or WebP image",
    text_fields: &["caption", "alt_text", "credit", "taken_at"],
};

/// The form's text fields, NFC and checked.
fn description_of(form: &upload::Upload<Kind>) -> ApiResult<Description> {
    let text = |name| crate::text::nfc(form.field(name).unwrap_or(""));
    let mut fields = Fields::new();
    let caption = description_field(&mut fields, "caption", &text("caption"));
    let alt_text = description_field(&mut fields, "alt_text", &text("alt_text"));
    let credit = description_field(&mut fields, "credit", &text("credit"));
    let taken_at = match form.field("taken_at").map(str::trim) {
        None => None,
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                fields.push(
                    "taken_at",
                    "invalid",
                    "an RFC 3339 instant such as 2021-08-30T08:00:00Z",
                );
                None
            }
        },
    };
    for (name, value) in &form.fields {
        if value.contains('\0') {
            fields.push(name, "invalid", "must not contain U+0000");
        }
    }
    fields.finish()?;
    Ok(Description {
        caption,
        alt_text,
        credit,
        taken_at,
    })
}

fn image_error(e: ImageError) -> ApiError {
    match e {
        ImageError::Unsupported => {
            ApiError::UnsupportedMediaType("the file is not a JPEG, PNG or WebP image".into())
        }
        ImageError::TooManyPixels { .. } => ApiError::Validation(vec![FieldError::new(
            "file",
            "too_many_pixels",
            e.to_string(),
        )]),
        ImageError::Corrupt(_) => {
            ApiError::Validation(vec![FieldError::new("file", "corrupt", e.to_string())])
        }
        ImageError::Encode(cause) => ApiError::internal(cause),
    }
}

/// Checks the header (a pixel bomb is refused before anything is decoded), reserves the
/// memory the image needs (waiting while other uploads hold it), then reads the file into
/// memory and decodes and resizes it on a blocking thread, at most `BANTIN_MEDIA_WORKERS` at
/// once. The reservation, shrunk to the files made, is kept until they are stored.
async fn process(
    state: &AppState,
    form: &upload::Upload<Kind>,
) -> ApiResult<(Processed, Reservation)> {
    let max_pixels = state.config.media.max_pixels;
    let (reader, size) = (form.reader()?, form.size);
    let header = tokio::task::spawn_blocking(move || imaging::inspect(reader, size, max_pixels))
        .await
        .map_err(ApiError::internal)?
        .map_err(image_error)?;
    if header.kind != form.kind {
        return Err(image_error(ImageError::Unsupported));
    }
    let mut reservation = state
        .image_memory
        .reserve(header.memory_needed())
        .await
        .map_err(|over| {
            ApiError::Validation(vec![FieldError::new(
                "file",
                "too_large_to_decode",
                format!(
                    "decoding this {}×{} image would take about {} MB of memory, more than the \
                     {} MB uploads may use (BANTIN_MEDIA_MEMORY_MB); fewer pixels, or a \
                     baseline rather than a progressive JPEG, need less",
                    header.width, header.height, over.needed_mib, over.budget_mib
                ),
            )])
        })?;
    let slot = state
        .image_slots
        .acquire()
        .await
        .map_err(ApiError::internal)?;
    let bytes = bytes::Bytes::from(form.bytes().await?);
    let processed = tokio::task::spawn_blocking(move || imaging::process(bytes, &header))
        .await
        .map_err(ApiError::internal)?
        .map_err(image_error)?;
    drop(slot);
    reservation.shrink_to(processed.size());
    Ok((processed, reservation))
}

/// Upload a photo (authors and above).
///
/// A `multipart/form-data` body with the image as `file` (JPEG, PNG or WebP, recognised from
/// its bytes) and optional `caption`, `alt_text`, `credit`, `taken_at`. The original is served
/// without its metadata (EXIF with any GPS position, XMP, IPTC, comments) and upright (EXIF
/// orientation applied); `thumb`, `medium` and `large` variants are made at once. Uploading a
/// file that is already stored makes a new photo that shares the stored files.
#[utoipa::path(
    operation_id = "uploadPhoto",
    tag = "photos",
    security(("bearer" = [])),
    request_body(content = inline(UploadPhoto), content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Uploaded", body = PhotoView,
            headers(("Location" = String, description = "URL of the new photo"), ("ETag" = String, description = "Strong entity tag"))),
        (status = 400, description = "Malformed form: no `file`, an unknown or repeated field", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than `BANTIN_MEDIA_MAX_BYTES` (refused while reading)", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the file is not a JPEG, PNG or WebP image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More pixels than `BANTIN_MEDIA_MAX_PIXELS` (checked before decoding), an image needing more memory to decode than `BANTIN_MEDIA_MEMORY_MB`, an undecodable image, or a bad text field", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/photos")]
pub async fn upload_photo(
    state: web::Data<AppState>,
    caller: Caller,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Write)?;
    let media = &state.config.media;
    let form = upload::read(
        form,
        media.max_bytes,
        &state.config.data_dir.join("tmp"),
        &ACCEPT_IMAGE,
    )
    .await?;
    let description = description_of(&form)?;
    let (actor, me, url) = (caller.actor(), caller.user_id, media.public_url.clone());
    let mut conn = state.pool.get().await?;
    let (sha256, d) = (form.sha256.clone(), description.clone());
    let reused = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            if !model::file_exists(conn, &sha256).await? {
                return Ok(None);
            }
            match model::create_reusing(conn, &sha256, &d, me).await? {
                Some(id) => Ok(Some(record_created(conn, id, actor, &url).await?)),
                None => Ok(None),
            }
        })
        .await?;
    let photo = match reused {
        Some(photo) => photo,
        None => {
            // Not held while the image waits for memory and is worked on.
            drop(conn);
            let (processed, reservation) = process(&state, &form).await?;
            let (row, files) = model::files_of(&form.sha256, processed);
            let (store, url) = (state.media_store.clone(), media.public_url.clone());
            let mut conn = state.pool.get().await?;
            let photo = conn
                .transaction::<_, ApiError, _>(async move |conn| {
                    let store = store.as_ref();
                    let id = model::create_with_files(conn, store, &row, files, &description, me)
                        .await?;
                    record_created(conn, id, actor, &url).await
                })
                .await?;
            drop(reservation);
            photo
        }
    };
    let location = format!("/api/v1/photos/{}", photo.id);
    http::created(&photo, Some(location))
}

/// Records `photo.created` for photo `id` (in its transaction) and answers it.
async fn record_created(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    actor: Actor,
    url: &str,
) -> ApiResult<PhotoView> {
    let photo = model::find(conn, id, url)
        .await?
        .ok_or_else(model::no_such_photo)?;
    events::record_one(conn, actor, Verb::Created, &photo).await?;
    Ok(photo)
}

/// List photos (authors and above), newest first.
#[utoipa::path(
    operation_id = "listPhotos",
    tag = "photos",
    security(("bearer" = [])),
    params(PageQuery, PhotoFilters),
    responses(
        (status = 200, description = "A page of photos", body = ListResponse<PhotoView>),
        (status = 400, description = "A bad query parameter", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/photos")]
pub async fn list_photos(
    state: web::Data<AppState>,
    caller: Caller,
    paging: Query<PageQuery>,
    filters: Query<PhotoFilters>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Read)?;
    let filters = filters.0;
    let default = Sort {
        field: PhotoSort::CreatedAt,
        descending: true,
    };
    let sort = parse_sort(filters.sort.as_deref(), SORTS, default)?;
    let sort_key = sort.key(sort.field.name());
    let paging = paging.0.check(&sort_key)?;
    let q = filters
        .q
        .map(|q| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let mut conn = state.pool.get().await?;
    let (rows, total) =
        model::list(&mut conn, q.as_deref(), sort, &paging, state.media_url()).await?;
    let page = ListResponse::from_rows(
        rows,
        &paging,
        total,
        |p| model::cursor_of(p, &sort_key),
        |p| p,
    );
    http::list(&page, Cache::Private)
}

/// Get a photo (authors and above).
#[utoipa::path(
    operation_id = "getPhoto",
    tag = "photos",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Photo id")),
    responses(
        (status = 200, description = "The photo", body = PhotoView, headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/photos/{id}")]
pub async fn get_photo(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Read)?;
    let mut conn = state.pool.get().await?;
    let photo = model::find(&mut conn, *id, state.media_url())
        .await?
        .ok_or_else(model::no_such_photo)?;
    http::item(&req, &photo, Cache::Private)
}

/// Authors may change and delete the photos they uploaded; editors and admins any.
async fn require_owner(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> ApiResult<()> {
    caller.require(Role::Author, Access::Write)?;
    if caller.role() >= Role::Editor {
        return Ok(());
    }
    match model::uploader(conn, id).await? {
        None => Err(model::no_such_photo().into()),
        Some(owner) if owner == Some(caller.user_id) => Ok(()),
        Some(_) => Err(ApiError::Forbidden(
            "authors may only change the photos they uploaded".into(),
        )),
    }
}

/// Describe a photo (partial; JSON merge semantics). Authors: their own uploads only.
#[utoipa::path(
    operation_id = "updatePhoto",
    tag = "photos",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Photo id"),
        ("If-Match" = Option<String>, Header, description = "ETag the change is based on")),
    request_body = UpdatePhoto,
    responses(
        (status = 200, description = "The updated photo", body = PhotoView),
        (status = 403, description = "An author changing someone else's photo", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field breaks a rule", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/photos/{id}")]
pub async fn update_photo(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    body: Json<UpdatePhoto>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Author, Access::Write)?;
    let body = body.0;
    let mut fields = Fields::new();
    let mut text = |field: &str, value: &Option<String>| {
        value
            .as_deref()
            .map(|v| description_field(&mut fields, field, v))
    };
    let changes = Changes {
        caption: text("caption", &body.caption),
        alt_text: text("alt_text", &body.alt_text),
        credit: text("credit", &body.credit),
        taken_at: body.taken_at,
    };
    fields.finish()?;
    let mut conn = state.pool.get().await?;
    require_owner(&mut conn, &caller, *id).await?;
    let (actor, url, id) = (caller.actor(), state.media_url().to_string(), *id);
    let photo = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let (photo, changed) = model::update(conn, id, &url, changes, move |current| {
                if_match.check(current)
            })
            .await?;
            if changed {
                events::record_one(conn, actor, Verb::Updated, &photo).await?;
            }
            Ok(photo)
        })
        .await?;
    http::item_written(&photo)
}

/// Delete a photo. While articles use it (as cover or in a gallery): 409, unless
/// `?force=true` (editors and admins), which takes it off them. The stored files go with
/// the last photo that shows them.
#[utoipa::path(
    operation_id = "deletePhoto",
    tag = "photos",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Photo id"), DeletePhotoQuery,
        ("If-Match" = Option<String>, Header, description = "ETag the deletion is based on")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "An author deleting someone else's photo, or forcing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Articles or signatories use the photo", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "If-Match does not match", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/photos/{id}")]
pub async fn delete_photo(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: Query<DeletePhotoQuery>,
    if_match: IfMatch,
) -> ApiResult<HttpResponse> {
    let force = query.0.force.unwrap_or(false);
    if force {
        caller.require(Role::Editor, Access::Write)?;
    }
    let mut conn = state.pool.get().await?;
    require_owner(&mut conn, &caller, *id).await?;
    let (actor, url, id) = (caller.actor(), state.media_url().to_string(), *id);
    let deleted = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let deleted = model::delete(conn, id, &url, force, move |current| {
                if_match.check(current)
            })
            .await?;
            events::record_one(conn, actor, Verb::Deleted, &deleted.photo).await?;
            Ok(deleted)
        })
        .await?;
    if let Some(file) = deleted.orphaned {
        let store = state.media_store.as_ref();
        if let Err(e) =
            model::remove_files_if_unused(&mut conn, store, &file.sha256, &file.keys()).await
        {
            // The row is gone; the files are unreachable and can be swept later.
            tracing::warn!(error = %e, sha256 = %file.sha256, "could not remove a deleted photo's files");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(upload_photo)
        .service(list_photos)
        .service(get_photo)
        .service(update_photo)
        .service(delete_photo);
}
