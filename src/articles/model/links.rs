//! The lists an article keeps in link tables, in order: the articles related to it, its
//! gallery, the agreements it reports. A write replaces a whole list.

use diesel::associations::HasTable;
use diesel::dsl::Filter;
use diesel::prelude::*;
use diesel::query_builder::{DeleteStatement, InsertStatement, IntoUpdateTarget};
use diesel::query_dsl::methods::FilterDsl;
use diesel_async::methods::ExecuteDsl;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::records::GalleryItem;
use crate::db::constraints;
use crate::db::schema::{article_agreements, article_photos, article_related};
use crate::error::{ModelError, ModelResult};

/// A row an article names that was deleted meanwhile (between the check and the write),
/// recognised by the foreign key it breaks, and the field at fault.
pub(super) struct Gone {
    pub constraint: &'static str,
    pub field: &'static str,
    pub message: &'static str,
}

/// A photo of the gallery.
pub(super) const GALLERY_PHOTO_GONE: Gone = Gone {
    constraint: "article_photos_photo_id_fkey",
    field: "photos",
    message: "a photo was deleted meanwhile",
};

/// The cover photo.
pub(super) const COVER_PHOTO_GONE: Gone = Gone {
    constraint: "articles_cover_photo_id_fkey",
    ..GALLERY_PHOTO_GONE
};

const AGREEMENT_GONE: Gone = Gone {
    constraint: "article_agreements_agreement_id_fkey",
    field: "agreement_ids",
    message: "an agreement was deleted meanwhile",
};

/// `e` in the models' terms: a 422 when it says that one of `gone` was deleted meanwhile.
pub(super) fn unless_gone(e: diesel::result::Error, gone: &[&Gone]) -> ModelError {
    match gone.iter().find(|g| constraints::breaks(&e, g.constraint)) {
        Some(g) => ModelError::invalid(g.field, "not_found", g.message),
        None => e.into(),
    }
}

/// Replaces the rows of the link table `table` that `of_article` selects with `rows`.
async fn replace<T, F, V>(
    conn: &mut AsyncPgConnection,
    table: T,
    of_article: F,
    rows: Vec<V>,
    gone: &[&Gone],
) -> ModelResult<()>
where
    T: Table + FilterDsl<F> + Copy + Send,
    Filter<T, F>: IntoUpdateTarget,
    DeleteStatement<
        <Filter<T, F> as HasTable>::Table,
        <Filter<T, F> as IntoUpdateTarget>::WhereClause,
    >: ExecuteDsl<AsyncPgConnection>,
    Vec<V>: Insertable<T>,
    InsertStatement<T, <Vec<V> as Insertable<T>>::Values>: ExecuteDsl<AsyncPgConnection>,
{
    diesel::delete(table.filter(of_article))
        .execute(conn)
        .await?;
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(table)
        .values(rows)
        .execute(conn)
        .await
        .map_err(|e| unless_gone(e, gone))?;
    Ok(())
}

pub(super) async fn replace_related(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    related: &[Uuid],
) -> ModelResult<()> {
    use article_related::{article_id, position, related_id, table};
    let rows: Vec<_> = related
        .iter()
        .zip(0..)
        .map(|(r, at)| (article_id.eq(id), related_id.eq(*r), position.eq(at)))
        .collect();
    replace(conn, table, article_id.eq(id), rows, &[]).await
}

pub(super) async fn replace_gallery(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    gallery: &[GalleryItem],
) -> ModelResult<()> {
    use article_photos::{article_id, caption, photo_id, position, table};
    let rows: Vec<_> = gallery
        .iter()
        .map(|p| {
            (
                article_id.eq(id),
                position.eq(p.position),
                photo_id.eq(p.photo_id),
                caption.eq(p.caption.clone()),
            )
        })
        .collect();
    replace(conn, table, article_id.eq(id), rows, &[&GALLERY_PHOTO_GONE]).await
}

pub(super) async fn replace_agreements(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    agreements: &[Uuid],
) -> ModelResult<()> {
    use article_agreements::{agreement_id, article_id, position, table};
    let rows: Vec<_> = agreements
        .iter()
        .zip(0..)
        .map(|(a, at)| (article_id.eq(id), agreement_id.eq(*a), position.eq(at)))
        .collect();
    replace(conn, table, article_id.eq(id), rows, &[&AGREEMENT_GONE]).await
}
