//! `/site` tests: the portal's settings (public read, admin write) and its visit counter.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, fields, problem};

/// The Lai Châu portal's settings (`/work/shared/fixtures/lai-chau-portal.json`, `site`,
/// without `visit_count`).
fn lai_chau() -> Value {
    json!({
        "name": "Trang thông tin điện tử Đoàn ĐBQH và HĐND tỉnh Lai Châu",
        "publisher": "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
        "responsible_person": "Ông Dương Quốc Hoàn - Chánh Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu",
        "address": "Tầng 4,5 nhà B - khu Hành chính - Chính trị tỉnh",
        "phone": "0213.3798.221",
        "fax": "0213.3798.228",
        "email": "ttdn.hdndtinh@laichau.gov.vn",
        "attribution_notice": "Ghi rõ nguồn www.hdnd.laichau.gov.vn khi sử dụng thông tin trên website này"
    })
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_string()
}

/// `GET /site` anonymously: (ETag, body).
async fn site(app: &TestApp) -> (String, Value) {
    let res = app.get("/site", None).await;
    assert_eq!(res.status(), 200);
    let etag = header(&res, "etag");
    (etag, res.json().await.unwrap())
}

async fn put_site(
    app: &TestApp,
    token: &str,
    body: &Value,
    if_match: Option<&str>,
) -> reqwest::Response {
    let mut req = app.request(Method::PUT, "/site", Some(token)).json(body);
    if let Some(tag) = if_match {
        req = req.header("if-match", tag);
    }
    req.send().await.unwrap()
}

/// `POST /site/visits` anonymously; returns the new count.
async fn visit(app: &TestApp) -> i64 {
    let res = app
        .request(Method::POST, "/site/visits", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    body["visit_count"]
        .as_i64()
        .expect("visit_count is a number")
}

// ---- read ---------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_get_site_is_200_with_every_field() {
    let app = TestApp::spawn().await;
    let res = app.get("/site", None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "public, max-age=60");
    let etag = header(&res, "etag");
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let body: Value = res.json().await.unwrap();
    let mut keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    let mut expected = vec![
        "name",
        "publisher",
        "responsible_person",
        "address",
        "phone",
        "fax",
        "email",
        "attribution_notice",
        "time_zone",
        "visit_count",
        "version",
        "created_at",
        "updated_at",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(body["visit_count"], 0);
    assert_eq!(body["version"], 1);
    assert_eq!(body["time_zone"], "Asia/Ho_Chi_Minh");
    for text in [
        "name",
        "publisher",
        "responsible_person",
        "address",
        "phone",
        "fax",
        "email",
        "attribution_notice",
    ] {
        assert!(body[text].is_string(), "{text}");
    }
    for instant in ["created_at", "updated_at"] {
        let t = body[instant].as_str().unwrap();
        assert!(
            chrono::DateTime::parse_from_rfc3339(t).is_ok(),
            "{instant}: {t}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticated_get_site_is_private_and_varies_on_authorization() {
    let app = TestApp::spawn().await;
    let author = app.token_for("author").await;
    let res = app.get("/site", Some(&author)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "cache-control"), "private, no-store");
    for res in [res, app.get("/site", None).await] {
        let vary: Vec<String> = res
            .headers()
            .get_all("vary")
            .iter()
            .flat_map(|v| v.to_str().unwrap().split(','))
            .map(|v| v.trim().to_ascii_lowercase())
            .collect();
        assert!(vary.contains(&"authorization".to_string()), "{vary:?}");
    }
}

// ---- PUT ----------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_put_replaces_the_settings_and_get_shows_them() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let res = put_site(&app, &admin, &lai_chau(), None).await;
    assert_eq!(res.status(), 200);
    let put_etag = header(&res, "etag");
    let updated: Value = res.json().await.unwrap();
    let (get_etag, shown) = site(&app).await;
    assert_eq!(shown, updated);
    assert_eq!(get_etag, put_etag, "the PUT's ETag is the GET's");
    for (field, value) in lai_chau().as_object().unwrap() {
        assert_eq!(&shown[field], value, "{field}");
    }
    assert_eq!(
        shown["time_zone"], "Asia/Ho_Chi_Minh",
        "the default time zone"
    );
    assert_eq!(shown["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_keeps_the_visit_count() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for _ in 0..3 {
        visit(&app).await;
    }
    let res = put_site(&app, &admin, &lai_chau(), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["visit_count"], 3);
    assert_eq!(site(&app).await.1["visit_count"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_put_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let first: Value = put_site(&app, &admin, &lai_chau(), None)
        .await
        .json()
        .await
        .unwrap();
    let res = put_site(&app, &admin, &lai_chau(), None).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    assert_eq!(second, first);
    assert_eq!(second["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_stores_decomposed_text_composed() {
    use unicode_normalization::UnicodeNormalization;
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = lai_chau();
    let nfd: String = "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu".nfd().collect();
    body["publisher"] = json!(nfd);
    assert_eq!(put_site(&app, &admin, &body, None).await.status(), 200);
    assert_eq!(
        site(&app).await.1["publisher"],
        "Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_publisher_or_responsible_person_is_422_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let before = site(&app).await.1;
    for field in ["publisher", "responsible_person", "name"] {
        for empty in ["", "   "] {
            let mut body = lai_chau();
            body[field] = json!(empty);
            let p = problem(put_site(&app, &admin, &body, None).await, 422).await;
            assert_eq!(fields(&p), [field], "{field} = {empty:?}");
        }
    }
    let mut body = lai_chau();
    body["publisher"] = json!("");
    body["responsible_person"] = json!("");
    let p = problem(put_site(&app, &admin, &body, None).await, 422).await;
    assert_eq!(fields(&p), ["publisher", "responsible_person"]);
    assert_eq!(site(&app).await.1, before, "nothing written");
}

/// API.md §2: a missing required field does not fit the schema, so it is a 400 (not a 422).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_publisher_or_responsible_person_is_400_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for field in ["publisher", "responsible_person"] {
        let mut body = lai_chau();
        body.as_object_mut().unwrap().remove(field);
        let p = problem(put_site(&app, &admin, &body, None).await, 400).await;
        assert_eq!(fields(&p), [field]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_email_is_422_naming_email() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for email in [
        "not-an-email",
        "ttdn@",
        "@laichau.gov.vn",
        "a b@laichau.gov.vn",
    ] {
        let mut body = lai_chau();
        body["email"] = json!(email);
        let p = problem(put_site(&app, &admin, &body, None).await, 422).await;
        assert_eq!(fields(&p), ["email"], "{email}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_email_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = lai_chau();
    body["email"] = json!("");
    assert_eq!(put_site(&app, &admin, &body, None).await.status(), 200);
    assert_eq!(site(&app).await.1["email"], "");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_time_zone_is_422_naming_time_zone() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for zone in ["Mars/Olympus", "", "asia/ho_chi_minh' OR '1'='1"] {
        let mut body = lai_chau();
        body["time_zone"] = json!(zone);
        let p = problem(put_site(&app, &admin, &body, None).await, 422).await;
        assert_eq!(fields(&p), ["time_zone"], "{zone:?}");
    }
    assert_eq!(site(&app).await.1["time_zone"], "Asia/Ho_Chi_Minh");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_time_zone_is_stored() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = lai_chau();
    body["time_zone"] = json!("Asia/Bangkok");
    assert_eq!(put_site(&app, &admin, &body, None).await.status(), 200);
    assert_eq!(site(&app).await.1["time_zone"], "Asia/Bangkok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_field_is_400_naming_it() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    for field in ["visit_count", "website"] {
        let mut body = lai_chau();
        body[field] = json!(1);
        let p = problem(put_site(&app, &admin, &body, None).await, 400).await;
        assert_eq!(fields(&p), [field]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_and_authors_get_403_on_put() {
    let app = TestApp::spawn().await;
    let before = site(&app).await.1;
    for role in ["editor", "author"] {
        let token = app.token_for(role).await;
        problem(put_site(&app, &token, &lai_chau(), None).await, 403).await;
    }
    assert_eq!(site(&app).await.1, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_put_is_401() {
    let app = TestApp::spawn().await;
    let res = app.send_json(Method::PUT, "/site", None, &lai_chau()).await;
    assert!(res.headers().contains_key("www-authenticate"));
    problem(res, 401).await;
    assert_eq!(site(&app).await.1["version"], 1);
}

// ---- visits -------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_visit_is_counted() {
    let app = TestApp::spawn().await;
    let before = site(&app).await.1["visit_count"].as_i64().unwrap();
    let res = app
        .request(Method::POST, "/site/visits", None)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"visit_count": before + 1}));
    assert_eq!(visit(&app).await, before + 2);
    let after = site(&app).await.1;
    assert_eq!(after["visit_count"], before + 2);
    assert_eq!(
        after["version"], 1,
        "a visit is not a change of the settings"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_visits_raise_the_count_by_exactly_fifty() {
    let app = TestApp::spawn().await;
    let before = site(&app).await.1["visit_count"].as_i64().unwrap();
    let url = app.url("/site/visits");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (client, url) = (app.client.clone(), url.clone());
            tokio::spawn(async move {
                let res = client.post(&url).send().await.unwrap();
                assert_eq!(res.status(), 200);
                res.json::<Value>().await.unwrap()["visit_count"]
                    .as_i64()
                    .unwrap()
            })
        })
        .collect();
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort();
    let expected: Vec<i64> = (before + 1..=before + 50).collect();
    assert_eq!(counts, expected, "each visit saw its own count");
    assert_eq!(site(&app).await.1["visit_count"], before + 50);
}

// ---- conditional requests -----------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_none_match_is_304_until_a_visit_changes_the_etag() {
    let app = TestApp::spawn().await;
    let (etag, _) = site(&app).await;
    let conditional = || {
        app.request(Method::GET, "/site", None)
            .header("if-none-match", &etag)
            .send()
    };
    let res = conditional().await.unwrap();
    assert_eq!(res.status(), 304);
    assert_eq!(header(&res, "etag"), etag);
    visit(&app).await;
    let res = conditional().await.unwrap();
    assert_eq!(
        res.status(),
        200,
        "the count changed, so the representation did"
    );
    assert_ne!(header(&res, "etag"), etag);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_taken_before_a_visit_is_still_accepted_by_put() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (before, _) = site(&app).await;
    visit(&app).await;
    let (after, _) = site(&app).await;
    assert_ne!(after, before, "a visit changes the ETag");
    let res = put_site(&app, &admin, &lai_chau(), Some(&before)).await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["publisher"], lai_chau()["publisher"]);
    assert_eq!(updated["visit_count"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_taken_before_another_admins_put_is_412_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (_, other_admin_email, other_admin_password) = app.create_user("admin").await;
    let other_admin = app
        .login(&other_admin_email, &other_admin_password)
        .await
        .access;
    let (stale, _) = site(&app).await;
    assert_eq!(
        put_site(&app, &other_admin, &lai_chau(), None)
            .await
            .status(),
        200
    );
    let (_, current) = site(&app).await;
    let mut mine = lai_chau();
    mine["publisher"] = json!("Văn phòng UBND tỉnh Lai Châu");
    problem(put_site(&app, &admin, &mine, Some(&stale)).await, 412).await;
    assert_eq!(site(&app).await.1, current, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_that_is_not_a_site_etag_is_412() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let (etag, before) = site(&app).await;
    let content = etag.rsplit_once('.').unwrap().0;
    for tag in [
        "\"nope\"".to_string(),
        format!("{content}\""),
        format!("{content}.x\""),
        format!("W/{etag}"),
        String::new(),
    ] {
        problem(put_site(&app, &admin, &lai_chau(), Some(&tag)).await, 412).await;
    }
    assert_eq!(site(&app).await.1, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_if_match_star_or_current_etag_is_accepted() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    assert_eq!(
        put_site(&app, &admin, &lai_chau(), Some("*"))
            .await
            .status(),
        200
    );
    let (etag, _) = site(&app).await;
    let mut body = lai_chau();
    body["phone"] = json!("0213.3798.999");
    let res = put_site(&app, &admin, &body, Some(&etag)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["version"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_with_the_same_if_match_let_only_one_win() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let admin = app.admin_token().await;
    let (etag, _) = site(&app).await;
    let tasks: Vec<_> = ["0213.1111.111", "0213.2222.222"]
        .into_iter()
        .map(|phone| {
            let (app, admin, etag) = (app.clone(), admin.clone(), etag.clone());
            tokio::spawn(async move {
                let mut body = lai_chau();
                body["phone"] = json!(phone);
                put_site(&app, &admin, &body, Some(&etag))
                    .await
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
    assert_eq!(site(&app).await.1["version"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlong_fields_are_422_and_named() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = lai_chau();
    body["publisher"] = json!("ơ".repeat(301));
    body["attribution_notice"] = json!("ơ".repeat(1001));
    let p = problem(put_site(&app, &admin, &body, None).await, 422).await;
    assert_eq!(fields(&p), ["publisher", "attribution_notice"]);
    let mut body = lai_chau();
    body["publisher"] = json!("ơ".repeat(300));
    body["attribution_notice"] = json!("ơ".repeat(1000));
    assert_eq!(put_site(&app, &admin, &body, None).await.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_trims_surrounding_whitespace() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut body = lai_chau();
    body["publisher"] = json!("  Văn phòng Đoàn ĐBQH và HĐND tỉnh Lai Châu \n");
    body["email"] = json!(" ttdn.hdndtinh@laichau.gov.vn ");
    assert_eq!(put_site(&app, &admin, &body, None).await.status(), 200);
    let shown = site(&app).await.1;
    assert_eq!(shown["publisher"], lai_chau()["publisher"]);
    assert_eq!(shown["email"], lai_chau()["email"]);
}
