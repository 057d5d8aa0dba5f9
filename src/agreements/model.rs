//! The `agreements` table with its parties, signatures and relations, read with everything
//! embedded in one query (JSON built by PostgreSQL), written in one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{BigInt, Date, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::sql::{IdTable, Sql, existing_ids, like_escape};
use crate::db::visibility::public_article;
use crate::error::{ApiError, ApiResult, FieldError};
use crate::paging::{Cursor, Paging, Sort, Start};

/// An agreement as the API shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct AgreementRecord {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub document_number: Option<String>,
    #[diesel(sql_type = Text)]
    pub doc_type: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Text)]
    pub place: String,
    #[diesel(sql_type = Nullable<Date>)]
    pub signed_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub effective_from: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    pub effective_to: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Int2>)]
    pub term_start_year: Option<i16>,
    #[diesel(sql_type = Nullable<Int2>)]
    pub term_end_year: Option<i16>,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub parties: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub signatures: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub relations: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub articles: Option<String>,
    /// `[{id, file_name, mime_type, size_bytes, url}]`; `NULL` in lists or when none.
    #[diesel(sql_type = Nullable<Text>)]
    pub attachments: Option<String>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

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

/// Everything an editor writes about an agreement.
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

/// Today in the site's time zone.
const TODAY: &str = "(now() AT TIME ZONE (SELECT time_zone FROM site))::date";

/// The derived status of agreement `g`.
fn status_sql() -> String {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM agreement_relations rr \
                            WHERE rr.target_id = g.id AND rr.kind = 'replaces') THEN 'superseded' \
              WHEN coalesce(g.effective_from, g.signed_on) > {TODAY} THEN 'upcoming' \
              WHEN g.effective_to < {TODAY} THEN 'expired' \
              ELSE 'in_effect' END"
    )
}

const ORG_JSON: &str =
    "json_build_object('id', o.id, 'name', o.name, 'short_name', o.short_name, 'kind', o.kind)";

fn parties_sql() -> String {
    format!(
        "(SELECT json_agg(json_build_object('organization', {ORG_JSON}, 'role', p.role, \
                 'position', p.position) ORDER BY p.position)::text \
            FROM agreement_parties p JOIN organizations o ON o.id = p.organization_id \
           WHERE p.agreement_id = g.id)"
    )
}

fn signatures_sql() -> String {
    format!(
        "(SELECT json_agg(json_build_object( \
                 'signatory', json_build_object('id', s.id, 'full_name', s.full_name, \
                                                'current_position', s.current_position), \
                 'organization', CASE WHEN o.id IS NULL THEN NULL ELSE {ORG_JSON} END, \
                 'authority_prefix', sg.authority_prefix, 'signing_title', sg.signing_title, \
                 'positions_at_signing', sg.positions_at_signing, 'position', sg.position) \
                 ORDER BY sg.position)::text \
            FROM agreement_signatures sg JOIN signatories s ON s.id = sg.signatory_id \
            LEFT JOIN organizations o ON o.id = sg.organization_id \
           WHERE sg.agreement_id = g.id)"
    )
}

const RELATIONS_SQL: &str = "(SELECT json_agg(json_build_object('kind', r.kind, \
         'agreement', CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object('id', t.id, \
              'document_number', t.document_number, 'title', t.title) END, \
         'reference_text', r.reference_text, 'position', r.position) ORDER BY r.position)::text \
    FROM agreement_relations r LEFT JOIN agreements t ON t.id = r.target_id \
   WHERE r.agreement_id = g.id)";

const COLUMNS: &str = "g.id, g.document_number, g.doc_type, g.title, g.summary";

/// A full agreement; `public_only`: the articles listed are the public ones only;
/// attachment URLs under `media`.
fn select_full(public_only: bool, media: &str) -> Sql {
    let articles_where = if public_only {
        format!(" AND {}", public_article("a"))
    } else {
        " AND a.deleted_at IS NULL".to_string()
    };
    let mut sql = Sql::new(&format!(
        "SELECT {COLUMNS}, g.body, g.place, g.signed_on, g.effective_from, g.effective_to, \
         g.term_start_year, g.term_end_year, {} AS status, {} AS parties, {} AS signatures, \
         {RELATIONS_SQL} AS relations, \
         (SELECT json_agg(json_build_object('id', a.id, 'slug', a.slug, 'title', a.title) \
                 ORDER BY a.published_at DESC NULLS LAST, a.id)::text \
            FROM article_agreements aa JOIN articles a ON a.id = aa.article_id \
           WHERE aa.agreement_id = g.id{articles_where}) AS articles, ",
        status_sql(),
        parties_sql(),
        signatures_sql(),
    ));
    super::attachments::attachments_sql(&mut sql, media);
    sql.push(" AS attachments, g.version, g.created_at, g.updated_at FROM agreements g");
    sql
}

/// The signatures of agreement `g` as a list shows them: who signed, as what.
const SIGNATURE_SUMMARIES_SQL: &str = "(SELECT json_agg(json_build_object( \
         'signatory', json_build_object('id', s.id, 'full_name', s.full_name), \
         'signing_title', sg.signing_title, 'position', sg.position) ORDER BY sg.position)::text \
    FROM agreement_signatures sg JOIN signatories s ON s.id = sg.signatory_id \
   WHERE sg.agreement_id = g.id)";

/// A list row: parties and signature summaries embedded; no body, relations or articles.
fn select_summary() -> Sql {
    Sql::new(&format!(
        "SELECT {COLUMNS}, ''::text AS body, g.place, g.signed_on, g.effective_from, \
         g.effective_to, g.term_start_year, g.term_end_year, {} AS status, {} AS parties, \
         {SIGNATURE_SUMMARIES_SQL} AS signatures, NULL::text AS relations, NULL::text AS articles, \
         NULL::text AS attachments, \
         g.version, g.created_at, g.updated_at FROM agreements g",
        status_sql(),
        parties_sql(),
    ))
}

pub fn no_such_agreement() -> ApiError {
    ApiError::NotFound("no such agreement".into())
}

pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    public_only: bool,
    media: &str,
) -> ApiResult<Option<AgreementRecord>> {
    let mut sql = select_full(public_only, media);
    sql.push(" WHERE g.id = ").bind::<SqlUuid, _>(id);
    Ok(sql.get_result(conn).await.optional()?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgreementSort {
    SignedOn,
    Title,
    CreatedAt,
    /// With `q` and no `sort`: number matches first, then by title rank; paged by position.
    Relevance,
}

impl AgreementSort {
    pub fn name(self) -> &'static str {
        match self {
            AgreementSort::SignedOn => "signed_on",
            AgreementSort::Title => "title",
            AgreementSort::CreatedAt => "created_at",
            AgreementSort::Relevance => "relevance",
        }
    }
}

/// Undated agreements sort as if signed on this day (last when newest first).
const NO_DATE: &str = "DATE '0001-01-01'";

#[derive(Debug, Default)]
pub struct AgreementFilter {
    pub q: Option<String>,
    pub doc_type: Option<String>,
    pub party: Option<Uuid>,
    pub signatory: Option<Uuid>,
    pub in_effect_on: Option<NaiveDate>,
    pub signed_from: Option<NaiveDate>,
    pub signed_to: Option<NaiveDate>,
    pub status: Option<String>,
}

/// `g` matches the words or the number of `q`.
fn push_q(sql: &mut Sql, q: &str) {
    sql.push("(g.number_key LIKE '%' || replace(bantin_number_key(")
        .bind::<Text, _>(like_escape(q))
        .push("), '-', '') || '%' OR g.search @@ plainto_tsquery('simple', bantin_fold(")
        .bind::<Text, _>(q.to_string())
        .push(")))");
}

fn where_clause(sql: &mut Sql, filter: &AgreementFilter) {
    sql.push(" WHERE true");
    if let Some(q) = &filter.q {
        sql.push(" AND ");
        push_q(sql, q);
    }
    if let Some(t) = &filter.doc_type {
        sql.push(" AND g.doc_type = ").bind::<Text, _>(t.clone());
    }
    if let Some(party) = filter.party {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_parties fp WHERE fp.agreement_id = g.id AND fp.organization_id = ")
            .bind::<SqlUuid, _>(party)
            .push(")");
    }
    if let Some(signatory) = filter.signatory {
        sql.push(" AND EXISTS (SELECT 1 FROM agreement_signatures fs WHERE fs.agreement_id = g.id AND fs.signatory_id = ")
            .bind::<SqlUuid, _>(signatory)
            .push(")");
    }
    if let Some(day) = filter.in_effect_on {
        sql.push(" AND coalesce(g.effective_from, g.signed_on) <= ")
            .bind::<Date, _>(day)
            .push(" AND (g.effective_to IS NULL OR g.effective_to >= ")
            .bind::<Date, _>(day)
            .push(")");
    }
    if let Some(day) = filter.signed_from {
        sql.push(" AND g.signed_on >= ").bind::<Date, _>(day);
    }
    if let Some(day) = filter.signed_to {
        sql.push(" AND g.signed_on <= ").bind::<Date, _>(day);
    }
    if let Some(status) = &filter.status {
        sql.push(&format!(" AND ({}) = ", status_sql()))
            .bind::<Text, _>(status.clone());
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One page (`limit + 1` rows, parties and signatures embedded) and the total when asked.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AgreementFilter,
    sort: Sort<AgreementSort>,
    paging: &Paging,
) -> ApiResult<(Vec<AgreementRecord>, Option<i64>)> {
    let mut sql = select_summary();
    where_clause(&mut sql, filter);
    let (cmp, dir) = if sort.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut offset = match paging.start {
        Start::Offset(n) => n,
        _ => 0,
    };
    if let Start::After(Some(cursor)) = &paging.start {
        match sort.field {
            AgreementSort::SignedOn => {
                let day = match cursor.text()? {
                    "" => NaiveDate::MIN,
                    text => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                        .map_err(|_| Cursor::invalid())?,
                };
                sql.push(&format!(
                    " AND (coalesce(g.signed_on, {NO_DATE}), g.id) {cmp} (greatest("
                ))
                .bind::<Date, _>(day)
                .push(&format!(", {NO_DATE}), "))
                .bind::<SqlUuid, _>(cursor.id)
                .push(")");
            }
            AgreementSort::Title => {
                sql.push(&format!(
                    " AND (g.title COLLATE \"vi-x-icu\", g.id) {cmp} ("
                ))
                .bind::<Text, _>(cursor.text()?.to_string())
                .push(", ")
                .bind::<SqlUuid, _>(cursor.id)
                .push(")");
            }
            AgreementSort::CreatedAt => {
                sql.push(&format!(" AND (g.created_at, g.id) {cmp} ("))
                    .bind::<Timestamptz, _>(cursor.instant()?)
                    .push(", ")
                    .bind::<SqlUuid, _>(cursor.id)
                    .push(")");
            }
            AgreementSort::Relevance => {
                offset = cursor
                    .value
                    .as_i64()
                    .filter(|n| *n >= 0)
                    .ok_or_else(Cursor::invalid)?;
            }
        }
    }
    match sort.field {
        AgreementSort::SignedOn => {
            sql.push(&format!(
                " ORDER BY coalesce(g.signed_on, {NO_DATE}) {dir}, g.id {dir}"
            ));
        }
        AgreementSort::Title => {
            sql.push(&format!(
                " ORDER BY g.title COLLATE \"vi-x-icu\" {dir}, g.id {dir}"
            ));
        }
        AgreementSort::CreatedAt => {
            sql.push(&format!(" ORDER BY g.created_at {dir}, g.id {dir}"));
        }
        AgreementSort::Relevance => {
            let q = filter.q.clone().unwrap_or_default();
            sql.push(" ORDER BY (g.number_key LIKE '%' || replace(bantin_number_key(")
                .bind::<Text, _>(like_escape(&q))
                .push("), '-', '') || '%') DESC, ts_rank_cd(g.search, plainto_tsquery('simple', bantin_fold(")
                .bind::<Text, _>(q)
                .push(&format!(
                    "))) DESC, coalesce(g.signed_on, {NO_DATE}) DESC, g.id DESC"
                ));
        }
    }
    if offset > 0 {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
    let rows = sql.load(conn).await?;
    let total = if paging.with_total {
        let mut count = Sql::new("SELECT count(*) AS n FROM agreements g");
        where_clause(&mut count, filter);
        Some(count.get_result::<Count>(conn).await?.n)
    } else {
        None
    };
    Ok((rows, total))
}

pub fn cursor_of(
    row: &AgreementRecord,
    sort: Sort<AgreementSort>,
    sort_key: &str,
    position: i64,
) -> Cursor {
    let value = match sort.field {
        AgreementSort::SignedOn => row
            .signed_on
            .map_or(String::new(), |d| d.format("%Y-%m-%d").to_string())
            .into(),
        AgreementSort::Title => row.title.clone().into(),
        AgreementSort::CreatedAt => row.created_at.to_rfc3339().into(),
        AgreementSort::Relevance => (position + 1).into(),
    };
    Cursor {
        sort: sort_key.to_string(),
        value,
        id: row.id,
    }
}

/// 422s, one per field at fault, for referenced rows that do not exist.
async fn check_links(
    conn: &mut AsyncPgConnection,
    content: &AgreementContent,
    own_id: Option<Uuid>,
) -> ApiResult<()> {
    let orgs: Vec<Uuid> = content
        .parties
        .iter()
        .map(|p| p.organization_id)
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
    for (i, p) in content.parties.iter().enumerate() {
        if !orgs.contains(&p.organization_id) {
            errors.push(FieldError::new(
                format!("parties.{i}.organization_id"),
                "not_found",
                "no such organization",
            ));
        }
    }
    for (i, s) in content.signatures.iter().enumerate() {
        if !people.contains(&s.signatory_id) {
            errors.push(FieldError::new(
                format!("signatures.{i}.signatory_id"),
                "not_found",
                "no such signatory",
            ));
        }
        if let Some(org) = s.organization_id
            && !orgs.contains(&org)
        {
            errors.push(FieldError::new(
                format!("signatures.{i}.organization_id"),
                "not_found",
                "no such organization",
            ));
        }
    }
    for (i, r) in content.relations.iter().enumerate() {
        if let Some(target) = r.target_id {
            if Some(target) == own_id {
                errors.push(FieldError::new(
                    format!("relations.{i}.agreement_id"),
                    "self",
                    "an agreement cannot relate to itself",
                ));
            } else if !targets.contains(&target) {
                errors.push(FieldError::new(
                    format!("relations.{i}.agreement_id"),
                    "not_found",
                    "no such agreement",
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Another agreement has this number and signing day; or a referenced row went meanwhile.
fn write_error(e: DieselError) -> ApiError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict(
            "an agreement with this document number and signing day already exists".into(),
        ),
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => ApiError::Conflict(
            "a referenced organization, signatory or agreement was deleted meanwhile; try again"
                .into(),
        ),
        other => other.into(),
    }
}

/// Writes the agreement's own row (insert when `insert`, else update) and replaces its lists.
async fn store(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    c: &AgreementContent,
    insert: bool,
) -> ApiResult<()> {
    let mut sql = if insert {
        let mut sql = Sql::new(
            "INSERT INTO agreements (id, document_number, doc_type, title, summary, body, place, \
             signed_on, effective_from, effective_to, term_start_year, term_end_year) VALUES (",
        );
        sql.bind::<SqlUuid, _>(id).push(", ");
        sql
    } else {
        Sql::new(
            "UPDATE agreements SET version = version + 1, updated_at = now(), \
             (document_number, doc_type, title, summary, body, place, signed_on, \
              effective_from, effective_to, term_start_year, term_end_year) = ROW(",
        )
    };
    sql.bind::<Nullable<Text>, _>(c.document_number.clone())
        .push(", ")
        .bind::<Text, _>(c.doc_type.clone())
        .push(", ")
        .bind::<Text, _>(c.title.clone())
        .push(", ")
        .bind::<Text, _>(c.summary.clone())
        .push(", ")
        .bind::<Text, _>(c.body.clone())
        .push(", ")
        .bind::<Text, _>(c.place.clone())
        .push(", ")
        .bind::<Nullable<Date>, _>(c.signed_on)
        .push(", ")
        .bind::<Nullable<Date>, _>(c.effective_from)
        .push(", ")
        .bind::<Nullable<Date>, _>(c.effective_to)
        .push(", ")
        .bind::<Nullable<Int2>, _>(c.term_start_year)
        .push(", ")
        .bind::<Nullable<Int2>, _>(c.term_end_year)
        .push(")");
    if !insert {
        sql.push(" WHERE id = ").bind::<SqlUuid, _>(id);
    }
    sql.execute(conn).await.map_err(write_error)?;
    for table in [
        "agreement_parties",
        "agreement_signatures",
        "agreement_relations",
    ] {
        let mut del = Sql::new(&format!("DELETE FROM {table} WHERE agreement_id = "));
        del.bind::<SqlUuid, _>(id);
        del.execute(conn).await?;
    }
    for p in &c.parties {
        let mut sql = Sql::new(
            "INSERT INTO agreement_parties (agreement_id, position, organization_id, role) VALUES (",
        );
        sql.bind::<SqlUuid, _>(id)
            .push(", ")
            .bind::<Int4, _>(p.position)
            .push(", ")
            .bind::<SqlUuid, _>(p.organization_id)
            .push(", ")
            .bind::<Text, _>(p.role.clone())
            .push(")");
        sql.execute(conn).await.map_err(write_error)?;
    }
    for s in &c.signatures {
        let mut sql = Sql::new(
            "INSERT INTO agreement_signatures (agreement_id, position, signatory_id, \
             organization_id, authority_prefix, signing_title, positions_at_signing) VALUES (",
        );
        sql.bind::<SqlUuid, _>(id)
            .push(", ")
            .bind::<Int4, _>(s.position)
            .push(", ")
            .bind::<SqlUuid, _>(s.signatory_id)
            .push(", ")
            .bind::<Nullable<SqlUuid>, _>(s.organization_id)
            .push(", ")
            .bind::<Nullable<Text>, _>(s.authority_prefix.clone())
            .push(", ")
            .bind::<Text, _>(s.signing_title.clone())
            .push(", ")
            .bind::<Text, _>(s.positions_at_signing.clone())
            .push(")");
        sql.execute(conn).await.map_err(write_error)?;
    }
    for (i, r) in c.relations.iter().enumerate() {
        let mut sql = Sql::new(
            "INSERT INTO agreement_relations (agreement_id, position, kind, target_id, \
             reference_text) VALUES (",
        );
        sql.bind::<SqlUuid, _>(id)
            .push(", ")
            .bind::<Int4, _>(i as i32 + 1)
            .push(", ")
            .bind::<Text, _>(r.kind.clone())
            .push(", ")
            .bind::<Nullable<SqlUuid>, _>(r.target_id)
            .push(", ")
            .bind::<Nullable<Text>, _>(r.reference_text.clone())
            .push(")");
        sql.execute(conn).await.map_err(write_error)?;
    }
    Ok(())
}

/// Creates an agreement with its lists in one transaction.
pub async fn create(conn: &mut AsyncPgConnection, content: AgreementContent) -> ApiResult<Uuid> {
    conn.transaction::<_, ApiError, _>(async move |conn| {
        check_links(conn, &content, None).await?;
        let id = Uuid::now_v7();
        store(conn, id, &content, true).await?;
        Ok(id)
    })
    .await
}

/// The stored content of an agreement, locked for a write.
async fn lock_content(conn: &mut AsyncPgConnection, id: Uuid) -> ApiResult<AgreementContent> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        document_number: Option<String>,
        #[diesel(sql_type = Text)]
        doc_type: String,
        #[diesel(sql_type = Text)]
        title: String,
        #[diesel(sql_type = Text)]
        summary: String,
        #[diesel(sql_type = Text)]
        body: String,
        #[diesel(sql_type = Text)]
        place: String,
        #[diesel(sql_type = Nullable<Date>)]
        signed_on: Option<NaiveDate>,
        #[diesel(sql_type = Nullable<Date>)]
        effective_from: Option<NaiveDate>,
        #[diesel(sql_type = Nullable<Date>)]
        effective_to: Option<NaiveDate>,
        #[diesel(sql_type = Nullable<Int2>)]
        term_start_year: Option<i16>,
        #[diesel(sql_type = Nullable<Int2>)]
        term_end_year: Option<i16>,
        /// `[{organization_id, role, position}]`, `[{…signature}]`, `[{kind, target_id, reference_text}]`.
        #[diesel(sql_type = Text)]
        lists: String,
    }
    let mut sql = Sql::new(
        "SELECT g.document_number, g.doc_type, g.title, g.summary, g.body, g.place, g.signed_on, \
         g.effective_from, g.effective_to, g.term_start_year, g.term_end_year, json_build_array( \
           (SELECT coalesce(json_agg(json_build_array(p.organization_id, p.role, p.position) \
                   ORDER BY p.position), '[]') FROM agreement_parties p WHERE p.agreement_id = g.id), \
           (SELECT coalesce(json_agg(json_build_array(s.signatory_id, s.organization_id, \
                   s.authority_prefix, s.signing_title, s.positions_at_signing, s.position) \
                   ORDER BY s.position), '[]') FROM agreement_signatures s WHERE s.agreement_id = g.id), \
           (SELECT coalesce(json_agg(json_build_array(r.kind, r.target_id, r.reference_text) \
                   ORDER BY r.position), '[]') FROM agreement_relations r WHERE r.agreement_id = g.id) \
         )::text AS lists FROM agreements g WHERE g.id = ",
    );
    sql.bind::<SqlUuid, _>(id).push(" FOR UPDATE OF g");
    let row: Row = sql
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(no_such_agreement)?;
    type Lists = (
        Vec<(Uuid, String, i32)>,
        Vec<(Uuid, Option<Uuid>, Option<String>, String, String, i32)>,
        Vec<(String, Option<Uuid>, Option<String>)>,
    );
    let (parties, signatures, relations): Lists =
        serde_json::from_str(&row.lists).map_err(ApiError::internal)?;
    Ok(AgreementContent {
        document_number: row.document_number,
        doc_type: row.doc_type,
        title: row.title,
        summary: row.summary,
        body: row.body,
        place: row.place,
        signed_on: row.signed_on,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
        term_start_year: row.term_start_year,
        term_end_year: row.term_end_year,
        parties: parties
            .into_iter()
            .map(|(organization_id, role, position)| Party {
                organization_id,
                role,
                position,
            })
            .collect(),
        signatures: signatures
            .into_iter()
            .map(
                |(
                    signatory_id,
                    organization_id,
                    authority_prefix,
                    signing_title,
                    positions_at_signing,
                    position,
                )| Signature {
                    signatory_id,
                    organization_id,
                    authority_prefix,
                    signing_title,
                    positions_at_signing,
                    position,
                },
            )
            .collect(),
        relations: relations
            .into_iter()
            .map(|(kind, target_id, reference_text)| Relation {
                kind,
                target_id,
                reference_text,
            })
            .collect(),
    })
}

/// Changes an agreement in one transaction: `decide` sees its locked content and the record
/// as an editor sees it (for `If-Match`) and returns the new content, which is checked as a
/// whole (date order included) by `check`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    decide: impl FnOnce(&AgreementContent, &AgreementRecord) -> ApiResult<AgreementContent>
    + Send
    + 'static,
) -> ApiResult<()> {
    let media = media.to_string();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        let current = lock_content(conn, id).await?;
        let record = find(conn, id, false, &media)
            .await?
            .ok_or_else(no_such_agreement)?;
        let next = decide(&current, &record)?;
        if next == current {
            return Ok(());
        }
        check_links(conn, &next, Some(id)).await?;
        store(conn, id, &next, false).await
    })
    .await
}

/// Deletes an agreement after `precondition` accepted it; one that another agreement
/// relates to is a 409. Returns the storage keys of its attachments, for the caller to
/// remove once this has committed.
pub async fn delete(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    media: &str,
    precondition: impl FnOnce(&AgreementRecord) -> ApiResult<()> + Send + 'static,
) -> ApiResult<Vec<String>> {
    let media = media.to_string();
    conn.transaction::<_, ApiError, _>(async move |conn| {
        lock_content(conn, id).await?;
        let record = find(conn, id, false, &media)
            .await?
            .ok_or_else(no_such_agreement)?;
        precondition(&record)?;
        let keys = super::attachments::keys_of(conn, id).await?;
        let mut sql = Sql::new("DELETE FROM agreements WHERE id = ");
        sql.bind::<SqlUuid, _>(id);
        sql.execute(conn).await.map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict("other agreements relate to this one".into())
            }
            other => other.into(),
        })?;
        Ok(keys)
    })
    .await
}

/// What a signatory signed, newest first, with the positions held then.
#[derive(Debug, QueryableByName)]
pub struct SignedRow {
    #[diesel(sql_type = Text)]
    pub json: String,
}

pub async fn signed_by(conn: &mut AsyncPgConnection, signatory: Uuid) -> ApiResult<Vec<SignedRow>> {
    let mut sql = Sql::new(&format!(
        "SELECT json_build_object( \
           'agreement', json_build_object('id', g.id, 'document_number', g.document_number, 'title', g.title), \
           'doc_type', g.doc_type, 'signed_on', g.signed_on, \
           'organization', CASE WHEN o.id IS NULL THEN NULL ELSE {ORG_JSON} END, \
           'authority_prefix', sg.authority_prefix, 'signing_title', sg.signing_title, \
           'positions_at_signing', sg.positions_at_signing)::text AS json \
         FROM agreement_signatures sg JOIN agreements g ON g.id = sg.agreement_id \
         LEFT JOIN organizations o ON o.id = sg.organization_id WHERE sg.signatory_id = "
    ));
    sql.bind::<SqlUuid, _>(signatory).push(&format!(
        " ORDER BY coalesce(g.signed_on, {NO_DATE}) DESC, g.id DESC LIMIT 1000"
    ));
    Ok(sql.load(conn).await?)
}
