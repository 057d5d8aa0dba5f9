//! Files attached to agreements: PDFs checked from their bytes, stored through the media
//! backend under `attachments/<id>/<sha256>.pdf`, downloaded by anyone under their own
//! (Vietnamese) file name.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, delete, post, web};
use diesel_async::AsyncConnection;
use uuid::Uuid;

use super::model::attachments::{self, NewAttachment};
use super::model::embedded::AttachmentRow;
use super::model::{exists, no_such_agreement};
use super::record::record_write;
use super::views::{AttachmentView, UploadAttachment};
use crate::auth::{Access, Caller, Role};
use crate::domain::limits::ATTACHMENT_FILE_NAME_MAX;
use crate::error::{ApiError, ApiResult, Problem};
use crate::events::Verb;
use crate::http;
use crate::photos::upload::{self, Accept};
use crate::state::AppState;
use crate::storage::MediaStore;

pub use super::model::attachments::file_name_of;

/// What attachments are.
const PDF: &str = "application/pdf";

/// What PDFs start with.
fn sniff_pdf(head: &[u8]) -> Option<&'static str> {
    head.starts_with(b"%PDF-").then_some(PDF)
}

const ACCEPT_PDF: Accept<&'static str> = Accept {
    sniff: sniff_pdf,
    refused: "the file is not a PDF (its bytes do not start with %PDF-)",
    text_fields: &[],
};

/// The name a download is saved under: the client's, without any directory part or control
/// characters, NFC, at most [`ATTACHMENT_FILE_NAME_MAX`] characters, ending in `.pdf`.
pub fn clean_file_name(given: Option<&str>) -> String {
    let base = given
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && *c != '"')
        .collect::<String>();
    let base = crate::text::collapse_spaces(&crate::text::nfc(&base));
    let mut name: String = base.chars().take(ATTACHMENT_FILE_NAME_MAX).collect();
    if name
        .trim_end_matches(".pdf")
        .trim_end_matches(".PDF")
        .is_empty()
    {
        name = "tai-lieu.pdf".into();
    }
    if !name.to_lowercase().ends_with(".pdf") {
        name.push_str(".pdf");
    }
    name
}

/// `Content-Disposition` keeping a Vietnamese file name (RFC 6266 `filename*`), with an ASCII
/// `filename` for old clients.
pub fn content_disposition(file_name: &str) -> String {
    let stem = file_name
        .strip_suffix(".pdf")
        .or_else(|| file_name.strip_suffix(".PDF"))
        .unwrap_or(file_name);
    let ascii = match crate::text::slugify(stem) {
        s if s.is_empty() => "tai-lieu".to_string(),
        s => s,
    };
    let encoded: String = percent_encoding::utf8_percent_encode(file_name, RFC5987).to_string();
    format!("attachment; filename=\"{ascii}.pdf\"; filename*=UTF-8''{encoded}")
}

/// Everything but RFC 5987's `attr-char` is percent-encoded.
const RFC5987: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// Removes stored files, logging (not failing on) what cannot be removed.
pub async fn remove_files(store: &dyn MediaStore, keys: &[String]) {
    for key in keys {
        if let Err(e) = store.delete(key).await {
            tracing::warn!(error = %e, key = %key, "could not remove an attachment's file");
        }
    }
}

/// Attach a PDF to an agreement (editors and admins).
#[utoipa::path(
    operation_id = "uploadAgreementAttachment",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id")),
    request_body(content = inline(UploadAttachment), content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Attached", body = AttachmentView,
            headers(("Location" = String, description = "The agreement"))),
        (status = 400, description = "Malformed form: no `file`, or another field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such agreement", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than `BANTIN_MEDIA_MAX_BYTES`", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart, or the file is not a PDF", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The file is empty", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/agreements/{id}/attachments", guard = "crate::http::id_segment")]
pub async fn upload_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    form: Multipart,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let agreement = *id;
    {
        // Not held while the body is read: a slow client must not keep a connection.
        let mut conn = state.pool.get().await?;
        if !exists(&mut conn, agreement).await? {
            return Err(no_such_agreement().into());
        }
    }
    let form = upload::read(
        form,
        state.config.media.max_bytes,
        &state.config.data_dir.join("tmp"),
        &ACCEPT_PDF,
    )
    .await?;
    let attachment = Uuid::now_v7();
    let row = AttachmentRow {
        id: attachment,
        file_name: clean_file_name(form.file_name.as_deref()),
        mime_type: form.kind.to_string(),
        size_bytes: form.size as i64,
        storage_key: format!("attachments/{attachment}/{}.pdf", form.sha256),
    };
    let store = state.media_store.as_ref();
    let bytes = bytes::Bytes::from(form.bytes().await?);
    let disposition = content_disposition(&row.file_name);
    (store
        .put(&row.storage_key, bytes, form.kind, Some(&disposition))
        .await)
        .map_err(ApiError::internal)?;
    let new = NewAttachment {
        id: row.id,
        agreement_id: agreement,
        file_name: &row.file_name,
        mime_type: &row.mime_type,
        size_bytes: row.size_bytes,
        sha256: &form.sha256,
        storage_key: &row.storage_key,
    };
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let added = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            attachments::add(conn, new).await?;
            record_write(conn, agreement, Verb::AttachmentAdded, actor, &media).await
        })
        .await;
    if let Err(e) = added {
        // The agreement went meanwhile, or the database failed: the file goes too.
        remove_files(store, std::slice::from_ref(&row.storage_key)).await;
        return Err(e);
    }
    http::created(
        &AttachmentView::new(row, state.media_url()),
        Some(format!("/api/v1/agreements/{agreement}")),
    )
}

/// Remove an attachment and its file (editors and admins).
#[utoipa::path(
    operation_id = "deleteAgreementAttachment",
    tag = "agreements",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Agreement id"),
        ("attachment_id" = Uuid, Path, description = "Attachment id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, description = "No such attachment on this agreement", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete(
    "/agreements/{id}/attachments/{attachment_id}",
    guard = "crate::http::id_segment"
)]
pub async fn delete_attachment(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, Uuid)>,
) -> ApiResult<HttpResponse> {
    caller.require(Role::Editor, Access::Write)?;
    let (agreement, attachment) = path.into_inner();
    let (actor, media) = (caller.actor(), state.media_url().to_string());
    let mut conn = state.pool.get().await?;
    let key = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let key = attachments::remove(conn, agreement, attachment).await?;
            record_write(conn, agreement, Verb::AttachmentRemoved, actor, &media).await?;
            Ok(key)
        })
        .await?;
    remove_files(state.media_store.as_ref(), &[key]).await;
    Ok(HttpResponse::NoContent().finish())
}
