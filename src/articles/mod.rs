//! News articles: `GET/POST /articles`, `GET/PATCH/DELETE /articles/{id}`, by slug, related,
//! views, trash and restore, and revisions.

pub mod figures;
pub mod handlers;
pub mod model;
pub mod revisions;
pub mod views;

pub use handlers::routes;
