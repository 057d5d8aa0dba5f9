//! The audit log (`GET /audit`, admins): who did what, when, from where. Content events are
//! entries by a trigger on `events` (migration 000012); the rest (logins and their failures,
//! logouts, a refresh token presented twice, accounts, API tokens, webhooks) are recorded here,
//! with [`record`], by the action's handler. Entries are kept for good and never changed:
//! PostgreSQL refuses to update or delete them. Secrets and password hashes never go in.

pub mod handlers;
pub mod model;
pub mod views;

pub use model::{Entry, record};

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_audit);
}
