//! Photos: `POST /photos` (streamed multipart upload), `GET /photos`, `GET/PATCH/DELETE
//! /photos/{id}`, and the stored files under `/media/…`. Uploads are checked from their
//! bytes, decoded off the async threads a few at a time, stripped of metadata and resized
//! into `thumb`, `medium` and `large` variants.

pub mod handlers;
pub mod imaging;
pub mod model;
pub mod upload;
pub mod views;

pub use handlers::routes;
