//! Agreements: `GET/POST /agreements`, `GET/PATCH/DELETE /agreements/{id}`,
//! `GET /agreements/doc-types`, `POST /agreements/{id}/attachments`,
//! `DELETE /agreements/{id}/attachments/{attachment_id}` and
//! `GET /signatories/{id}/agreements`. Anyone reads; editors and admins write. An agreement
//! is written with its parties, signatures and relations in one transaction.

pub mod attachments;
pub mod handlers;
mod input;
pub mod kinds;
pub mod model;
pub mod record;
pub mod views;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::doc_types)
        .service(handlers::list_agreements)
        .service(handlers::create_agreement)
        .service(handlers::get_agreement)
        .service(handlers::update_agreement)
        .service(handlers::delete_agreement)
        .service(handlers::signatory_agreements)
        .service(attachments::upload_attachment)
        .service(attachments::delete_attachment);
}
