//! `GET /articles?q=`: diacritic-insensitive full-text search (DOMAIN.md §5.3).

use serde_json::{Value, json};
use unicode_normalization::UnicodeNormalization;

use crate::articles::{article, published};
use crate::helpers::TestApp;

const FIXTURE_TITLE: &str = "Hội nghị tổng kết Quy chế phối hợp giữa Ban Dân vận Tỉnh ủy phối hợp với Đảng Đoàn HĐND tỉnh nhiệm kỳ 2016 - 2021 và ký kết chương trình phối hợp nhiệm kỳ 2021 - 2026";

async fn search(app: &TestApp, q: &str) -> Vec<String> {
    let url = format!(
        "/articles?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    let page: Value = app.get(&url, None).await.json().await.unwrap();
    page["data"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_article_is_found_however_the_query_is_typed() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    published(&app, &editor, FIXTURE_TITLE, "2021-08-31T02:52:45Z").await;
    published(
        &app,
        &editor,
        "Tiếp xúc cử tri tại huyện Nậm Nhùn",
        "2023-05-30T01:32:35Z",
    )
    .await;
    let nfd: String = "Hội nghị".nfd().collect();
    for q in [
        "hoi nghi",
        "Hội nghị",
        nfd.as_str(),
        "HOI NGHI",
        "HỘI NGHỊ",
        "  hoi   nghi ",
    ] {
        assert_eq!(search(&app, q).await, vec![FIXTURE_TITLE], "{q:?}");
    }
    assert_eq!(
        search(&app, "cu tri").await,
        vec!["Tiếp xúc cử tri tại huyện Nậm Nhùn"]
    );
    assert!(
        search(&app, "hoi nghi cu tri").await.is_empty(),
        "all words must match"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dang_doan_finds_both_capitalisations() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    published(
        &app,
        &editor,
        "Đảng Đoàn HĐND tỉnh họp",
        "2021-01-01T00:00:00Z",
    )
    .await;
    published(
        &app,
        &editor,
        "Ban cán sự Đảng đoàn tỉnh",
        "2021-01-02T00:00:00Z",
    )
    .await;
    published(&app, &editor, "Đoàn công tác", "2021-01-03T00:00:00Z").await;
    let mut found = search(&app, "dang doan").await;
    found.sort();
    assert_eq!(
        found,
        vec!["Ban cán sự Đảng đoàn tỉnh", "Đảng Đoàn HĐND tỉnh họp"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_and_new_tone_placement_match_each_other() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    published(
        &app,
        &editor,
        "Ủy ban nhân dân tỉnh",
        "2021-01-01T00:00:00Z",
    )
    .await;
    published(&app, &editor, "Uỷ ban Mặt trận", "2021-01-02T00:00:00Z").await;
    published(&app, &editor, "Hoi nghi ASCII", "2021-01-03T00:00:00Z").await;
    for q in ["uy ban", "Ủy ban", "Uỷ ban"] {
        assert_eq!(search(&app, q).await.len(), 2, "{q}");
    }
    assert_eq!(search(&app, "hội nghị").await, vec!["Hoi nghi ASCII"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_reads_summary_and_body_text_but_not_markup() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    article(
        &app,
        &editor,
        json!({"title": "Một", "summary": "Kỳ họp chuyên đề", "status": "published"}),
    )
    .await;
    article(&app, &editor, json!({"title": "Hai", "body": "<p>Giám sát <strong>đầu tư</strong> công</p>", "status": "published"})).await;
    assert_eq!(search(&app, "ky hop").await, vec!["Một"]);
    assert_eq!(search(&app, "dau tu").await, vec!["Hai"]);
    assert!(
        search(&app, "strong").await.is_empty(),
        "tag names are not text"
    );
    // Body edits are searchable at once.
    let found: Value = app
        .get("/articles?q=giam%20sat", None)
        .await
        .json()
        .await
        .unwrap();
    let id = found["data"][0]["id"].as_str().unwrap().to_string();
    app.patch(
        &format!("/articles/{id}"),
        Some(&editor),
        &json!({"body": "<p>Tiếp xúc cử tri</p>"}),
    )
    .await;
    assert!(search(&app, "giam sat").await.is_empty());
    assert_eq!(search(&app, "tiep xuc").await, vec!["Hai"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_ranked_by_relevance_unless_sorted() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    // Newest first by date, but the title match is more relevant than the body match.
    article(&app, &editor, json!({"title": "Tin khác", "body": "<p>Có nhắc đến ngân sách một lần.</p>", "status": "published", "published_at": "2023-01-01T00:00:00Z"})).await;
    article(&app, &editor, json!({"title": "Thẩm tra ngân sách tỉnh", "status": "published", "published_at": "2021-01-01T00:00:00Z"})).await;
    assert_eq!(
        search(&app, "ngan sach").await,
        vec!["Thẩm tra ngân sách tỉnh", "Tin khác"]
    );
    let page: Value = app
        .get("/articles?q=ngan%20sach&sort=-published_at", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["data"][0]["title"], "Tin khác");
    // Relevance pages by position.
    let first: Value = app
        .get("/articles?q=ngan%20sach&limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let second: Value = app
        .get(
            &format!("/articles?q=ngan%20sach&limit=1&cursor={cursor}"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["data"][0]["title"], "Tin khác");
    assert_eq!(second["meta"]["next_cursor"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_queries_are_answered_not_failed() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    published(&app, &editor, "Hội nghị", "2021-01-01T00:00:00Z").await;
    for q in ["!!!", "'", "\"", "a & b | !c", "hội:*", "(", "\\", "%", "_"] {
        let url = format!(
            "/articles?q={}",
            form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
        );
        assert_eq!(app.get(&url, None).await.status(), 200, "{q}");
    }
    let long = "a".repeat(201);
    assert_eq!(
        app.get(&format!("/articles?q={long}"), None).await.status(),
        400
    );
}
