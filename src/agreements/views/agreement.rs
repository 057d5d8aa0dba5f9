//! What `/agreements` answers: an agreement with everything its page shows, an agreement in
//! a list, what a signatory signed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::AttachmentView;
use crate::agreements::kinds::{
    AgreementStatus, AuthorityPrefix, DocType, PartyRole, RelationKind,
};
use crate::agreements::model::embedded::{
    AgreementRefRow, ArticleRefRow, OrganizationRow, PartyRow, RelationRow, SignatureRow,
    SignatureSummaryRow,
};
use crate::agreements::model::{AgreementHead, AgreementListRow, AgreementRecord, SignedRow};
use crate::organizations::views::OrganizationKind;
use crate::signatories::views::OrganizationRef;

/// A document type with its Vietnamese label.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"code": "quy_che", "label": "Quy chế"}))]
pub struct DocTypeView {
    pub code: DocType,
    pub label: &'static str,
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
    #[schema(required = true)]
    pub organization: Option<OrganizationRef>,
    #[schema(required = true)]
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
    #[schema(required = true)]
    pub document_number: Option<String>,
    pub title: String,
}

/// A relation to another agreement, or to a document outside the CMS by its reference.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelationView {
    pub kind: RelationKind,
    #[schema(required = true)]
    pub agreement: Option<AgreementRef>,
    /// `Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị`.
    #[schema(required = true)]
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
    #[schema(required = true)]
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
    #[schema(required = true)]
    pub signed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub effective_from: Option<NaiveDate>,
    #[schema(required = true)]
    pub effective_to: Option<NaiveDate>,
    /// A term or period, `giai đoạn 2021 - 2026`.
    #[schema(required = true)]
    pub term_start_year: Option<i16>,
    #[schema(required = true)]
    pub term_end_year: Option<i16>,
    pub status: AgreementStatus,
    pub parties: Vec<PartyView>,
    pub signatures: Vec<SignatureView>,
    pub relations: Vec<RelationView>,
    /// Articles that report it (anonymous readers: published ones only).
    pub articles: Vec<ArticleRef>,
    /// The signed PDF and other files, downloadable by anyone.
    pub attachments: Vec<AttachmentView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An agreement in a list: no `body`, `relations`, `articles` or `attachments`; signatures
/// as summaries.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgreementSummary {
    pub id: Uuid,
    #[schema(required = true)]
    pub document_number: Option<String>,
    pub doc_type: DocType,
    pub doc_type_label: &'static str,
    pub title: String,
    pub summary: String,
    pub place: String,
    #[schema(required = true)]
    pub signed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub effective_from: Option<NaiveDate>,
    #[schema(required = true)]
    pub effective_to: Option<NaiveDate>,
    #[schema(required = true)]
    pub term_start_year: Option<i16>,
    #[schema(required = true)]
    pub term_end_year: Option<i16>,
    pub status: AgreementStatus,
    pub parties: Vec<PartyView>,
    pub signatures: Vec<SignatureSummary>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What a signatory signed.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignedAgreement {
    pub agreement: AgreementRef,
    pub doc_type: DocType,
    #[schema(required = true)]
    pub signed_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub organization: Option<OrganizationRef>,
    #[schema(required = true)]
    pub authority_prefix: Option<AuthorityPrefix>,
    pub signing_title: String,
    /// The positions held that day.
    pub positions_at_signing: String,
}

/// An organisation as embedded; its kind is one of [`OrganizationKind`]'s words (the
/// database's CHECK), read as `organizations` reads it.
fn organization(row: OrganizationRow) -> OrganizationRef {
    OrganizationRef {
        id: row.id,
        name: row.name,
        short_name: row.short_name,
        kind: OrganizationKind::parse(&row.kind).unwrap_or(OrganizationKind::Other),
    }
}

impl From<PartyRow> for PartyView {
    fn from(row: PartyRow) -> Self {
        PartyView {
            organization: organization(row.organization),
            role: row.role,
            position: row.position,
        }
    }
}

impl From<SignatureRow> for SignatureView {
    fn from(row: SignatureRow) -> Self {
        SignatureView {
            signatory: SignatoryRef {
                id: row.signatory_id,
                full_name: row.full_name,
                current_position: row.current_position,
            },
            organization: row.organization.map(organization),
            authority_prefix: row.authority_prefix,
            signing_title: row.signing_title,
            positions_at_signing: row.positions_at_signing,
            position: row.position,
        }
    }
}

impl From<SignatureSummaryRow> for SignatureSummary {
    fn from(row: SignatureSummaryRow) -> Self {
        SignatureSummary {
            signatory: SignatoryName {
                id: row.signatory_id,
                full_name: row.full_name,
            },
            signing_title: row.signing_title,
            position: row.position,
        }
    }
}

impl From<AgreementRefRow> for AgreementRef {
    fn from(row: AgreementRefRow) -> Self {
        AgreementRef {
            id: row.id,
            document_number: row.document_number,
            title: row.title,
        }
    }
}

impl From<RelationRow> for RelationView {
    fn from(row: RelationRow) -> Self {
        RelationView {
            kind: row.kind,
            agreement: row.agreement.map(AgreementRef::from),
            reference_text: row.reference_text,
            position: row.position,
        }
    }
}

impl From<ArticleRefRow> for ArticleRef {
    fn from(row: ArticleRefRow) -> Self {
        ArticleRef {
            id: row.id,
            slug: row.slug,
            title: row.title,
        }
    }
}

fn all<R, V: From<R>>(rows: Vec<R>) -> Vec<V> {
    rows.into_iter().map(V::from).collect()
}

/// A `$view` of `$head` (an [`AgreementHead`]), with the fields of `$view` it does not have.
macro_rules! with_head {
    ($view:ident, $head:expr, { $($field:ident: $value:expr),+ $(,)? }) => {{
        let AgreementHead {
            id,
            document_number,
            doc_type,
            title,
            summary,
            place,
            signed_on,
            effective_from,
            effective_to,
            term_start_year,
            term_end_year,
            status,
            parties,
            version,
            created_at,
            updated_at,
        } = $head;
        $view {
            id,
            document_number,
            doc_type,
            doc_type_label: doc_type.label(),
            title,
            summary,
            place,
            signed_on,
            effective_from,
            effective_to,
            term_start_year,
            term_end_year,
            status,
            parties: all(parties),
            version,
            created_at,
            updated_at,
            $($field: $value),+
        }
    }};
}

impl AgreementView {
    /// The agreement of `record`, its files under the media URL `media`.
    pub fn new(record: AgreementRecord, media: &str) -> Self {
        with_head!(AgreementView, record.head, {
            body: record.body,
            signatures: all(record.signatures),
            relations: all(record.relations),
            articles: all(record.articles),
            attachments: (record.attachments.into_iter())
                .map(|row| AttachmentView::new(row, media))
                .collect(),
        })
    }
}

impl From<AgreementListRow> for AgreementSummary {
    fn from(row: AgreementListRow) -> Self {
        with_head!(AgreementSummary, row.head, { signatures: all(row.signatures) })
    }
}

impl From<SignedRow> for SignedAgreement {
    fn from(row: SignedRow) -> Self {
        SignedAgreement {
            agreement: row.agreement.into(),
            doc_type: row.doc_type,
            signed_on: row.signed_on,
            organization: row.organization.map(organization),
            authority_prefix: row.authority_prefix,
            signing_title: row.signing_title,
            positions_at_signing: row.positions_at_signing,
        }
    }
}

impl crate::events::Subject for AgreementView {
    const RESOURCE: crate::events::Resource = crate::events::Resource::Agreement;
    fn subject_id(&self) -> Option<Uuid> {
        Some(self.id)
    }
    fn subject_version(&self) -> i32 {
        self.version
    }
}
