//! Writing agreements: the row and its parties, signatures and relations in one transaction,
//! with diesel's query builder. What is written was checked by the caller; what it names
//! (organisations, signatories, other agreements) is checked here, in the transaction.

use chrono::NaiveDate;
use diesel::associations::HasTable;
use diesel::dsl::Filter;
use diesel::prelude::*;
use diesel::query_builder::{DeleteStatement, InsertStatement, IntoUpdateTarget};
use diesel::query_dsl::methods::FilterDsl;
use diesel::result::Error as DieselError;
use diesel_async::methods::ExecuteDsl;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::item::{AgreementRecord, find, no_such_agreement};
use crate::db::constraints::breaks;
use crate::db::schema::{agreement_parties, agreement_relations, agreement_signatures, agreements};
use crate::db::sql::{IdTable, existing_ids};
use crate::error::{FieldError, ModelError, ModelResult};

/// A party, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Party {
    pub organization_id: Uuid,
    pub role: String,
    pub position: i32,
}

/// A signature block, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub signatory_id: Uuid,
    pub organization_id: Option<Uuid>,
    pub authority_prefix: Option<String>,
    pub signing_title: String,
    pub positions_at_signing: String,
    pub position: i32,
}

/// A relation, checked: exactly one of the target and the reference text.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub kind: String,
    pub target_id: Option<Uuid>,
    pub reference_text: Option<String>,
}

/// Everything an editor writes about an agreement: texts as parsed where they came in
/// (`crate::domain`), words (document type, role, authority, relation kind) as
/// [`crate::agreements::kinds`] writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementContent {
    pub document_number: Option<String>,
    pub doc_type: String,
    pub title: String,
    pub summary: String,
    pub body: String,
    pub place: String,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    pub term_start_year: Option<i16>,
    pub term_end_year: Option<i16>,
    pub parties: Vec<Party>,
    pub signatures: Vec<Signature>,
    pub relations: Vec<Relation>,
}

/// The content of an agreement as it is stored.
impl From<&AgreementRecord> for AgreementContent {
    fn from(r: &AgreementRecord) -> Self {
        let head = &r.head;
        AgreementContent {
            document_number: head.document_number.clone(),
            doc_type: head.doc_type.as_str().to_string(),
            title: head.title.clone(),
            summary: head.summary.clone(),
            body: r.body.clone(),
            place: head.place.clone(),
            signed_on: head.signed_on,
            effective_from: head.effective_from,
            effective_to: head.effective_to,
            term_start_year: head.term_start_year,
            term_end_year: head.term_end_year,
            parties: (head.parties.iter())
                .map(|p| Party {
                    organization_id: p.organization.id,
                    role: p.role.as_str().to_string(),
                    position: p.position,
                })
                .collect(),
            signatures: (r.signatures.iter())
                .map(|s| Signature {
                    signatory_id: s.signatory_id,
                    organization_id: s.organization.as_ref().map(|o| o.id),
                    authority_prefix: s.authority_prefix.map(|a| a.as_str().to_string()),
                    signing_title: s.signing_title.clone(),
                    positions_at_signing: s.positions_at_signing.clone(),
                    position: s.position,
                })
                .collect(),
            relations: (r.relations.iter())
                .map(|r| Relation {
                    kind: r.kind.as_str().to_string(),
                    target_id: r.agreement.as_ref().map(|a| a.id),
                    reference_text: r.reference_text.clone(),
                })
                .collect(),
        }
    }
}

/// The agreement's own columns.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = agreements, treat_none_as_null = true)]
struct Columns<'a> {
    document_number: Option<&'a str>,
    doc_type: &'a str,
    title: &'a str,
    summary: &'a str,
    body: &'a str,
    place: &'a str,
    signed_on: Option<NaiveDate>,
    effective_from: Option<NaiveDate>,
    effective_to: Option<NaiveDate>,
    term_start_year: Option<i16>,
    term_end_year: Option<i16>,
}

impl<'a> From<&'a AgreementContent> for Columns<'a> {
    fn from(c: &'a AgreementContent) -> Self {
        Columns {
            document_number: c.document_number.as_deref(),
            doc_type: &c.doc_type,
            title: &c.title,
            summary: &c.summary,
            body: &c.body,
            place: &c.place,
            signed_on: c.signed_on,
            effective_from: c.effective_from,
            effective_to: c.effective_to,
            term_start_year: c.term_start_year,
            term_end_year: c.term_end_year,
        }
    }
}

/// The constraints a list breaks when a row it names was deleted after [`check_links`].
const LINKS: [&str; 4] = [
    "agreement_parties_organization_id_fkey",
    "agreement_signatures_signatory_id_fkey",
    "agreement_signatures_organization_id_fkey",
    "agreement_relations_target_id_fkey",
];

/// Another agreement has this number and signing day ([`crate::db::constraints`] knows), or
/// a row the agreement names was deleted meanwhile.
fn write_error(e: DieselError) -> ModelError {
    match LINKS.iter().any(|name| breaks(&e, name)) {
        true => ModelError::Conflict(
            "a referenced organization, signatory or agreement was deleted meanwhile; try again"
                .into(),
        ),
        false => e.into(),
    }
}

/// 422s, one per field at fault, for referenced rows that do not exist.
async fn check_links(
    conn: &mut AsyncPgConnection,
    content: &AgreementContent,
    own_id: Option<Uuid>,
) -> ModelResult<()> {
    let orgs: Vec<Uuid> = (content.parties.iter().map(|p| p.organization_id))
        .chain(content.signatures.iter().filter_map(|s| s.organization_id))
        .collect();
    let orgs = existing_ids(conn, IdTable::Organizations, &orgs).await?;
    let people: Vec<Uuid> = content.signatures.iter().map(|s| s.signatory_id).collect();
    let people = existing_ids(conn, IdTable::Signatories, &people).await?;
    let targets: Vec<Uuid> = content
        .relations
        .iter()
        .filter_map(|r| r.target_id)
        .collect();
    let targets = existing_ids(conn, IdTable::Agreements, &targets).await?;
    let mut errors = Vec::new();
    let missing =
        |field: String, what: &str| FieldError::new(field, "not_found", format!("no such {what}"));
    for (i, p) in content.parties.iter().enumerate() {
        if !orgs.contains(&p.organization_id) {
            errors.push(missing(
                format!("parties.{i}.organization_id"),
                "organization",
            ));
        }
    }
    for (i, s) in content.signatures.iter().enumerate() {
        if !people.contains(&s.signatory_id) {
            errors.push(missing(format!("signatures.{i}.signatory_id"), "signatory"));
        }
        if s.organization_id.is_some_and(|org| !orgs.contains(&org)) {
            errors.push(missing(
                format!("signatures.{i}.organization_id"),
                "organization",
            ));
        }
    }
    for (i, r) in content.relations.iter().enumerate() {
        match r.target_id {
            Some(target) if Some(target) == own_id => errors.push(FieldError::new(
                format!("relations.{i}.agreement_id"),
                "self",
                "an agreement cannot relate to itself",
            )),
            Some(target) if !targets.contains(&target) => {
                errors.push(missing(format!("relations.{i}.agreement_id"), "agreement"))
            }
            _ => {}
        }
    }
    match errors.is_empty() {
        true => Ok(()),
        false => Err(ModelError::Invalid(errors)),
    }
}

/// Replaces the rows of the list `table` that `of_agreement` selects (none when the agreement
/// is new) with `rows`.
async fn replace<T, F, V>(
    conn: &mut AsyncPgConnection,
    table: T,
    of_agreement: Option<F>,
    rows: Vec<V>,
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
    if let Some(of_agreement) = of_agreement {
        diesel::delete(table.filter(of_agreement))
            .execute(conn)
            .await?;
    }
    if !rows.is_empty() {
        diesel::insert_into(table)
            .values(rows)
            .execute(conn)
            .await
            .map_err(write_error)?;
    }
    Ok(())
}

/// Writes the parties, signatures and relations of agreement `id`, in place of those it had
/// unless it is `new`.
async fn write_lists(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    c: &AgreementContent,
    new: bool,
) -> ModelResult<()> {
    use agreement_parties as p;
    use agreement_relations as r;
    use agreement_signatures as s;
    let parties: Vec<_> = (c.parties.iter())
        .map(|party| {
            (
                p::agreement_id.eq(id),
                p::position.eq(party.position),
                p::organization_id.eq(party.organization_id),
                p::role.eq(&party.role),
            )
        })
        .collect();
    let of_agreement = (!new).then_some(p::agreement_id.eq(id));
    replace(conn, p::table, of_agreement, parties).await?;
    let signatures: Vec<_> = (c.signatures.iter())
        .map(|signature| {
            (
                s::agreement_id.eq(id),
                s::position.eq(signature.position),
                s::signatory_id.eq(signature.signatory_id),
                s::organization_id.eq(signature.organization_id),
                s::authority_prefix.eq(&signature.authority_prefix),
                s::signing_title.eq(&signature.signing_title),
                s::positions_at_signing.eq(&signature.positions_at_signing),
            )
        })
        .collect();
    let of_agreement = (!new).then_some(s::agreement_id.eq(id));
    replace(conn, s::table, of_agreement, signatures).await?;
    let relations: Vec<_> = (c.relations.iter().zip(1..))
        .map(|(relation, position)| {
            (
                r::agreement_id.eq(id),
                r::position.eq(position),
                r::kind.eq(&relation.kind),
                r::target_id.eq(relation.target_id),
                r::reference_text.eq(&relation.reference_text),
            )
        })
        .collect();
    let of_agreement = (!new).then_some(r::agreement_id.eq(id));
    replace(conn, r::table, of_agreement, relations).await
}

/// Creates an agreement with its lists in one transaction.
pub async fn create(conn: &mut AsyncPgConnection, content: AgreementContent) -> ModelResult<Uuid> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        check_links(conn, &content, None).await?;
        let id = Uuid::now_v7();
        diesel::insert_into(agreements::table)
            .values((agreements::id.eq(id), Columns::from(&content)))
            .execute(conn)
            .await
            .map_err(write_error)?;
        write_lists(conn, id, &content, true).await?;
        Ok(id)
    })
    .await
}

/// Locks agreement `id` for a write in the current transaction.
async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<()> {
    agreements::table
        .find(id)
        .select(agreements::id)
        .for_update()
        .get_result::<Uuid>(conn)
        .await
        .optional()?
        .map(|_| ())
        .ok_or_else(no_such_agreement)
}

/// The agreement, locked, as an editor reads it.
async fn lock_and_read(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<AgreementRecord> {
    lock(conn, id).await?;
    find(conn, id, false).await?.ok_or_else(no_such_agreement)
}

/// Changes an agreement in one transaction: `decide` sees its locked content and the record
/// as an editor sees it (for `If-Match`) and returns the new content, checked as a whole.
/// Nothing is written (and the version stays) when the content is the same: then it answers
/// `false`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    decide: impl FnOnce(&AgreementContent, &AgreementRecord) -> ModelResult<AgreementContent>
    + Send
    + 'static,
) -> ModelResult<bool> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let record = lock_and_read(conn, id).await?;
        let current = AgreementContent::from(&record);
        let next = decide(&current, &record)?;
        if next == current {
            return Ok(false);
        }
        check_links(conn, &next, Some(id)).await?;
        diesel::update(agreements::table.find(id))
            .set((
                agreements::version.eq(agreements::version + 1),
                agreements::updated_at.eq(diesel::dsl::now),
                Columns::from(&next),
            ))
            .execute(conn)
            .await
            .map_err(write_error)?;
        write_lists(conn, id, &next, false).await?;
        Ok(true)
    })
    .await
}

/// Deletes an agreement after `precondition` accepted it; one that another agreement
/// relates to is a conflict. Returns the agreement as it was, and the storage keys of its
/// attachments, for the caller to remove once this has committed.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    precondition: impl FnOnce(&AgreementRecord) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(AgreementRecord, Vec<String>)> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let record = lock_and_read(conn, id).await?;
        precondition(&record)?;
        let keys = (record.attachments.iter())
            .map(|a| a.storage_key.clone())
            .collect();
        diesel::delete(agreements::table.find(id))
            .execute(conn)
            .await
            .map_err(|e| match breaks(&e, "agreement_relations_target_id_fkey") {
                true => ModelError::Conflict("other agreements relate to this one".into()),
                false => e.into(),
            })?;
        Ok((record, keys))
    })
    .await
}
