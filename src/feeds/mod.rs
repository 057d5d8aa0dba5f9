//! Feeds and the sitemap, for portals and search engines: RSS 2.0 of the newest public
//! articles (`/feeds/articles.xml`, `/feeds/categories/{slug}.xml`) and `/sitemap.xml` (a
//! sitemap index with `/sitemaps/{n}.xml` past 50,000 URLs). Links point at the portal
//! (`BANTIN_PORTAL_URL` and its page paths); every answer has an ETag, `Last-Modified` and
//! public caching.

pub mod handlers;
pub mod model;
pub mod xml;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::site_feed)
        .service(handlers::category_feed)
        .service(handlers::sitemap)
        .service(handlers::sitemap_part);
}
