//! Agreements: `GET/POST /agreements`, `GET/PATCH/DELETE /agreements/{id}`,
//! `GET /agreements/doc-types`, and `GET /signatories/{id}/agreements`. Anyone reads;
//! editors and admins write. An agreement is written with its parties, signatures and
//! relations in one transaction.

pub mod attachments;
pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
