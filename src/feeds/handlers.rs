//! `GET /feeds/articles.xml`, `GET /feeds/categories/{slug}.xml`, `GET /sitemap.xml`,
//! `GET /sitemaps/{n}.xml` (anyone).

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::model;
use super::xml::{self, Channel};
use crate::domain::limits::{FEED_ITEMS, SITEMAP_URLS_MAX};
use crate::error::{ApiError, ApiResult, Problem};
use crate::http;
use crate::state::AppState;

const RSS: &str = "application/rss+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

/// The newest public articles of the whole site, as RSS 2.0.
#[utoipa::path(
    operation_id = "getArticlesFeed",
    tag = "feeds",
    responses(
        (status = 200, description = "RSS 2.0, the newest 50 public articles", content_type = "application/rss+xml", body = String,
            headers(("ETag" = String, description = "Strong entity tag"), ("Last-Modified" = String, description = "The newest change listed"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/feeds/articles.xml")]
pub async fn site_feed(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let items = model::newest(&mut conn, None, FEED_ITEMS).await?;
    let site = crate::site::model::get(&mut conn).await?;
    let portal = &state.config.portal;
    let self_url = format!("{}/feeds/articles.xml", state.config.public_url);
    let channel = Channel {
        title: &site.name,
        link: &portal.url,
        description: &format!("Tin mới nhất của {}", site.name),
        self_url: &self_url,
    };
    let newest = items.iter().map(|i| i.updated_at).max();
    let body = xml::rss(&channel, &items, portal);
    Ok(http::document(&req, body, RSS, newest))
}

/// The newest public articles of one category, as RSS 2.0.
#[utoipa::path(
    operation_id = "getCategoryFeed",
    tag = "feeds",
    params(("slug" = String, Path, description = "Category slug")),
    responses(
        (status = 200, description = "RSS 2.0, the category's newest 50 public articles", content_type = "application/rss+xml", body = String,
            headers(("ETag" = String, description = "Strong entity tag"), ("Last-Modified" = String, description = "The newest change listed"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such category", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/feeds/categories/{slug}.xml")]
pub async fn category_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let (id, name, _) = model::category(&mut conn, &slug)
        .await?
        .ok_or_else(|| ApiError::NotFound("no such category".into()))?;
    let items = model::newest(&mut conn, Some(id), FEED_ITEMS).await?;
    let site = crate::site::model::get(&mut conn).await?;
    let portal = &state.config.portal;
    let self_url = format!("{}/feeds/categories/{slug}.xml", state.config.public_url);
    let link = xml::page(portal, &portal.category_path, &slug);
    let channel = Channel {
        title: &format!("{name} - {}", site.name),
        link: &link,
        description: &format!("Tin mới nhất mục {name}"),
        self_url: &self_url,
    };
    let newest = items.iter().map(|i| i.updated_at).max();
    let body = xml::rss(&channel, &items, portal);
    Ok(http::document(&req, body, RSS, newest))
}

/// Every public article and category page of the portal (sitemaps.org 0.9); past 50,000 URLs,
/// a sitemap index of `/sitemaps/{n}.xml` (0: the categories; 1, 2, …: the articles, newest
/// first).
#[utoipa::path(
    operation_id = "getSitemap",
    tag = "feeds",
    responses(
        (status = 200, description = "A `urlset`, or a `sitemapindex` past 50,000 URLs", content_type = "application/xml", body = String,
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap(req: HttpRequest, state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let portal = &state.config.portal;
    let articles = model::count_public(&mut conn).await?;
    let categories = model::category_pages(&mut conn).await?;
    if articles + categories.len() as i64 <= SITEMAP_URLS_MAX {
        let mut urls = xml::urls(portal, &portal.category_path, categories);
        let pages = model::public_pages(&mut conn, 0, SITEMAP_URLS_MAX).await?;
        urls.extend(xml::urls(portal, &portal.article_path, pages));
        let newest = urls.iter().map(|u| u.1).max();
        return Ok(http::document(&req, xml::urlset(&urls), XML, newest));
    }
    let parts = (articles + SITEMAP_URLS_MAX - 1) / SITEMAP_URLS_MAX;
    let base = &state.config.public_url;
    let locs: Vec<_> = (0..=parts)
        .map(|n| (format!("{base}/sitemaps/{n}.xml"), None))
        .collect();
    Ok(http::document(&req, xml::index(&locs), XML, None))
}

/// One part of a large sitemap: 0 holds the categories, `n` ≥ 1 the `n`th 50,000 articles.
#[utoipa::path(
    operation_id = "getSitemapPart",
    tag = "feeds",
    params(("n" = u32, Path, description = "Part number, from 0")),
    responses(
        (status = 200, description = "A `urlset`", content_type = "application/xml", body = String,
            headers(("ETag" = String, description = "Strong entity tag"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such part", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sitemaps/{n}.xml")]
pub async fn sitemap_part(
    req: HttpRequest,
    state: web::Data<AppState>,
    n: web::Path<u32>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let portal = &state.config.portal;
    let n = i64::from(*n);
    let urls = match n {
        0 => xml::urls(
            portal,
            &portal.category_path,
            model::category_pages(&mut conn).await?,
        ),
        _ => {
            let offset = (n - 1) * SITEMAP_URLS_MAX;
            let pages = model::public_pages(&mut conn, offset, SITEMAP_URLS_MAX).await?;
            xml::urls(portal, &portal.article_path, pages)
        }
    };
    if urls.is_empty() && n > 0 {
        return Err(ApiError::NotFound("no such sitemap part".into()));
    }
    let newest = urls.iter().map(|u| u.1).max();
    Ok(http::document(&req, xml::urlset(&urls), XML, newest))
}
