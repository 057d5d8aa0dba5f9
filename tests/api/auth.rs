//! Login, refresh rotation and reuse detection, logout, `/auth/me`.

use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, fields, problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_returns_a_bearer_pair() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/auth/login",
            None,
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    assert!(body["refresh_token"].as_str().unwrap().starts_with("rt_"));
    assert_eq!(body["access_token"].as_str().unwrap().split('.').count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn email_is_matched_whatever_its_case() {
    let app = TestApp::spawn().await;
    app.login("ADMIN@Test.VN", ADMIN_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_email_give_the_same_401() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/auth/login",
            None,
            &json!({"email": ADMIN_EMAIL, "password": "wrong-password-123"}),
        )
        .await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    let a = problem(res, 401).await;
    let b = problem(
        app.post(
            "/auth/login",
            None,
            &json!({"email": "nobody@test.vn", "password": "wrong-password-123"}),
        )
        .await,
        401,
    )
    .await;
    assert_eq!(a["detail"], b["detail"]);
    assert_eq!(a["type"], b["type"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_names_the_signed_in_user() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app.get("/auth/me", Some(&token)).await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["role"], "admin");
    assert_eq!(me["credential"]["kind"], "session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn me_without_credentials_is_401() {
    let app = TestApp::spawn().await;
    let res = app.get("/auth/me", None).await;
    assert_eq!(res.headers()["www-authenticate"], "Bearer");
    problem(res, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_rotates_the_refresh_token() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": first.refresh}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["refresh_token"], first.refresh.as_str());
    let access = second["access_token"].as_str().unwrap();
    assert_eq!(app.get("/auth/me", Some(access)).await.status(), 200);
    // The new refresh token works in turn.
    let res = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": second["refresh_token"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reusing_a_rotated_refresh_token_revokes_the_session() {
    let app = TestApp::spawn().await;
    let first = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let second: Value = app
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": first.refresh}),
        )
        .await
        .json()
        .await
        .unwrap();
    // The old token again: a replay.
    problem(
        app.post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": first.refresh}),
        )
        .await,
        401,
    )
    .await;
    // The whole session is gone: the newest refresh token and its access token too.
    problem(
        app.post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": second["refresh_token"]}),
        )
        .await,
        401,
    )
    .await;
    problem(
        app.get("/auth/me", Some(second["access_token"].as_str().unwrap()))
            .await,
        401,
    )
    .await;
    problem(app.get("/auth/me", Some(&first.access)).await, 401).await;
    // Other sessions are untouched.
    let other = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(app.get("/auth/me", Some(&other.access)).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_refresh_token_is_401() {
    let app = TestApp::spawn().await;
    problem(
        app.post("/auth/refresh", None, &json!({"refresh_token": "rt_nope"}))
            .await,
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_revokes_the_session() {
    let app = TestApp::spawn().await;
    let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        app.get("/auth/me", Some(&tokens.access)).await.status(),
        200
    );
    let res = app
        .post(
            "/auth/logout",
            None,
            &json!({"refresh_token": tokens.refresh}),
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get("/auth/me", Some(&tokens.access)).await, 401).await;
    problem(
        app.post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": tokens.refresh}),
        )
        .await,
        401,
    )
    .await;
    // Logging out twice is fine.
    assert_eq!(
        app.post(
            "/auth/logout",
            None,
            &json!({"refresh_token": tokens.refresh})
        )
        .await
        .status(),
        204
    );
    problem(
        app.post(
            "/auth/logout",
            None,
            &json!({"refresh_token": "rt_unknown"}),
        )
        .await,
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_user_cannot_log_in_and_its_sessions_end() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user("editor").await;
    let tokens = app.login(&email, &password).await;
    let res = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"disabled": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    problem(app.get("/auth/me", Some(&tokens.access)).await, 401).await;
    problem(
        app.post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": tokens.refresh}),
        )
        .await,
        401,
    )
    .await;
    problem(
        app.post(
            "/auth/login",
            None,
            &json!({"email": email, "password": password}),
        )
        .await,
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn role_changes_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user("admin").await;
    let tokens = app.login(&email, &password).await;
    assert_eq!(app.get("/users", Some(&tokens.access)).await.status(), 200);
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        &json!({"role": "editor"}),
    )
    .await;
    problem(app.get("/users", Some(&tokens.access)).await, 403).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_changes_ones_own_account_with_the_current_password() {
    let app = TestApp::spawn().await;
    let (_, email, password) = app.create_user("author").await;
    let session = app.login(&email, &password).await;
    let other = app.login(&email, &password).await;
    let token = Some(session.access.as_str());
    let res = app
        .patch(
            "/auth/me",
            token,
            &json!({"new_password": "mật-khẩu-mới-đủ-dài"}),
        )
        .await;
    let body = problem(res, 422).await;
    assert_eq!(fields(&body), ["current_password"]);
    let res = app
        .patch(
            "/auth/me",
            token,
            &json!({"current_password": "sai", "new_password": "mật-khẩu-mới-đủ-dài"}),
        )
        .await;
    problem(res, 422).await;
    let res = app
        .patch("/auth/me", token, &json!({"display_name": "Lò Văn Cương", "current_password": password, "new_password": "mật-khẩu-mới-đủ-dài"}))
        .await;
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(me["display_name"], "Lò Văn Cương");
    // Other sessions end; this one goes on.
    assert_eq!(app.get("/auth/me", token).await.status(), 200);
    assert_eq!(app.get("/auth/me", Some(&other.access)).await.status(), 401);
    app.login(&email, "mật-khẩu-mới-đủ-dài").await;
    // API tokens cannot change an account.
    let admin = app.admin_token().await;
    let created: Value = app
        .post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "tích hợp", "scope": "write"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let api_token = created["token"].as_str().unwrap();
    let res = app
        .patch("/auth/me", Some(api_token), &json!({"display_name": "X"}))
        .await;
    problem(res, 403).await;
}
