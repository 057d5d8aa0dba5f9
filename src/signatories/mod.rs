//! Signatories: `GET/POST /signatories`, `GET/PATCH/DELETE /signatories/{id}`. Anyone reads;
//! editors and admins write. Names are family name first, without honorifics.

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
