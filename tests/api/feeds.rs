//! RSS feeds and the sitemap, read with an XML parser.

use quick_xml::Reader;
use quick_xml::events::Event;
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The text of every element named `name` (in document order), with its parent's name.
/// Text and entity references (`&amp;`) come as separate events: they are joined.
fn texts(xml: &str, name: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut text: Option<String> = None;
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                stack.push(String::from_utf8(e.name().as_ref().to_vec()).unwrap());
                text = (stack.last().map(String::as_str) == Some(name)).then(String::new);
            }
            Event::End(_) => {
                if let Some(t) = text.take() {
                    let parent = stack
                        .get(stack.len().wrapping_sub(2))
                        .cloned()
                        .unwrap_or_default();
                    out.push((parent, t));
                }
                stack.pop();
            }
            Event::Text(t) => {
                if let Some(text) = &mut text {
                    text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(text) = &mut text {
                    let entity = match r.decode().unwrap().as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => panic!("unknown entity {other}"),
                    };
                    text.push_str(entity);
                }
            }
            Event::Eof => return out,
            _ => {}
        }
    }
}

fn of<'a>(found: &'a [(String, String)], parent: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|(p, _)| p == parent)
        .map(|(_, t)| t.as_str())
        .collect()
}

async fn fetch(app: &TestApp, path: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap()
}

async fn article(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/articles", Some(token), &body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feeds_list_the_newest_public_articles_with_portal_links() {
    let app = TestApp::spawn_with(&[
        ("BANTIN_PORTAL_URL", "https://hdnd.laichau.gov.vn"),
        ("BANTIN_PORTAL_ARTICLE_PATH", "/tin-tuc/{slug}"),
    ])
    .await;
    let editor = app.token_for("editor").await;
    let cat = app
        .post(
            "/categories",
            Some(&editor),
            &json!({"name": "Hội đồng nhân dân"}),
        )
        .await;
    let cat: Value = cat.json().await.unwrap();
    let other = app
        .post("/categories", Some(&editor), &json!({"name": "Thời sự"}))
        .await;
    let other: Value = other.json().await.unwrap();
    let published = |title: &str, at: &str, category: &Value| json!({"title": title, "status": "published", "published_at": at, "summary": "Tóm tắt <b>&</b>", "category_id": category["id"]});
    article(
        &app,
        &editor,
        published("Kỳ họp thứ nhất", "2024-01-01T01:00:00Z", &cat),
    )
    .await;
    article(
        &app,
        &editor,
        published("Kỳ họp thứ hai & bế mạc", "2024-02-01T01:00:00Z", &cat),
    )
    .await;
    article(
        &app,
        &editor,
        published("Tin thời sự", "2024-03-01T01:00:00Z", &other),
    )
    .await;
    article(
        &app,
        &editor,
        published("Hẹn giờ", "2099-01-01T00:00:00Z", &cat),
    )
    .await;
    article(&app, &editor, json!({"title": "Bản nháp"})).await;

    let res = fetch(&app, "/feeds/articles.xml").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/rss+xml")
    );
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    assert!(res.headers().contains_key("last-modified"));
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let body = res.text().await.unwrap();
    let titles = texts(&body, "title");
    assert_eq!(
        of(&titles, "item"),
        ["Tin thời sự", "Kỳ họp thứ hai & bế mạc", "Kỳ họp thứ nhất"]
    );
    let links = texts(&body, "link");
    assert_eq!(of(&links, "channel"), ["https://hdnd.laichau.gov.vn"]);
    assert_eq!(
        of(&links, "item")[1],
        "https://hdnd.laichau.gov.vn/tin-tuc/ky-hop-thu-hai-be-mac"
    );
    assert_eq!(
        of(&texts(&body, "description"), "item")[0],
        "Tóm tắt <b>&</b>",
        "escaped, read back"
    );
    assert_eq!(
        of(&texts(&body, "pubDate"), "item")[2],
        "Mon, 1 Jan 2024 01:00:00 +0000"
    );
    assert_eq!(of(&texts(&body, "category"), "item")[0], "Thời sự");

    let again = app
        .client
        .get(format!("{}/feeds/articles.xml", app.address))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    let slug = cat["slug"].as_str().unwrap();
    let body = fetch(&app, &format!("/feeds/categories/{slug}.xml"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        of(&texts(&body, "title"), "item"),
        ["Kỳ họp thứ hai & bế mạc", "Kỳ họp thứ nhất"]
    );
    assert_eq!(
        of(&texts(&body, "link"), "channel"),
        [format!("https://hdnd.laichau.gov.vn/chuyen-muc/{slug}").as_str()]
    );
    let missing = fetch(&app, "/feeds/categories/khong-co.xml").await;
    assert_eq!(missing.status(), 404);
    assert!(
        missing.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/problem+json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sitemap_lists_public_pages_and_splits_past_fifty_thousand() {
    let app = TestApp::spawn_with(&[("BANTIN_PORTAL_URL", "https://hdnd.laichau.gov.vn")]).await;
    let editor = app.token_for("editor").await;
    let cat: Value = app
        .post("/categories", Some(&editor), &json!({"name": "Tin tức"}))
        .await
        .json()
        .await
        .unwrap();
    let public = article(&app, &editor, json!({"title": "Công khai", "status": "published", "published_at": "2024-01-01T01:00:00Z"})).await;
    article(&app, &editor, json!({"title": "Bản nháp"})).await;

    let res = fetch(&app, "/sitemap.xml").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/xml")
    );
    let body = res.text().await.unwrap();
    assert!(body.contains(r#"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#));
    let locs = texts(&body, "loc");
    let locs: Vec<&str> = of(&locs, "url");
    assert_eq!(
        locs,
        [
            format!(
                "https://hdnd.laichau.gov.vn/chuyen-muc/{}",
                cat["slug"].as_str().unwrap()
            )
            .as_str(),
            format!(
                "https://hdnd.laichau.gov.vn/tin-tuc/{}",
                public["slug"].as_str().unwrap()
            )
            .as_str(),
        ]
    );
    for lastmod in of(&texts(&body, "lastmod"), "url") {
        chrono::DateTime::parse_from_rfc3339(lastmod).expect("a W3C datetime");
    }

    // 50,001 public articles (loaded as a bulk import): an index of three parts.
    let db = crate::database::connect(&app.db_url).await;
    db.batch_execute(
        "SET session_replication_role = replica; \
         INSERT INTO articles (id, slug, title, summary, body, body_text, status, published_at, announced) \
         SELECT gen_random_uuid(), 'bai-' || i, 'Bài ' || i, '', '', '', 'published', \
                now() - make_interval(secs => i), true FROM generate_series(1, 50000) i",
    )
    .await
    .unwrap();
    let body = fetch(&app, "/sitemap.xml").await.text().await.unwrap();
    assert!(
        body.contains("<sitemapindex"),
        "{}",
        &body[..200.min(body.len())]
    );
    let parts = texts(&body, "loc");
    let parts: Vec<&str> = of(&parts, "sitemap");
    assert_eq!(parts.len(), 3);
    assert!(parts[1].ends_with("/sitemaps/1.xml"));
    let first = fetch(&app, "/sitemaps/1.xml").await.text().await.unwrap();
    assert_eq!(of(&texts(&first, "loc"), "url").len(), 50_000);
    let second = fetch(&app, "/sitemaps/2.xml").await.text().await.unwrap();
    assert_eq!(of(&texts(&second, "loc"), "url").len(), 1);
    let categories = fetch(&app, "/sitemaps/0.xml").await.text().await.unwrap();
    assert_eq!(of(&texts(&categories, "loc"), "url").len(), 1);
    assert_eq!(fetch(&app, "/sitemaps/3.xml").await.status(), 404);
}
