//! Response headers that no handler sets itself: caching for credentialed reads, the
//! Content-Security-Policy of files and docs, and errors raised by the framework.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

/// A value for each path parameter of a GET route, from the seeded content.
async fn fill(app: &TestApp, token: &str, path: &str) -> String {
    let mut out = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        // `{slug}.xml` (feeds, sitemaps): the parameter, then its suffix.
        let (segment, suffix): (&str, &str) = match segment.strip_suffix(".xml") {
            Some(bare) if bare.starts_with('{') => (bare, ".xml"),
            _ => (segment, ""),
        };
        let value = match segment {
            "{id}" | "{slug}" => {
                let resource = segments[i - 1];
                let resource = if resource == "slug" {
                    segments[i - 2]
                } else {
                    resource
                };
                let page: Value = app
                    .get(&format!("/api/v1/{resource}?limit=1"), Some(token))
                    .await
                    .json()
                    .await
                    .unwrap();
                let key = if segment == "{id}" { "id" } else { "slug" };
                page["data"][0][key]
                    .as_str()
                    .unwrap_or_else(|| panic!("no {resource} to fill {path}"))
                    .to_string()
            }
            "{n}" if suffix == ".xml" => "0".to_string(),
            "{n}" => "1".to_string(),
            other => other.to_string(),
        };
        out.push(format!("{value}{suffix}"));
    }
    out.join("/")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_get_route_read_with_credentials_is_private() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let admin = app.admin_token().await;
    // An API token and a revision, so that every route has something to show.
    let res = app
        .post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "x", "scope": "read"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let article = fill(&app, &admin, "/api/v1/articles/{id}").await;
    let res = app
        .patch(&article, Some(&admin), &json!({"summary": "Tóm tắt mới"}))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .post(
            "/webhooks",
            Some(&admin),
            &json!({"url": "https://203.113.131.1/hooks", "events": ["*"], "enabled": false}),
        )
        .await;
    assert_eq!(res.status(), 201);

    let spec = bantin::openapi_spec();
    let mut checked = 0;
    for (path, item) in &spec.paths.paths {
        if item.get.is_none() || path.starts_with("/media/") {
            continue;
        }
        let url = fill(&app, &admin, path).await;
        let res = app.get(&url, Some(&admin)).await;
        assert_eq!(res.status(), 200, "GET {url}");
        let cache = res.headers()["cache-control"].to_str().unwrap();
        assert!(
            cache.contains("no-store") && !cache.contains("public"),
            "GET {url} with credentials: Cache-Control {cache}"
        );
        checked += 1;
    }
    assert!(checked >= 25, "{checked} routes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_and_docs_carry_a_content_security_policy() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let photos: Value = app
        .get("/api/v1/photos", Some(&app.admin_token().await))
        .await
        .json()
        .await
        .unwrap();
    let url = photos["data"][0]["variants"][0]["url"].as_str().unwrap();
    let path = &url[url.find("/media/").unwrap()..];
    let res = app.get(path, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-security-policy"],
        "default-src 'none'; sandbox"
    );
    for path in ["/docs/", "/docs/swagger-initializer.js"] {
        let res = app.get(path, None).await;
        assert_eq!(res.status(), 200);
        let csp = res.headers()["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_from_an_unlisted_origin_says_why() {
    let app = TestApp::spawn_with(&[("BANTIN_CORS_ORIGINS", "https://hdnd.laichau.gov.vn")]).await;
    let res = app
        .request(Method::OPTIONS, "/api/v1/articles", None)
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    let body = problem(res, 400).await;
    let detail = body["detail"].as_str().unwrap();
    assert!(
        detail.contains("Origin is not allowed") && detail.contains("BANTIN_CORS_ORIGINS"),
        "{detail}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preflight_without_configured_origins_says_how_to_allow_one() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::OPTIONS, "/api/v1/articles", None)
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    let body = problem(res, 400).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("BANTIN_CORS_ORIGINS"),
        "{body}"
    );
}
