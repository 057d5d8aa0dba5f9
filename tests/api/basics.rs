//! Health, errors, request ids, security headers, CORS, the spec and the docs.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_live_and_ready() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/health/live", None).await.status(), 200);
    let res = app.get("/health/ready", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_is_503_when_migrations_are_missing() {
    let app = TestApp::spawn().await;
    app.sql("DELETE FROM __diesel_schema_migrations").await;
    problem(app.get("/health/ready", None).await, 503).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_response_has_a_request_id_and_nosniff() {
    let app = TestApp::spawn().await;
    let res = app.get("/health/live", None).await;
    let id = res.headers()["x-request-id"].to_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    let res = app
        .request(Method::GET, "/health/live", None)
        .header("X-Request-Id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    // A request id that could forge log lines is replaced.
    let res = app
        .request(Method::GET, "/health/live", None)
        .header("X-Request-Id", "a b\"c")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "a b\"c");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    problem(app.get("/api/v1/nothing-here", None).await, 404).await;
    problem(app.get("/", None).await, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::spawn().await;
    let res = app.delete("/health/live", None).await;
    assert_eq!(res.headers()["allow"], "GET");
    problem(res, 405).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::POST, "/auth/login", None)
        .header("content-type", "application/json")
        .body("{nope")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    let res = app
        .request(Method::POST, "/auth/login", None)
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_content_type_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let body = r#"{"email": "a@b.vn", "password": "x"}"#;
    let res = app
        .request(Method::POST, "/auth/login", None)
        .header("content-type", "text/plain")
        .body(body)
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
    let res = app
        .request(Method::POST, "/auth/login", None)
        .body(body)
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_missing_fields_are_named() {
    let app = TestApp::spawn().await;
    let p = problem(
        app.post(
            "/auth/login",
            None,
            &json!({"email": "a@b.vn", "password": "x", "remember": true}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["remember"]);
    let p = problem(
        app.post("/auth/login", None, &json!({"email": "a@b.vn"}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["password"]);
    let p = problem(
        app.post("/auth/login", None, &json!({"email": 5, "password": "x"}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["email"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_body_is_a_413_problem() {
    let app = TestApp::spawn().await;
    let big = format!(
        r#"{{"email": "a@b.vn", "password": "{}"}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    let res = app
        .request(Method::POST, "/auth/login", None)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    problem(res, 413).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_query_parameters_are_400_problems_naming_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for (query, field) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("sort=password_hash", "sort"),
        ("cursor=garbage", "cursor"),
        ("page=0", "page"),
    ] {
        let p = problem(app.get(&format!("/users?{query}"), Some(&admin)).await, 400).await;
        assert_eq!(fields(&p), [field], "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_cors_headers_by_default() {
    let app = TestApp::spawn().await;
    let res = app
        .request(Method::GET, "/health/live", None)
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configured_cors_origins_are_allowed() {
    let app = TestApp::spawn_with(&[("BANTIN_CORS_ORIGINS", "https://hdnd.laichau.gov.vn")]).await;
    let res = app
        .request(Method::OPTIONS, "/api/v1/auth/me", None)
        .header("Origin", "https://hdnd.laichau.gov.vn")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://hdnd.laichau.gov.vn"
    );
    let res = app
        .request(Method::GET, "/health/live", None)
        .header("Origin", "https://other.example")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn served_spec_equals_the_committed_one() {
    let app = TestApp::spawn().await;
    let served: Value = app.get("/openapi.json", None).await.json().await.unwrap();
    let committed: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
    assert_eq!(
        bantin::openapi_json(),
        include_str!("../../openapi/openapi.json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_documents_its_responses() {
    let spec: Value = serde_json::from_str(&bantin::openapi_json()).unwrap();
    assert!(spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // A readable, unique operationId: `listArticles`, `getArticleBySlug`.
            let id = op["operationId"].as_str().unwrap();
            assert!(
                id.chars().all(|c| c.is_ascii_alphanumeric())
                    && id.starts_with(|c: char| c.is_ascii_lowercase()),
                "{method} {path}: operationId {id}"
            );
            assert!(ids.insert(id.to_string()), "{id} twice");
            let responses = op["responses"].as_object().unwrap();
            assert!(!responses.is_empty(), "{method} {path}");
            for (status, response) in responses {
                let response = resolve(&spec, response);
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
                // Every error is a Problem, with an example of its own status.
                if status.starts_with('4') || status.starts_with('5') {
                    let content = &response["content"]["application/problem+json"];
                    assert_eq!(
                        content["schema"]["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                    assert_eq!(
                        content["example"]["status"].to_string(),
                        *status,
                        "{method} {path} {status}: example"
                    );
                }
            }
            assert!(responses.contains_key("500"), "{method} {path}");
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let named = |name: &str| params.iter().find(|p| p["name"] == name);
            if responses.contains_key("304") {
                assert!(
                    named("If-None-Match").is_some(),
                    "{method} {path}: If-None-Match"
                );
            }
            if let Some(sort) = named("sort") {
                assert!(
                    sort["schema"]["enum"].is_array(),
                    "{method} {path}: sort enum"
                );
            }
        }
    }
}

/// A response, or the shared one it refers to.
fn resolve<'a>(spec: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(r) => {
            let name = r.strip_prefix("#/components/responses/").unwrap();
            &spec["components"]["responses"][name]
        }
        None => response,
    }
}

/// Always-sent fields are required (nullable ones as `null`), limits are stated in the
/// schema, formats are set, and a multipart file is binary.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemas_say_what_is_sent_and_what_is_accepted() {
    let spec: Value = serde_json::from_str(&bantin::openapi_json()).unwrap();
    let schemas = &spec["components"]["schemas"];
    let required = |schema: &str| -> Vec<String> {
        schemas[schema]["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    };
    for (schema, field) in [
        ("ArticleView", "published_at"),
        ("ArticleSummary", "cover_photo"),
        ("AgreementView", "document_number"),
        ("PhotoView", "taken_at"),
        ("Meta", "next_cursor"),
        ("CategoryView", "parent_id"),
    ] {
        assert!(
            required(schema).contains(&field.to_string()),
            "{schema}.{field}"
        );
    }
    assert!(!required("Meta").contains(&"total".to_string()));
    let title = &schemas["CreateArticle"]["properties"]["title"];
    assert_eq!(title["maxLength"], 500);
    assert_eq!(title["minLength"], 1);
    assert_eq!(
        schemas["CreateUser"]["properties"]["password"]["minLength"],
        12
    );
    assert_eq!(
        schemas["CreateUser"]["properties"]["email"]["format"],
        "idn-email"
    );
    assert_eq!(
        schemas["CreateWebhook"]["properties"]["url"]["format"],
        "uri"
    );
    assert_eq!(
        schemas["CreateAgreement"]["properties"]["term_start_year"]["minimum"],
        1900
    );
    assert_eq!(
        schemas["AgreementView"]["properties"]["signed_on"]["format"],
        "date"
    );
    let upload = &spec["paths"]["/api/v1/photos"]["post"]["requestBody"]["content"]["multipart/form-data"]
        ["schema"]["properties"]["file"];
    assert_eq!(upload["format"], "binary");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_are_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let res = app.get("/docs", None).await;
    assert_eq!(res.status(), 308);
    let res = app.get("/docs/", None).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    let res = app.get("/docs/swagger-ui-bundle.js", None).await;
    assert_eq!(res.status(), 200);
    let res = app.get("/docs/swagger-initializer.js", None).await;
    assert!(res.text().await.unwrap().contains("/openapi.json"));
}

/// Sends a request whose body stops half-way; returns what the server answered.
async fn send_half_a_body(app: &TestApp, path: &str, content_type: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: 200\r\n\r\n--x\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // The server must answer and close by itself; 60 s only keeps a broken server from
    // hanging the suite.
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server neither answered nor closed the connection")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_stops_arriving_is_a_408_and_the_connection_closes() {
    let app =
        TestApp::spawn_with(&[("BANTIN_BODY_TIMEOUT", "1"), ("BANTIN_UPLOAD_TIMEOUT", "2")]).await;
    let token = app.admin_token().await;
    for (path, content_type) in [
        ("/api/v1/categories", "application/json"),
        ("/api/v1/photos", "multipart/form-data; boundary=x"),
    ] {
        let answer = send_half_a_body(&app, path, content_type, &token).await;
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "{content_type}: {answer}"
        );
        assert!(answer.contains("application/problem+json"), "{answer}");
        assert!(answer.contains("did not arrive within"), "{answer}");
    }
}

/// Sends raw bytes; returns everything the server answers before it closes.
async fn raw_exchange(app: &TestApp, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(60),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server neither answered nor closed the connection")
    .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_the_http_layer_refuses_get_problem_documents() {
    let app = TestApp::spawn_with(&[("BANTIN_HEADER_TIMEOUT", "1")]).await;
    // A placeholder pasted from a text: `<` and `>` are not allowed in a request line.
    let answer = raw_exchange(
        &app,
        b"GET /api/v1/articles/<id>/related HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert!(
        answer.contains("content-type: application/problem+json"),
        "{answer}"
    );
    let body = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let problem: Value = serde_json::from_str(body).unwrap();
    assert_eq!(problem["status"], 400);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("percent-encoded")
    );
    assert!(answer.contains(&format!(
        "x-request-id: {}",
        problem["request_id"].as_str().unwrap()
    )));
    // Headers that never finish arriving.
    let answer = raw_exchange(&app, b"GET /health/live HTTP/1.1\r\nHost: x\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
}
