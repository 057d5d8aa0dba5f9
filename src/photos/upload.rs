//! Reading an upload (`POST /photos`, `POST /agreements/{id}/attachments`) as a stream: the
//! file goes to a temporary file chunk by chunk, hashed on the way, refused with 413 as soon
//! as it passes the limit and with 415 as soon as its first bytes show it is not of a type
//! the endpoint takes; the other fields are short texts.

use std::io::{Read, Seek};

use actix_multipart::{Field, Multipart, MultipartError};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult, FieldError};

/// The longest accepted value of a text field, in bytes (the character limits are checked
/// afterwards).
const TEXT_MAX_BYTES: usize = 16 * 1024;
/// How much of an oversized file is read (and thrown away) before answering 413.
const DRAIN_MAX_BYTES: usize = 1024 * 1024;
/// Enough bytes to recognise every accepted format.
const SNIFF_BYTES: usize = 16;

/// What an endpoint takes: the file's type, recognised from its first bytes, and the text
/// fields beside it.
pub struct Accept<K> {
    /// The type of a file from its first bytes (at most 16), `None` when refused.
    pub sniff: fn(&[u8]) -> Option<K>,
    /// The 415's detail.
    pub refused: &'static str,
    pub text_fields: &'static [&'static str],
}

/// An upload read whole.
pub struct Upload<K> {
    /// The file's bytes, in an unnamed temporary file (removed when dropped).
    pub file: std::fs::File,
    pub size: u64,
    pub sha256: String,
    pub kind: K,
    /// The file name the client gave, if any.
    pub file_name: Option<String>,
    /// `(name, value)` of the text fields given.
    pub fields: Vec<(String, String)>,
}

impl<K> Upload<K> {
    /// The file's bytes (at most the size limit), read on a blocking thread.
    pub async fn bytes(&self) -> ApiResult<Vec<u8>> {
        let mut file = self.file.try_clone().map_err(ApiError::internal)?;
        tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
            file.rewind()?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes)?;
            Ok(bytes)
        })
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)
    }

    /// A buffered reader of the file from its start (for its header).
    pub fn reader(&self) -> ApiResult<std::io::BufReader<std::fs::File>> {
        let mut file = self.file.try_clone().map_err(ApiError::internal)?;
        file.rewind().map_err(ApiError::internal)?;
        Ok(std::io::BufReader::new(file))
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn bad_form(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => ApiError::UnsupportedMediaType(
            "the body must be multipart/form-data with a `file` field".into(),
        ),
        MultipartError::Payload(e) => ApiError::from_payload(e),
        other => ApiError::bad_request(format!("malformed multipart body: {other}")),
    }
}

fn unknown_field<K>(name: &str, accept: &Accept<K>) -> FieldError {
    FieldError::new(
        if name.is_empty() { "form" } else { name },
        "unknown_field",
        format!(
            "unknown form field `{name}`; expected `file`{}",
            accept
                .text_fields
                .iter()
                .map(|f| format!(", `{f}`"))
                .collect::<String>()
        ),
    )
}

fn no_file() -> FieldError {
    FieldError::new("file", "required", "the form has no `file` field")
}

/// A 400 naming each field in `errors`.
fn bad_form_fields(errors: Vec<FieldError>) -> ApiError {
    let detail = errors
        .iter()
        .map(|e| format!("`{}`: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::BadRequest { detail, errors }
}

/// Reads and discards a part; `false` when it is longer than what is left of `budget` or
/// cannot be read.
async fn discard(mut field: Field, budget: &mut u64) -> bool {
    while let Some(chunk) = field.next().await {
        match chunk {
            Ok(chunk) if chunk.len() as u64 <= *budget => *budget -= chunk.len() as u64,
            _ => return false,
        }
    }
    true
}

/// The 400 of a form with an unknown field (`error`, the part `field`) and no `file` so far:
/// the rest of the form is read and discarded (at most `max_bytes` in all) to name the other
/// unknown fields and, when there is no `file` at all, that one too. Reading stops at a
/// `file` part.
async fn after_unknown_field<K>(
    mut form: Multipart,
    field: Field,
    error: FieldError,
    max_bytes: u64,
    accept: &Accept<K>,
) -> ApiError {
    let mut errors = vec![error];
    let mut budget = max_bytes;
    if !discard(field, &mut budget).await {
        return bad_form_fields(errors);
    }
    while let Some(field) = form.next().await {
        let Ok(field) = field else {
            return bad_form_fields(errors);
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            return bad_form_fields(errors);
        }
        if !accept.text_fields.contains(&name.as_str()) {
            let error = unknown_field(&name, accept);
            if !errors.iter().any(|e| e.field == error.field) {
                errors.push(error);
            }
        }
        if !discard(field, &mut budget).await {
            return bad_form_fields(errors);
        }
    }
    errors.push(no_file());
    bad_form_fields(errors)
}

fn too_large(max_bytes: u64) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "the file is larger than the limit of {max_bytes} bytes"
    ))
}

/// Reads the form; `tmp_dir` holds the file while it is read.
pub async fn read<K>(
    mut form: Multipart,
    max_bytes: u64,
    tmp_dir: &std::path::Path,
    accept: &Accept<K>,
) -> ApiResult<Upload<K>> {
    let not_accepted = || ApiError::UnsupportedMediaType(accept.refused.into());
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut upload: Option<(std::fs::File, u64, String, K, Option<String>)> = None;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(bad_form)?;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = field
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .map(str::to_string);
            if upload.is_some() {
                return Err(ApiError::bad_field(
                    "file",
                    "duplicate",
                    "give one file per upload",
                ));
            }
            std::fs::create_dir_all(tmp_dir).map_err(ApiError::internal)?;
            let std_file = tempfile::tempfile_in(tmp_dir).map_err(ApiError::internal)?;
            let mut out =
                tokio::fs::File::from_std(std_file.try_clone().map_err(ApiError::internal)?);
            let mut hasher = Sha256::new();
            let mut size: u64 = 0;
            let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
            let mut kind = None;
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(bad_form)?;
                size += chunk.len() as u64;
                if size > max_bytes {
                    // Read on a little, discarding, so that a client still sending gets this
                    // answer rather than a reset connection.
                    let mut drained = 0;
                    while drained < DRAIN_MAX_BYTES {
                        match field.next().await {
                            Some(Ok(more)) => drained += more.len(),
                            _ => break,
                        }
                    }
                    return Err(too_large(max_bytes));
                }
                if kind.is_none() {
                    let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                    if head.len() == SNIFF_BYTES {
                        kind = Some((accept.sniff)(&head).ok_or_else(not_accepted)?);
                    }
                }
                hasher.update(&chunk);
                out.write_all(&chunk).await.map_err(ApiError::internal)?;
            }
            out.flush().await.map_err(ApiError::internal)?;
            let kind = match kind {
                Some(kind) => kind,
                None if size == 0 => {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "file",
                        "empty",
                        "the file is empty",
                    )]));
                }
                None => (accept.sniff)(&head).ok_or_else(not_accepted)?,
            };
            upload = Some((
                std_file,
                size,
                hex::encode(hasher.finalize()),
                kind,
                file_name,
            ));
        } else if accept.text_fields.contains(&name.as_str()) {
            if fields.iter().any(|(n, _)| *n == name) {
                return Err(ApiError::bad_field(&name, "duplicate", "given twice"));
            }
            let mut value = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(bad_form)?;
                if value.len() + chunk.len() > TEXT_MAX_BYTES {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        &name,
                        "too_long",
                        format!("at most {TEXT_MAX_BYTES} bytes"),
                    )]));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value)
                .map_err(|_| ApiError::bad_field(&name, "invalid", "not UTF-8 text"))?;
            fields.push((name, value));
        } else {
            // Not a field of this form. The answer is a 400; read on (discarding) to learn
            // whether the form has a `file` at all, so that one answer names both mistakes.
            let error = unknown_field(&name, accept);
            return Err(if upload.is_some() {
                bad_form_fields(vec![error])
            } else {
                after_unknown_field(form, field, error, max_bytes, accept).await
            });
        }
    }
    let (file, size, sha256, kind, file_name) =
        upload.ok_or_else(|| bad_form_fields(vec![no_file()]))?;
    Ok(Upload {
        file,
        size,
        sha256,
        kind,
        file_name,
        fields,
    })
}
