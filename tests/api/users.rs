//! `/users`: admins manage accounts; roles and conditional requests.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, problem};

fn new_user(email: &str) -> Value {
    json!({"email": email, "display_name": "Lò Thị Mai", "role": "author", "password": "mật-khẩu-đủ-dài"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_creates_and_reads_a_user() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post("/users", Some(&admin), &new_user("mai@test.vn"))
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/users/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["version"], 1);
    assert!(created.get("password").is_none() && created.get("password_hash").is_none());
    let res = app.get(&location, Some(&admin)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decomposed_text_is_stored_composed() {
    use unicode_normalization::UnicodeNormalization;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let nfd: String = "Lò Văn Cương".nfd().collect();
    // An internationalised address (the spec says `idn-email`) is kept, composed.
    let nfd_email: String = "Cương.Lò@hđnd.laichau.vn".nfd().collect();
    let mut body = new_user(&nfd_email);
    body["display_name"] = json!(nfd);
    let created: Value = app
        .post("/users", Some(&admin), &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(created["display_name"], "Lò Văn Cương");
    assert_eq!(created["email"], "Cương.Lò@hđnd.laichau.vn");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_is_401_and_non_admins_are_403() {
    let app = TestApp::spawn().await;
    problem(app.get("/users", None).await, 401).await;
    for role in ["editor", "author"] {
        let token = app.token_for(role).await;
        problem(app.get("/users", Some(&token)).await, 403).await;
        problem(
            app.post("/users", Some(&token), &new_user("x@test.vn"))
                .await,
            403,
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_unique_whatever_their_case() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    assert_eq!(
        app.post("/users", Some(&admin), &new_user("mai@test.vn"))
            .await
            .status(),
        201
    );
    problem(
        app.post("/users", Some(&admin), &new_user("MAI@Test.vn"))
            .await,
        409,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_fields_are_422_and_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let body = json!({"email": "not-an-email", "display_name": " ", "role": "author", "password": "short"});
    let p = problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(fields(&p), ["email", "display_name", "password"]);
    let p = problem(
        app.post(
            "/users",
            Some(&admin),
            &json!({"email": "a@b.vn", "display_name": "A", "role": "owner", "password": "x"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["role"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_changes_only_what_is_given_and_bumps_version() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, _) = app.create_user("author").await;
    let res = app
        .patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"role": "editor"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let user: Value = res.json().await.unwrap();
    assert_eq!(
        (
            user["role"].as_str(),
            user["email"].as_str(),
            user["version"].as_i64()
        ),
        (Some("editor"), Some(email.as_str()), Some(2))
    );
    let p = problem(
        app.patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"display_name": null}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["display_name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_ends_sessions_and_new_password_works() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user("editor").await;
    let old = app.login(&email, &password).await;
    app.patch(
        &format!("/users/{id}"),
        Some(&admin),
        &json!({"password": "một-mật-khẩu-mới"}),
    )
    .await;
    problem(app.get("/auth/me", Some(&old.access)).await, 401).await;
    app.login(&email, "một-mật-khẩu-mới").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_enabled_admin_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let me: Value = app
        .get("/auth/me", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let id = me["id"].as_str().unwrap();
    problem(app.delete(&format!("/users/{id}"), Some(&admin)).await, 409).await;
    problem(
        app.patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"disabled": true}),
        )
        .await,
        409,
    )
    .await;
    problem(
        app.patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"role": "editor"}),
        )
        .await,
        409,
    )
    .await;
    // With a second admin, the first can go.
    app.create_user("admin").await;
    assert_eq!(
        app.patch(
            &format!("/users/{id}"),
            Some(&admin),
            &json!({"role": "editor"})
        )
        .await
        .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_the_user() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, email, password) = app.create_user("author").await;
    assert_eq!(
        app.delete(&format!("/users/{id}"), Some(&admin))
            .await
            .status(),
        204
    );
    problem(app.get(&format!("/users/{id}"), Some(&admin)).await, 404).await;
    problem(app.delete(&format!("/users/{id}"), Some(&admin)).await, 404).await;
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
async fn unknown_or_malformed_ids_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    problem(
        app.get(&format!("/users/{}", uuid::Uuid::now_v7()), Some(&admin))
            .await,
        404,
    )
    .await;
    problem(app.get("/users/not-a-uuid", Some(&admin)).await, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etag_gives_304_and_stale_if_match_gives_412_without_writing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _, _) = app.create_user("author").await;
    let path = format!("/users/{id}");
    let res = app.get(&path, Some(&admin)).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let res = app
        .request(Method::GET, &path, Some(&admin))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    // A change with the right tag goes through and changes the tag.
    let res = app
        .request(Method::PATCH, &path, Some(&admin))
        .header("If-Match", &etag)
        .json(&json!({"display_name": "Tên mới"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app.get(&path, Some(&admin)).await;
    assert_ne!(res.headers()["etag"].to_str().unwrap(), etag);
    // The old tag is stale now: 412 and nothing written.
    let res = app
        .request(Method::PATCH, &path, Some(&admin))
        .header("If-Match", &etag)
        .json(&json!({"display_name": "Lạc hậu"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let res = app
        .request(Method::DELETE, &path, Some(&admin))
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let user: Value = app.get(&path, Some(&admin)).await.json().await.unwrap();
    assert_eq!(user["display_name"], "Tên mới");
    assert_eq!(user["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_pages_by_cursor_and_by_number() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for i in 0..4 {
        app.post("/users", Some(&admin), &new_user(&format!("u{i}@test.vn")))
            .await;
    }
    // 5 users: the admin and u0..u3, by email.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/users?sort=email&limit=2&cursor={c}"),
            None => "/users?sort=email&limit=2".into(),
        };
        let res = app.get(&path, Some(&admin)).await;
        assert_eq!(res.headers()["cache-control"], "private, no-store");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["meta"]["limit"], 2);
        assert!(page["meta"].get("total").is_none());
        seen.extend(
            page["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_string()),
        );
        match page["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "admin@test.vn",
            "u0@test.vn",
            "u1@test.vn",
            "u2@test.vn",
            "u3@test.vn"
        ]
    );
    let page: Value = app
        .get("/users?sort=-email&page=2&limit=2", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let emails: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["u1@test.vn", "u0@test.vn"]);
    assert_eq!(page["meta"]["total"], 5);
    let page: Value = app
        .get("/users?role=admin&with_total=true", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["meta"]["total"], 1);
    let page: Value = app
        .get("/users?q=U2", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nul_characters_are_refused_not_500() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = new_user("nul@test.vn");
    body["display_name"] = json!("A\u{0}B");
    let p = problem(app.post("/users", Some(&admin), &body).await, 422).await;
    assert_eq!(fields(&p), ["display_name"]);
    let p = problem(app.get("/users?q=a%00b", Some(&admin)).await, 400).await;
    assert_eq!(fields(&p), ["q"]);
    problem(
        app.post(
            "/auth/login",
            None,
            &json!({"email": "a\u{0}@test.vn", "password": "whatever-password"}),
        )
        .await,
        422,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_if_match_matches_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (id, _, _) = app.create_user("author").await;
    let res = app
        .request(Method::PATCH, &format!("/users/{id}"), Some(&admin))
        .header("If-Match", "")
        .json(&json!({"display_name": "X"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_demoting_each_other_at_once_never_get_a_500() {
    let app = TestApp::spawn().await;
    for round in 0..5 {
        let (a_id, a_email, a_password) = app.create_user("admin").await;
        let (b_id, b_email, b_password) = app.create_user("admin").await;
        let a = app.login(&a_email, &a_password).await.access;
        let b = app.login(&b_email, &b_password).await.access;
        let demote = |token: String, id: String| {
            let request = app
                .request(Method::PATCH, &format!("/users/{id}"), Some(&token))
                .json(&json!({"role": "editor"}));
            tokio::spawn(async move { request.send().await.unwrap().status().as_u16() })
        };
        let (x, y) = (demote(a, b_id), demote(b, a_id));
        let statuses = [x.await.unwrap(), y.await.unwrap()];
        // The second finds its caller demoted (403) or both succeed; never a deadlock's 500.
        assert!(
            statuses.iter().all(|s| [200, 403].contains(s)) && statuses.contains(&200),
            "round {round}: {statuses:?}"
        );
    }
}
