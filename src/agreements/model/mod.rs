//! The `agreements` table with its parties, signatures and relations, and the files attached:
//! read with everything a page shows in one statement ([`item`], [`list`], [`embedded`]),
//! written in one transaction with diesel's query builder ([`write`], [`attachments`]).

pub mod attachments;
pub mod embedded;
mod item;
mod list;
mod write;

pub use item::{AgreementHead, AgreementRecord, exists, find, no_such_agreement};
pub use list::{
    AgreementFilter, AgreementListRow, AgreementSort, SignedRow, UNDATED, list, signed_by,
};
pub use write::{AgreementContent, Party, Relation, Signature, create, delete, update};
