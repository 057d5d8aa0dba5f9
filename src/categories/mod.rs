//! The category tree: `GET/POST /categories`, `GET/PATCH/DELETE /categories/{id}`,
//! `GET /categories/slug/{slug}`. Every category carries its breadcrumb `path`.

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
