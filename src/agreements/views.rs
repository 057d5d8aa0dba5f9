//! Request and response bodies of `/agreements`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::AgreementRecord;
use crate::http::{non_null, nullable};
use crate::signatories::views::OrganizationRef;

/// The kind of document, chosen by the editor (never derived from the number's
/// abbreviation, which differs between state and Party documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocType {
    /// Quy chế
    QuyChe,
    /// Chương trình
    ChuongTrinh,
    /// Kế hoạch
    KeHoach,
    /// Nghị quyết
    NghiQuyet,
    /// Quyết định
    QuyetDinh,
    /// Bản ghi nhớ
    BanGhiNho,
    /// Thỏa thuận
    ThoaThuan,
    /// Khác
    Khac,
}

impl DocType {
    pub const ALL: [DocType; 8] = [
        DocType::QuyChe,
        DocType::ChuongTrinh,
        DocType::KeHoach,
        DocType::NghiQuyet,
        DocType::QuyetDinh,
        DocType::BanGhiNho,
        DocType::ThoaThuan,
        DocType::Khac,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DocType::QuyChe => "quy_che",
            DocType::ChuongTrinh => "chuong_trinh",
            DocType::KeHoach => "ke_hoach",
            DocType::NghiQuyet => "nghi_quyet",
            DocType::QuyetDinh => "quyet_dinh",
            DocType::BanGhiNho => "ban_ghi_nho",
            DocType::ThoaThuan => "thoa_thuan",
            DocType::Khac => "khac",
        }
    }

    /// The Vietnamese name.
    pub fn label(self) -> &'static str {
        match self {
            DocType::QuyChe => "Quy chế",
            DocType::ChuongTrinh => "Chương trình",
            DocType::KeHoach => "Kế hoạch",
            DocType::NghiQuyet => "Nghị quyết",
            DocType::QuyetDinh => "Quyết định",
            DocType::BanGhiNho => "Bản ghi nhớ",
            DocType::ThoaThuan => "Thỏa thuận",
            DocType::Khac => "Khác",
        }
    }
}

/// A document type with its Vietnamese label.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "quy_che", "label": "Quy chế"}))]
pub struct DocTypeView {
    pub code: DocType,
    pub label: &'static str,
}

/// A party's part in an agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PartyRole {
    /// Chủ trì: the presiding body.
    Lead,
    /// Phối hợp.
    Partner,
}

impl PartyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            PartyRole::Lead => "lead",
            PartyRole::Partner => "partner",
        }
    }
}

/// The authority a signature is given under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum AuthorityPrefix {
    /// Thay mặt: for a collective.
    #[serde(rename = "TM.")]
    Tm,
    /// Ký thay: a deputy for the head.
    #[serde(rename = "KT.")]
    Kt,
    /// Quyền: acting head.
    #[serde(rename = "Q.")]
    Q,
    /// Thừa lệnh.
    #[serde(rename = "TL.")]
    Tl,
    /// Thừa ủy quyền.
    #[serde(rename = "TUQ.")]
    Tuq,
}

impl AuthorityPrefix {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorityPrefix::Tm => "TM.",
            AuthorityPrefix::Kt => "KT.",
            AuthorityPrefix::Q => "Q.",
            AuthorityPrefix::Tl => "TL.",
            AuthorityPrefix::Tuq => "TUQ.",
        }
    }
}

/// How an agreement relates to another document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Thay thế.
    Replaces,
    /// Sửa đổi, bổ sung.
    Amends,
    /// Bãi bỏ.
    Repeals,
    /// Đính chính.
    Corrects,
    /// Căn cứ.
    BasedOn,
    /// Thực hiện, hướng dẫn thi hành.
    Implements,
    /// Dẫn chiếu.
    References,
}

impl RelationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Replaces => "replaces",
            RelationKind::Amends => "amends",
            RelationKind::Repeals => "repeals",
            RelationKind::Corrects => "corrects",
            RelationKind::BasedOn => "based_on",
            RelationKind::Implements => "implements",
            RelationKind::References => "references",
        }
    }
}

/// Where an agreement stands, computed on read from its dates (in the site's time zone) and
/// from the agreements that replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgreementStatus {
    /// Takes effect later (`effective_from`, else `signed_on`, is after today).
    Upcoming,
    InEffect,
    /// `effective_to` has passed.
    Expired,
    /// Another agreement `replaces` it.
    Superseded,
}

impl AgreementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AgreementStatus::Upcoming => "upcoming",
            AgreementStatus::InEffect => "in_effect",
            AgreementStatus::Expired => "expired",
            AgreementStatus::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "upcoming" => Some(AgreementStatus::Upcoming),
            "in_effect" => Some(AgreementStatus::InEffect),
            "expired" => Some(AgreementStatus::Expired),
            "superseded" => Some(AgreementStatus::Superseded),
            _ => None,
        }
    }
}

/// A party of an agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyView {
    pub organization: OrganizationRef,
    pub role: PartyRole,
    pub position: i32,
}

/// The signatory as embedded in a signature.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatoryRef {
    pub id: Uuid,
    pub full_name: String,
    /// The position held now (compare `positions_at_signing`).
    pub current_position: String,
}

/// One signature block.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureView {
    pub signatory: SignatoryRef,
    /// The body signed for.
    pub organization: Option<OrganizationRef>,
    pub authority_prefix: Option<AuthorityPrefix>,
    /// The title under the signature: `Trưởng Ban Dân vận Tỉnh ủy`.
    pub signing_title: String,
    /// The positions held that day.
    pub positions_at_signing: String,
    pub position: i32,
}

/// A signatory as named in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatoryName {
    pub id: Uuid,
    pub full_name: String,
}

/// A signature as a list shows it: who signed, as what (the item has the rest).
#[derive(Debug, Serialize, ToSchema)]
pub struct SignatureSummary {
    pub signatory: SignatoryName,
    pub signing_title: String,
    pub position: i32,
}

/// Another agreement, as named by a relation or an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementRef {
    pub id: Uuid,
    pub document_number: Option<String>,
    pub title: String,
}

/// A relation to another agreement, or to a document outside the CMS by its reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationView {
    pub kind: RelationKind,
    pub agreement: Option<AgreementRef>,
    /// `Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị`.
    pub reference_text: Option<String>,
    pub position: i32,
}

/// An article that reports an agreement.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleRef {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// An agreement (quy chế, chương trình phối hợp…) between bodies.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b60", "document_number": "31B-QCPH/BDV-ĐĐHĐND",
    "doc_type": "quy_che", "doc_type_label": "Quy chế",
    "title": "Quy chế phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy với Đảng Đoàn HĐND tỉnh",
    "summary": "", "body": "", "place": "Lai Châu", "signed_on": "2013-05-16",
    "effective_from": null, "effective_to": null, "term_start_year": null, "term_end_year": null,
    "status": "in_effect",
    "parties": [{"organization": {"id": "0193a0c4-5b7e-7c61-9d1e-2f1e0c7a5b40", "name": "Ban Dân vận Tỉnh ủy", "short_name": "BDV", "kind": "party"}, "role": "lead", "position": 1}],
    "signatures": [], "relations": [{"kind": "based_on", "agreement": null, "reference_text": "Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị", "position": 1}],
    "articles": [], "attachments": [], "version": 1, "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"
}))]
pub struct AgreementView {
    pub id: Uuid,
    /// Exactly as printed; `null` when the document has no number.
    pub document_number: Option<String>,
    pub doc_type: DocType,
    /// The type's Vietnamese name.
    pub doc_type_label: &'static str,
    /// Tên loại và trích yếu. Plain text: escape it when rendering HTML.
    pub title: String,
    /// Plain text: escape it when rendering HTML.
    pub summary: String,
    /// Sanitised HTML, safe to insert as is.
    pub body: String,
    /// Where it was signed: `Lai Châu`.
    pub place: String,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    /// A term or period, `giai đoạn 2021 - 2026`.
    pub term_start_year: Option<i16>,
    pub term_end_year: Option<i16>,
    pub status: AgreementStatus,
    #[schema(value_type = Vec<PartyView>)]
    pub parties: Box<RawValue>,
    #[schema(value_type = Vec<SignatureView>)]
    pub signatures: Box<RawValue>,
    #[schema(value_type = Vec<RelationView>)]
    pub relations: Box<RawValue>,
    /// Articles that report it (anonymous readers: published ones only).
    #[schema(value_type = Vec<ArticleRef>)]
    pub articles: Box<RawValue>,
    /// The signed PDF and other files, downloadable by anyone.
    #[schema(value_type = Vec<super::attachments::AttachmentView>)]
    pub attachments: Box<RawValue>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An agreement in a list: no `body`, `relations`, `articles` or `attachments`; signatures
/// as summaries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    pub id: Uuid,
    pub document_number: Option<String>,
    pub doc_type: DocType,
    pub doc_type_label: &'static str,
    pub title: String,
    pub summary: String,
    pub place: String,
    pub signed_on: Option<NaiveDate>,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    pub term_start_year: Option<i16>,
    pub term_end_year: Option<i16>,
    pub status: AgreementStatus,
    #[schema(value_type = Vec<PartyView>)]
    pub parties: Box<RawValue>,
    #[schema(value_type = Vec<SignatureSummary>)]
    pub signatures: Box<RawValue>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// JSON built by the database, written compactly (PostgreSQL's `json_build_object` and
/// `json_agg` put spaces and line breaks in; a page of agreements is a third smaller without).
fn raw(json: Option<String>) -> Box<RawValue> {
    json.and_then(|j| {
        let value: serde_json::Value = serde_json::from_str(&j).ok()?;
        serde_json::value::to_raw_value(&value).ok()
    })
    .unwrap_or_else(crate::http::empty_list)
}

fn doc_type(code: &str) -> DocType {
    DocType::ALL
        .into_iter()
        .find(|d| d.code() == code)
        .unwrap_or(DocType::Khac)
}

impl From<AgreementRecord> for AgreementView {
    fn from(r: AgreementRecord) -> Self {
        let doc_type = doc_type(&r.doc_type);
        AgreementView {
            id: r.id,
            document_number: r.document_number,
            doc_type,
            doc_type_label: doc_type.label(),
            title: r.title,
            summary: r.summary,
            body: r.body,
            place: r.place,
            signed_on: r.signed_on,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            term_start_year: r.term_start_year,
            term_end_year: r.term_end_year,
            status: AgreementStatus::parse(&r.status).unwrap_or(AgreementStatus::InEffect),
            parties: raw(r.parties),
            signatures: raw(r.signatures),
            relations: raw(r.relations),
            articles: raw(r.articles),
            attachments: raw(r.attachments),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl From<AgreementRecord> for AgreementSummary {
    fn from(r: AgreementRecord) -> Self {
        let doc_type = doc_type(&r.doc_type);
        AgreementSummary {
            id: r.id,
            document_number: r.document_number,
            doc_type,
            doc_type_label: doc_type.label(),
            title: r.title,
            summary: r.summary,
            place: r.place,
            signed_on: r.signed_on,
            effective_from: r.effective_from,
            effective_to: r.effective_to,
            term_start_year: r.term_start_year,
            term_end_year: r.term_end_year,
            status: AgreementStatus::parse(&r.status).unwrap_or(AgreementStatus::InEffect),
            parties: raw(r.parties),
            signatures: raw(r.signatures),
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

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
    /// `signed_on` (default `-signed_on`; undated ones last), `title` (Vietnamese order) or
    /// `created_at`; `-` prefix for descending.
    #[param(example = "-signed_on")]
    pub sort: Option<String>,
}

/// What a signatory signed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedAgreement {
    pub agreement: AgreementRef,
    pub doc_type: DocType,
    pub signed_on: Option<NaiveDate>,
    pub organization: Option<OrganizationRef>,
    pub authority_prefix: Option<AuthorityPrefix>,
    pub signing_title: String,
    /// The positions held that day.
    pub positions_at_signing: String,
}
