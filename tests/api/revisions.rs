//! Article revisions: every change keeps the previous version; restores add a version.

use reqwest::Method;
use serde_json::{Value, json};

use crate::articles::{article, id};
use crate::helpers::{TestApp, problem};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_change_keeps_the_previous_version_with_its_writer() {
    let app = TestApp::spawn().await;
    let (author_id, email, pw) = app.create_user("author").await;
    let author = app.login(&email, &pw).await.access;
    let editor = app.token_for("editor").await;
    let a = article(
        &app,
        &author,
        json!({"title": "Bản 1", "body": "<p>Một</p>"}),
    )
    .await;
    let path = format!("/articles/{}", id(&a));
    app.patch(&path, Some(&author), &json!({"title": "Bản 2"}))
        .await;
    app.patch(
        &path,
        Some(&editor),
        &json!({"title": "Bản 3", "status": "published"}),
    )
    .await;
    let list: Value = app
        .get(&format!("{path}/revisions"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2, "the current version is the article itself");
    assert_eq!(data[0]["version"], 2);
    assert_eq!(data[0]["title"], "Bản 2");
    assert_eq!(data[0]["author"]["id"], author_id.as_str());
    assert_eq!(data[1]["version"], 1);
    assert_eq!(data[1]["status"], "draft");
    let v1: Value = app
        .get(&format!("{path}/revisions/1"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (v1["title"].as_str(), v1["version"].as_i64()),
        (Some("Bản 1"), Some(1))
    );
    assert_eq!(v1["body"], "<p>Một</p>");
    let v3: Value = app
        .get(&format!("{path}/revisions/3"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v3["title"], "Bản 3");
    problem(
        app.get(&format!("{path}/revisions/4"), Some(&editor)).await,
        404,
    )
    .await;
    problem(
        app.get(&format!("{path}/revisions/0"), Some(&editor)).await,
        404,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_a_revision_adds_a_version() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = article(
        &app,
        &editor,
        json!({"title": "Gốc", "summary": "Tóm tắt gốc"}),
    )
    .await;
    let path = format!("/articles/{}", id(&a));
    app.patch(
        &path,
        Some(&editor),
        &json!({"title": "Sửa", "summary": "Tóm tắt sửa"}),
    )
    .await;
    let res = app
        .request(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            Some(&editor),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let now: Value = res.json().await.unwrap();
    assert_eq!(
        (now["title"].as_str(), now["summary"].as_str()),
        (Some("Gốc"), Some("Tóm tắt gốc"))
    );
    assert_eq!(now["version"], 3);
    let list: Value = app
        .get(&format!("{path}/revisions"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    let versions: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![2, 1], "history is kept, not rewritten");
    assert_eq!(list["data"][0]["title"], "Sửa");
    problem(
        app.request(
            Method::POST,
            &format!("{path}/revisions/9/restore"),
            Some(&editor),
        )
        .send()
        .await
        .unwrap(),
        404,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_write_leaves_no_revision() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = article(&app, &editor, json!({"title": "Một"})).await;
    let path = format!("/articles/{}", id(&a));
    let res = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("If-Match", "\"stale.0\"")
        .json(&json!({"title": "Hai"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let res = app
        .patch(
            &path,
            Some(&editor),
            &json!({"related_ids": ["01940000-0000-7000-8000-000000000000"]}),
        )
        .await;
    problem(res, 422).await;
    let list: Value = app
        .get(&format!("{path}/revisions"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"], json!([]));
    let now: Value = app.get(&path, Some(&editor)).await.json().await.unwrap();
    assert_eq!(
        (now["title"].as_str(), now["version"].as_i64()),
        (Some("Một"), Some(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_for_the_author_and_editors() {
    let app = TestApp::spawn().await;
    let author = app.token_for("author").await;
    let other = app.token_for("author").await;
    let editor = app.token_for("editor").await;
    let a = article(&app, &author, json!({"title": "Của tôi"})).await;
    let path = format!("/articles/{}/revisions", id(&a));
    assert_eq!(app.get(&path, Some(&author)).await.status(), 200);
    assert_eq!(app.get(&path, Some(&editor)).await.status(), 200);
    problem(app.get(&path, None).await, 401).await;
    problem(app.get(&path, Some(&other)).await, 404).await;
    // Even on a published article another author can read, its history is not theirs.
    app.patch(
        &format!("/articles/{}", id(&a)),
        Some(&editor),
        &json!({"status": "published"}),
    )
    .await;
    problem(app.get(&path, Some(&other)).await, 403).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_edits_lose_no_update() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = article(&app, &editor, json!({"title": "Đếm"})).await;
    let path = format!("/articles/{}", id(&a));
    let bodies: Vec<Value> = (0..12)
        .map(|i| json!({"summary": format!("Lần {i}")}))
        .collect();
    let futures = bodies.iter().map(|b| app.patch(&path, Some(&editor), b));
    for res in futures_util::future::join_all(futures).await {
        assert_eq!(res.status(), 200);
    }
    let now: Value = app.get(&path, Some(&editor)).await.json().await.unwrap();
    assert_eq!(now["version"], 13);
    let list: Value = app
        .get(
            &format!("{path}/revisions?limit=100&with_total=true"),
            Some(&editor),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restoring_leaves_out_related_articles_deleted_for_good() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let kept = article(&app, &admin, json!({"title": "Còn"})).await;
    let gone = article(&app, &admin, json!({"title": "Mất"})).await;
    let a = article(
        &app,
        &admin,
        json!({"title": "Bài", "related_ids": [id(&kept), id(&gone)]}),
    )
    .await;
    let path = format!("/articles/{}", id(&a));
    app.patch(&path, Some(&admin), &json!({"related_ids": []}))
        .await;
    assert_eq!(
        app.delete(
            &format!("/articles/{}?permanent=true", id(&gone)),
            Some(&admin)
        )
        .await
        .status(),
        204
    );
    let res = app
        .request(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            Some(&admin),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let now: Value = res.json().await.unwrap();
    assert_eq!(now["related_ids"], json!([id(&kept)]));
}
