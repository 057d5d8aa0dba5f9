//! Agreements in a list, parties and signature summaries embedded, filtered, sorted and
//! paged in one statement; and what a signatory signed.

use std::sync::LazyLock;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Date, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::embedded::{
    AgreementRefRow, OrganizationRow, SIGNATURE_SUMMARIES, SignatureSummaryRow, SignatureSummarySql,
};
use super::item::{AgreementHead, HEAD, STATUS};
use crate::agreements::kinds::{AgreementStatus, AuthorityPrefix, DocType};
use crate::db::keyset::{self, KeyValue, Order};
use crate::db::schema::{agreement_signatures, agreements, organizations};
use crate::db::sql::{Sql, like_escape};
use crate::domain::limits::SIGNED_AGREEMENTS_MAX;
use crate::error::ModelResult;
use crate::paging::{Paging, Start};

/// An agreement in a list: parties and signature summaries embedded.
#[derive(Debug, Clone, QueryableByName)]
pub struct AgreementListRow {
    #[diesel(embed)]
    pub head: AgreementHead,
    #[diesel(sql_type = Array<SignatureSummarySql>)]
    pub signatures: Vec<SignatureSummaryRow>,
}

/// The list's statement, before its filters and its order.
static LIST: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {head}, {signatures} AS signatures FROM agreements g",
        head = *HEAD,
        signatures = *SIGNATURE_SUMMARIES,
    )
});

/// Undated agreements sort as if signed on this day (last when newest first).
const NO_DATE: &str = "DATE '0001-01-01'";

/// The day [`NO_DATE`] names, for cursors that start after an undated agreement.
pub const UNDATED: NaiveDate = NaiveDate::from_ymd_opt(1, 1, 1).expect("a valid date");

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

/// What the list is filtered by.
#[derive(Debug, Default)]
pub struct AgreementFilter {
    pub q: Option<String>,
    pub doc_type: Option<DocType>,
    pub party: Option<Uuid>,
    pub signatory: Option<Uuid>,
    pub in_effect_on: Option<NaiveDate>,
    pub signed_from: Option<NaiveDate>,
    pub signed_to: Option<NaiveDate>,
    pub status: Option<AgreementStatus>,
}

/// `g`'s number contains the number `q` (however it is typed).
fn push_number_match(sql: &mut Sql, q: &str) {
    sql.push("(g.number_key LIKE '%' || replace(bantin_number_key(")
        .bind::<Text, _>(like_escape(q))
        .push("), '-', '') || '%')");
}

/// The words of `q`, as `g.search` is searched.
fn push_words(sql: &mut Sql, q: &str) {
    sql.push("plainto_tsquery('simple', bantin_fold(")
        .bind::<Text, _>(q.to_string())
        .push("))");
}

fn where_clause(sql: &mut Sql, filter: &AgreementFilter) {
    sql.push(" WHERE true");
    if let Some(q) = &filter.q {
        sql.push(" AND (");
        push_number_match(sql, q);
        sql.push(" OR g.search @@ ");
        push_words(sql, q);
        sql.push(")");
    }
    if let Some(doc_type) = filter.doc_type {
        sql.push(" AND g.doc_type = ").bind::<Text, _>(doc_type);
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
    if let Some(status) = filter.status {
        sql.push(&format!(" AND ({}) = ", *STATUS))
            .bind::<Text, _>(status);
    }
}

/// The sort key of a keyset sort, an expression of `g`; relevance is paged by position.
fn sort_column(sort: AgreementSort) -> Option<String> {
    match sort {
        AgreementSort::SignedOn => Some(format!("coalesce(g.signed_on, {NO_DATE})")),
        AgreementSort::Title => Some("g.title COLLATE \"vi-x-icu\"".into()),
        AgreementSort::CreatedAt => Some("g.created_at".into()),
        AgreementSort::Relevance => None,
    }
}

/// The order by relevance to `q`: number matches first, then by the rank of the words, then
/// newest first; paged by position (`paging` starts at an offset).
fn push_relevance(sql: &mut Sql, q: &str, paging: &Paging) {
    sql.push(" ORDER BY ");
    push_number_match(sql, q);
    sql.push(" DESC, ts_rank_cd(g.search, ");
    push_words(sql, q);
    sql.push(&format!(
        ") DESC, coalesce(g.signed_on, {NO_DATE}) DESC, g.id DESC"
    ));
    if let Start::Offset(offset) = paging.start
        && offset > 0
    {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
}

/// One page (`limit + 1` rows) in `descending` order of `sort`, starting `after` the sort
/// value and id of the previous page's last row (keyset sorts) or at `paging`'s offset
/// (numbered pages, and relevance, which is paged by position); and the total when asked.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AgreementFilter,
    sort: AgreementSort,
    descending: bool,
    after: Option<(KeyValue, Uuid)>,
    paging: &Paging,
) -> ModelResult<(Vec<AgreementListRow>, Option<i64>)> {
    let mut sql = Sql::new(&LIST);
    where_clause(&mut sql, filter);
    match sort_column(sort) {
        Some(column) => {
            let order = Order {
                columns: &[&column],
                id: "g.id",
                descending,
            };
            keyset::page(&mut sql, &order, after.map(|(v, id)| (vec![v], id)), paging);
        }
        None => push_relevance(&mut sql, filter.q.as_deref().unwrap_or_default(), paging),
    }
    let rows = sql.load(conn).await?;
    let mut count = Sql::new("SELECT count(*) AS n FROM agreements g");
    where_clause(&mut count, filter);
    Ok((rows, keyset::total(conn, count, paging).await?))
}

/// What a signatory signed: the agreement and the signature block.
#[derive(Debug, Clone, PartialEq, Queryable)]
pub struct SignedRow {
    pub agreement: AgreementRefRow,
    pub doc_type: DocType,
    pub signed_on: Option<NaiveDate>,
    /// The body signed for.
    pub organization: Option<OrganizationRow>,
    pub authority_prefix: Option<AuthorityPrefix>,
    pub signing_title: String,
    pub positions_at_signing: String,
}

/// What `signatory` signed, newest first (undated last).
pub async fn signed_by(
    conn: &mut AsyncPgConnection,
    signatory: Uuid,
) -> ModelResult<Vec<SignedRow>> {
    Ok(agreement_signatures::table
        .inner_join(agreements::table)
        .left_join(organizations::table)
        .filter(agreement_signatures::signatory_id.eq(signatory))
        .select((
            (
                agreements::id,
                agreements::document_number,
                agreements::title,
            ),
            agreements::doc_type,
            agreements::signed_on,
            (
                organizations::id,
                organizations::name,
                organizations::short_name,
                organizations::kind,
            )
                .nullable(),
            agreement_signatures::authority_prefix,
            agreement_signatures::signing_title,
            agreement_signatures::positions_at_signing,
        ))
        .order((
            agreements::signed_on.desc().nulls_last(),
            agreements::id.desc(),
        ))
        .limit(SIGNED_AGREEMENTS_MAX)
        .load(conn)
        .await?)
}
