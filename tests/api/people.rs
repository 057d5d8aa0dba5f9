//! `/organizations` and `/signatories`: the bodies that sign documents and the people who
//! sign for them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::articles::id;
use crate::helpers::{TestApp, fields, problem};
use crate::photos::{jpeg, upload};

/// Creates an organisation as `token`; panics unless 201.
pub async fn organization(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/organizations", Some(token), &body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "create organization: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Creates a signatory as `token`; panics unless 201.
pub async fn signatory(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/signatories", Some(token), &body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "create signatory: {text}");
    serde_json::from_str(&text).unwrap()
}

fn names(page: &Value, key: &str) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o[key].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn organizations_form_a_tree_keep_their_short_name_and_refuse_cycles() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let tinh_uy = organization(
        &app,
        &editor,
        json!({"name": "Tỉnh ủy Lai Châu", "short_name": "TU", "kind": "party"}),
    )
    .await;
    let bdv = organization(
        &app,
        &editor,
        json!({"name": "Ban Dân vận Tỉnh ủy", "short_name": "BDV", "kind": "party", "parent_id": id(&tinh_uy)}),
    )
    .await;
    let dd = organization(
        &app,
        &editor,
        json!({"name": "Đảng đoàn HĐND tỉnh", "short_name": "ĐĐHĐND", "kind": "party", "parent_id": id(&tinh_uy)}),
    )
    .await;
    assert_eq!(dd["short_name"], "ĐĐHĐND", "case kept");
    assert_eq!(dd["parent_id"], id(&tinh_uy));

    // Anyone reads; search ignores tone marks and case; children by parent.
    let page: Value = app
        .get("/organizations?q=dan%20van", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&page, "name"), ["Ban Dân vận Tỉnh ủy"]);
    let page: Value = app
        .get("/organizations?q=ddhdnd", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&page, "name"), ["Đảng đoàn HĐND tỉnh"]);
    let url = format!("/organizations?parent_id={}", id(&tinh_uy));
    let page: Value = app.get(&url, None).await.json().await.unwrap();
    assert_eq!(
        names(&page, "name"),
        ["Ban Dân vận Tỉnh ủy", "Đảng đoàn HĐND tỉnh"]
    );
    let page: Value = app
        .get("/organizations?root=true", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&page, "name"), ["Tỉnh ủy Lai Châu"]);

    // The same name under the same parent is a 409; a cycle a 422; a bad kind a 400.
    let res = app
        .post(
            "/organizations",
            Some(&editor),
            &json!({"name": "BAN DÂN VẬN TỈNH ỦY", "kind": "party", "parent_id": id(&tinh_uy)}),
        )
        .await;
    problem(res, 409).await;
    let path = format!("/organizations/{}", id(&tinh_uy));
    let res = app
        .patch(&path, Some(&editor), &json!({"parent_id": id(&bdv)}))
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["parent_id"]);
    let res = app
        .post(
            "/organizations",
            Some(&editor),
            &json!({"name": "X", "kind": "company"}),
        )
        .await;
    problem(res, 400).await;

    // Authors and anonymous callers do not write.
    let author = app.token_for("author").await;
    let res = app
        .post(
            "/organizations",
            Some(&author),
            &json!({"name": "Sở Nội vụ", "kind": "state"}),
        )
        .await;
    problem(res, 403).await;
    problem(
        app.post(
            "/organizations",
            None,
            &json!({"name": "Sở Nội vụ", "kind": "state"}),
        )
        .await,
        401,
    )
    .await;

    // A parent with children, or a body with signatories, cannot be deleted.
    problem(app.delete(&path, Some(&editor)).await, 409).await;
    signatory(
        &app,
        &editor,
        json!({"full_name": "Lò Văn Cương", "organization_id": id(&bdv)}),
    )
    .await;
    let body = problem(
        app.delete(&format!("/organizations/{}", id(&bdv)), Some(&editor))
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("signatories"));
    // With If-Match, and nothing using it, it goes.
    let dd_path = format!("/organizations/{}", id(&dd));
    let res = app.get(&dd_path, None).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .request(Method::DELETE, &dd_path, Some(&editor))
        .header("if-match", "\"stale\"")
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    let res = app
        .request(Method::DELETE, &dd_path, Some(&editor))
        .header("if-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    problem(app.get(&dd_path, None).await, 404).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn signatory_names_are_written_without_honorifics() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    for bad in [
        "Ông Lò Văn Cương",
        "TS. Chu Lê Chinh",
        "đồng chí Sùng A Hồ",
        "Bà Tẩn Thị Hoa",
        "ThS.Nguyễn Văn An",
    ] {
        let res = app
            .post("/signatories", Some(&editor), &json!({"full_name": bad}))
            .await;
        let body = problem(res, 422).await;
        assert_eq!(fields(&body), ["full_name"], "{bad}");
        assert_eq!(body["errors"][0]["code"], "honorific", "{bad}");
    }
    for bad in ["", "  ", "A"] {
        let res = app
            .post("/signatories", Some(&editor), &json!({"full_name": bad}))
            .await;
        assert_eq!(fields(&problem(res, 422).await), ["full_name"], "{bad:?}");
    }
    // Spaces are collapsed and NFD becomes NFC.
    let nfd: String =
        unicode_normalization::UnicodeNormalization::nfd("Bàn  Văn   Thắng").collect();
    let s = signatory(&app, &editor, json!({"full_name": nfd})).await;
    assert_eq!(s["full_name"], "Bàn Văn Thắng");
    let res = app
        .patch(
            &format!("/signatories/{}", id(&s)),
            Some(&editor),
            &json!({"full_name": "Ông Bàn Văn Thắng"}),
        )
        .await;
    problem(res, 422).await;
    let res = app
        .post(
            "/signatories",
            Some(&editor),
            &json!({"full_name": "Lò Văn Cương", "organization_id": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["organization_id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn signatories_are_found_without_diacritics_and_sorted_by_given_name() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let org = organization(
        &app,
        &editor,
        json!({"name": "Đảng đoàn HĐND tỉnh", "short_name": "ĐĐHĐND", "kind": "party"}),
    )
    .await;
    let photo = upload(&app, &editor, jpeg(300, 400), "Chân dung").await;
    let cuong = signatory(
        &app,
        &editor,
        json!({"full_name": "Lò Văn Cương", "current_position": "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy"}),
    )
    .await;
    let chinh = signatory(
        &app,
        &editor,
        json!({"full_name": "Chu Lê Chinh", "current_position": "Phó Bí thư Tỉnh ủy, Chủ tịch HĐND tỉnh",
               "organization_id": id(&org), "photo_id": id(&photo)}),
    )
    .await;
    assert_eq!(chinh["organization"]["short_name"], "ĐĐHĐND");
    assert_eq!(chinh["photo"]["id"], id(&photo));
    assert_eq!(chinh["photo"]["variants"][0]["name"], "thumb");
    for name in [
        "Đặng Văn Dũng",
        "Nguyễn Thị Ánh",
        "Trần Văn Anh",
        "Lê Thị Ân",
        "Hoàng Văn Ấn",
        "Phạm Đức Đạt",
    ] {
        signatory(&app, &editor, json!({"full_name": name})).await;
    }

    for q in ["lo van cuong", "LÒ VĂN CƯƠNG", "cuong", "Lò%20Văn"] {
        let page: Value = app
            .get(&format!("/signatories?q={q}"), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(names(&page, "full_name"), ["Lò Văn Cương"], "{q}");
    }
    let url = format!("/signatories?organization={}", id(&org));
    let page: Value = app.get(&url, None).await.json().await.unwrap();
    assert_eq!(names(&page, "full_name"), ["Chu Lê Chinh"]);

    // By given name, in Vietnamese order: a < ă < â, d < đ; the same given name by middle name.
    let page: Value = app
        .get("/signatories?sort=name", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        names(&page, "full_name"),
        [
            "Trần Văn Anh",
            "Nguyễn Thị Ánh",
            "Lê Thị Ân",
            "Hoàng Văn Ấn",
            "Chu Lê Chinh",
            "Lò Văn Cương",
            "Đặng Văn Dũng",
            "Phạm Đức Đạt",
        ]
    );
    // Paging by cursor follows the same order.
    let first: Value = app
        .get("/signatories?sort=name&limit=3", None)
        .await
        .json()
        .await
        .unwrap();
    let cursor = first["meta"]["next_cursor"].as_str().unwrap();
    let next: Value = app
        .get(
            &format!("/signatories?sort=name&limit=3&cursor={cursor}"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        names(&next, "full_name"),
        ["Hoàng Văn Ấn", "Chu Lê Chinh", "Lò Văn Cương"]
    );
    let desc: Value = app
        .get("/signatories?sort=-name&limit=1", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(names(&desc, "full_name"), ["Phạm Đức Đạt"]);

    // A change of position is a new version; If-Match guards it.
    let path = format!("/signatories/{}", id(&cuong));
    let res = app.get(&path, None).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("if-match", &etag)
        .json(&json!({"current_position": "Phó Chủ tịch UBND tỉnh"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["version"], 2);
    let res = app
        .request(Method::PATCH, &path, Some(&editor))
        .header("if-match", &etag)
        .json(&json!({"current_position": "x"}))
        .send()
        .await
        .unwrap();
    problem(res, 412).await;

    // The photo of a signatory is in use: deleting it needs force, which takes it off.
    let photo_path = format!("/photos/{}", id(&photo));
    problem(app.delete(&photo_path, Some(&editor)).await, 409).await;
    assert_eq!(
        app.delete(&format!("{photo_path}?force=true"), Some(&editor))
            .await
            .status(),
        204
    );
    let chinh: Value = app
        .get(&format!("/signatories/{}", id(&chinh)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chinh["photo"], Value::Null);
    assert_eq!(app.delete(&path, Some(&editor)).await.status(), 204);
}
