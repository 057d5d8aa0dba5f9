//! Webhooks: signed deliveries of every event, once; retries; private targets refused;
//! pings, secret rotation, deliveries log, manual retry, endpoints disabled after failures.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, problem};
use crate::receiver::{Receiver, verify};

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// An app that may send to this host, retrying after 0.2 s up to four times.
async fn app() -> TestApp {
    TestApp::spawn_with(&[
        ("BANTIN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("BANTIN_WEBHOOK_RETRY_DELAYS", "0.2,0.2,0.2,0.2"),
        ("BANTIN_WEBHOOK_DISABLE_AFTER", "6"),
    ])
    .await
}

async fn webhook(app: &TestApp, admin: &str, url: &str, events: Value) -> Value {
    let body = json!({"url": url, "events": events, "description": "Cổng thông tin tỉnh"});
    json_of(app.post("/webhooks", Some(admin), &body).await, 201).await
}

fn check_signed(got: &crate::receiver::Received, secret: &str) {
    let (id, ts) = (got.header("webhook-id"), got.header("webhook-timestamp"));
    assert!(!id.is_empty() && !ts.is_empty(), "{got:?}");
    let signature = got.header("webhook-signature");
    assert!(
        verify(secret, id, ts, got.body.as_bytes(), signature),
        "signature {signature} does not verify"
    );
    let sent: i64 = ts.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent).abs() < 60);
    assert_eq!(got.header("content-type"), "application/json");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_arrives_once_signed_as_standard_webhooks_say() {
    let app = app().await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(&[]).await;
    let hook = webhook(
        &app,
        &admin,
        &receiver.url,
        json!(["article.*", "category.created"]),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(hook["enabled"], true);
    // The secret is shown once.
    let read = json_of(
        app.get(
            &format!("/webhooks/{}", hook["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await,
        200,
    )
    .await;
    assert!(read.get("secret").is_none());

    let body = json!({"title": "Kỳ họp thứ mười", "status": "published", "published_at": "2024-05-01T01:00:00Z"});
    let article = json_of(app.post("/articles", Some(&admin), &body).await, 201).await;
    json_of(
        app.post("/categories", Some(&admin), &json!({"name": "Thời sự"}))
            .await,
        201,
    )
    .await;
    // Not listened to.
    let org = json!({"name": "Ban Dân vận Tỉnh ủy", "kind": "party"});
    json_of(app.post("/organizations", Some(&admin), &org).await, 201).await;

    let got = receiver.wait_for(3, Duration::from_secs(5)).await;
    tokio::time::sleep(Duration::from_millis(800)).await; // nothing more comes
    let got_now = receiver.received();
    assert_eq!(got_now.len(), 3, "{got_now:?}");
    let mut types: Vec<String> = got
        .iter()
        .map(|r| r.json()["type"].as_str().unwrap().to_string())
        .collect();
    types.sort();
    assert_eq!(
        types,
        ["article.created", "article.published", "category.created"]
    );
    for r in &got {
        check_signed(r, secret);
    }
    let published = got
        .iter()
        .map(|r| r.json())
        .find(|p| p["type"] == "article.published")
        .unwrap();
    assert_eq!(published["data"]["id"], article["id"]);
    assert_eq!(published["resource"]["type"], "article");
    assert_eq!(published["resource"]["version"], 1);
    assert!(published["actor"]["user_id"].is_string());
    // One delivery per event: ids are distinct.
    let ids: std::collections::HashSet<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 3);

    let log = json_of(
        app.get(
            &format!("/webhooks/{}/deliveries", hook["id"].as_str().unwrap()),
            Some(&admin),
        )
        .await,
        200,
    )
    .await;
    let log = log["data"].as_array().unwrap();
    assert_eq!(log.len(), 3);
    for d in log {
        assert_eq!(d["status"], "delivered");
        assert_eq!(d["attempts"], 1);
        assert_eq!(d["attempt_log"][0]["status_code"], 200);
        assert!(d["attempt_log"][0]["duration_ms"].is_number());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_failing_three_times_gets_the_event_on_the_fourth_try() {
    let app = app().await;
    let admin = app.admin_token().await;
    // A redirect is a failed try, not followed.
    let receiver = Receiver::start(&[500, 307, 503]).await;
    let hook = webhook(&app, &admin, &receiver.url, json!(["category.*"])).await;
    json_of(
        app.post("/categories", Some(&admin), &json!({"name": "Thời sự"}))
            .await,
        201,
    )
    .await;
    let got = receiver.wait_for(4, Duration::from_secs(10)).await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "the same message each time: {ids:?}"
    );
    assert!(
        got.iter().all(|r| r.body == got[0].body),
        "the same body each time"
    );

    let path = format!("/webhooks/{}/deliveries", hook["id"].as_str().unwrap());
    let mut delivered = Value::Null;
    for _ in 0..50 {
        let log = json_of(app.get(&path, Some(&admin)).await, 200).await;
        delivered = log["data"][0].clone();
        if delivered["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered["status"], "delivered", "{delivered}");
    assert_eq!(delivered["attempts"], 4);
    let codes: Vec<i64> = delivered["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 307, 503, 200]);
    assert_eq!(
        receiver.received().len(),
        4,
        "the redirect was not followed"
    );
    assert!(
        delivered["attempt_log"][0]["error"]
            .as_str()
            .unwrap()
            .contains("500")
    );
    assert_eq!(delivered["next_attempt_at"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_targets_are_refused_unless_allowed() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8/hook",
        "http://[::1]:9/hook",
        "ftp://example.com/",
        "https://user:secret@example.com/",
    ] {
        let res = app
            .post(
                "/webhooks",
                Some(&admin),
                &json!({"url": url, "events": ["*"]}),
            )
            .await;
        let p = problem(res, 422).await;
        assert_eq!(p["errors"][0]["field"], "url", "{url}: {p}");
    }
    let res = app
        .post(
            "/webhooks",
            Some(&admin),
            &json!({"url": "https://203.113.131.1/h", "events": ["article.exploded", "nothing.*"]}),
        )
        .await;
    let p = problem(res, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["events.0", "events.1"]);
    // Editors and API tokens do not manage webhooks.
    let editor = app.token_for("editor").await;
    problem(app.get("/webhooks", Some(&editor)).await, 403).await;

    // Checked again when sending: an endpoint that leads to a private address (stored when
    // that was allowed, or a name that resolves elsewhere now) is not called.
    let receiver = Receiver::start(&[]).await;
    app.sql(&format!(
        "INSERT INTO webhooks (id, url, events, secret) VALUES (gen_random_uuid(), '{}', '{{*}}', \
         'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')",
        receiver.url
    ))
    .await;
    json_of(
        app.post("/categories", Some(&admin), &json!({"name": "Thời sự"}))
            .await,
        201,
    )
    .await;
    let list = json_of(app.get("/webhooks", Some(&admin)).await, 200).await;
    let path = format!(
        "/webhooks/{}/deliveries",
        list["data"][0]["id"].as_str().unwrap()
    );
    let mut tried = Value::Null;
    for _ in 0..100 {
        let log = json_of(app.get(&path, Some(&admin)).await, 200).await;
        tried = log["data"][0].clone();
        if tried["attempts"].as_i64() >= Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let error = tried["attempt_log"][0]["error"]
        .as_str()
        .unwrap_or_default();
    assert!(error.contains("loopback"), "{tried}");
    assert_eq!(tried["attempt_log"][0]["status_code"], Value::Null);
    assert!(
        receiver.received().is_empty(),
        "the private receiver was called"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pings_manual_retries_rotation_and_disabling_after_failures() {
    let app = app().await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(&[]).await;
    let hook = webhook(&app, &admin, &receiver.url, json!(["*"])).await;
    let id = hook["id"].as_str().unwrap();
    let old_secret = hook["secret"].as_str().unwrap().to_string();

    let ping = json_of(
        app.post(&format!("/webhooks/{id}/ping"), Some(&admin), &json!({}))
            .await,
        202,
    )
    .await;
    assert_eq!(ping["event_type"], "webhook.ping");
    let got = receiver.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(got[0].json()["type"], "webhook.ping");
    check_signed(&got[0], &old_secret);

    // A new secret signs from now on.
    let rotated = json_of(
        app.post(&format!("/webhooks/{id}/secret"), Some(&admin), &json!({}))
            .await,
        200,
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, old_secret);
    json_of(
        app.post(&format!("/webhooks/{id}/ping"), Some(&admin), &json!({}))
            .await,
        202,
    )
    .await;
    let got = receiver.wait_for(2, Duration::from_secs(5)).await;
    check_signed(&got[1], new_secret);
    let (r, h) = (&got[1], |n| got[1].header(n));
    assert!(!verify(
        &old_secret,
        h("webhook-id"),
        h("webhook-timestamp"),
        r.body.as_bytes(),
        h("webhook-signature")
    ));

    // A manual retry sends a delivered message again, under the same id.
    let retried = app
        .post(
            &format!(
                "/webhooks/{id}/deliveries/{}/retry",
                ping["id"].as_str().unwrap()
            ),
            Some(&admin),
            &json!({}),
        )
        .await;
    json_of(retried, 202).await;
    let got = receiver.wait_for(3, Duration::from_secs(5)).await;
    assert_eq!(got[2].header("webhook-id"), ping["id"].as_str().unwrap());
    let unknown = app
        .post(
            &format!("/webhooks/{id}/deliveries/{}/retry", uuid::Uuid::now_v7()),
            Some(&admin),
            &json!({}),
        )
        .await;
    problem(unknown, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_failing_again_and_again_is_disabled_and_can_be_enabled() {
    let app = TestApp::spawn_with(&[
        ("BANTIN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ("BANTIN_WEBHOOK_RETRY_DELAYS", "0.1,0.1,0.1,0.1,0.1,0.1"),
        ("BANTIN_WEBHOOK_DISABLE_AFTER", "3"),
    ])
    .await;
    let admin = app.admin_token().await;
    let receiver = Receiver::start(&[500, 500, 500, 500, 500]).await;
    let hook = webhook(&app, &admin, &receiver.url, json!(["category.*"])).await;
    let path = format!("/webhooks/{}", hook["id"].as_str().unwrap());
    json_of(
        app.post("/categories", Some(&admin), &json!({"name": "Thời sự"}))
            .await,
        201,
    )
    .await;
    let mut read = Value::Null;
    for _ in 0..100 {
        read = json_of(app.get(&path, Some(&admin)).await, 200).await;
        if read["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(read["enabled"], false, "{read}");
    let reason = read["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("3 failed deliveries in a row") && reason.contains("500"),
        "{reason}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        receiver.received().len(),
        3,
        "nothing is sent to a disabled endpoint"
    );

    // Enabled again: the pending delivery goes out (the receiver answers 500 twice more, then 200).
    let etag = app.get(&path, Some(&admin)).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let enabled = app
        .request(Method::PATCH, &path, Some(&admin))
        .header("If-Match", etag)
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    let enabled = json_of(enabled, 200).await;
    assert_eq!(enabled["disabled_reason"], Value::Null);
    let got = receiver.wait_for(6, Duration::from_secs(10)).await;
    let per_message: HashMap<&str, usize> = got.iter().fold(HashMap::new(), |mut m, r| {
        *m.entry(r.header("webhook-id")).or_default() += 1;
        m
    });
    assert_eq!(per_message.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_events_and_finished_deliveries_are_pruned_and_the_audit_log_is_kept() {
    let app = TestApp::spawn().await;
    let db = crate::database::connect(&app.db_url).await;
    // Three events (two 40 days old), a disabled endpoint (the worker leaves it alone) with a
    // delivered and a pending delivery of the old ones.
    db.batch_execute(
        "INSERT INTO webhooks (id, url, events, secret, enabled) VALUES \
           ('00000000-0000-7000-8000-000000000001', 'https://203.113.131.1/h', '{*}', 'whsec_x', false); \
         INSERT INTO events (id, type, occurred_at, resource_type, resource_id, data) VALUES \
           ('00000000-0000-7000-8000-00000000000a', 'category.created', now() - interval '40 days', 'category', gen_random_uuid(), '{}'), \
           ('00000000-0000-7000-8000-00000000000b', 'category.created', now() - interval '40 days', 'category', gen_random_uuid(), '{}'), \
           ('00000000-0000-7000-8000-00000000000c', 'category.created', now() - interval '1 day', 'category', gen_random_uuid(), '{}'); \
         INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload, status, next_attempt_at, created_at) VALUES \
           (gen_random_uuid(), '00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-00000000000a', 'category.created', '{}', 'delivered', NULL, now() - interval '40 days'), \
           (gen_random_uuid(), '00000000-0000-7000-8000-000000000001', '00000000-0000-7000-8000-00000000000b', 'category.created', '{}', 'pending', now(), now() - interval '40 days')",
    )
    .await
    .unwrap();
    let count = |sql: &'static str| {
        let db = &db;
        async move { db.query_one(sql, &[]).await.unwrap().get::<_, i64>(0) }
    };
    let audit_before = count("SELECT count(*) FROM audit_log").await;

    use diesel_async::AsyncConnection;
    let mut conn = diesel_async::AsyncPgConnection::establish(&app.db_url)
        .await
        .unwrap();
    let (events, deliveries) = bantin::webhooks::model::prune(&mut conn, 30).await.unwrap();
    assert_eq!((events, deliveries), (1, 1));
    let kept: Vec<String> = db
        .query("SELECT id::text FROM events ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        kept,
        [
            "00000000-0000-7000-8000-00000000000b",
            "00000000-0000-7000-8000-00000000000c"
        ],
        "the pending one's event and the recent one stay"
    );
    assert_eq!(
        count("SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'").await,
        1
    );
    assert_eq!(
        count("SELECT count(*) FROM audit_log").await,
        audit_before,
        "the audit log is kept"
    );
}
