//! The login throttle: per account and per client address, kept in PostgreSQL.

use serde_json::json;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, problem};

async fn fail(app: &TestApp, email: &str) -> u16 {
    app.post(
        "/auth/login",
        None,
        &json!({"email": email, "password": "wrong-password-123"}),
    )
    .await
    .status()
    .as_u16()
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let (_, email, password) = app.create_user("editor").await;
    for _ in 0..5 {
        assert_eq!(fail(&app, ADMIN_EMAIL).await, 401);
    }
    let res = app
        .post(
            "/auth/login",
            None,
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    let secs = retry_after(&res);
    assert!((1..=900).contains(&secs), "{secs}");
    problem(res, 429).await;
    // Other accounts are not locked.
    app.login(&email, &password).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lock_ends_when_the_window_passes() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        fail(&app, ADMIN_EMAIL).await;
    }
    assert_eq!(fail(&app, ADMIN_EMAIL).await, 429);
    app.sql("UPDATE login_failures SET failed_at = failed_at - interval '16 minutes'")
        .await;
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_attempts_are_not_counted() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        fail(&app, ADMIN_EMAIL).await;
    }
    for _ in 0..10 {
        assert_eq!(fail(&app, ADMIN_EMAIL).await, 429);
    }
    // Only the 5 real failures exist; once they age out, logins are checked again.
    app.sql("UPDATE login_failures SET failed_at = failed_at - interval '16 minutes'")
        .await;
    assert_eq!(fail(&app, ADMIN_EMAIL).await, 401);
    app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_emails_are_throttled_like_known_ones() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        assert_eq!(fail(&app, "ghost@test.vn").await, 401);
    }
    assert_eq!(fail(&app, "ghost@test.vn").await, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_failures_from_one_address_lock_it() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        assert_eq!(fail(&app, &format!("user{i}@test.vn")).await, 401);
    }
    let res = app
        .post(
            "/auth/login",
            None,
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert!(retry_after(&res) > 0);
    problem(res, 429).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_ignored_from_untrusted_peers() {
    let app = TestApp::spawn().await;
    for i in 0..20 {
        let res = app
            .request(reqwest::Method::POST, "/auth/login", None)
            .header("X-Forwarded-For", format!("10.0.0.{i}"))
            .json(&json!({"email": format!("u{i}@test.vn"), "password": "wrong-password-123"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    // All 20 came from 127.0.0.1 whatever they claimed.
    assert_eq!(fail(&app, "fresh@test.vn").await, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_for_is_believed_from_trusted_proxies() {
    let app = TestApp::spawn_with(&[("BANTIN_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let attempt = |ip: &'static str, email: String| {
        app.request(reqwest::Method::POST, "/auth/login", None)
            .header("X-Forwarded-For", ip)
            .json(&json!({"email": email, "password": "wrong-password-123"}))
            .send()
    };
    for i in 0..20 {
        assert_eq!(
            attempt("203.0.113.7", format!("u{i}@test.vn"))
                .await
                .unwrap()
                .status(),
            401
        );
    }
    assert_eq!(
        attempt("203.0.113.7", "fresh@test.vn".into())
            .await
            .unwrap()
            .status(),
        429
    );
    assert_eq!(
        attempt("203.0.113.8", "fresh@test.vn".into())
            .await
            .unwrap()
            .status(),
        401
    );
}
