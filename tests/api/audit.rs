//! The audit log: every audited action with its actor, filters and paging, never a secret,
//! and nothing can change an entry.

use reqwest::Method;
use serde_json::{Value, json};

use crate::database::connect;
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, problem};

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let text = res.text().await.unwrap();
    assert_eq!(got, status, "{text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// Every entry (newest first), following the cursor.
async fn all_entries(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = format!("/audit?limit=3{query}");
    loop {
        let page = json_of(app.get(&url, Some(token)).await, 200).await;
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["meta"]["next_cursor"].as_str() {
            Some(cursor) => url = format!("/audit?limit=3{query}&cursor={cursor}"),
            None => return out,
        }
    }
}

fn actions(entries: &[Value]) -> Vec<&str> {
    entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

fn find<'a>(entries: &'a [Value], action: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} in {:?}", actions(entries)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_audited_action_shows_up_with_its_actor_and_no_secret() {
    let app = TestApp::spawn_with(&[("BANTIN_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    // Logins: two failures, then a success.
    let wrong = json!({"email": ADMIN_EMAIL, "password": "not-the-password"});
    problem(app.post("/auth/login", None, &wrong).await, 401).await;
    let odd = json!({"email": "không phải email", "password": "x"});
    problem(app.post("/auth/login", None, &odd).await, 422).await;
    let tokens = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let admin = tokens.access.clone();
    let me: Value = app
        .get("/auth/me", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    let admin_id = me["id"].as_str().unwrap().to_string();

    // Accounts.
    let body = json!({"email": "bientap@hdnd.laichau.gov.vn", "display_name": "Biên tập viên",
        "role": "editor", "password": "mật-khẩu-ban-đầu-1"});
    let user = json_of(app.post("/users", Some(&admin), &body).await, 201).await;
    let user_path = format!("/users/{}", user["id"].as_str().unwrap());
    let change = json!({"role": "author", "disabled": true, "password": "mật-khẩu-mới-rất-dài", "display_name": "Tác giả"});
    json_of(app.patch(&user_path, Some(&admin), &change).await, 200).await;

    // API tokens and webhooks.
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
    let token_secret = token["token"].as_str().unwrap().to_string();
    let category = json_of(
        app.post(
            "/categories",
            Some(&token_secret),
            &json!({"name": "Thời sự"}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(
        app.delete(
            &format!("/api-tokens/{}", token["id"].as_str().unwrap()),
            Some(&admin)
        )
        .await
        .status(),
        204
    );
    let hook = json_of(
        app.post(
            "/webhooks",
            Some(&admin),
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["*"], "enabled": false}),
        )
        .await,
        201,
    )
    .await;
    let hook_path = format!("/webhooks/{}", hook["id"].as_str().unwrap());
    json_of(
        app.patch(&hook_path, Some(&admin), &json!({"description": "Thử"}))
            .await,
        200,
    )
    .await;
    let rotated = json_of(
        app.post(&format!("{hook_path}/secret"), Some(&admin), &json!({}))
            .await,
        200,
    )
    .await;
    assert_eq!(app.delete(&hook_path, Some(&admin)).await.status(), 204);

    // Content, site settings, then the session: a refresh token used twice, a logout.
    let put = json!({"name": "Cổng thông tin HĐND tỉnh", "publisher": "Văn phòng", "responsible_person": "Chánh Văn phòng"});
    json_of(
        app.send_json(Method::PUT, "/site", Some(&admin), &put)
            .await,
        200,
    )
    .await;
    let refresh = json!({"refresh_token": tokens.refresh});
    json_of(app.post("/auth/refresh", None, &refresh).await, 200).await;
    problem(app.post("/auth/refresh", None, &refresh).await, 401).await;
    let again = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        app.post(
            "/auth/logout",
            None,
            &json!({"refresh_token": again.refresh})
        )
        .await
        .status(),
        204
    );

    let reader = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.access;
    let entries = all_entries(&app, &reader, "").await;
    let failed: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "auth.login_failed")
        .collect();
    assert_eq!(failed.len(), 2, "{:?}", actions(&entries));
    let wrong_password = failed
        .iter()
        .find(|e| e["resource_id"].is_string())
        .unwrap();
    assert_eq!(wrong_password["resource_id"], admin_id.as_str());
    assert_eq!(wrong_password["address"], "127.0.0.1");
    assert_eq!(wrong_password["actor"]["user_id"], Value::Null);
    assert_eq!(wrong_password["detail"]["email"], ADMIN_EMAIL);
    let login = find(&entries, "auth.login");
    assert_eq!(login["actor"]["user_id"], admin_id.as_str());
    assert_eq!(login["address"], "127.0.0.1");

    let by_admin = |action: &str| {
        let e = find(&entries, action);
        assert_eq!(e["actor"]["user_id"], admin_id.as_str(), "{action}: {e}");
        assert_eq!(
            e["actor"]["display_name"], me["display_name"],
            "{action}: {e}"
        );
        e.clone()
    };
    assert_eq!(by_admin("user.created")["detail"]["role"], "editor");
    assert_eq!(
        by_admin("user.role_changed")["detail"],
        json!({"from": "editor", "to": "author"})
    );
    by_admin("user.disabled");
    by_admin("user.password_changed");
    assert_eq!(
        by_admin("user.updated")["detail"]["fields"],
        json!(["display_name"])
    );
    assert_eq!(by_admin("api_token.created")["detail"]["name"], "Cổng tỉnh");
    by_admin("api_token.revoked");
    for action in [
        "webhook.created",
        "webhook.updated",
        "webhook.secret_rotated",
        "webhook.deleted",
    ] {
        assert_eq!(by_admin(action)["detail"]["url"], "http://127.0.0.1:9/hook");
    }
    assert_eq!(by_admin("site.updated")["resource_type"], "site");
    assert_eq!(by_admin("auth.refresh_reused")["resource_type"], "session");
    by_admin("auth.logout");
    // Content events are entries, with the API token that made them.
    let created = find(&entries, "category.created");
    assert_eq!(created["resource_id"], category["id"]);
    assert_eq!(created["actor"]["user_id"], admin_id.as_str());
    assert_eq!(created["actor"]["token_id"], token["id"]);
    assert_eq!(created["detail"]["name"], "Thời sự");

    // No secret, password or hash anywhere in the log.
    let text = serde_json::to_string(&entries).unwrap();
    for secret in [
        hook["secret"].as_str().unwrap(),
        rotated["secret"].as_str().unwrap(),
        token_secret.as_str(),
        ADMIN_PASSWORD,
        "mật-khẩu-mới-rất-dài",
        "not-the-password",
        "$argon2",
        tokens.refresh.as_str(),
    ] {
        assert!(!text.contains(secret), "the audit log shows a secret");
    }

    // Filters.
    let mine = all_entries(&app, &reader, &format!("&actor={admin_id}&action=auth.*")).await;
    assert!(
        !mine.is_empty()
            && mine
                .iter()
                .all(|e| e["action"].as_str().unwrap().starts_with("auth.")
                    && e["actor"]["user_id"] == admin_id.as_str())
    );
    let hooks = all_entries(
        &app,
        &reader,
        &format!(
            "&resource_type=webhook&resource_id={}",
            hook["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        actions(&hooks),
        [
            "webhook.deleted",
            "webhook.secret_rotated",
            "webhook.updated",
            "webhook.created"
        ]
    );
    let at = login["at"].as_str().unwrap();
    let before = all_entries(&app, &reader, &format!("&to={}", at.replace('+', "%2B"))).await;
    assert!(before.iter().all(|e| e["at"].as_str().unwrap() < at));
    assert!(actions(&before).contains(&"auth.login_failed"));
    let bad = app
        .get(
            "/audit?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z",
            Some(&reader),
        )
        .await;
    problem(bad, 400).await;
    let total = json_of(
        app.get("/audit?with_total=true&action=user.*", Some(&reader))
            .await,
        200,
    )
    .await;
    assert_eq!(total["meta"]["total"], 5);

    // Admins only.
    let editor = app.token_for("editor").await;
    problem(app.get("/audit", Some(&editor)).await, 403).await;
    problem(app.get("/audit", None).await, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_cannot_be_changed_or_removed() {
    let app = TestApp::spawn().await;
    app.admin_token().await; // a login: an entry
    let db = connect(&app.db_url).await;
    for statement in [
        "UPDATE audit_log SET action = 'nothing'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let refused = db.batch_execute(statement).await.unwrap_err();
        assert!(
            format!("{refused:?}").contains("append-only"),
            "{statement}: {refused:?}"
        );
    }
    // And the API has no way to try.
    let spec = bantin::openapi_spec();
    let item = &spec.paths.paths["/api/v1/audit"];
    assert!(item.get.is_some());
    assert!(
        item.post.is_none() && item.put.is_none() && item.patch.is_none() && item.delete.is_none()
    );
    assert!(
        spec.paths
            .paths
            .keys()
            .all(|p| !p.starts_with("/api/v1/audit/"))
    );
}
