//! The portal's own settings and visit counter: `GET/PUT /site`, `POST /site/visits`.

pub mod handlers;
pub mod model;
pub mod views;

pub use handlers::routes;
