//! Files attached to agreements: PDFs checked from their bytes, stored through the media
//! backend under `attachments/<id>/<sha256>.pdf`, downloaded by anyone under their own
//! (Vietnamese) file name.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, delete, post, web};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::no_such_agreement;
use crate::auth::{Access, Caller, Role};
use crate::db::sql::Sql;
use crate::error::{ApiError, ApiResult, Problem};
use crate::http;
use crate::photos::upload::{self, Accept};
use crate::state::AppState;
use crate::storage::MediaStore;

/// An attached file.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b70",
    "file_name": "Quy chế phối hợp 31B-QCPH.pdf", "mime_type": "application/pdf", "size_bytes": 482133,
    "url": "https://hdnd.laichau.gov.vn/media/attachments/0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b70/3fa1….pdf"}))]
pub struct AttachmentView {
    pub id: Uuid,
    /// As uploaded; downloads are named so (`Content-Disposition` with `filename*`).
    pub file_name: String,
    pub mime_type: String,
    pub size_bytes: i64,
    pub url: String,
}

/// The multipart form of `POST /agreements/{id}/attachments` (read as a stream).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadAttachment {
    /// A PDF (its bytes must start with `%PDF-`), at most `BANTIN_MEDIA_MAX_BYTES`. Its file
    /// name is kept.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// What PDFs start with.
fn sniff_pdf(head: &[u8]) -> Option<&'static str> {
    head.starts_with(b"%PDF-").then_some("application/pdf")
}

const ACCEPT_PDF: Accept<&'static str> = Accept {
    sniff: sniff_pdf,
    refused: "the file is not a PDF (its bytes do not start with %PDF-)",
    text_fields: &[],
};

/// The name a download is saved under: the client's, without any directory part or control
/// characters, NFC, at most 200 characters, ending in `.pdf`.
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
    let mut name: String = base.chars().take(200).collect();
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

/// The attachments of an agreement as embedded JSON (alias `g`), URLs under `media`.
pub fn attachments_sql(sql: &mut Sql, media: &str) {
    sql.push(
        "(SELECT json_agg(json_build_object('id', t.id, 'file_name', t.file_name, \
         'mime_type', t.mime_type, 'size_bytes', t.size_bytes, 'url', ",
    )
    .bind::<Text, _>(media.to_string())
    .push(
        " || t.storage_key) ORDER BY t.created_at, t.id)::text \
         FROM agreement_attachments t WHERE t.agreement_id = g.id)",
    );
}

/// The file name stored for `key`, for its download.
pub async fn file_name_of(conn: &mut AsyncPgConnection, key: &str) -> ApiResult<Option<String>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        file_name: String,
    }
    let mut sql = Sql::new("SELECT file_name FROM agreement_attachments WHERE storage_key = ");
    sql.bind::<Text, _>(key.to_string());
    Ok(sql
        .get_result::<Row>(conn)
        .await
        .optional()?
        .map(|r| r.file_name))
}

/// The storage keys of an agreement's attachments (to remove once the agreement is gone).
pub async fn keys_of(conn: &mut AsyncPgConnection, agreement: Uuid) -> ApiResult<Vec<String>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        storage_key: String,
    }
    let mut sql = Sql::new("SELECT storage_key FROM agreement_attachments WHERE agreement_id = ");
    sql.bind::<SqlUuid, _>(agreement);
    Ok(sql
        .load::<Row>(conn)
        .await?
        .into_iter()
        .map(|r| r.storage_key)
        .collect())
}

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
    {
        // Not held while the body is read: a slow client must not keep a connection.
        let mut conn = state.pool.get().await?;
        if super::model::find(&mut conn, *id, false, state.media_url())
            .await?
            .is_none()
        {
            return Err(no_such_agreement());
        }
    }
    let media = &state.config.media;
    let form = upload::read(
        form,
        media.max_bytes,
        &state.config.data_dir.join("tmp"),
        &ACCEPT_PDF,
    )
    .await?;
    let file_name = clean_file_name(form.file_name.as_deref());
    let bytes = bytes::Bytes::from(form.bytes().await?);
    let attachment = Uuid::now_v7();
    let key = format!("attachments/{attachment}/{}.pdf", form.sha256);
    let store = state.media_store.as_ref();
    store
        .put(
            &key,
            bytes,
            form.kind,
            Some(&content_disposition(&file_name)),
        )
        .await
        .map_err(ApiError::internal)?;
    let agreement = *id;
    let (name, sha, size, stored) = (
        file_name.clone(),
        form.sha256.clone(),
        form.size,
        key.clone(),
    );
    let mut conn = state.pool.get().await?;
    let inserted = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            let mut sql = Sql::new(
                "INSERT INTO agreement_attachments (id, agreement_id, file_name, mime_type, \
                 size_bytes, sha256, storage_key) VALUES (",
            );
            sql.bind::<SqlUuid, _>(attachment)
                .push(", ")
                .bind::<SqlUuid, _>(agreement)
                .push(", ")
                .bind::<Text, _>(name)
                .push(", 'application/pdf', ")
                .bind::<BigInt, _>(size as i64)
                .push(", ")
                .bind::<Text, _>(sha)
                .push(", ")
                .bind::<Text, _>(stored)
                .push(")");
            sql.execute(conn).await?;
            diesel::sql_query(
                "UPDATE agreements SET version = version + 1, updated_at = now() WHERE id = $1",
            )
            .bind::<SqlUuid, _>(agreement)
            .execute(conn)
            .await?;
            Ok(())
        })
        .await;
    if let Err(e) = inserted {
        // The agreement went meanwhile, or the database failed: the file goes too.
        remove_files(store, std::slice::from_ref(&key)).await;
        return Err(match e {
            ApiError::Internal(cause) if cause.contains("foreign key") => no_such_agreement(),
            other => other,
        });
    }
    let view = AttachmentView {
        id: attachment,
        file_name,
        mime_type: "application/pdf".into(),
        size_bytes: form.size as i64,
        url: format!("{}{key}", media.public_url),
    };
    http::created(&view, Some(format!("/api/v1/agreements/{agreement}")))
}

/// Remove an attachment and its file (editors and admins).
#[utoipa::path(
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
    let mut conn = state.pool.get().await?;
    let key = conn
        .transaction::<_, ApiError, _>(async move |conn| {
            #[derive(QueryableByName)]
            struct Row {
                #[diesel(sql_type = Text)]
                storage_key: String,
            }
            let mut sql = Sql::new("DELETE FROM agreement_attachments WHERE id = ");
            sql.bind::<SqlUuid, _>(attachment)
                .push(" AND agreement_id = ")
                .bind::<SqlUuid, _>(agreement)
                .push(" RETURNING storage_key");
            let row = sql
                .get_result::<Row>(conn)
                .await
                .optional()?
                .ok_or_else(|| ApiError::NotFound("no such attachment".into()))?;
            diesel::sql_query(
                "UPDATE agreements SET version = version + 1, updated_at = now() WHERE id = $1",
            )
            .bind::<SqlUuid, _>(agreement)
            .execute(conn)
            .await?;
            Ok(row.storage_key)
        })
        .await?;
    remove_files(state.media_store.as_ref(), &[key]).await;
    Ok(HttpResponse::NoContent().finish())
}
