//! Organisations: `GET/POST /organizations`, `GET/PATCH/DELETE /organizations/{id}`. Anyone
//! reads; editors and admins write. A tree by `parent_id`.

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
