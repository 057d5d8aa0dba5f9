//! The `agreement_attachments` table: files attached to an agreement. Attaching or removing
//! one makes a new version of the agreement (its representation lists them).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::item::no_such_agreement;
use crate::db::constraints::breaks;
use crate::db::schema::{agreement_attachments, agreements};
use crate::error::{ModelError, ModelResult};

/// A file to record as attached, once it is stored.
#[derive(Debug, Insertable)]
#[diesel(table_name = agreement_attachments)]
pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub agreement_id: Uuid,
    /// As it is downloaded.
    pub file_name: &'a str,
    pub mime_type: &'a str,
    pub size_bytes: i64,
    /// Of the content, in lowercase hex.
    pub sha256: &'a str,
    pub storage_key: &'a str,
}

/// A new version of agreement `id`.
async fn touch(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<()> {
    diesel::update(agreements::table.find(id))
        .set((
            agreements::version.eq(agreements::version + 1),
            agreements::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records an attached file; the agreement having gone meanwhile is [`no_such_agreement`].
pub async fn add(conn: &mut AsyncPgConnection, new: NewAttachment<'_>) -> ModelResult<()> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        diesel::insert_into(agreement_attachments::table)
            .values(&new)
            .execute(conn)
            .await
            .map_err(
                |e| match breaks(&e, "agreement_attachments_agreement_id_fkey") {
                    true => no_such_agreement(),
                    false => e.into(),
                },
            )?;
        touch(conn, new.agreement_id).await
    })
    .await
}

/// Removes attachment `id` of `agreement`; returns its storage key, for the caller to remove
/// the file once this has committed.
pub async fn remove(
    conn: &mut AsyncPgConnection,
    agreement: Uuid,
    id: Uuid,
) -> ModelResult<String> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let key: String = diesel::delete(
            agreement_attachments::table
                .find(id)
                .filter(agreement_attachments::agreement_id.eq(agreement)),
        )
        .returning(agreement_attachments::storage_key)
        .get_result(conn)
        .await
        .optional()?
        .ok_or(ModelError::NotFound("attachment"))?;
        touch(conn, agreement).await?;
        Ok(key)
    })
    .await
}

/// The file name stored for `key`, for its download.
pub async fn file_name_of(conn: &mut AsyncPgConnection, key: &str) -> ModelResult<Option<String>> {
    Ok(agreement_attachments::table
        .filter(agreement_attachments::storage_key.eq(key))
        .select(agreement_attachments::file_name)
        .get_result(conn)
        .await
        .optional()?)
}
