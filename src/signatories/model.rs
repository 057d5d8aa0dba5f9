//! The `signatories` table: people who sign documents, with their organisation and photo
//! embedded in the same query.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::constraints;
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{organizations, photos, signatories};
use crate::db::sql::Sql;
use crate::error::{FieldError, ModelError, ModelResult};
use crate::paging::{Cursor, Paging, Sort, Start};

/// A signatory as the API shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct SignatoryRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub full_name: String,
    #[diesel(sql_type = Text)]
    pub current_position: String,
    /// `{id, name, short_name, kind}` as JSON text.
    #[diesel(sql_type = Nullable<Text>)]
    pub organization: Option<String>,
    /// The photo as JSON text (`bantin_photo_json`).
    #[diesel(sql_type = Nullable<Text>)]
    pub photo: Option<String>,
    /// The name's parts in the order lists sort by them: given, middle, family.
    #[diesel(sql_type = Text)]
    pub given_name: String,
    #[diesel(sql_type = Text)]
    pub middle_name: String,
    #[diesel(sql_type = Text)]
    pub family_name: String,
    #[diesel(sql_type = Int4)]
    pub version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// A signatory's editable fields, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatoryContent {
    pub full_name: String,
    pub current_position: String,
    pub organization_id: Option<Uuid>,
    pub photo_id: Option<Uuid>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatorySort {
    /// Given name, then middle name(s), then family name, in Vietnamese order.
    Name,
    CreatedAt,
}

impl SignatorySort {
    pub fn name(self) -> &'static str {
        match self {
            SignatorySort::Name => "name",
            SignatorySort::CreatedAt => "created_at",
        }
    }

    /// The sort columns (the name's parts have the `vi-x-icu` collation).
    fn columns(self) -> &'static str {
        match self {
            SignatorySort::Name => "s.given_name, s.middle_name, s.family_name",
            SignatorySort::CreatedAt => "s.created_at",
        }
    }
}

#[derive(Default)]
pub struct SignatoryFilter {
    pub q: Option<String>,
    pub organization: Option<Uuid>,
}

/// The organisation a signatory belongs to, as embedded JSON (alias `o`).
pub const ORGANIZATION_JSON: &str = "CASE WHEN o.id IS NULL THEN NULL ELSE \
     json_build_object('id', o.id, 'name', o.name, 'short_name', o.short_name, 'kind', o.kind)::text END";

fn select(media: &str) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT s.id, s.full_name, s.current_position, {ORGANIZATION_JSON} AS organization, \
         CASE WHEN p.id IS NULL THEN NULL ELSE bantin_photo_json(p, f, "
    ));
    sql.bind::<Text, _>(media.to_string()).push(
        ") END AS photo, s.given_name, s.middle_name, s.family_name, s.version, s.created_at, s.updated_at \
         FROM signatories s LEFT JOIN organizations o ON o.id = s.organization_id \
         LEFT JOIN photos p ON p.id = s.photo_id LEFT JOIN media_files f ON f.sha256 = p.sha256",
    );
    sql
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
) -> ModelResult<Option<SignatoryRecord>> {
    let mut sql = select(media);
    sql.push(" WHERE s.id = ").bind::<SqlUuid, _>(id);
    Ok(sql.get_result(conn).await.optional()?)
}

fn where_clause(sql: &mut Sql, filter: &SignatoryFilter) {
    sql.push(" WHERE true");
    if let Some(q) = &filter.q {
        sql.push(" AND s.search @@ plainto_tsquery('simple', bantin_fold(")
            .bind::<Text, _>(q.clone())
            .push("))");
    }
    if let Some(org) = filter.organization {
        sql.push(" AND s.organization_id = ")
            .bind::<SqlUuid, _>(org);
    }
}

/// One page (`limit + 1` rows, organisation and photo embedded) and the total when asked.
/// The sort key a cursor holds: for names, the given, middle and family names.
fn key_of(field: SignatorySort, cursor: &Cursor) -> ModelResult<Vec<KeyValue>> {
    Ok(match field {
        SignatorySort::Name => {
            let parts: Vec<String> =
                serde_json::from_value(cursor.value.clone()).map_err(|_| Cursor::invalid())?;
            let parts = <[String; 3]>::try_from(parts).map_err(|_| Cursor::invalid())?;
            parts
                .into_iter()
                .map(|part| KeyValue::Collated(part, "vi-x-icu"))
                .collect()
        }
        SignatorySort::CreatedAt => vec![KeyValue::Instant(cursor.instant()?)],
    })
}

pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &SignatoryFilter,
    sort: Sort<SignatorySort>,
    paging: &Paging,
    media: &str,
) -> ModelResult<(Vec<SignatoryRecord>, Option<i64>)> {
    let mut sql = select(media);
    where_clause(&mut sql, filter);
    let after = match &paging.start {
        Start::After(Some(cursor)) => Some((key_of(sort.field, cursor)?, cursor.id)),
        _ => None,
    };
    let columns: Vec<&str> = sort.field.columns().split(", ").collect();
    let order = Order {
        columns: &columns,
        id: "s.id",
        descending: sort.descending,
    };
    keyset::page(&mut sql, &order, after, paging);
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM signatories s");
    where_clause(&mut count, filter);
    let total = keyset::total(conn, count, paging).await?;
    Ok((rows, total))
}

pub fn cursor_of(row: &SignatoryRecord, sort: Sort<SignatorySort>, sort_key: &str) -> Cursor {
    let value = match sort.field {
        SignatorySort::Name => {
            serde_json::json!([row.given_name, row.middle_name, row.family_name])
        }
        SignatorySort::CreatedAt => serde_json::Value::String(row.created_at.to_rfc3339()),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

/// 422s for an organisation or photo that does not exist.
async fn check_links(conn: &mut AsyncPgConnection, content: &SignatoryContent) -> ModelResult<()> {
    let mut errors = Vec::new();
    if let Some(org) = content.organization_id {
        let found: Option<Uuid> = organizations::table
            .find(org)
            .select(organizations::id)
            .first(conn)
            .await
            .optional()?;
        if found.is_none() {
            errors.push(FieldError::new(
                "organization_id",
                "not_found",
                "no such organization",
            ));
        }
    }
    if let Some(photo) = content.photo_id {
        let found: Option<Uuid> = photos::table
            .find(photo)
            .select(photos::id)
            .first(conn)
            .await
            .optional()?;
        if found.is_none() {
            errors.push(FieldError::new("photo_id", "not_found", "no such photo"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ModelError::Invalid(errors))
    }
}

/// A linked row deleted between the check and the write.
fn link_gone(e: DieselError) -> ModelError {
    let links = [
        "signatories_organization_id_fkey",
        "signatories_photo_id_fkey",
    ];
    match links.iter().any(|name| constraints::breaks(&e, name)) {
        true => ModelError::Invalid(vec![FieldError::new(
            "organization_id",
            "not_found",
            "the organization or photo was deleted meanwhile",
        )]),
        false => e.into(),
    }
}

pub async fn create(conn: &mut AsyncPgConnection, content: SignatoryContent) -> ModelResult<Uuid> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        check_links(conn, &content).await?;
        let id = Uuid::now_v7();
        diesel::insert_into(signatories::table)
            .values((
                signatories::id.eq(id),
                signatories::full_name.eq(&content.full_name),
                signatories::current_position.eq(&content.current_position),
                signatories::organization_id.eq(content.organization_id),
                signatories::photo_id.eq(content.photo_id),
            ))
            .execute(conn)
            .await
            .map_err(link_gone)?;
        Ok(id)
    })
    .await
}

#[derive(Queryable)]
struct Locked {
    full_name: String,
    current_position: String,
    organization_id: Option<Uuid>,
    photo_id: Option<Uuid>,
}

/// Changes a signatory after `decide` saw its locked content (and, for `If-Match`, the
/// record as shown) and returned the new content; nothing changes when they are equal (then
/// it answers `false`).
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    decide: impl FnOnce(&SignatoryContent, &SignatoryRecord) -> ModelResult<SignatoryContent>
    + Send
    + 'static,
) -> ModelResult<bool> {
    let media = media.to_string();
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let locked: Locked = signatories::table
            .find(id)
            .select((
                signatories::full_name,
                signatories::current_position,
                signatories::organization_id,
                signatories::photo_id,
            ))
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(no_such_signatory)?;
        let current = SignatoryContent {
            full_name: locked.full_name,
            current_position: locked.current_position,
            organization_id: locked.organization_id,
            photo_id: locked.photo_id,
        };
        let record = find(conn, id, &media)
            .await?
            .ok_or_else(no_such_signatory)?;
        let next = decide(&current, &record)?;
        if next == current {
            return Ok(false);
        }
        check_links(conn, &next).await?;
        diesel::update(signatories::table.find(id))
            .set((
                signatories::full_name.eq(&next.full_name),
                signatories::current_position.eq(&next.current_position),
                signatories::organization_id.eq(next.organization_id),
                signatories::photo_id.eq(next.photo_id),
                signatories::version.eq(signatories::version + 1),
                signatories::updated_at.eq(Utc::now()),
            ))
            .execute(conn)
            .await
            .map_err(link_gone)?;
        Ok(true)
    })
    .await
}

pub fn no_such_signatory() -> ModelError {
    ModelError::NotFound("signatory")
}

/// Deletes a signatory after `precondition` accepted it; one who signed an agreement is a
/// 409 (the signature refers to them). Answers the signatory as it was.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    precondition: impl FnOnce(&SignatoryRecord) -> ModelResult<()> + Send + 'static,
) -> ModelResult<SignatoryRecord> {
    let media = media.to_string();
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let _: Uuid = signatories::table
            .find(id)
            .select(signatories::id)
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(no_such_signatory)?;
        let record = find(conn, id, &media)
            .await?
            .ok_or_else(no_such_signatory)?;
        precondition(&record)?;
        diesel::delete(signatories::table.find(id))
            .execute(conn)
            .await
            .map_err(|e| {
                match constraints::breaks(&e, "agreement_signatures_signatory_id_fkey") {
                    true => ModelError::Conflict("this signatory signed agreements".into()),
                    false => e.into(),
                }
            })?;
        Ok(record)
    })
    .await
}
