//! News articles: `GET/POST /articles`, `GET/PATCH/DELETE /articles/{id}`, by slug, related,
//! views, trash and restore, and revisions.

pub mod figures;
pub mod handlers;
pub mod model;
pub mod schedule;
pub mod views;

use handlers::{
    add_article_view, create_article, delete_article, get_article, get_article_by_slug,
    get_revision, list_articles, list_revisions, related_articles, restore_article,
    restore_revision, update_article,
};

/// Every `/articles` route, in the order they are matched and listed in the spec (by slug
/// before by id).
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
