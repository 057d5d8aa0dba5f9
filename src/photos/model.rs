//! The `photos` and `media_files` tables. A photo is an editor's item (caption, credit…); a
//! media file is the stored content it shows, shared by every photo uploaded with the same
//! bytes. Files are written before their row commits, and removed once no photo uses them.
//!
//! One rule keeps rows and files in step: storing a file set and removing one both happen
//! under a transaction-level advisory lock on the file's hash, and each checks the row
//! under that lock. So a delete never removes files that a concurrent upload has just
//! committed a row for, and a failed upload removes only files that no row names.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::imaging::Processed;
use super::views::PhotoView;
use crate::db::constraints;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::locks::{self, Keyed};
use crate::db::schema::{article_photos, articles, media_files, photos, signatories};
use crate::db::sql::Sql;
use crate::error::{ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Sort, Start};
use crate::storage::MediaStore;

/// The row of a stored file set.
#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = media_files)]
pub struct FileRow {
    pub sha256: String,
    pub mime_type: String,
    pub original_key: String,
    pub width: i32,
    pub height: i32,
    pub size_bytes: i64,
    pub thumb_key: String,
    pub thumb_width: i32,
    pub thumb_height: i32,
    pub medium_key: String,
    pub medium_width: i32,
    pub medium_height: i32,
    pub large_key: String,
    pub large_width: i32,
    pub large_height: i32,
}

impl FileRow {
    /// Every stored key, once each.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec![
            self.original_key.clone(),
            self.thumb_key.clone(),
            self.medium_key.clone(),
            self.large_key.clone(),
        ];
        keys.sort();
        keys.dedup();
        keys
    }
}

/// One file to write: key, bytes, content type.
pub type FileToStore = (String, bytes::Bytes, &'static str);

/// The stored row and files of a processed upload: keys under `<aa>/<sha256>/`.
pub fn files_of(sha256: &str, processed: Processed) -> (FileRow, Vec<FileToStore>) {
    let dir = format!("{}/{sha256}", &sha256[..2]);
    let original = processed.original;
    let original_key = format!("{dir}/original.{}", original.kind.extension());
    let mut files: Vec<FileToStore> = vec![(
        original_key.clone(),
        original.bytes.clone(),
        original.kind.mime_type(),
    )];
    let mut variant = |name: &str| -> (String, i32, i32) {
        let v = processed.variants.iter().find(|v| v.name == name);
        match v {
            Some(v) => match &v.file {
                Some(f) => {
                    let key = format!("{dir}/{name}.{}", f.kind.extension());
                    files.push((key.clone(), f.bytes.clone(), f.kind.mime_type()));
                    (key, v.width as i32, v.height as i32)
                }
                None => (original_key.clone(), v.width as i32, v.height as i32),
            },
            None => (
                original_key.clone(),
                original.width as i32,
                original.height as i32,
            ),
        }
    };
    let (thumb_key, thumb_width, thumb_height) = variant("thumb");
    let (medium_key, medium_width, medium_height) = variant("medium");
    let (large_key, large_width, large_height) = variant("large");
    let row = FileRow {
        sha256: sha256.to_string(),
        mime_type: original.kind.mime_type().to_string(),
        original_key: original_key.clone(),
        width: original.width as i32,
        height: original.height as i32,
        size_bytes: original.bytes.len() as i64,
        thumb_key,
        thumb_width,
        thumb_height,
        medium_key,
        medium_width,
        medium_height,
        large_key,
        large_width,
        large_height,
    };
    (row, files)
}

/// A photo's description, checked.
#[derive(Debug, Clone, Default)]
pub struct Description {
    pub caption: String,
    pub alt_text: String,
    pub credit: String,
    pub taken_at: Option<DateTime<Utc>>,
}

/// Serialises storing and removing the files of one hash (transaction-scoped).
async fn lock_files(conn: &mut AsyncPgConnection, sha256: &str) -> ModelResult<()> {
    locks::xact_lock_on(conn, Keyed::PhotoFile, sha256).await
}

pub async fn file_exists(conn: &mut AsyncPgConnection, sha256: &str) -> ModelResult<bool> {
    let found: Option<String> = media_files::table
        .find(sha256)
        .select(media_files::sha256)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

#[derive(Insertable)]
#[diesel(table_name = photos)]
struct NewPhotoRow {
    id: Uuid,
    sha256: String,
    caption: String,
    alt_text: String,
    credit: String,
    taken_at: Option<DateTime<Utc>>,
    uploaded_by: Option<Uuid>,
}

fn new_photo(id: Uuid, sha256: &str, d: &Description, uploaded_by: Uuid) -> NewPhotoRow {
    NewPhotoRow {
        id,
        sha256: sha256.to_string(),
        caption: d.caption.clone(),
        alt_text: d.alt_text.clone(),
        credit: d.credit.clone(),
        taken_at: d.taken_at,
        uploaded_by: Some(uploaded_by),
    }
}

/// A new photo of a file that is already stored. `None` when that file was removed
/// meanwhile (its row is gone): the caller then stores it again.
pub async fn create_reusing(
    conn: &mut AsyncPgConnection,
    sha256: &str,
    description: &Description,
    uploaded_by: Uuid,
) -> ModelResult<Option<Uuid>> {
    let id = Uuid::now_v7();
    // The foreign key holds the file row for this insert; if the row has gone, it fails.
    match diesel::insert_into(photos::table)
        .values(new_photo(id, sha256, description, uploaded_by))
        .execute(conn)
        .await
    {
        Ok(_) => Ok(Some(id)),
        Err(e) if constraints::breaks(&e, "photos_sha256_fkey") => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Stores the files, then commits their row (if new) and the photo. When the transaction
/// fails, files that no row names are removed again.
pub async fn create_with_files(
    conn: &mut AsyncPgConnection,
    store: &dyn MediaStore,
    file: &FileRow,
    files: Vec<FileToStore>,
    description: &Description,
    uploaded_by: Uuid,
) -> ModelResult<Uuid> {
    let id = Uuid::now_v7();
    let file_row = file.clone();
    let d = description.clone();
    let result = conn
        .transaction::<_, ModelError, _>(async |conn| {
            lock_files(conn, &file_row.sha256).await?;
            for (key, bytes, content_type) in &files {
                store
                    .put(key, bytes.clone(), content_type, None)
                    .await
                    .map_err(ModelError::internal)?;
            }
            diesel::insert_into(media_files::table)
                .values(&file_row)
                .on_conflict_do_nothing()
                .execute(conn)
                .await?;
            diesel::insert_into(photos::table)
                .values(new_photo(id, &file_row.sha256, &d, uploaded_by))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        if let Err(cleanup) = remove_files_if_unused(conn, store, &file.sha256, &file.keys()).await
        {
            tracing::warn!(error = %cleanup, sha256 = %file.sha256, "could not remove the files of a failed upload");
        }
        return Err(e);
    }
    Ok(id)
}

/// Removes the files of `sha256` unless a row names them (under the files' lock).
pub async fn remove_files_if_unused(
    conn: &mut AsyncPgConnection,
    store: &dyn MediaStore,
    sha256: &str,
    keys: &[String],
) -> ModelResult<()> {
    let sha = sha256.to_string();
    let keys = keys.to_vec();
    conn.transaction::<_, ModelError, _>(async |conn| {
        lock_files(conn, &sha).await?;
        if file_exists(conn, &sha).await? {
            return Ok(());
        }
        for key in &keys {
            store.delete(key).await.map_err(ModelError::internal)?;
        }
        Ok(())
    })
    .await
}

/// A photo as the API shows it, rendered by `bantin_photo_json` in the database (the
/// same function that embeds photos in articles).
#[derive(QueryableByName)]
struct PhotoJson {
    #[diesel(sql_type = Text)]
    json: String,
}

/// `SELECT bantin_photo_json(…) AS json FROM photos p JOIN media_files f`, files under `base`.
pub fn select_json(base: &str) -> Sql {
    let mut sql = Sql::new("SELECT bantin_photo_json(p, f, ");
    sql.bind::<Text, _>(base.to_string())
        .push(") AS json FROM photos p JOIN media_files f ON f.sha256 = p.sha256");
    sql
}

fn parse(row: PhotoJson) -> ModelResult<PhotoView> {
    serde_json::from_str(&row.json).map_err(ModelError::internal)
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    base: &str,
) -> ModelResult<Option<PhotoView>> {
    let mut sql = select_json(base);
    sql.push(" WHERE p.id = ").bind::<SqlUuid, _>(id);
    sql.get_result::<PhotoJson>(conn)
        .await
        .optional()?
        .map(parse)
        .transpose()
}

/// A photo of the file `sha256` with this caption (how the demo finds its own photos).
pub async fn find_described(
    conn: &mut AsyncPgConnection,
    sha256: &str,
    caption: &str,
) -> ModelResult<Option<Uuid>> {
    Ok(photos::table
        .filter(photos::sha256.eq(sha256))
        .filter(photos::caption.eq(caption))
        .order(photos::created_at.asc())
        .select(photos::id)
        .first(conn)
        .await
        .optional()?)
}

/// Photos by id as JSON text (unknown ids are left out).
pub async fn json_by_id(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
    base: &str,
) -> ModelResult<std::collections::HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Text)]
        json: String,
    }
    let mut sql = Sql::new("SELECT p.id, bantin_photo_json(p, f, ");
    sql.bind::<Text, _>(base.to_string())
        .push(") AS json FROM photos p JOIN media_files f ON f.sha256 = p.sha256 WHERE p.id = ANY(")
        .bind::<diesel::sql_types::Array<SqlUuid>, _>(ids.to_vec())
        .push(")");
    let rows: Vec<Row> = sql.load(conn).await?;
    Ok(rows.into_iter().map(|r| (r.id, r.json)).collect())
}

/// Who uploaded a photo (`None`: unknown or deleted user), for authors' rights.
pub async fn uploader(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<Option<Option<Uuid>>> {
    Ok(photos::table
        .find(id)
        .select(photos::uploaded_by)
        .first(conn)
        .await
        .optional()?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoSort {
    CreatedAt,
}

impl PhotoSort {
    pub fn name(self) -> &'static str {
        match self {
            PhotoSort::CreatedAt => "created_at",
        }
    }
}

/// One page (`limit + 1` photos) and the total when asked for.
pub async fn list(
    conn: &mut AsyncPgConnection,
    q: Option<&str>,
    sort: Sort<PhotoSort>,
    paging: &Paging,
    base: &str,
) -> ModelResult<(Vec<PhotoView>, Option<i64>)> {
    let filter = |sql: &mut Sql| {
        sql.push(" WHERE true");
        if let Some(q) = q {
            sql.push(" AND p.search @@ plainto_tsquery('simple', bantin_fold(")
                .bind::<Text, _>(q.to_string())
                .push("))");
        }
    };
    let mut sql = select_json(base);
    filter(&mut sql);
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((vec![KeyValue::Instant(cursor.instant()?)], cursor.id)),
        _ => None,
    };
    let order = Order {
        columns: &["p.created_at"],
        id: "p.id",
        descending: sort.descending,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows: Vec<PhotoJson> = sql.load(conn).await?;
    let photos = rows
        .into_iter()
        .map(parse)
        .collect::<ModelResult<Vec<_>>>()?;
    let mut count = Sql::new("SELECT count(*) AS n FROM photos p");
    filter(&mut count);
    let total = keyset::total(conn, count, paging).await?;
    Ok((photos, total))
}

pub fn cursor_of(photo: &PhotoView, sort_key: &str) -> Cursor {
    Cursor {
        sort: sort_key.to_string(),
        value: photo.created_at.to_rfc3339().into(),
        id: photo.id,
    }
}

/// What a `PATCH` changes; `None` keeps the field.
#[derive(Debug, Default)]
pub struct Changes {
    pub caption: Option<String>,
    pub alt_text: Option<String>,
    pub credit: Option<String>,
    pub taken_at: Option<Option<DateTime<Utc>>>,
}

/// Locks a photo and reads it; 404 when it does not exist.
async fn lock(conn: &mut AsyncPgConnection, id: Uuid, base: &str) -> ModelResult<PhotoView> {
    let mut sql = select_json(base);
    sql.push(" WHERE p.id = ")
        .bind::<SqlUuid, _>(id)
        .push(" FOR UPDATE OF p");
    sql.get_result::<PhotoJson>(conn)
        .await
        .optional()?
        .map(parse)
        .transpose()?
        .ok_or_else(no_such_photo)
}

pub fn no_such_photo() -> ModelError {
    ModelError::NotFound("photo")
}

/// Changes a photo's description after `precondition` accepted its current state; the photo
/// after, and whether it changed.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    base: &str,
    changes: Changes,
    precondition: impl FnOnce(&PhotoView) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(PhotoView, bool)> {
    let base = base.to_string();
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let current = lock(conn, id, &base).await?;
        precondition(&current)?;
        let unchanged = changes
            .caption
            .as_ref()
            .is_none_or(|c| *c == current.caption)
            && changes
                .alt_text
                .as_ref()
                .is_none_or(|a| *a == current.alt_text)
            && changes.credit.as_ref().is_none_or(|c| *c == current.credit)
            && changes.taken_at.is_none_or(|t| t == current.taken_at);
        if unchanged {
            return Ok((current, false));
        }
        diesel::update(photos::table.find(id))
            .set((
                changes.caption.map(|c| photos::caption.eq(c)),
                changes.alt_text.map(|a| photos::alt_text.eq(a)),
                changes.credit.map(|c| photos::credit.eq(c)),
                changes.taken_at.map(|t| photos::taken_at.eq(t)),
                photos::version.eq(photos::version + 1),
                photos::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await?;
        let photo = find(conn, id, &base).await?.ok_or_else(no_such_photo)?;
        Ok((photo, true))
    })
    .await
}

/// What a deletion left to clean up: the file set whose row went with the last photo.
pub struct Deleted {
    /// The photo as it was.
    pub photo: PhotoView,
    pub orphaned: Option<FileRow>,
    /// Articles the photo was taken off (with `force`).
    pub detached: usize,
}

/// Deletes a photo after `precondition` accepted it. While articles use it: 409, or with
/// `force` it is taken off them first. The file row goes too when no other photo uses it;
/// the caller then removes the files ([`remove_files_if_unused`]).
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    base: &str,
    force: bool,
    precondition: impl FnOnce(&PhotoView) -> ModelResult<()> + Send + 'static,
) -> ModelResult<Deleted> {
    let base = base.to_string();
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let current = lock(conn, id, &base).await?;
        precondition(&current)?;
        let users: Vec<Uuid> = articles::table
            .filter(articles::cover_photo_id.eq(id))
            .select(articles::id)
            .union(
                article_photos::table
                    .filter(article_photos::photo_id.eq(id))
                    .select(article_photos::article_id),
            )
            .load(conn)
            .await?;
        let people: Vec<Uuid> = signatories::table
            .filter(signatories::photo_id.eq(id))
            .select(signatories::id)
            .load(conn)
            .await?;
        let in_use = !users.is_empty() || !people.is_empty();
        if in_use && !force {
            // Say where, so that an editor can go and take it off.
            let titles: Vec<String> = articles::table
                .filter(articles::id.eq_any(&users))
                .select(articles::title)
                .order(articles::title)
                .limit(crate::domain::limits::PHOTO_USES_NAMED)
                .load(conn)
                .await?;
            let names: Vec<String> = signatories::table
                .filter(signatories::id.eq_any(&people))
                .select(signatories::full_name)
                .order(signatories::full_name)
                .limit(crate::domain::limits::PHOTO_USES_NAMED)
                .load(conn)
                .await?;
            let named = titles
                .iter()
                .chain(&names)
                .map(|t| format!("«{t}»"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ModelError::Conflict(format!(
                "{} article(s) and {} signatory(ies) use this photo ({named}); take it off them \
                 first, or delete with ?force=true",
                users.len(),
                people.len()
            )));
        }
        diesel::update(articles::table.filter(articles::cover_photo_id.eq(id)))
            .set(articles::cover_photo_id.eq(None::<Uuid>))
            .execute(conn)
            .await?;
        diesel::delete(article_photos::table.filter(article_photos::photo_id.eq(id)))
            .execute(conn)
            .await?;
        diesel::update(signatories::table.filter(signatories::photo_id.eq(id)))
            .set(signatories::photo_id.eq(None::<Uuid>))
            .execute(conn)
            .await?;
        diesel::delete(photos::table.find(id))
            .execute(conn)
            .await
            .map_err(still_used)?;
        // The file row goes when this was its last photo. A concurrent upload that reuses
        // the file holds its row (foreign key), so this delete then fails: keep the file.
        let orphaned = conn
            .transaction::<_, DieselError, _>(async |conn| {
                diesel::delete(
                    media_files::table
                        .filter(media_files::sha256.eq(&current.sha256))
                        .filter(diesel::dsl::not(diesel::dsl::exists(
                            photos::table.filter(photos::sha256.eq(&current.sha256)),
                        ))),
                )
                .returning(FileRow::as_returning())
                .get_result(conn)
                .await
                .optional()
            })
            .await;
        let orphaned = match orphaned {
            Ok(row) => row,
            Err(e) if constraints::breaks(&e, "photos_sha256_fkey") => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Deleted {
            photo: current,
            orphaned,
            detached: users.len() + people.len(),
        })
    })
    .await
}

/// An article started using the photo while it was being deleted.
fn still_used(e: DieselError) -> ModelError {
    let users = [
        "article_photos_photo_id_fkey",
        "articles_cover_photo_id_fkey",
        "signatories_photo_id_fkey",
    ];
    match users.iter().any(|name| constraints::breaks(&e, name)) {
        true => ModelError::Conflict("an article started using this photo; try again".into()),
        false => e.into(),
    }
}
