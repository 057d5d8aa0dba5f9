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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_arriving_together_check_at_most_five_passwords() {
    let app = TestApp::spawn().await;
    let attempts = (0..30).map(|_| fail(&app, ADMIN_EMAIL));
    let statuses = futures_util::future::join_all(attempts).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_or_malformed_email_is_a_422_counted_for_the_address() {
    let app = TestApp::spawn().await;
    let long = format!("{}@test.vn", "a".repeat(3000));
    for (i, email) in [long.as_str(), "not an email", ""].iter().enumerate() {
        let res = app
            .post(
                "/auth/login",
                None,
                &json!({"email": email, "password": "wrong-password-123"}),
            )
            .await;
        let body = problem(res, 422).await;
        assert_eq!(crate::helpers::fields(&body), ["email"], "attempt {i}");
    }
    for _ in 3..20 {
        let res = app
            .post(
                "/auth/login",
                None,
                &json!({"email": long, "password": "wrong-password-123"}),
            )
            .await;
        assert_eq!(res.status(), 422);
    }
    // 20 from this address: the next is refused, whatever the email.
    assert_eq!(fail(&app, &long).await, 429);
    assert_eq!(fail(&app, "someone@test.vn").await, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_are_served_while_logins_wait_to_hash() {
    // One database connection for the whole app, and every hashing slot taken: a login
    // that held its connection while waiting to hash would leave readers nothing to use.
    let app = TestApp::spawn_with(&[("BANTIN_DB_POOL_SIZE", "1")]).await;
    let admin = app.admin_token().await;
    let slots = bantin::auth::password::hashing_slots();
    let all = u32::try_from(std::thread::available_parallelism().map_or(2, |n| n.get())).unwrap();
    let held = slots.acquire_many(all).await.unwrap();
    let waiting: Vec<_> = (0..4)
        .map(|_| {
            let request = app
                .request(reqwest::Method::POST, "/auth/login", None)
                .json(&json!({"email": ADMIN_EMAIL, "password": "wrong-password-123"}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        })
        .collect();
    // Give the logins time to reach the hashing queue (they cannot pass it).
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for path in ["/health/ready", "/auth/me"] {
        let res = app.get(path, Some(&admin)).await;
        assert_eq!(res.status(), 200, "{path} while logins wait to hash");
    }
    assert!(waiting.iter().all(|w| !w.is_finished()));
    drop(held);
    for login in waiting {
        assert_eq!(login.await.unwrap(), 401);
    }
}
