//! RSS 2.0 and sitemaps (sitemaps.org 0.9), written as XML events (quick-xml escapes text).

use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::model::{FeedItem, Located};
use crate::config::PortalConfig;

type Xml = Writer<Vec<u8>>;

fn start(w: &mut Xml, name: &str, attrs: &[(&str, &str)]) {
    let mut tag = BytesStart::new(name);
    for a in attrs {
        tag.push_attribute(*a);
    }
    let _ = w.write_event(Event::Start(tag));
}

fn end(w: &mut Xml, name: &str) {
    let _ = w.write_event(Event::End(BytesEnd::new(name)));
}

fn element(w: &mut Xml, name: &str, text: &str) {
    start(w, name, &[]);
    let _ = w.write_event(Event::Text(BytesText::new(text)));
    end(w, name);
}

fn document() -> Xml {
    let mut w = Writer::new(Vec::new());
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    w
}

/// The portal URL of a page: `path` with its `{slug}`.
pub fn page(portal: &PortalConfig, path: &str, slug: &str) -> String {
    format!("{}{}", portal.url, path.replace("{slug}", slug))
}

/// An RSS 2.0 channel.
pub struct Channel<'a> {
    pub title: &'a str,
    pub link: &'a str,
    pub description: &'a str,
    /// This feed's own URL.
    pub self_url: &'a str,
}

pub fn rss(channel: &Channel, items: &[FeedItem], portal: &PortalConfig) -> Vec<u8> {
    let mut w = document();
    start(
        &mut w,
        "rss",
        &[
            ("version", "2.0"),
            ("xmlns:atom", "http://www.w3.org/2005/Atom"),
        ],
    );
    start(&mut w, "channel", &[]);
    element(&mut w, "title", channel.title);
    element(&mut w, "link", channel.link);
    element(&mut w, "description", channel.description);
    element(&mut w, "language", "vi");
    let self_link = [
        ("href", channel.self_url),
        ("rel", "self"),
        ("type", "application/rss+xml"),
    ];
    let _ = w.write_event(Event::Empty({
        let mut tag = BytesStart::new("atom:link");
        for a in self_link {
            tag.push_attribute(a);
        }
        tag
    }));
    if let Some(newest) = items.iter().map(|i| i.updated_at).max() {
        element(&mut w, "lastBuildDate", &newest.to_rfc2822());
    }
    for item in items {
        start(&mut w, "item", &[]);
        element(&mut w, "title", &item.title);
        element(
            &mut w,
            "link",
            &page(portal, &portal.article_path, &item.slug),
        );
        start(&mut w, "guid", &[("isPermaLink", "false")]);
        let _ = w.write_event(Event::Text(BytesText::new(&format!(
            "urn:uuid:{}",
            item.id
        ))));
        end(&mut w, "guid");
        if let Some(at) = item.published_at {
            element(&mut w, "pubDate", &at.to_rfc2822());
        }
        if !item.summary.is_empty() {
            element(&mut w, "description", &item.summary);
        }
        if let Some(category) = &item.category {
            element(&mut w, "category", category);
        }
        end(&mut w, "item");
    }
    end(&mut w, "channel");
    end(&mut w, "rss");
    w.into_inner()
}

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

fn lastmod(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A `urlset` of `(loc, lastmod)`.
pub fn urlset(urls: &[(String, DateTime<Utc>)]) -> Vec<u8> {
    let mut w = document();
    start(&mut w, "urlset", &[("xmlns", SITEMAP_NS)]);
    for (loc, at) in urls {
        start(&mut w, "url", &[]);
        element(&mut w, "loc", loc);
        element(&mut w, "lastmod", &lastmod(*at));
        end(&mut w, "url");
    }
    end(&mut w, "urlset");
    w.into_inner()
}

/// A `sitemapindex` of the sitemaps `locs`.
pub fn index(locs: &[(String, Option<DateTime<Utc>>)]) -> Vec<u8> {
    let mut w = document();
    start(&mut w, "sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for (loc, at) in locs {
        start(&mut w, "sitemap", &[]);
        element(&mut w, "loc", loc);
        if let Some(at) = at {
            element(&mut w, "lastmod", &lastmod(*at));
        }
        end(&mut w, "sitemap");
    }
    end(&mut w, "sitemapindex");
    w.into_inner()
}

/// The pages of `located` on the portal.
pub fn urls(
    portal: &PortalConfig,
    path: &str,
    located: Vec<Located>,
) -> Vec<(String, DateTime<Utc>)> {
    located
        .into_iter()
        .map(|(slug, at)| (page(portal, path, &slug), at))
        .collect()
}
