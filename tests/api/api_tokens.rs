//! API tokens: shown once, stored as a hash, scoped, revocable, expiring.

use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};

async fn create(app: &TestApp, admin: &str, body: Value) -> Value {
    let res = app.post("/api-tokens", Some(admin), &body).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("location").is_some());
    res.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_is_shown_once_and_stored_as_a_hash() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, json!({"name": "Cổng tỉnh", "scope": "read"})).await;
    let secret = created["token"].as_str().unwrap();
    assert!(secret.starts_with("bt_") && secret.len() > 40);
    let list: Value = app
        .get("/api-tokens", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let text = list.to_string();
    assert!(!text.contains(secret) && list["data"][0].get("token").is_none());
    assert_eq!(list["data"][0]["name"], "Cổng tỉnh");
    // Not stored in clear either.
    let one: Value = app
        .get(
            &format!("/api-tokens/{}", created["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(one.get("token").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_names_the_owner_and_scope_and_last_used_is_recorded() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, json!({"name": "Đọc", "scope": "read"})).await;
    assert!(created["last_used_at"].is_null());
    let secret = created["token"].as_str().unwrap();
    let me: Value = app
        .get("/auth/me", Some(secret))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "admin@test.vn");
    assert_eq!(me["acts_as"], "editor");
    assert_eq!(me["credential"]["kind"], "api_token");
    assert_eq!(me["credential"]["scope"], "read");
    assert_eq!(me["credential"]["name"], "Đọc");
    let one: Value = app
        .get(
            &format!("/api-tokens/{}", created["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(one["last_used_at"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_manage_users_or_tokens() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for scope in ["read", "write"] {
        let secret = create(&app, &admin, json!({"name": scope, "scope": scope})).await["token"]
            .as_str()
            .unwrap()
            .to_string();
        problem(app.get("/users", Some(&secret)).await, 403).await;
        problem(app.get("/api-tokens", Some(&secret)).await, 403).await;
        problem(
            app.post(
                "/api-tokens",
                Some(&secret),
                &json!({"name": "x", "scope": "write"}),
            )
            .await,
            403,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_tokens_stop_working_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(&app, &admin, json!({"name": "Tạm", "scope": "write"})).await;
    let secret = created["token"].as_str().unwrap();
    assert_eq!(app.get("/auth/me", Some(secret)).await.status(), 200);
    assert_eq!(
        app.delete(
            &format!("/api-tokens/{}", created["id"].as_str().unwrap()),
            Some(&admin)
        )
        .await
        .status(),
        204
    );
    problem(app.get("/auth/me", Some(secret)).await, 401).await;
    problem(
        app.delete(
            &format!("/api-tokens/{}", created["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await,
        404,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        json!({"name": "Ngắn hạn", "scope": "read", "expires_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let secret = created["token"].as_str().unwrap();
    assert_eq!(app.get("/auth/me", Some(secret)).await.status(), 200);
    app.sql("UPDATE api_tokens SET expires_at = now() - interval '1 second'")
        .await;
    problem(app.get("/auth/me", Some(secret)).await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_requests_are_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    problem(
        app.post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "x", "scope": "read", "expires_at": "2001-01-01T00:00:00Z"}),
        )
        .await,
        422,
    )
    .await;
    problem(
        app.post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "", "scope": "read"}),
        )
        .await,
        422,
    )
    .await;
    problem(
        app.post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "x", "scope": "admin"}),
        )
        .await,
        400,
    )
    .await;
    let editor = app.token_for("editor").await;
    problem(
        app.post(
            "/api-tokens",
            Some(&editor),
            &json!({"name": "x", "scope": "read"}),
        )
        .await,
        403,
    )
    .await;
    problem(app.get("/auth/me", Some("bt_not-a-real-token")).await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_of_a_disabled_owner_stop_working() {
    let app = TestApp::spawn().await;
    let (id, email, password) = app.create_user("admin").await;
    let other_admin = app.login(&email, &password).await.access;
    let secret = create(&app, &other_admin, json!({"name": "x", "scope": "read"})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let admin = app.admin_token().await;
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        &json!({"disabled": true}),
    )
    .await;
    problem(app.get("/auth/me", Some(&secret)).await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_token_acts_no_higher_than_its_owner_now_is() {
    let app = TestApp::spawn().await;
    let (id, email, password) = app.create_user("admin").await;
    let owner = app.login(&email, &password).await.access;
    let secret = create(&app, &owner, json!({"name": "ci", "scope": "write"})).await["token"]
        .as_str()
        .unwrap()
        .to_string();
    let category = json!({"name": "Tin tức", "slug": "tin-tuc"});
    let res = app.post("/categories", Some(&secret), &category).await;
    assert_eq!(
        res.status(),
        201,
        "an admin's write token acts as an editor"
    );
    let admin = app.admin_token().await;
    let res = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"role": "author"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = app
        .get("/auth/me", Some(&secret))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["acts_as"], "author");
    let other = json!({"name": "Thông báo", "slug": "thong-bao"});
    problem(app.post("/categories", Some(&secret), &other).await, 403).await;
}
