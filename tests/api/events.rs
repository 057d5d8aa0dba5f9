//! Events: one per change, in the change's transaction, with its actor; scheduled articles
//! announced on time; the listener that makes kept answers agree.

use std::time::{Duration, Instant};

use bantin::error::ModelError;
use bantin::events::{self, Actor, Event, Resource, Verb};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use reqwest::Method;
use serde_json::{Value, json};

use crate::database::connect;
use crate::helpers::TestApp;

/// The events of `resource_id`, oldest first: `(type, actor_user_id, actor_token_id,
/// version, data)`.
async fn events_of(app: &TestApp, resource_id: &str) -> Vec<Value> {
    let db = connect(&app.db_url).await;
    let rows = db
        .query(
            "SELECT json_build_object('type', type, 'user', actor_user_id, 'token', actor_token_id, \
             'version', resource_version, 'data', data, 'occurred_at', occurred_at)::text \
             FROM events WHERE resource_id::text = $1 ORDER BY id",
            &[&resource_id],
        )
        .await
        .unwrap();
    rows.iter()
        .map(|r| serde_json::from_str(r.get::<_, &str>(0)).unwrap())
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

async fn count_events(app: &TestApp) -> i64 {
    let db = connect(&app.db_url).await;
    db.query_one("SELECT count(*) FROM events", &[])
        .await
        .unwrap()
        .get(0)
}

async fn me(app: &TestApp, token: &str) -> String {
    let me: Value = app.get("/auth/me", Some(token)).await.json().await.unwrap();
    me["id"].as_str().unwrap().to_string()
}

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_articles_life_is_told_by_its_events_with_actor_version_and_editor_view() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let editor_id = me(&app, &editor).await;
    let draft = json_of(
        app.post(
            "/articles",
            Some(&editor),
            &json!({"title": "Kỳ họp thứ mười"}),
        )
        .await,
        201,
    )
    .await;
    let id = draft["id"].as_str().unwrap();
    let got = events_of(&app, id).await;
    assert_eq!(types(&got), ["article.created"]);
    assert_eq!(got[0]["user"], editor_id.as_str());
    assert_eq!(got[0]["token"], Value::Null);
    assert_eq!(got[0]["version"], 1);
    assert_eq!(got[0]["data"]["title"], "Kỳ họp thứ mười");
    assert_eq!(got[0]["data"]["status"], "draft");

    // Published with a time already past: updated, and published.
    let path = format!("/articles/{id}");
    let body = json!({"status": "published", "published_at": "2024-05-01T01:00:00Z"});
    json_of(app.patch(&path, Some(&editor), &body).await, 200).await;
    let got = events_of(&app, id).await;
    assert_eq!(
        types(&got),
        ["article.created", "article.updated", "article.published"]
    );
    assert_eq!(got[2]["version"], 2);
    assert_eq!(got[2]["data"]["status"], "published");

    // Nothing changed, or a refused write: no event.
    json_of(app.patch(&path, Some(&editor), &body).await, 200).await;
    let stale = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("If-Match", "\"stale\"")
        .json(&json!({"title": "Không được lưu"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    assert_eq!(events_of(&app, id).await.len(), 3);

    // Trash and back; then for good.
    assert_eq!(app.delete(&path, Some(&editor)).await.status(), 204);
    let restored = app
        .post(
            &format!("/articles/{id}/restore"),
            Some(&editor),
            &json!({}),
        )
        .await;
    json_of(restored, 200).await;
    let admin = app.admin_token().await;
    let gone = app
        .delete(&format!("/articles/{id}?permanent=true"), Some(&admin))
        .await;
    assert_eq!(gone.status(), 204);
    let got = events_of(&app, id).await;
    assert_eq!(
        types(&got)[3..],
        [
            "article.trashed",
            "article.unpublished",
            "article.restored",
            "article.published",
            "article.unpublished",
            "article.deleted"
        ]
    );
    assert_eq!(
        got[8]["data"]["title"], "Kỳ họp thứ mười",
        "the article as it was"
    );
    assert_ne!(got[8]["user"], editor_id.as_str(), "the admin deleted it");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_api_token_is_named_as_the_actor() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let token = json_of(
        app.post(
            "/api-tokens",
            Some(&admin),
            &json!({"name": "Cổng tỉnh", "scope": "write"}),
        )
        .await,
        201,
    )
    .await;
    let secret = token["token"].as_str().unwrap();
    let category = json_of(
        app.post("/categories", Some(secret), &json!({"name": "Thời sự"}))
            .await,
        201,
    )
    .await;
    let got = events_of(&app, category["id"].as_str().unwrap()).await;
    assert_eq!(types(&got), ["category.created"]);
    assert_eq!(got[0]["token"], token["id"]);
    assert_eq!(
        got[0]["user"].as_str(),
        Some(me(&app, &admin).await.as_str())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_kind_of_content_records_its_events() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let token = Some(admin.as_str());

    let category = json_of(
        app.post("/categories", token, &json!({"name": "Tin tức"}))
            .await,
        201,
    )
    .await;
    let cid = category["id"].as_str().unwrap();
    let path = format!("/categories/{cid}");
    json_of(
        app.patch(&path, token, &json!({"name": "Tin tức - Sự kiện"}))
            .await,
        200,
    )
    .await;
    json_of(
        app.patch(&path, token, &json!({"name": "Tin tức - Sự kiện"}))
            .await,
        200,
    )
    .await;
    assert_eq!(app.delete(&path, token).await.status(), 204);
    let got = events_of(&app, cid).await;
    assert_eq!(
        types(&got),
        ["category.created", "category.updated", "category.deleted"]
    );
    assert_eq!(got[1]["data"]["name"], "Tin tức - Sự kiện");
    assert_eq!(got[1]["version"], 2);

    let org = json_of(
        app.post(
            "/organizations",
            token,
            &json!({"name": "Ban Dân vận Tỉnh ủy", "kind": "party"}),
        )
        .await,
        201,
    )
    .await;
    let oid = org["id"].as_str().unwrap();
    let person = json_of(
        app.post("/signatories", token, &json!({"full_name": "Lò Văn Cương", "current_position": "Trưởng Ban", "organization_id": oid}))
            .await,
        201,
    )
    .await;
    let pid = person["id"].as_str().unwrap();
    let path = format!("/signatories/{pid}");
    json_of(
        app.patch(&path, token, &json!({"current_position": "Phó Trưởng Ban"}))
            .await,
        200,
    )
    .await;
    let got = events_of(&app, pid).await;
    assert_eq!(types(&got), ["signatory.created", "signatory.updated"]);
    assert_eq!(got[1]["data"]["current_position"], "Phó Trưởng Ban");

    let agreement = json_of(
        app.post("/agreements", token, &json!({
            "doc_type": "quy_che", "title": "Quy chế phối hợp công tác dân vận",
            "parties": [{"organization_id": oid, "role": "lead", "position": 1}],
            "signatures": [{"signatory_id": pid, "organization_id": oid, "signing_title": "Trưởng Ban", "position": 1}]
        }))
        .await,
        201,
    )
    .await;
    let aid = agreement["id"].as_str().unwrap();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4\n%%EOF\n".to_vec())
            .file_name("quy-che.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let attached = app
        .request(
            Method::POST,
            &format!("/agreements/{aid}/attachments"),
            token,
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let attachment = json_of(attached, 201).await;
    let removed = app
        .delete(
            &format!(
                "/agreements/{aid}/attachments/{}",
                attachment["id"].as_str().unwrap()
            ),
            token,
        )
        .await;
    assert_eq!(removed.status(), 204);
    let path = format!("/agreements/{aid}");
    json_of(
        app.patch(&path, token, &json!({"place": "Lai Châu"})).await,
        200,
    )
    .await;
    assert_eq!(app.delete(&path, token).await.status(), 204);
    let got = events_of(&app, aid).await;
    assert_eq!(
        types(&got),
        [
            "agreement.created",
            "agreement.attachment_added",
            "agreement.attachment_removed",
            "agreement.updated",
            "agreement.deleted"
        ]
    );
    assert_eq!(got[1]["data"]["attachments"].as_array().unwrap().len(), 1);
    assert_eq!(got[3]["data"]["place"], "Lai Châu");
    assert_eq!(got[3]["version"], 4);

    assert_eq!(
        app.delete(&format!("/signatories/{pid}"), token)
            .await
            .status(),
        204
    );
    let path = format!("/organizations/{oid}");
    json_of(
        app.patch(&path, token, &json!({"short_name": "BDV"})).await,
        200,
    )
    .await;
    assert_eq!(app.delete(&path, token).await.status(), 204);
    assert_eq!(types(&events_of(&app, pid).await)[2], "signatory.deleted");
    assert_eq!(
        types(&events_of(&app, oid).await),
        [
            "organization.created",
            "organization.updated",
            "organization.deleted"
        ]
    );

    let put = json!({
        "name": "Cổng thông tin HĐND tỉnh Lai Châu",
        "publisher": "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
        "responsible_person": "Chánh Văn phòng"
    });
    json_of(app.send_json(Method::PUT, "/site", token, &put).await, 200).await;
    let db = connect(&app.db_url).await;
    let row = db
        .query_one(
            "SELECT type, data->>'name' FROM events WHERE resource_type = 'site'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, &str>(0), "site.updated");
    assert_eq!(row.get::<_, &str>(1), "Cổng thông tin HĐND tỉnh Lai Châu");
}

#[tokio::test(flavor = "multi_thread")]
async fn photos_record_their_events() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let jpeg = crate::photos::jpeg(40, 30);
    let first = crate::photos::upload(&app, &editor, jpeg.clone(), "Toàn cảnh kỳ họp").await;
    // The same file again reuses what is stored: still a new photo, still an event.
    let second = crate::photos::upload(&app, &editor, jpeg, "Đại biểu dự kỳ họp").await;
    let id = first["id"].as_str().unwrap();
    let path = format!("/photos/{id}");
    json_of(
        app.patch(&path, Some(&editor), &json!({"credit": "Quang Huy"}))
            .await,
        200,
    )
    .await;
    assert_eq!(app.delete(&path, Some(&editor)).await.status(), 204);
    let got = events_of(&app, id).await;
    assert_eq!(
        types(&got),
        ["photo.created", "photo.updated", "photo.deleted"]
    );
    assert_eq!(got[1]["data"]["credit"], "Quang Huy");
    let got = events_of(&app, second["id"].as_str().unwrap()).await;
    assert_eq!(types(&got), ["photo.created"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rolled_back_write_leaves_no_event_and_a_change_needs_its_event() {
    let app = TestApp::spawn().await;
    let before = count_events(&app).await;
    let mut conn = AsyncPgConnection::establish(&app.db_url).await.unwrap();
    let failed = conn
        .transaction::<(), ModelError, _>(async |conn| {
            let event = Event::new(
                Resource::Category,
                Verb::Created,
                Some(uuid::Uuid::now_v7()),
                Some(1),
                &json!({}),
            )?;
            events::record(conn, Actor::SYSTEM, [event]).await?;
            Err(ModelError::Conflict("changed its mind".into()))
        })
        .await;
    assert!(failed.is_err());
    assert_eq!(
        count_events(&app).await,
        before,
        "the event went with the rollback"
    );

    // PostgreSQL refuses to commit a change of content that has no event.
    let admin = app.admin_token().await;
    json_of(
        app.post("/categories", Some(&admin), &json!({"name": "Tin tức"}))
            .await,
        201,
    )
    .await;
    let db = connect(&app.db_url).await;
    let refused = db
        .batch_execute("UPDATE categories SET name = 'Lén sửa', version = version + 1")
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("has no event"),
        "{refused:?}"
    );
    let refused = db
        .batch_execute("UPDATE site SET name = 'Lén sửa', version = version + 1")
        .await
        .unwrap_err();
    assert!(
        format!("{refused:?}").contains("has no event"),
        "{refused:?}"
    );
    // Counters are not changes.
    db.batch_execute("UPDATE articles SET view_count = view_count + 1; UPDATE site SET visit_count = visit_count + 1")
        .await
        .unwrap();
}

/// Publishes an article due at `at` (as an editor); answers it.
async fn scheduled(app: &TestApp, token: &str, title: &str, at: DateTime<Utc>) -> Value {
    let body = json!({"title": title, "status": "published", "published_at": at.to_rfc3339()});
    json_of(app.post("/articles", Some(token), &body).await, 201).await
}

async fn anonymous_slugs(app: &TestApp) -> Vec<String> {
    let list: Value = app.get("/articles", None).await.json().await.unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_article_is_announced_within_a_second_of_its_time_with_no_request() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let at = Utc::now() + chrono::Duration::milliseconds(1500);
    let article = scheduled(&app, &editor, "Thông báo kỳ họp", at).await;
    let (id, slug) = (
        article["id"].as_str().unwrap(),
        article["slug"].as_str().unwrap(),
    );
    assert!(!anonymous_slugs(&app).await.contains(&slug.to_string()));
    assert_eq!(types(&events_of(&app, id).await), ["article.created"]);

    // No request at all until a second after its time.
    let wait = (at + chrono::Duration::seconds(1)) - Utc::now();
    tokio::time::sleep(wait.to_std().unwrap_or_default()).await;
    let got = events_of(&app, id).await;
    assert_eq!(types(&got), ["article.created", "article.published"]);
    let announced: DateTime<Utc> = got[1]["occurred_at"].as_str().unwrap().parse().unwrap();
    assert!(announced >= at, "not before its time");
    assert!(
        announced - at < chrono::Duration::seconds(1),
        "{announced} for {at}"
    );
    assert_eq!(got[1]["user"], Value::Null, "Bantin itself");
    assert!(anonymous_slugs(&app).await.contains(&slug.to_string()));
    let by_slug = app.get(&format!("/articles/slug/{slug}"), None).await;
    assert_eq!(by_slug.status(), 200);
}

/// The PID of the app's listening connection, once there is one.
async fn listener_pid(app: &TestApp, not: Option<i32>) -> i32 {
    let db = connect(&app.db_url).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = db
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = $1 AND pid <> $2",
                &[&events::listener::APPLICATION_NAME, &not.unwrap_or(0)],
            )
            .await
            .unwrap();
        if let Some(row) = row {
            return row.get(0);
        }
        assert!(Instant::now() < deadline, "no listener");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What another replica's write looks like to this one: a change and its event, committed
/// by another connection.
async fn write_elsewhere(app: &TestApp, id: &str, title: &str) {
    let db = connect(&app.db_url).await;
    db.batch_execute(&format!(
        "BEGIN; UPDATE articles SET title = '{title}', version = version + 1 WHERE id = '{id}'; \
         INSERT INTO events (id, type, resource_type, resource_id, data) \
         VALUES (gen_random_uuid(), 'article.updated', 'article', '{id}', '{{}}'); COMMIT"
    ))
    .await
    .unwrap();
}

async fn anonymous_titles(app: &TestApp) -> Vec<String> {
    let list: Value = app.get("/articles", None).await.json().await.unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

/// Waits up to a second for the anonymous list to show `title`; answers how long it took.
async fn seen_within_a_second(app: &TestApp, title: &str) -> Duration {
    let start = Instant::now();
    loop {
        if anonymous_titles(app).await.iter().any(|t| t == title) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "`{title}` not seen within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_replicas_writes_clear_kept_answers_and_a_lost_listener_comes_back() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let past = Utc::now() - chrono::Duration::days(1);
    let article = scheduled(&app, &editor, "Bản tin sáng", past).await;
    let id = article["id"].as_str().unwrap();
    let first = listener_pid(&app, None).await;
    assert_eq!(anonymous_titles(&app).await, ["Bản tin sáng"]); // kept for a minute

    write_elsewhere(&app, id, "Bản tin trưa").await;
    seen_within_a_second(&app, "Bản tin trưa").await;

    // The listening connection is cut: the replica listens again, and hears again.
    let db = connect(&app.db_url).await;
    db.execute("SELECT pg_terminate_backend($1)", &[&first])
        .await
        .unwrap();
    let second = listener_pid(&app, Some(first)).await;
    assert_ne!(first, second);
    assert_eq!(anonymous_titles(&app).await, ["Bản tin trưa"]);
    write_elsewhere(&app, id, "Bản tin chiều").await;
    seen_within_a_second(&app, "Bản tin chiều").await;
}
