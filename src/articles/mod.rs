//! News articles: `GET/POST /articles`, `GET/PATCH/DELETE /articles/{id}`, by slug, related,
//! views, trash and restore, and revisions.

pub mod figures;
pub mod handlers;
pub mod model;
pub mod views;

use handlers::*;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article_by_slug)
        .service(get_article)
        .service(update_article)
        .service(delete_article)
        .service(restore_article)
        .service(add_article_view)
        .service(related_articles)
        .service(list_revisions)
        .service(get_revision)
        .service(restore_revision);
}
