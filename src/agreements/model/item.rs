//! One agreement with everything its page shows, read in one statement: its own columns, its
//! derived status, and the lists of [`super::embedded`].

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::embedded::{
    ATTACHMENTS, ArticleRefRow, ArticleRefSql, AttachmentRow, AttachmentSql, PARTIES, PartyRow,
    PartySql, RELATIONS, RelationRow, RelationSql, SIGNATURES, SignatureRow, SignatureSql,
    articles_of,
};
use crate::agreements::kinds::{AgreementStatus, DocType};
use crate::db::schema::agreements;
use crate::db::sql::Sql;
use crate::db::visibility::public_article;
use crate::error::{ModelError, ModelResult};

/// What every read of one agreement answers when there is none.
pub fn no_such_agreement() -> ModelError {
    ModelError::NotFound("agreement")
}

/// Today in the site's time zone.
const TODAY: &str = "(now() AT TIME ZONE (SELECT time_zone FROM site))::date";

/// Where agreement `g` stands: an [`AgreementStatus`] word.
pub(super) static STATUS: LazyLock<String> = LazyLock::new(|| {
    format!(
        "CASE WHEN EXISTS (SELECT 1 FROM agreement_relations rr \
                            WHERE rr.target_id = g.id AND rr.kind = 'replaces') THEN 'superseded' \
              WHEN coalesce(g.effective_from, g.signed_on) > {TODAY} THEN 'upcoming' \
              WHEN g.effective_to < {TODAY} THEN 'expired' \
              ELSE 'in_effect' END"
    )
});

/// What a list row and the item show alike (the columns of [`HEAD`]).
#[derive(Debug, Clone, QueryableByName)]
pub struct AgreementHead {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<Text>)]
    pub document_number: Option<String>,
    #[diesel(sql_type = Text)]
    pub doc_type: DocType,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Text)]
    pub summary: String,
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
    pub status: AgreementStatus,
    #[diesel(sql_type = Array<PartySql>)]
    pub parties: Vec<PartyRow>,
    #[diesel(sql_type = Int4)]
    pub version: i32,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

/// The columns of [`AgreementHead`] (alias `g`).
pub(super) static HEAD: LazyLock<String> = LazyLock::new(|| {
    format!(
        "g.id, g.document_number, g.doc_type, g.title, g.summary, g.place, g.signed_on, \
         g.effective_from, g.effective_to, g.term_start_year, g.term_end_year, \
         {status} AS status, {parties} AS parties, g.version, g.created_at, g.updated_at",
        status = *STATUS,
        parties = *PARTIES,
    )
});

/// An agreement with everything its page shows.
#[derive(Debug, Clone, QueryableByName)]
pub struct AgreementRecord {
    #[diesel(embed)]
    pub head: AgreementHead,
    #[diesel(sql_type = Text)]
    pub body: String,
    #[diesel(sql_type = Array<SignatureSql>)]
    pub signatures: Vec<SignatureRow>,
    #[diesel(sql_type = Array<RelationSql>)]
    pub relations: Vec<RelationRow>,
    /// The articles that report it (anonymous readers: the public ones only).
    #[diesel(sql_type = Array<ArticleRefSql>)]
    pub articles: Vec<ArticleRefRow>,
    #[diesel(sql_type = Array<AttachmentSql>)]
    pub attachments: Vec<AttachmentRow>,
}

/// The item's statement, the articles it lists filtered by `visible` (a condition on `a`).
fn item_statement(visible: &str) -> String {
    format!(
        "SELECT {head}, g.body, {signatures} AS signatures, {relations} AS relations, \
         {articles} AS articles, {attachments} AS attachments FROM agreements g WHERE g.id = ",
        head = *HEAD,
        signatures = *SIGNATURES,
        relations = *RELATIONS,
        articles = articles_of(visible),
        attachments = *ATTACHMENTS,
    )
}

/// The item as anyone reads it: the articles listed are the public ones.
static ITEM_PUBLIC: LazyLock<String> = LazyLock::new(|| item_statement(&public_article("a")));
/// The item as editors read it: every article not in the trash.
static ITEM_EDITOR: LazyLock<String> = LazyLock::new(|| item_statement("a.deleted_at IS NULL"));

/// An agreement; `public_only`: the articles listed are the public ones only.
pub async fn find(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    public_only: bool,
) -> ModelResult<Option<AgreementRecord>> {
    let mut sql = Sql::new(match public_only {
        true => &ITEM_PUBLIC,
        false => &ITEM_EDITOR,
    });
    sql.bind::<SqlUuid, _>(id);
    Ok(sql.get_result(conn).await.optional()?)
}

/// Whether agreement `id` exists.
pub async fn exists(conn: &mut AsyncPgConnection, id: Uuid) -> ModelResult<bool> {
    Ok(
        diesel::select(diesel::dsl::exists(agreements::table.find(id)))
            .get_result(conn)
            .await?,
    )
}
