//! `/articles`: visibility, roles, slugs, sanitising, related, views, trash, caching, paging.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, problem};

/// Creates a category as `token`; returns its id.
pub async fn category(app: &TestApp, token: &str, name: &str, parent: Option<&str>) -> String {
    let res = app
        .post(
            "/categories",
            Some(token),
            &json!({"name": name, "parent_id": parent}),
        )
        .await;
    assert_eq!(res.status(), 201, "create category {name}");
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Creates an article as `token`; panics unless 201. Returns the article.
pub async fn article(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/articles", Some(token), &body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "create article: {text}");
    serde_json::from_str(&text).unwrap()
}

/// A published article with `title`, published at `at`.
pub async fn published(app: &TestApp, token: &str, title: &str, at: &str) -> Value {
    article(
        app,
        token,
        json!({"title": title, "status": "published", "published_at": at}),
    )
    .await
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_string()
}

async fn json_of(res: Response) -> Value {
    res.json().await.unwrap()
}

fn titles(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

fn queries(res: &Response) -> u32 {
    let v = res.headers()["server-timing"].to_str().unwrap();
    v.split('"')
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// One article of each kind that must stay hidden, and one public one.
struct Hidden {
    public: Value,
    hidden: Vec<Value>,
}

async fn hidden_and_public(app: &TestApp, editor: &str) -> Hidden {
    let cat = category(app, editor, "Tin tức", None).await;
    let public = article(app, editor, json!({"title": "Công khai hội nghị", "status": "published", "published_at": "2021-08-31T02:52:45Z", "category_id": cat})).await;
    let draft = article(
        app,
        editor,
        json!({"title": "Bản nháp hội nghị", "category_id": cat}),
    )
    .await;
    let scheduled = article(app, editor, json!({"title": "Hẹn giờ hội nghị", "status": "published", "published_at": "2099-01-01T00:00:00Z", "category_id": cat})).await;
    let archived = article(app, editor, json!({"title": "Lưu trữ hội nghị", "status": "archived", "published_at": "2020-01-01T00:00:00Z", "category_id": cat})).await;
    let trashed = article(app, editor, json!({"title": "Thùng rác hội nghị", "status": "published", "published_at": "2021-01-01T00:00:00Z", "category_id": cat})).await;
    assert_eq!(
        app.delete(&format!("/articles/{}", id(&trashed)), Some(editor))
            .await
            .status(),
        204
    );
    Hidden {
        public,
        hidden: vec![draft, scheduled, archived, trashed],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_callers_never_see_drafts_scheduled_archived_or_trashed_articles() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let Hidden { public, hidden } = hidden_and_public(&app, &editor).await;
    // Relate every hidden one to the public article.
    let all: Vec<String> = hidden.iter().map(id).collect();
    let res = app
        .patch(
            &format!("/articles/{}", id(&public)),
            Some(&editor),
            &json!({"related_ids": all}),
        )
        .await;
    assert_eq!(res.status(), 200);

    for path in [
        "/articles".to_string(),
        "/articles?q=hoi%20nghi".to_string(),
        "/articles?sort=title".to_string(),
        "/articles?status=published".to_string(),
    ] {
        let page = json_of(app.get(&path, None).await).await;
        assert_eq!(titles(&page), vec!["Công khai hội nghị"], "{path}");
    }
    let related = app
        .get(&format!("/articles/{}/related", id(&public)), None)
        .await;
    assert!(
        titles(&json_of(related).await).is_empty(),
        "hidden related leak"
    );
    let item = json_of(app.get(&format!("/articles/{}", id(&public)), None).await).await;
    assert_eq!(item["related_ids"], json!([]), "hidden related ids leak");
    for h in &hidden {
        let by_id = app.get(&format!("/articles/{}", id(h)), None).await;
        problem(by_id, 404).await;
        let by_slug = app
            .get(
                &format!("/articles/slug/{}", h["slug"].as_str().unwrap()),
                None,
            )
            .await;
        problem(by_slug, 404).await;
        let related = app.get(&format!("/articles/{}/related", id(h)), None).await;
        problem(related, 404).await;
        let view = app
            .post(&format!("/articles/{}/views", id(h)), None, &json!({}))
            .await;
        problem(view, 404).await;
    }
    // Editors see them all (the related ids included).
    let item = json_of(
        app.get(&format!("/articles/{}", id(&public)), Some(&editor))
            .await,
    )
    .await;
    assert_eq!(item["related_ids"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_status_other_than_published_is_401() {
    let app = TestApp::spawn().await;
    for status in ["draft", "archived", "scheduled"] {
        let res = app.get(&format!("/articles?status={status}"), None).await;
        problem(res, 401).await;
    }
    problem(app.get("/articles?trashed=true", None).await, 401).await;
    let author = app.token_for("author").await;
    problem(app.get("/articles?trashed=true", Some(&author)).await, 403).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_filter_by_status_and_see_the_trash() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    hidden_and_public(&app, &editor).await;
    let get = |q: &'static str| {
        let app = &app;
        let editor = editor.clone();
        async move { titles(&json_of(app.get(q, Some(&editor)).await).await) }
    };
    assert_eq!(
        get("/articles?status=draft").await,
        vec!["Bản nháp hội nghị"]
    );
    assert_eq!(
        get("/articles?status=scheduled").await,
        vec!["Hẹn giờ hội nghị"]
    );
    assert_eq!(
        get("/articles?status=archived").await,
        vec!["Lưu trữ hội nghị"]
    );
    assert_eq!(
        get("/articles?status=published").await,
        vec!["Hẹn giờ hội nghị", "Công khai hội nghị"]
    );
    assert_eq!(
        get("/articles?trashed=true").await,
        vec!["Thùng rác hội nghị"]
    );
    assert_eq!(get("/articles").await.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_create_only_drafts() {
    let app = TestApp::spawn().await;
    let author = app.token_for("author").await;
    for status in ["published", "archived"] {
        let res = app
            .post(
                "/articles",
                Some(&author),
                &json!({"title": "Bài của phóng viên", "status": status}),
            )
            .await;
        problem(res, 403).await;
    }
    let created = article(&app, &author, json!({"title": "Bài của phóng viên"})).await;
    assert_eq!(created["status"], "draft");
    assert_eq!(created["published_at"], Value::Null);
    assert_eq!(created["version"], 1);
    problem(
        app.post("/articles", None, &json!({"title": "x"})).await,
        401,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_edit_only_their_own_drafts() {
    let app = TestApp::spawn().await;
    let author = app.token_for("author").await;
    let other = app.token_for("author").await;
    let editor = app.token_for("editor").await;
    let draft = article(&app, &author, json!({"title": "Bản nháp"})).await;
    let path = format!("/articles/{}", id(&draft));
    // Another author does not even see it.
    problem(
        app.patch(&path, Some(&other), &json!({"title": "Sửa"}))
            .await,
        404,
    )
    .await;
    problem(app.get(&path, Some(&other)).await, 404).await;
    // The author cannot publish it.
    problem(
        app.patch(&path, Some(&author), &json!({"status": "published"}))
            .await,
        403,
    )
    .await;
    let res = app
        .patch(&path, Some(&author), &json!({"title": "Bản nháp mới"}))
        .await;
    assert_eq!(res.status(), 200);
    // Once an editor published it, the author can no longer change it, nor delete it.
    let res = app
        .patch(&path, Some(&editor), &json!({"status": "published"}))
        .await;
    assert_eq!(res.status(), 200);
    problem(
        app.patch(&path, Some(&author), &json!({"title": "Lén sửa"}))
            .await,
        403,
    )
    .await;
    problem(app.delete(&path, Some(&author)).await, 403).await;
    let now = json_of(app.get(&path, None).await).await;
    assert_eq!(now["title"], "Bản nháp mới");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishing_without_a_date_publishes_now() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let draft = article(&app, &editor, json!({"title": "Tin mới"})).await;
    let res = app
        .patch(
            &format!("/articles/{}", id(&draft)),
            Some(&editor),
            &json!({"status": "published"}),
        )
        .await;
    let body = json_of(res).await;
    let at = chrono::DateTime::parse_from_rfc3339(body["published_at"].as_str().unwrap()).unwrap();
    assert!(
        (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
            .num_seconds()
            .abs()
            < 60
    );
    assert_eq!(body["version"], 2);
    let public = app.get(&format!("/articles/{}", id(&draft)), None).await;
    assert_eq!(public.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_articles_appear_when_their_time_comes() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let a = article(
        &app,
        &editor,
        json!({"title": "Sắp đăng", "status": "published", "published_at": soon}),
    )
    .await;
    problem(app.get(&format!("/articles/{}", id(&a)), None).await, 404).await;
    // The anonymous list is kept in memory meanwhile, without the scheduled article.
    let listed = |page: Value| {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == a["id"])
    };
    let page: Value = app.get("/articles", None).await.json().await.unwrap();
    assert!(!listed(page));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        app.get(&format!("/articles/{}", id(&a)), None)
            .await
            .status(),
        200
    );
    let page: Value = app.get("/articles", None).await.json().await.unwrap();
    assert!(listed(page), "the kept list outlived the publication");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn derived_slugs_get_a_suffix_and_a_given_taken_slug_is_409() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let title = "Hội nghị tổng kết Quy chế phối hợp – Đảng Đoàn HĐND";
    let first = article(&app, &editor, json!({"title": title})).await;
    let second = article(&app, &editor, json!({"title": title})).await;
    let third = article(&app, &editor, json!({"title": title})).await;
    assert_eq!(
        first["slug"],
        "hoi-nghi-tong-ket-quy-che-phoi-hop-dang-doan-hdnd"
    );
    assert_eq!(
        second["slug"],
        "hoi-nghi-tong-ket-quy-che-phoi-hop-dang-doan-hdnd-2"
    );
    assert_eq!(
        third["slug"],
        "hoi-nghi-tong-ket-quy-che-phoi-hop-dang-doan-hdnd-3"
    );
    let res = app
        .post(
            "/articles",
            Some(&editor),
            &json!({"title": "Khác", "slug": "hoi-nghi-tong-ket-quy-che-phoi-hop-dang-doan-hdnd"}),
        )
        .await;
    problem(res, 409).await;
    let res = app
        .patch(
            &format!("/articles/{}", id(&third)),
            Some(&editor),
            &json!({"slug": first["slug"]}),
        )
        .await;
    problem(res, 409).await;
    for bad in ["Có Dấu", "a--b", "-a", "UPPER", ""] {
        let res = app
            .post(
                "/articles",
                Some(&editor),
                &json!({"title": "x", "slug": bad}),
            )
            .await;
        assert_eq!(fields(&problem(res, 422).await), vec!["slug"], "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_articles_with_one_title_get_distinct_slugs() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let body = json!({"title": "Kỳ họp thứ mười lăm"});
    let futures = (0..8).map(|_| app.post("/articles", Some(&editor), &body));
    let results = futures_util::future::join_all(futures).await;
    let mut slugs = Vec::new();
    for res in results {
        assert_eq!(res.status(), 201);
        slugs.push(json_of(res).await["slug"].as_str().unwrap().to_string());
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 8);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_are_sanitised() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let body = r#"<figure data-photo="quang-canh"><figcaption>Quang cảnh hội nghị</figcaption></figure><p onclick="steal()">Chiều ngày <a href="javascript:alert(1)">30/8</a></p><script>alert(1)</script><img src="x" onerror="alert(1)">"#;
    let a = article(&app, &editor, json!({"title": "An toàn", "body": body})).await;
    let stored = a["body"].as_str().unwrap();
    for bad in ["<script", "onclick", "javascript:", "onerror", "alert"] {
        assert!(!stored.contains(bad), "{bad} survived: {stored}");
    }
    assert!(stored.contains(
        r#"<figure data-photo="quang-canh"><figcaption>Quang cảnh hội nghị</figcaption></figure>"#
    ));
    assert!(stored.contains("Chiều ngày"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_article_input_is_422_naming_the_fields() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let missing = "01940000-0000-7000-8000-000000000000";
    let res = app
        .post(
            "/articles",
            Some(&editor),
            &json!({"title": "  ", "summary": "x".repeat(2001), "category_id": missing, "related_ids": [missing]}),
        )
        .await;
    let p = problem(res, 422).await;
    let mut f = fields(&p);
    f.sort();
    assert_eq!(f, vec!["summary", "title"]);
    let res = app
        .post(
            "/articles",
            Some(&editor),
            &json!({"title": "Có tiêu đề", "category_id": missing, "related_ids": [missing]}),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(fields(&p), vec!["category_id", "related_ids.0"]);
    let res = app
        .post(
            "/articles",
            Some(&editor),
            &json!({"title": "x", "colour": "red"}),
        )
        .await;
    assert_eq!(fields(&problem(res, 400).await), vec!["colour"]);
    let res = app
        .post(
            "/articles",
            Some(&editor),
            &json!({"title": "x", "status": "deleted"}),
        )
        .await;
    assert_eq!(fields(&problem(res, 400).await), vec!["status"]);
    assert_eq!(
        json_of(app.get("/articles", Some(&editor)).await).await["data"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_ids_name_existing_articles_trashed_included() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = published(&app, &editor, "A", "2021-01-01T00:00:00Z").await;
    let b = published(&app, &editor, "B", "2021-01-02T00:00:00Z").await;
    app.delete(&format!("/articles/{}", id(&b)), Some(&editor))
        .await;
    let res = app
        .patch(
            &format!("/articles/{}", id(&a)),
            Some(&editor),
            &json!({"related_ids": [id(&b)]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["related_ids"], json!([id(&b)]));
    let res = app
        .patch(
            &format!("/articles/{}", id(&a)),
            Some(&editor),
            &json!({"related_ids": [id(&a)]}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), vec!["related_ids.0"]);
    let res = app
        .patch(
            &format!("/articles/{}", id(&a)),
            Some(&editor),
            &json!({"related_ids": [id(&b), id(&b)]}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), vec!["related_ids.1"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn related_lists_manual_ones_first_then_the_newest_of_the_category() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let cat = category(&app, &editor, "Hội đồng nhân dân", None).await;
    let other = category(&app, &editor, "Văn bản", None).await;
    let mk = |title: &'static str, at: &'static str, cat: String| {
        let app = &app;
        let editor = editor.clone();
        async move {
            article(app, &editor, json!({"title": title, "status": "published", "published_at": at, "category_id": cat})).await
        }
    };
    let main = mk("Bài chính", "2021-08-31T02:52:45Z", cat.clone()).await;
    mk("Cũ", "2020-01-01T00:00:00Z", cat.clone()).await;
    mk("Mới", "2023-05-31T04:34:41Z", cat.clone()).await;
    mk("Vừa", "2023-05-30T01:32:35Z", cat.clone()).await;
    let manual = mk("Chủ đề khác", "2019-01-01T00:00:00Z", other.clone()).await;
    article(
        &app,
        &editor,
        json!({"title": "Nháp cùng mục", "category_id": cat}),
    )
    .await;
    app.patch(
        &format!("/articles/{}", id(&main)),
        Some(&editor),
        &json!({"related_ids": [id(&manual)]}),
    )
    .await;
    let page = json_of(
        app.get(&format!("/articles/{}/related", id(&main)), None)
            .await,
    )
    .await;
    assert_eq!(titles(&page), vec!["Chủ đề khác", "Mới", "Vừa", "Cũ"]);
    let page = json_of(
        app.get(&format!("/articles/{}/related?limit=2", id(&main)), None)
            .await,
    )
    .await;
    assert_eq!(titles(&page), vec!["Chủ đề khác", "Mới"]);
    problem(
        app.get(&format!("/articles/{}/related?limit=21", id(&main)), None)
            .await,
        400,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn views_are_counted_by_post_only() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = published(&app, &editor, "Được đọc", "2021-01-01T00:00:00Z").await;
    let path = format!("/articles/{}", id(&a));
    app.get(&path, None).await;
    let views = format!("{path}/views");
    let empty = json!({});
    let futures = (0..20).map(|_| app.post(&views, None, &empty));
    for res in futures_util::future::join_all(futures).await {
        assert_eq!(res.status(), 200);
    }
    let res = app.post(&format!("{path}/views"), None, &json!({})).await;
    assert_eq!(json_of(res).await, json!({"view_count": 21}));
    let item = json_of(app.get(&path, None).await).await;
    assert_eq!(item["view_count"], 21);
    assert_eq!(item["version"], 1, "a view is not an edit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trash_restore_and_permanent_delete() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let admin = app.admin_token().await;
    let a = published(&app, &editor, "Sẽ xóa", "2021-01-01T00:00:00Z").await;
    let path = format!("/articles/{}", id(&a));
    assert_eq!(app.delete(&path, Some(&editor)).await.status(), 204);
    problem(app.get(&path, None).await, 404).await;
    let trashed = json_of(app.get(&path, Some(&editor)).await).await;
    assert!(trashed["deleted_at"].is_string());
    problem(
        app.patch(&path, Some(&editor), &json!({"title": "x"}))
            .await,
        409,
    )
    .await;
    let res = app
        .request(Method::POST, &format!("{path}/restore"), Some(&editor))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(json_of(res).await["deleted_at"], Value::Null);
    assert_eq!(app.get(&path, None).await.status(), 200);
    problem(
        app.delete(&format!("{path}?permanent=true"), Some(&editor))
            .await,
        403,
    )
    .await;
    assert_eq!(
        app.delete(&format!("{path}?permanent=true"), Some(&admin))
            .await
            .status(),
        204
    );
    problem(app.get(&path, Some(&admin)).await, 404).await;
    // Its slug is free again.
    let again = published(&app, &editor, "Sẽ xóa", "2021-01-01T00:00:00Z").await;
    assert_eq!(again["slug"], a["slug"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etags_give_304_and_stale_if_match_writes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = published(&app, &editor, "Có ETag", "2021-01-01T00:00:00Z").await;
    let path = format!("/articles/{}", id(&a));
    let res = app.get(&path, None).await;
    assert_eq!(res.headers()["cache-control"], "public, max-age=60");
    assert!(
        res.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Authorization")
    );
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .request(Method::GET, &path, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let res = app.get(&path, Some(&editor)).await;
    assert_eq!(res.headers()["cache-control"], "private, no-store");

    // A view meanwhile changes the ETag but does not make If-Match fail.
    app.post(&format!("{path}/views"), None, &json!({})).await;
    let res = app
        .request(Method::GET, &path, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the representation changed");
    let res = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("If-Match", &etag)
        .json(&json!({"title": "Sửa lần một"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The old tag is stale now: nothing is written.
    let res = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("If-Match", &etag)
        .json(&json!({"title": "Sửa lần hai"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let res = app
        .request(Method::DELETE, &path, Some(&editor))
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let now = json_of(app.get(&path, None).await).await;
    assert_eq!(
        (now["title"].as_str(), now["version"].as_i64()),
        (Some("Sửa lần một"), Some(2))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let a = published(&app, &editor, "Giữ nguyên", "2021-01-01T00:00:00Z").await;
    let res = app
        .patch(
            &format!("/articles/{}", id(&a)),
            Some(&editor),
            &json!({"title": "Giữ nguyên"}),
        )
        .await;
    assert_eq!(json_of(res).await["version"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_embeds_load_in_a_fixed_number_of_queries() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let root = category(&app, &editor, "Tin tức hoạt động", None).await;
    let mut cats = vec![root.clone()];
    for i in 0..5 {
        cats.push(category(&app, &editor, &format!("Mục {i}"), Some(&root)).await);
    }
    let mut authors = Vec::new();
    for _ in 0..3 {
        authors.push(app.token_for("editor").await);
    }
    for i in 0..30 {
        let token = &authors[i % 3];
        article(&app, token, json!({"title": format!("Bài số {i}"), "status": "published", "published_at": "2021-01-01T00:00:00Z", "category_id": cats[i % 6]})).await;
    }
    // The first anonymous list after a write also looks up the next scheduled publication
    // (once, for the public cache); measure after it, once the writes' notifications (which
    // clear the cache again) have come back from PostgreSQL.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    app.get("/articles?limit=1", None).await;
    let small = app.get("/articles?limit=2", None).await;
    let large = app.get("/articles?limit=30", None).await;
    let (q_small, q_large) = (queries(&small), queries(&large));
    let page = json_of(large).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 30);
    assert!(
        page["data"][0]["category"]["path"]
            .as_array()
            .unwrap()
            .len()
            == 2
    );
    assert!(page["data"][0]["author"]["display_name"].is_string());
    assert_eq!(q_small, q_large, "queries must not grow with the page size");
    assert!(q_large <= 2, "one query for the page: {q_large}");
    let with_total = app.get("/articles?limit=30&with_total=true", None).await;
    assert!(queries(&with_total) <= 3);
    // The same holds for an editor (credential lookup included) and for search.
    let a = app.get("/articles?limit=2&q=bai", Some(&editor)).await;
    let b = app.get("/articles?limit=30&q=bai", Some(&editor)).await;
    assert_eq!(queries(&a), queries(&b));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_filter_includes_sub_categories_by_id_or_slug() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let root = category(&app, &editor, "Tin tức hoạt động", None).await;
    let child = category(&app, &editor, "Hội đồng nhân dân", Some(&root)).await;
    let other = category(&app, &editor, "Văn bản", None).await;
    for (title, cat) in [("Ở gốc", &root), ("Ở con", &child), ("Ở khác", &other)] {
        article(&app, &editor, json!({"title": title, "status": "published", "published_at": "2021-01-01T00:00:00Z", "category_id": cat})).await;
    }
    let mut t = titles(&json_of(app.get("/articles?category=tin-tuc-hoat-dong", None).await).await);
    t.sort();
    assert_eq!(t, vec!["Ở con", "Ở gốc"]);
    let t = titles(&json_of(app.get(&format!("/articles?category={child}"), None).await).await);
    assert_eq!(t, vec!["Ở con"]);
    let t = titles(&json_of(app.get("/articles?category=khong-co", None).await).await);
    assert!(t.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_filters_mean_whole_days_in_the_site_time_zone() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    // 30/08 23:59 and 31/08 00:05 in Hà Nội time.
    published(&app, &editor, "Tối 30", "2021-08-30T16:59:00Z").await;
    published(&app, &editor, "Đầu ngày 31", "2021-08-30T17:05:00Z").await;
    published(&app, &editor, "Sáng 31", "2021-08-31T02:52:45Z").await;
    published(&app, &editor, "Ngày 1/9", "2021-08-31T17:00:00Z").await;
    let t = titles(
        &json_of(
            app.get(
                "/articles?published_from=2021-08-31&published_to=2021-08-31",
                None,
            )
            .await,
        )
        .await,
    );
    assert_eq!(t, vec!["Sáng 31", "Đầu ngày 31"]);
    let t = titles(
        &json_of(
            app.get(
                "/articles?published_from=2021-08-31T02:52:45Z&published_to=2021-08-31T02:52:45Z",
                None,
            )
            .await,
        )
        .await,
    );
    assert_eq!(t, vec!["Sáng 31"]);
    let res = app.get("/articles?published_from=31/08/2021", None).await;
    assert_eq!(fields(&problem(res, 400).await), vec!["published_from"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn author_filter_and_sorts() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let (other_id, email, pw) = app.create_user("editor").await;
    let other = app.login(&email, &pw).await.access;
    for (title, at) in [
        ("Ánh", "2021-01-03T00:00:00Z"),
        ("An", "2021-01-01T00:00:00Z"),
        ("Đinh", "2021-01-02T00:00:00Z"),
    ] {
        published(&app, &editor, title, at).await;
    }
    let b = published(&app, &other, "Bùi", "2021-01-04T00:00:00Z").await;
    for _ in 0..3 {
        app.post(&format!("/articles/{}/views", id(&b)), None, &json!({}))
            .await;
    }
    let t = |q: String| {
        let app = &app;
        async move { titles(&json_of(app.get(&q, None).await).await) }
    };
    assert_eq!(t(format!("/articles?author={other_id}")).await, vec!["Bùi"]);
    assert_eq!(
        t("/articles?sort=title".into()).await,
        vec!["An", "Ánh", "Bùi", "Đinh"]
    );
    assert_eq!(
        t("/articles?sort=-title".into()).await,
        vec!["Đinh", "Bùi", "Ánh", "An"]
    );
    assert_eq!(
        t("/articles?sort=published_at".into()).await,
        vec!["An", "Đinh", "Ánh", "Bùi"]
    );
    assert_eq!(
        t("/articles".into()).await,
        vec!["Bùi", "Ánh", "Đinh", "An"]
    );
    assert_eq!(t("/articles?sort=-view_count".into()).await[0], "Bùi");
    problem(app.get("/articles?sort=body", None).await, 400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_paging_visits_every_article_once_in_each_sort() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    for i in 0..7 {
        // Two share each instant, so the id breaks ties.
        published(
            &app,
            &editor,
            &format!("Bài {i}"),
            &format!("2021-01-0{}T00:00:00Z", 1 + i / 2),
        )
        .await;
    }
    article(&app, &editor, json!({"title": "Nháp không ngày"})).await;
    for (sort, token, expected) in [
        ("-published_at", None, 7),
        ("published_at", None, 7),
        ("title", None, 7),
        ("-view_count", None, 7),
        ("-published_at", Some(editor.as_str()), 8),
        ("published_at", Some(editor.as_str()), 8),
    ] {
        let mut seen = Vec::new();
        let mut url = format!("/articles?limit=3&sort={sort}");
        loop {
            let page = json_of(app.get(&url, token).await).await;
            seen.extend(page["data"].as_array().unwrap().iter().map(id));
            match page["meta"]["next_cursor"].as_str() {
                Some(c) => url = format!("/articles?limit=3&sort={sort}&cursor={c}"),
                None => break,
            }
        }
        let n = seen.len();
        seen.sort();
        seen.dedup();
        assert_eq!(
            (n, seen.len()),
            (expected, expected),
            "{sort} {}",
            token.is_some()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_errors_and_numbered_pages() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    for i in 0..5 {
        published(&app, &editor, &format!("Bài {i}"), "2021-01-01T00:00:00Z").await;
    }
    let page = json_of(app.get("/articles?page=2&limit=2", None).await).await;
    assert_eq!(page["meta"]["total"], 5);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let page = json_of(app.get("/articles?limit=2&with_total=true", None).await).await;
    assert_eq!(page["meta"]["total"], 5);
    assert!(
        json_of(app.get("/articles?limit=2", None).await).await["meta"]
            .get("total")
            .is_none()
    );
    for bad in [
        "limit=0",
        "limit=101",
        "cursor=garbage",
        "cursor=eyJzIjoiLXB1Ymxpc2hlZF9hdCIsInYiOiJ4IiwiaSI6IjAxOTQwMDAwLTAwMDAtNzAwMC04MDAwLTAwMDAwMDAwMDAwMCJ9",
        "page=0",
        "with_total=maybe",
    ] {
        problem(app.get(&format!("/articles?{bad}"), None).await, 400).await;
    }
    // A cursor of another sort is refused.
    let c =
        json_of(app.get("/articles?limit=2&sort=title", None).await).await["meta"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
    problem(app.get(&format!("/articles?cursor={c}"), None).await, 400).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_lists_come_from_memory_until_a_write() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    published(&app, &editor, "Hội nghị thứ nhất", "2021-01-01T00:00:00Z").await;
    // The write's notification comes back from PostgreSQL and clears the cache once more.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let first = app.get("/articles?q=hoi%20nghi", None).await;
    assert!(queries(&first) >= 1);
    let again = app.get("/articles?q=hoi%20nghi", None).await;
    assert_eq!(queries(&again), 0, "served from memory");
    assert_eq!(again.headers()["cache-control"], "public, max-age=60");
    // A write on this process is seen at once.
    published(&app, &editor, "Hội nghị thứ hai", "2021-01-02T00:00:00Z").await;
    let after = app.get("/articles?q=hoi%20nghi", None).await;
    assert!(queries(&after) >= 1);
    assert_eq!(titles(&json_of(after).await).len(), 2);
    // Callers with credentials are never served from memory.
    let private = app.get("/articles?q=hoi%20nghi", Some(&editor)).await;
    assert!(queries(&private) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zero_public_cache_ttl_turns_the_memory_off() {
    let app = TestApp::spawn_with(&[("BANTIN_PUBLIC_CACHE_TTL", "0")]).await;
    app.get("/articles", None).await;
    assert!(queries(&app.get("/articles", None).await) >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_in_a_body_come_with_their_image() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let editor = app.token_for("editor").await;
    let page: Value = app
        .get("/articles?q=quy%20che%20phoi%20hop&limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    let slug = page["data"][0]["slug"].as_str().unwrap().to_string();
    let res = app.get(&format!("/articles/slug/{slug}"), None).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let article: Value = res.json().await.unwrap();
    let body = article["body"].as_str().unwrap();
    let figures = body.matches("<figure data-photo=\"").count();
    assert!(figures >= 1, "{body}");
    assert_eq!(body.matches("loading=\"lazy\"").count(), figures, "{body}");
    // The image is the photo's medium variant, with the photo's own text as alt.
    let at = body.find("<figure data-photo=\"").unwrap() + "<figure data-photo=\"".len();
    let photo_id = &body[at..at + 36];
    let photo: Value = app
        .get(&format!("/photos/{photo_id}"), Some(&editor))
        .await
        .json()
        .await
        .unwrap();
    let medium = photo["variants"][1]["url"].as_str().unwrap();
    let expected = format!("<figure data-photo=\"{photo_id}\"><img src=\"{medium}\" srcset=\"");
    assert!(body.contains(&expected), "{body}");
    assert!(body.contains(&format!("width=\"{}\"", photo["variants"][1]["width"])));
    let image = app
        .get(&medium[medium.find("/media/").unwrap()..], None)
        .await;
    assert_eq!(image.status(), 200);
    // The ETag read with the image is the one writes compare.
    let id = article["id"].as_str().unwrap();
    let res = app
        .request(
            reqwest::Method::PATCH,
            &format!("/articles/{id}"),
            Some(&editor),
        )
        .header("If-Match", &etag)
        .json(&json!({"summary": "Tóm tắt mới"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A photo that is gone leaves its caption.
    let res = app
        .delete(&format!("/photos/{photo_id}?force=true"), Some(&editor))
        .await;
    assert_eq!(res.status(), 204);
    let article: Value = app
        .get(&format!("/articles/slug/{slug}"), None)
        .await
        .json()
        .await
        .unwrap();
    let body = article["body"].as_str().unwrap();
    let figure = &body[body.find(&format!("data-photo=\"{photo_id}\"")).unwrap()..];
    let figure = &figure[..figure.find("</figure>").unwrap()];
    assert!(!figure.contains("<img"), "{figure}");
    assert!(figure.contains("<figcaption>"), "{figure}");
}
