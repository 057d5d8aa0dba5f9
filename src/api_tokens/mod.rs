//! API tokens for integrators: `POST/GET /api-tokens`, `GET/DELETE /api-tokens/{id}` (admins).

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
