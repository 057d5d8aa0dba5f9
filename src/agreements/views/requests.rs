//! What `/agreements` accepts: a new agreement, a change, the filters of the list.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::agreements::kinds::{
    AgreementStatus, AuthorityPrefix, DocType, PartyRole, RelationKind,
};
use crate::agreements::model::AgreementSort;
use crate::http::{non_null, nullable};

/// A party, by id.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub organization_id: Uuid,
    pub role: PartyRole,
    /// Display order, unique in the agreement; the item's index + 1 when absent.
    #[serde(default, deserialize_with = "crate::http::int32_or_null")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1000)]
    pub position: Option<i32>,
}

/// A signature block, by ids.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureInput {
    pub signatory_id: Uuid,
    /// The body signed for.
    pub organization_id: Option<Uuid>,
    pub authority_prefix: Option<AuthorityPrefix>,
    /// 1–300 characters.
    pub signing_title: String,
    /// At most 500 characters: the positions held that day.
    pub positions_at_signing: Option<String>,
    #[serde(default, deserialize_with = "crate::http::int32_or_null")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1000)]
    pub position: Option<i32>,
}

/// A relation: to an agreement of the CMS (`agreement_id`) or to another document by its
/// reference (`reference_text`), exactly one of the two.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationInput {
    pub kind: RelationKind,
    pub agreement_id: Option<Uuid>,
    /// At most 500 characters.
    pub reference_text: Option<String>,
}

/// A new agreement with its parties, signatures and relations (written together, or not
/// at all).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "document_number": "31B-QCPH/BDV-ĐĐHĐND", "doc_type": "quy_che",
    "title": "Quy chế phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy với Đảng Đoàn HĐND tỉnh",
    "place": "Lai Châu", "signed_on": "2013-05-16",
    "parties": [{"organization_id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40", "role": "lead", "position": 1}],
    "relations": [{"kind": "based_on", "reference_text": "Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị"}]
}))]
pub struct CreateAgreement {
    /// As printed, at most 100 characters; kept exactly (case, letters such as `31B`).
    pub document_number: Option<String>,
    pub doc_type: DocType,
    /// Plain text (kept as written, `<` included), 1–1,000 characters.
    pub title: String,
    /// Plain text, at most 4,000 characters.
    pub summary: Option<String>,
    /// HTML, sanitised, at most 512 KiB.
    pub body: Option<String>,
    /// At most 200 characters.
    pub place: Option<String>,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    /// On or after `effective_from` (else 422).
    pub effective_to: Option<NaiveDate>,
    /// 1900–2200 (else 422).
    #[serde(default, deserialize_with = "crate::http::int32_or_null")]
    #[schema(value_type = Option<i32>)]
    pub term_start_year: Option<i32>,
    /// At or after `term_start_year`, 1900–2200 (else 422).
    #[serde(default, deserialize_with = "crate::http::int32_or_null")]
    #[schema(value_type = Option<i32>)]
    pub term_end_year: Option<i32>,
    /// Up to 20.
    pub parties: Option<Vec<PartyInput>>,
    /// Up to 20.
    pub signatures: Option<Vec<SignatureInput>>,
    /// Up to 50.
    pub relations: Option<Vec<RelationInput>>,
}

/// Partial update (JSON merge semantics); a given list replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"effective_to": "2026-12-31"}))]
pub struct UpdateAgreement {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable = true)]
    pub document_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub doc_type: Option<DocType>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub summary: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub body: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub place: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable = true)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable = true)]
    pub effective_from: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable = true)]
    pub effective_to: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "crate::http::nullable_int32")]
    #[schema(value_type = Option<i32>, nullable = true)]
    pub term_start_year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "crate::http::nullable_int32")]
    #[schema(value_type = Option<i32>, nullable = true)]
    pub term_end_year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub parties: Option<Vec<PartyInput>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub signatures: Option<Vec<SignatureInput>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub relations: Option<Vec<RelationInput>>,
}

/// Filters and sorts of `GET /agreements`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgreementFilters {
    /// The document number in the forms people type (`31b-qcph`, `31B-QCPH/BDV-ĐĐHĐND`,
    /// `ddhdnd`, `QCPH/BDV`: case, tone marks, spaces and dashes do not matter) or words of
    /// the title and summary, without diacritics. Ranked (number matches first) when no
    /// `sort` is given.
    #[param(example = "31b-qcph")]
    pub q: Option<String>,
    #[param(inline)]
    pub doc_type: Option<DocType>,
    /// An organisation that is a party.
    pub party: Option<Uuid>,
    /// A signatory who signed it.
    pub signatory: Option<Uuid>,
    /// In effect on this day (`effective_from`, else `signed_on`, on or before it, and
    /// `effective_to` absent or on or after it).
    pub in_effect_on: Option<NaiveDate>,
    /// Signed on or after this day.
    pub signed_from: Option<NaiveDate>,
    /// Signed on or before this day.
    pub signed_to: Option<NaiveDate>,
    #[param(inline)]
    pub status: Option<AgreementStatus>,
    /// The order (see `sort_schema`).
    #[param(schema_with = sort_schema)]
    pub sort: Option<String>,
}

/// The values of `sort`, with the field each names (`-` before one: descending).
pub const SORTS: &[(&str, AgreementSort)] = &[
    ("signed_on", AgreementSort::SignedOn),
    ("title", AgreementSort::Title),
    ("created_at", AgreementSort::CreatedAt),
];

fn sort_schema() -> utoipa::openapi::Object {
    crate::paging::sort_schema(
        SORTS,
        "-signed_on",
        "`signed_on` (default `-signed_on`; undated ones last), `title` (Vietnamese order) or `created_at`; `-` prefix for descending.",
    )
}
