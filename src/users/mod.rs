//! User accounts, managed by admins: `GET/POST /users`, `GET/PATCH/DELETE /users/{id}`.

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
