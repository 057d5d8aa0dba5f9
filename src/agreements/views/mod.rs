//! Request and response bodies of `/agreements`.

mod agreement;
mod attachment;
mod requests;

pub use super::kinds::{AgreementStatus, AuthorityPrefix, DocType, PartyRole, RelationKind};
pub use agreement::{
    AgreementRef, AgreementSummary, AgreementView, ArticleRef, DocTypeView, PartyView,
    RelationView, SignatoryName, SignatoryRef, SignatureSummary, SignatureView, SignedAgreement,
};
pub use attachment::{AttachmentView, UploadAttachment};
pub use requests::{
    AgreementFilters, CreateAgreement, PartyInput, RelationInput, SORTS, SignatureInput,
    UpdateAgreement,
};
