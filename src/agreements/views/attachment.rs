//! The files attached to an agreement, as `/agreements/{id}/attachments` takes and shows them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::agreements::model::embedded::AttachmentRow;

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

impl AttachmentView {
    /// The file of `row`, downloaded from under the media URL `media`.
    pub fn new(row: AttachmentRow, media: &str) -> Self {
        AttachmentView {
            id: row.id,
            url: format!("{media}{}", row.storage_key),
            file_name: row.file_name,
            mime_type: row.mime_type,
            size_bytes: row.size_bytes,
        }
    }
}
