//! `/categories` tests: the tree, its breadcrumbs, slugs, roles, caching and paging.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, problem};

/// Creates a category as `token`; panics unless 201. Returns the created category.
async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/categories", Some(token), &body).await;
    assert_eq!(res.status(), 201, "create {body}");
    res.json().await.unwrap()
}

/// Creates a category named `name` under `parent` (top level when `None`).
async fn category(app: &TestApp, token: &str, name: &str, parent: Option<&Value>) -> Value {
    let mut body = json!({"name": name});
    if let Some(p) = parent {
        body["parent_id"] = p["id"].clone();
    }
    create(app, token, body).await
}

fn item_path(category: &Value) -> String {
    format!("/categories/{}", category["id"].as_str().unwrap())
}

/// Reads one category anonymously; panics unless 200.
async fn read(app: &TestApp, category: &Value) -> Value {
    let res = app.get(&item_path(category), None).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The names along a category's breadcrumb.
fn crumbs(category: &Value) -> Vec<String> {
    category["path"]
        .as_array()
        .expect("path is an array")
        .iter()
        .map(|step| step["name"].as_str().unwrap().to_string())
        .collect()
}

/// Reads a list page anonymously; panics unless 200.
async fn list(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/categories{query}"), None).await;
    assert_eq!(res.status(), 200, "GET /categories{query}");
    res.json().await.unwrap()
}

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_string()
}

/// Creates an article in `category` as admin; returns its id.
async fn article_in(app: &TestApp, admin: &str, category: &Value) -> String {
    let res = app
        .post(
            "/articles",
            Some(admin),
            &json!({"title": "Kỳ họp thứ mười HĐND tỉnh", "category_id": category["id"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let article: Value = res.json().await.unwrap();
    article["id"].as_str().unwrap().to_string()
}

/// Follows `next_cursor` from the first page of `query` to the end; returns the ids seen.
async fn walk_cursor(app: &TestApp, query: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut page = list(app, &format!("?limit=2{query}")).await;
    loop {
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 2, "a page holds at most `limit` items");
        seen.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_string()));
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                assert!(seen.len() < 100, "paging does not end");
                page = list(app, &format!("?limit=2{query}&cursor={cursor}")).await;
            }
            None => break,
        }
    }
    seen
}

// ---- create -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_is_201_with_location_and_etag() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/categories",
            Some(&admin),
            &json!({"name": "Tin tức hoạt động", "description": "Tin về hoạt động của HĐND tỉnh"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let location = header(&res, "location");
    let etag = header(&res, "etag");
    let created: Value = res.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/categories/{}", created["id"].as_str().unwrap())
    );
    assert_eq!(created["version"], 1);
    assert_eq!(created["parent_id"], Value::Null);
    assert_eq!(created["description"], "Tin về hoạt động của HĐND tỉnh");
    let res = app.get(&location, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "etag"),
        etag,
        "the ETag of the 201 is the GET's"
    );
    assert_eq!(res.json::<Value>().await.unwrap(), created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slug_is_derived_from_the_vietnamese_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = category(&app, &admin, "Tin tức hoạt động", None).await;
    assert_eq!(created["slug"], "tin-tuc-hoat-dong");
    let created = category(&app, &admin, "Đoàn Đại biểu Quốc hội", None).await;
    assert_eq!(created["slug"], "doan-dai-bieu-quoc-hoi", "Đ becomes d");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_category_with_the_same_name_gets_a_2_suffix() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    let second = category(&app, &admin, "Tin tức hoạt động", None).await;
    assert_eq!(second["slug"], "tin-tuc-hoat-dong-2");
    let third = category(&app, &admin, "Tin tức hoạt động", None).await;
    assert_eq!(third["slug"], "tin-tuc-hoat-dong-3");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_the_same_name_get_distinct_slugs() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let admin = app.admin_token().await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (app, admin) = (app.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            let res = app
                .post(
                    "/categories",
                    Some(&admin),
                    &json!({"name": "Tin tức hoạt động"}),
                )
                .await;
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()["slug"]
                .as_str()
                .unwrap()
                .to_string()
        }));
    }
    let mut slugs = Vec::new();
    for t in tasks {
        slugs.push(t.await.unwrap());
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 6, "{slugs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_slug_that_is_taken_is_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    problem(
        app.post(
            "/categories",
            Some(&admin),
            &json!({"name": "Tin khác", "slug": "tin-tuc-hoat-dong"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(list(&app, "").await["data"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_slug_is_kept_as_given() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = create(
        &app,
        &admin,
        json!({"name": "Hội đồng nhân dân", "slug": "hdnd"}),
    )
    .await;
    assert_eq!(created["slug"], "hdnd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invalid_explicit_slug_is_422_naming_slug() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for slug in [
        "Tin-Tuc", "tin tuc", "tin--tuc", "-tin", "tin-", "tin_tuc", "tức", "",
    ] {
        let p = problem(
            app.post(
                "/categories",
                Some(&admin),
                &json!({"name": "Tin tức", "slug": slug}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(fields(&p), ["slug"], "{slug:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_name_is_422_naming_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["", "   "] {
        let p = problem(
            app.post("/categories", Some(&admin), &json!({"name": name}))
                .await,
            422,
        )
        .await;
        assert_eq!(fields(&p), ["name"], "{name:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_name_is_400_naming_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = problem(
        app.post("/categories", Some(&admin), &json!({"slug": "tin-tuc"}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["name"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_400_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = problem(
        app.post(
            "/categories",
            Some(&admin),
            &json!({"name": "Tin tức", "colour": "đỏ"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["colour"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_parent_id_is_422_naming_parent_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = problem(
        app.post(
            "/categories",
            Some(&admin),
            &json!({"name": "Tin tức", "parent_id": uuid::Uuid::now_v7()}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["parent_id"]);
    assert!(list(&app, "").await["data"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decomposed_name_is_stored_composed() {
    use unicode_normalization::UnicodeNormalization;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let nfd: String = "Hội đồng nhân dân".nfd().collect();
    assert_ne!(nfd, "Hội đồng nhân dân");
    let created = category(&app, &admin, &nfd, None).await;
    assert_eq!(created["name"], "Hội đồng nhân dân");
    assert_eq!(created["slug"], "hoi-dong-nhan-dan");
    assert_eq!(crumbs(&created), ["Hội đồng nhân dân"]);
    assert_eq!(read(&app, &created).await["name"], "Hội đồng nhân dân");
}

// ---- breadcrumbs --------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_runs_from_the_root_down_to_the_category_itself() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    assert_eq!(
        news["path"],
        json!([{"id": news["id"], "slug": "tin-tuc-hoat-dong", "name": "Tin tức hoạt động"}])
    );
    assert_eq!(
        council["path"],
        json!([
            {"id": news["id"], "slug": "tin-tuc-hoat-dong", "name": "Tin tức hoạt động"},
            {"id": council["id"], "slug": "hoi-dong-nhan-dan", "name": "Hội đồng nhân dân"},
        ])
    );
    assert_eq!(council["parent_id"], news["id"]);
    assert_eq!(read(&app, &council).await["path"], council["path"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_items_carry_their_path() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let page = list(&app, "").await;
    let listed: Vec<&Value> = page["data"].as_array().unwrap().iter().collect();
    assert_eq!(listed.len(), 2);
    for c in listed {
        let expected = if c["id"] == news["id"] {
            &news
        } else {
            &council
        };
        assert_eq!(c["path"], expected["path"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_by_slug_returns_the_category_with_its_path() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let res = app.get("/categories/slug/hoi-dong-nhan-dan", None).await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("etag"));
    let found: Value = res.json().await.unwrap();
    assert_eq!(found, council);
    assert_eq!(crumbs(&found), ["Tin tức hoạt động", "Hội đồng nhân dân"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_slug_or_id_is_404() {
    let app = TestApp::spawn().await;
    problem(app.get("/categories/slug/khong-co", None).await, 404).await;
    problem(
        app.get(&format!("/categories/{}", uuid::Uuid::now_v7()), None)
            .await,
        404,
    )
    .await;
    problem(app.get("/categories/not-a-uuid", None).await, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_parent_updates_every_descendants_path() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let top = category(&app, &admin, "Tin tức hoạt động", None).await;
    let mid = category(&app, &admin, "Hội đồng nhân dân", Some(&top)).await;
    let leaf = category(&app, &admin, "Kỳ họp", Some(&mid)).await;
    let res = app
        .patch(
            &item_path(&top),
            Some(&admin),
            &json!({"name": "Tin hoạt động", "slug": "tin-hoat-dong"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let renamed: Value = res.json().await.unwrap();
    assert_eq!(crumbs(&renamed), ["Tin hoạt động"]);
    let mid = read(&app, &mid).await;
    let leaf = read(&app, &leaf).await;
    assert_eq!(crumbs(&mid), ["Tin hoạt động", "Hội đồng nhân dân"]);
    assert_eq!(
        crumbs(&leaf),
        ["Tin hoạt động", "Hội đồng nhân dân", "Kỳ họp"]
    );
    assert_eq!(leaf["path"][0]["slug"], "tin-hoat-dong");
    assert_eq!(mid["path"][0]["slug"], "tin-hoat-dong");
    // The list and the slug lookup read the same breadcrumbs.
    let page = list(&app, "").await;
    let listed_leaf = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == leaf["id"])
        .unwrap();
    assert_eq!(listed_leaf["path"], leaf["path"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn renaming_a_middle_category_updates_its_subtree_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let top = category(&app, &admin, "Tin tức hoạt động", None).await;
    let mid = category(&app, &admin, "Hội đồng nhân dân", Some(&top)).await;
    let leaf = category(&app, &admin, "Kỳ họp", Some(&mid)).await;
    let res = app
        .patch(
            &item_path(&mid),
            Some(&admin),
            &json!({"name": "HĐND tỉnh"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        crumbs(&read(&app, &leaf).await),
        ["Tin tức hoạt động", "HĐND tỉnh", "Kỳ họp"]
    );
    assert_eq!(read(&app, &top).await, top, "the parent is untouched");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_category_updates_the_paths_of_its_subtree() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let docs = category(&app, &admin, "Văn bản", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let session = category(&app, &admin, "Kỳ họp", Some(&council)).await;
    let res = app
        .patch(
            &item_path(&council),
            Some(&admin),
            &json!({"parent_id": docs["id"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["parent_id"], docs["id"]);
    assert_eq!(crumbs(&moved), ["Văn bản", "Hội đồng nhân dân"]);
    assert_eq!(
        crumbs(&read(&app, &session).await),
        ["Văn bản", "Hội đồng nhân dân", "Kỳ họp"]
    );
    let children = list(
        &app,
        &format!("?parent_id={}", news["id"].as_str().unwrap()),
    )
    .await;
    assert!(
        names(&children).is_empty(),
        "the old parent has no children left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_null_parent_id_moves_a_category_to_the_top_level() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let session = category(&app, &admin, "Kỳ họp", Some(&council)).await;
    let res = app
        .patch(
            &item_path(&council),
            Some(&admin),
            &json!({"parent_id": null}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let moved: Value = res.json().await.unwrap();
    assert_eq!(moved["parent_id"], Value::Null);
    assert_eq!(crumbs(&moved), ["Hội đồng nhân dân"]);
    assert_eq!(
        crumbs(&read(&app, &session).await),
        ["Hội đồng nhân dân", "Kỳ họp"]
    );
    let mut roots = names(&list(&app, "?root=true").await);
    roots.sort();
    assert_eq!(roots, ["Hội đồng nhân dân", "Tin tức hoạt động"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absent_parent_id_leaves_the_category_where_it_is() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let res = app
        .patch(&item_path(&council), Some(&admin), &json!({"position": 5}))
        .await;
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["parent_id"], news["id"]);
    assert_eq!(changed["position"], 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_category_under_itself_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let p = problem(
        app.patch(
            &item_path(&news),
            Some(&admin),
            &json!({"parent_id": news["id"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["parent_id"]);
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_category_under_its_descendant_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let top = category(&app, &admin, "Tin tức hoạt động", None).await;
    let mid = category(&app, &admin, "Hội đồng nhân dân", Some(&top)).await;
    let leaf = category(&app, &admin, "Kỳ họp", Some(&mid)).await;
    for below in [&mid, &leaf] {
        let p = problem(
            app.patch(
                &item_path(&top),
                Some(&admin),
                &json!({"parent_id": below["id"], "name": "Đổi tên"}),
            )
            .await,
            422,
        )
        .await;
        assert_eq!(fields(&p), ["parent_id"]);
    }
    assert_eq!(read(&app, &top).await, top, "nothing changed");
    assert_eq!(read(&app, &mid).await, mid);
    assert_eq!(read(&app, &leaf).await, leaf);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_a_category_under_an_unknown_parent_is_422() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let p = problem(
        app.patch(
            &item_path(&news),
            Some(&admin),
            &json!({"parent_id": uuid::Uuid::now_v7()}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["parent_id"]);
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cross_moves_never_build_a_cycle() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let admin = app.admin_token().await;
    for round in 0..5 {
        let a = category(&app, &admin, &format!("Chuyên mục A {round}"), None).await;
        let b = category(&app, &admin, &format!("Chuyên mục B {round}"), None).await;
        let move_under = |child: &Value, parent: &Value| {
            let (app, admin) = (app.clone(), admin.clone());
            let (path, parent_id) = (item_path(child), parent["id"].clone());
            tokio::spawn(async move {
                app.patch(&path, Some(&admin), &json!({"parent_id": parent_id}))
                    .await
                    .status()
                    .as_u16()
            })
        };
        let first = move_under(&a, &b);
        let second = move_under(&b, &a);
        let mut statuses = [first.await.unwrap(), second.await.unwrap()];
        statuses.sort();
        assert_eq!(statuses, [200, 422], "round {round}");
        let a = read(&app, &a).await;
        let b = read(&app, &b).await;
        assert!(
            a["parent_id"].is_null() || b["parent_id"].is_null(),
            "one of them stays at the top level"
        );
    }
}

// ---- delete -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_category_with_children_is_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    problem(app.delete(&item_path(&news), Some(&admin)).await, 409).await;
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_category_with_an_article_is_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    article_in(&app, &admin, &news).await;
    problem(app.delete(&item_path(&news), Some(&admin)).await, 409).await;
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_category_with_a_trashed_article_is_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let article = article_in(&app, &admin, &news).await;
    assert_eq!(
        app.delete(&format!("/articles/{article}"), Some(&admin))
            .await
            .status(),
        204
    );
    problem(app.delete(&item_path(&news), Some(&admin)).await, 409).await;
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_leaf_is_204_then_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let res = app.delete(&item_path(&council), Some(&admin)).await;
    assert_eq!(res.status(), 204);
    problem(app.get(&item_path(&council), None).await, 404).await;
    problem(app.delete(&item_path(&council), Some(&admin)).await, 404).await;
    // The parent, now childless, can go too.
    assert_eq!(
        app.delete(&item_path(&news), Some(&admin)).await.status(),
        204
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_with_a_stale_if_match_is_412_and_keeps_the_category() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let stale = header(&app.get(&item_path(&news), None).await, "etag");
    app.patch(
        &item_path(&news),
        Some(&admin),
        &json!({"description": "Mới"}),
    )
    .await;
    let res = app
        .request(Method::DELETE, &item_path(&news), Some(&admin))
        .header("if-match", &stale)
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    assert_eq!(read(&app, &news).await["description"], "Mới");
}

// ---- roles --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authors_get_403_on_create_update_and_delete() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let author = app.token_for("author").await;
    problem(
        app.post("/categories", Some(&author), &json!({"name": "Tin tức"}))
            .await,
        403,
    )
    .await;
    problem(
        app.patch(&item_path(&news), Some(&author), &json!({"name": "Đổi"}))
            .await,
        403,
    )
    .await;
    problem(app.delete(&item_path(&news), Some(&author)).await, 403).await;
    assert_eq!(read(&app, &news).await, news);
    assert_eq!(list(&app, "").await["data"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_writes_are_401() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let res = app
        .post("/categories", None, &json!({"name": "Tin tức"}))
        .await;
    assert!(res.headers().contains_key("www-authenticate"));
    problem(res, 401).await;
    problem(
        app.patch(&item_path(&news), None, &json!({"name": "Đổi"}))
            .await,
        401,
    )
    .await;
    problem(app.delete(&item_path(&news), None).await, 401).await;
    assert_eq!(read(&app, &news).await, news);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_create_update_and_delete() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let news = category(&app, &editor, "Tin tức hoạt động", None).await;
    let res = app
        .patch(
            &item_path(&news),
            Some(&editor),
            &json!({"name": "Tin tức"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.delete(&item_path(&news), Some(&editor)).await.status(),
        204
    );
}

// ---- caching and conditional requests -----------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_reads_are_200_and_publicly_cacheable() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    for path in [
        item_path(&news),
        "/categories".to_string(),
        "/categories/slug/tin-tuc-hoat-dong".to_string(),
    ] {
        let res = app.get(&path, None).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(
            header(&res, "cache-control"),
            "public, max-age=60",
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticated_reads_are_private_and_not_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let author = app.token_for("author").await;
    for path in [
        item_path(&news),
        "/categories".to_string(),
        "/categories/slug/tin-tuc-hoat-dong".to_string(),
    ] {
        let res = app.get(&path, Some(&author)).await;
        assert_eq!(res.status(), 200, "{path}");
        assert_eq!(header(&res, "cache-control"), "private, no-store", "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_vary_on_authorization() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    for token in [None, Some(admin.as_str())] {
        for path in [item_path(&news), "/categories".to_string()] {
            let res = app.get(&path, token).await;
            let vary: Vec<String> = res
                .headers()
                .get_all("vary")
                .iter()
                .flat_map(|v| v.to_str().unwrap().split(','))
                .map(|v| v.trim().to_ascii_lowercase())
                .collect();
            assert!(
                vary.contains(&"authorization".to_string()),
                "{path}: {vary:?}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_none_match_with_the_etag_is_304() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let res = app.get(&item_path(&news), None).await;
    let etag = header(&res, "etag");
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let res = app
        .request(Method::GET, &item_path(&news), None)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, "etag"), etag);
    assert!(res.bytes().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_etag_changes_when_an_ancestor_is_renamed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    let before = header(&app.get(&item_path(&council), None).await, "etag");
    app.patch(&item_path(&news), Some(&admin), &json!({"name": "Tin tức"}))
        .await;
    let res = app
        .request(Method::GET, &item_path(&council), None)
        .header("if-none-match", &before)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the breadcrumb changed, so the representation did"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_with_a_stale_if_match_is_412_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let stale = header(&app.get(&item_path(&news), None).await, "etag");
    let res = app
        .patch(&item_path(&news), Some(&admin), &json!({"name": "Tin tức"}))
        .await;
    assert_eq!(res.status(), 200);
    let current: Value = res.json().await.unwrap();
    let res = app
        .request(Method::PATCH, &item_path(&news), Some(&admin))
        .header("if-match", &stale)
        .json(&json!({"name": "Tin cũ ghi đè"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    assert_eq!(read(&app, &news).await, current);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_with_the_current_if_match_is_applied() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let etag = header(&app.get(&item_path(&news), None).await, "etag");
    let res = app
        .request(Method::PATCH, &item_path(&news), Some(&admin))
        .header("if-match", &etag)
        .json(&json!({"name": "Tin tức"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let new_etag = header(&res, "etag");
    assert_ne!(new_etag, etag);
    let res = app.get(&item_path(&news), None).await;
    assert_eq!(
        header(&res, "etag"),
        new_etag,
        "the PATCH's ETag is the GET's"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn version_goes_up_on_a_change_and_stays_when_nothing_changes() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    assert_eq!(news["version"], 1);
    let changed: Value = app
        .patch(&item_path(&news), Some(&admin), &json!({"name": "Tin tức"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["version"], 2);
    for same in [
        json!({"name": "Tin tức"}),
        json!({}),
        json!({"slug": "tin-tuc-hoat-dong", "parent_id": null}),
    ] {
        let res = app.patch(&item_path(&news), Some(&admin), &same).await;
        assert_eq!(res.status(), 200);
        let unchanged: Value = res.json().await.unwrap();
        assert_eq!(unchanged, changed, "{same}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_to_a_taken_slug_is_409() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    let docs = category(&app, &admin, "Văn bản", None).await;
    problem(
        app.patch(
            &item_path(&docs),
            Some(&admin),
            &json!({"slug": "tin-tuc-hoat-dong"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(read(&app, &docs).await, docs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_with_null_name_or_unknown_field_is_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    for (body, field) in [
        (json!({"name": null}), "name"),
        (json!({"colour": "đỏ"}), "colour"),
    ] {
        let p = problem(app.patch(&item_path(&news), Some(&admin), &body).await, 400).await;
        assert_eq!(fields(&p), [field]);
    }
}

// ---- list ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_true_lists_only_top_level_categories() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    category(&app, &admin, "Văn bản", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    category(&app, &admin, "Kỳ họp", Some(&council)).await;
    let page = list(&app, "?root=true").await;
    assert_eq!(names(&page), ["Tin tức hoạt động", "Văn bản"]);
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["parent_id"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parent_id_lists_only_the_children_in_position_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let council = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    category(&app, &admin, "Đoàn đại biểu Quốc hội", Some(&news)).await;
    category(&app, &admin, "Kỳ họp", Some(&council)).await;
    let page = list(
        &app,
        &format!("?parent_id={}", news["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(
        names(&page),
        ["Hội đồng nhân dân", "Đoàn đại biểu Quốc hội"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_parent_id_filter_is_400() {
    let app = TestApp::spawn().await;
    let p = problem(app.get("/categories?parent_id=abc", None).await, 400).await;
    assert_eq!(fields(&p), ["parent_id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn q_matches_names_whatever_their_diacritics() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Hội đồng nhân dân", None).await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    category(&app, &admin, "Đoàn đại biểu Quốc hội", None).await;
    for q in [
        "hoi%20dong",
        "H%E1%BB%98I%20%C4%90%E1%BB%92NG",
        "dong%20nhan",
        "HOI%20DONG",
    ] {
        let page = list(&app, &format!("?q={q}")).await;
        assert_eq!(names(&page), ["Hội đồng nhân dân"], "q={q}");
    }
    assert_eq!(
        names(&list(&app, "?q=doan%20dai").await),
        ["Đoàn đại biểu Quốc hội"],
        "đ folds to d"
    );
    assert!(
        names(&list(&app, "?q=%25").await).is_empty(),
        "% is literal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sort_by_name_follows_vietnamese_alphabetical_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["Ân", "An", "Ăn", "Bùi", "Đinh", "Dương"] {
        category(&app, &admin, name, None).await;
    }
    assert_eq!(
        names(&list(&app, "?sort=name").await),
        ["An", "Ăn", "Ân", "Bùi", "Dương", "Đinh"]
    );
    assert_eq!(
        names(&list(&app, "?sort=-name").await),
        ["Đinh", "Dương", "Bùi", "Ân", "Ăn", "An"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_sort_is_400_naming_sort() {
    let app = TestApp::spawn().await;
    for sort in ["title", "-slug", "name;drop", ""] {
        let p = problem(
            app.get(&format!("/categories?sort={sort}"), None).await,
            400,
        )
        .await;
        assert_eq!(fields(&p), ["sort"], "sort={sort}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_paging_visits_every_category_exactly_once() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    ids.push(news["id"].as_str().unwrap().to_string());
    for name in ["Hội đồng nhân dân", "Đoàn đại biểu", "Kỳ họp"] {
        let c = category(&app, &admin, name, Some(&news)).await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    for name in ["Văn bản", "Ân", "An"] {
        let c = category(&app, &admin, name, None).await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    ids.sort();
    for sort in [
        "",
        "&sort=name",
        "&sort=-name",
        "&sort=created_at",
        "&sort=-position",
    ] {
        let mut seen = walk_cursor(&app, sort).await;
        seen.sort();
        assert_eq!(seen, ids, "sort{sort}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursor_paging_by_name_keeps_the_vietnamese_order() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut by_id = std::collections::HashMap::new();
    for name in ["Ân", "An", "Ăn", "Bùi", "Đinh", "Dương", "Ân"] {
        let c = category(&app, &admin, name, None).await;
        by_id.insert(c["id"].as_str().unwrap().to_string(), name);
    }
    let seen: Vec<&str> = walk_cursor(&app, "&sort=name")
        .await
        .iter()
        .map(|id| by_id[id])
        .collect();
    assert_eq!(seen, ["An", "Ăn", "Ân", "Ân", "Bùi", "Dương", "Đinh"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_garbage_cursor_is_400_naming_cursor() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    for cursor in ["nope", "!!!", "eyJ4IjoxfQ"] {
        let p = problem(
            app.get(&format!("/categories?cursor={cursor}"), None).await,
            400,
        )
        .await;
        assert_eq!(fields(&p), ["cursor"], "{cursor}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_of_another_sort_is_400() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["An", "Bùi", "Đinh"] {
        category(&app, &admin, name, None).await;
    }
    let page = list(&app, "?limit=1&sort=name").await;
    let cursor = page["meta"]["next_cursor"].as_str().unwrap();
    let p = problem(
        app.get(&format!("/categories?limit=1&cursor={cursor}"), None)
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&p), ["cursor"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbered_paging_reports_the_total() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for name in ["An", "Bùi", "Đinh", "Dương", "Ân"] {
        category(&app, &admin, name, None).await;
    }
    let page = list(&app, "?page=2&limit=2&sort=name").await;
    assert_eq!(page["meta"]["total"], 5);
    assert_eq!(page["meta"]["limit"], 2);
    assert_eq!(names(&page), ["Bùi", "Dương"]);
    let last = list(&app, "?page=3&limit=2&sort=name").await;
    assert_eq!(names(&last), ["Đinh"]);
    assert_eq!(last["meta"]["next_cursor"], Value::Null);
    let first = list(&app, "?limit=2").await;
    assert!(
        first["meta"].get("total").is_none(),
        "no total unless asked"
    );
    assert_eq!(
        list(&app, "?limit=2&with_total=true").await["meta"]["total"],
        5
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_out_of_range_is_400() {
    let app = TestApp::spawn().await;
    for limit in ["0", "101", "-1", "x"] {
        let p = problem(
            app.get(&format!("/categories?limit={limit}"), None).await,
            400,
        )
        .await;
        assert_eq!(fields(&p), ["limit"], "limit={limit}");
    }
}

// ---- more rules ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_longer_than_200_characters_is_422_naming_name() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = problem(
        app.post(
            "/categories",
            Some(&admin),
            &json!({"name": "ộ".repeat(201)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["name"]);
    // 200 characters is fine, however many bytes they take.
    let created = category(&app, &admin, &"ộ".repeat(200), None).await;
    assert_eq!(created["name"].as_str().unwrap().chars().count(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_description_longer_than_2000_characters_is_422_naming_description() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let p = problem(
        app.post(
            "/categories",
            Some(&admin),
            &json!({"name": "Tin tức", "description": "ư".repeat(2001)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&p), ["description"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_without_letters_gets_a_fallback_slug() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created = category(&app, &admin, "!!!", None).await;
    assert_eq!(created["slug"], "chuyen-muc");
    let again = category(&app, &admin, "???", None).await;
    assert_eq!(again["slug"], "chuyen-muc-2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_derived_slug_is_cut_to_100_characters() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let name = "Nghị quyết của Hội đồng nhân dân tỉnh Lai Châu về việc thông qua kế hoạch \
                phát triển kinh tế xã hội năm hai nghìn không trăm hai mươi bảy";
    let created = category(&app, &admin, name, None).await;
    let slug = created["slug"].as_str().unwrap();
    assert!(slug.len() <= 100, "{slug}");
    assert!(
        slug.starts_with("nghi-quyet-cua-hoi-dong-nhan-dan"),
        "{slug}"
    );
    assert!(!slug.ends_with('-'), "{slug}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_long_names_keep_getting_free_slugs() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // Its slug is exactly 100 characters, the most a slug may have.
    let name = format!("Tin {}", "a".repeat(96));
    let mut slugs = Vec::new();
    for n in 1..=3 {
        let res = app
            .post("/categories", Some(&admin), &json!({"name": name}))
            .await;
        assert_eq!(
            res.status(),
            201,
            "create #{n}: a derived slug is never a conflict"
        );
        let created: Value = res.json().await.unwrap();
        slugs.push(created["slug"].as_str().unwrap().to_string());
    }
    assert_eq!(slugs[0].len(), 100);
    assert!(slugs.iter().all(|s| s.len() <= 100), "{slugs:?}");
    let mut distinct = slugs.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "{slugs:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_category_goes_after_its_last_sibling() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let first = category(&app, &admin, "Hội đồng nhân dân", Some(&news)).await;
    assert_eq!(first["position"], 0);
    let placed = create(
        &app,
        &admin,
        json!({"name": "Kỳ họp", "parent_id": news["id"], "position": 7}),
    )
    .await;
    assert_eq!(placed["position"], 7);
    let next = category(&app, &admin, "Văn bản", Some(&news)).await;
    assert_eq!(next["position"], 8);
    let top = category(&app, &admin, "Giới thiệu", None).await;
    assert_eq!(top["position"], 1, "siblings are counted per parent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_patches_with_the_same_if_match_let_only_one_win() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let admin = app.admin_token().await;
    let news = category(&app, &admin, "Tin tức hoạt động", None).await;
    let etag = header(&app.get(&item_path(&news), None).await, "etag");
    let tasks: Vec<_> = ["Tin tức", "Hoạt động"]
        .into_iter()
        .map(|name| {
            let (app, admin, etag, path) =
                (app.clone(), admin.clone(), etag.clone(), item_path(&news));
            tokio::spawn(async move {
                app.request(Method::PATCH, &path, Some(&admin))
                    .header("if-match", etag)
                    .json(&json!({"name": name}))
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, [200, 412]);
    assert_eq!(read(&app, &news).await["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decomposed_q_matches_too() {
    use unicode_normalization::UnicodeNormalization;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    category(&app, &admin, "Hội đồng nhân dân", None).await;
    category(&app, &admin, "Tin tức hoạt động", None).await;
    let nfd: String = "hội đồng".nfd().collect();
    let res = app
        .request(Method::GET, "/categories", None)
        .query(&[("q", nfd.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        names(&res.json::<Value>().await.unwrap()),
        ["Hội đồng nhân dân"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_bearer_token_on_a_read_is_401() {
    let app = TestApp::spawn().await;
    problem(app.get("/categories", Some("not-a-token")).await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn whole_number_positions_written_as_floats_are_accepted() {
    let app = TestApp::spawn().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/categories",
            Some(&token),
            &json!({"name": "Số thực", "position": -24287268.0}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["position"], -24287268);
    let res = app
        .patch(
            &format!("/categories/{}", created["id"].as_str().unwrap()),
            Some(&token),
            &json!({"position": 2.5}),
        )
        .await;
    assert_eq!(fields(&problem(res, 400).await), vec!["position"]);
}
