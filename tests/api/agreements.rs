//! `/agreements`: official documents with their parties, signatures and relations, found by
//! the ways people type document numbers, and linked to the articles that report them.

use serde_json::{Value, json};

use crate::articles::{article, id};
use crate::helpers::{TestApp, fields, problem};
use crate::people::{organization, signatory};

/// The fixture's bodies and people, and its two agreements.
struct Fixture {
    bdv: Value,
    dd: Value,
    cuong: Value,
    chinh: Value,
    qc: Value,
    ctr: Value,
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app.post("/agreements", Some(token), &body).await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "create agreement: {text}");
    serde_json::from_str(&text).unwrap()
}

async fn fixture(app: &TestApp, editor: &str) -> Fixture {
    let tinh_uy = organization(
        app,
        editor,
        json!({"name": "Tỉnh ủy Lai Châu", "short_name": "TU", "kind": "party"}),
    )
    .await;
    let bdv = organization(app, editor, json!({"name": "Ban Dân vận Tỉnh ủy", "short_name": "BDV", "kind": "party", "parent_id": id(&tinh_uy)})).await;
    let dd = organization(app, editor, json!({"name": "Đảng Đoàn HĐND tỉnh", "short_name": "ĐĐHĐND", "kind": "party", "parent_id": id(&tinh_uy)})).await;
    let cuong = signatory(
        app,
        editor,
        json!({"full_name": "Lò Văn Cương", "organization_id": id(&bdv),
        "current_position": "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy"}),
    )
    .await;
    let chinh = signatory(
        app,
        editor,
        json!({"full_name": "Chu Lê Chinh", "organization_id": id(&dd),
        "current_position": "Phó Chủ tịch HĐND tỉnh"}),
    )
    .await;
    let parties = json!([
        {"organization_id": id(&bdv), "role": "lead", "position": 1},
        {"organization_id": id(&dd), "role": "partner", "position": 2}
    ]);
    let qc = create(app, editor, json!({
        "document_number": "31B-QCPH/BDV-ĐĐHĐND", "doc_type": "quy_che",
        "title": "Quy chế phối hợp thực hiện công tác dân vận giữa Ban Dân vận Tỉnh ủy với Đảng Đoàn HĐND tỉnh",
        "signed_on": "2013-05-16", "parties": parties,
        "relations": [
            {"kind": "based_on", "reference_text": "Quyết định 290-QĐ/TW ngày 25/02/2010 của Bộ Chính trị"},
            {"kind": "based_on", "reference_text": "Chỉ thị số 18/2000/CT-TTg ngày 21/9/2000 của Thủ tướng Chính phủ"}
        ]
    })).await;
    let ctr = create(app, editor, json!({
        "doc_type": "chuong_trinh",
        "title": "Chương trình phối hợp thực hiện công tác Dân vận giữa Ban Dân vận Tỉnh ủy và Đảng Đoàn HĐND tỉnh giai đoạn 2021 - 2026",
        "summary": "08 nội dung phối hợp thực hiện công tác Dân vận giai đoạn 2021 - 2026.",
        "place": "Lai Châu", "signed_on": "2021-08-30", "term_start_year": 2021, "term_end_year": 2026,
        "parties": parties,
        "signatures": [
            {"signatory_id": id(&cuong), "organization_id": id(&bdv), "signing_title": "Trưởng Ban Dân vận Tỉnh ủy",
             "positions_at_signing": "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng Ban Dân vận Tỉnh ủy", "position": 1},
            {"signatory_id": id(&chinh), "organization_id": id(&dd), "signing_title": "Phó Bí thư Đảng Đoàn HĐND tỉnh",
             "positions_at_signing": "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng Đoàn HĐND tỉnh", "position": 2}
        ]
    })).await;
    Fixture {
        bdv,
        dd,
        cuong,
        chinh,
        qc,
        ctr,
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(id).collect()
}

/// The ids `GET /agreements?<name>=<value>` lists (the value URL-encoded here).
async fn search(app: &TestApp, query: &str) -> Vec<String> {
    let (name, value) = query.split_once('=').unwrap();
    let value: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let res = app.get(&format!("/agreements?{name}={value}"), None).await;
    assert_eq!(res.status(), 200, "{query}");
    ids(&res.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn agreements_are_recorded_faithfully_with_parties_signatures_and_relations() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let qc: Value = app
        .get(&format!("/agreements/{}", id(&f.qc)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        qc["document_number"], "31B-QCPH/BDV-ĐĐHĐND",
        "kept exactly as typed"
    );
    assert_eq!(qc["doc_type"], "quy_che");
    assert_eq!(qc["doc_type_label"], "Quy chế");
    assert_eq!(qc["signed_on"], "2013-05-16");
    assert_eq!(qc["status"], "in_effect");
    assert_eq!(qc["parties"][0]["organization"]["short_name"], "BDV");
    assert_eq!(qc["parties"][0]["role"], "lead");
    assert_eq!(qc["parties"][1]["organization"]["short_name"], "ĐĐHĐND");
    assert_eq!(qc["relations"][0]["kind"], "based_on");
    assert_eq!(
        qc["relations"][1]["reference_text"],
        "Chỉ thị số 18/2000/CT-TTg ngày 21/9/2000 của Thủ tướng Chính phủ"
    );
    assert_eq!(qc["relations"][0]["agreement"], Value::Null);

    // Chu Lê Chinh's position now differs from the one he signed with; both show.
    let ctr: Value = app
        .get(&format!("/agreements/{}", id(&f.ctr)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ctr["document_number"], Value::Null);
    assert_eq!(
        (
            ctr["term_start_year"].as_i64(),
            ctr["term_end_year"].as_i64()
        ),
        (Some(2021), Some(2026))
    );
    let second = &ctr["signatures"][1];
    assert_eq!(second["signatory"]["full_name"], "Chu Lê Chinh");
    assert_eq!(
        second["signatory"]["current_position"],
        "Phó Chủ tịch HĐND tỉnh"
    );
    assert_eq!(
        second["positions_at_signing"],
        "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng Đoàn HĐND tỉnh"
    );
    assert_eq!(second["organization"]["id"], id(&f.dd));
    assert_eq!(second["authority_prefix"], Value::Null);
    let signed: Value = app
        .get(&format!("/signatories/{}/agreements", id(&f.chinh)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(signed["data"][0]["agreement"]["id"], id(&f.ctr));
    assert_eq!(
        signed["data"][0]["positions_at_signing"],
        "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng Đoàn HĐND tỉnh"
    );
    assert_eq!(signed["data"][0]["signed_on"], "2021-08-30");

    // The document types, with their Vietnamese labels.
    let types: Value = app
        .get("/agreements/doc-types", None)
        .await
        .json()
        .await
        .unwrap();
    let labels: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "Quy chế",
            "Chương trình",
            "Kế hoạch",
            "Nghị quyết",
            "Quyết định",
            "Bản ghi nhớ",
            "Thỏa thuận",
            "Khác"
        ]
    );

    // Organisations and people that agreements name cannot be deleted.
    let body = problem(
        app.delete(&format!("/organizations/{}", id(&f.bdv)), Some(&editor))
            .await,
        409,
    )
    .await;
    assert!(
        body["detail"].as_str().unwrap().contains("signatories")
            || body["detail"].as_str().unwrap().contains("agreements")
    );
    let other = organization(
        &app,
        &editor,
        json!({"name": "Ban Dân tộc HĐND tỉnh", "kind": "state"}),
    )
    .await;
    let res = app
        .patch(
            &format!("/agreements/{}", id(&f.qc)),
            Some(&editor),
            &json!({"parties": [{"organization_id": id(&other), "role": "lead"}]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    problem(
        app.delete(&format!("/organizations/{}", id(&other)), Some(&editor))
            .await,
        409,
    )
    .await;
    problem(
        app.delete(&format!("/signatories/{}", id(&f.cuong)), Some(&editor))
            .await,
        409,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn document_numbers_are_found_the_ways_people_type_them() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    for q in [
        "31b-qcph",
        "31B-QCPH/BDV-ĐĐHĐND",
        "ddhdnd",
        "QCPH/BDV",
        "31B QCPH",
        "ĐĐHĐND",
        "q=31b–qcph",
    ] {
        let query = q.strip_prefix("q=").unwrap_or(q);
        assert_eq!(
            search(&app, &format!("q={query}")).await,
            [id(&f.qc)],
            "{q}"
        );
    }
    // Title words without diacritics, in any case, NFD included.
    assert_eq!(search(&app, "q=chuong trinh phoi hop").await, [id(&f.ctr)]);
    let nfd: String = unicode_normalization::UnicodeNormalization::nfd("Chương trình").collect();
    assert_eq!(search(&app, &format!("q={nfd}")).await, [id(&f.ctr)]);
    // Both match "dan van"; number matches come first when ranked.
    assert_eq!(search(&app, "q=dan van").await.len(), 2);
    assert!(search(&app, "q=khong co van ban nay").await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn agreements_are_filtered_by_type_party_signatory_dates_and_status() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    assert_eq!(search(&app, "doc_type=quy_che").await, [id(&f.qc)]);
    assert_eq!(
        search(&app, &format!("signatory={}", id(&f.cuong))).await,
        [id(&f.ctr)]
    );
    assert_eq!(
        search(&app, &format!("party={}", id(&f.dd))).await,
        [id(&f.ctr), id(&f.qc)],
        "newest first"
    );
    assert_eq!(search(&app, "signed_from=2020-01-01").await, [id(&f.ctr)]);
    assert_eq!(search(&app, "signed_to=2013-05-16").await, [id(&f.qc)]);
    assert_eq!(search(&app, "in_effect_on=2015-01-01").await, [id(&f.qc)]);
    problem(
        app.get("/agreements?signed_from=16/05/2013", None).await,
        400,
    )
    .await;
    problem(app.get("/agreements?doc_type=cong_van", None).await, 400).await;

    // A later regulation replaces 31B: 31B is superseded; one with an end date passed expired;
    // one starting next year upcoming.
    let newer = create(
        &app,
        &editor,
        json!({"document_number": "45-QCPH/BDV-ĐĐHĐND", "doc_type": "quy_che",
        "title": "Quy chế phối hợp (thay thế)", "signed_on": "2022-01-10",
        "relations": [{"kind": "replaces", "agreement_id": id(&f.qc)}]}),
    )
    .await;
    let old = create(
        &app,
        &editor,
        json!({"doc_type": "ke_hoach", "title": "Kế hoạch đã hết hạn",
        "signed_on": "2019-01-01", "effective_from": "2019-01-01", "effective_to": "2019-12-31"}),
    )
    .await;
    let next_year = chrono::Utc::now()
        .date_naive()
        .format("%Y")
        .to_string()
        .parse::<i32>()
        .unwrap()
        + 1;
    let later = create(
        &app,
        &editor,
        json!({"doc_type": "ke_hoach", "title": "Kế hoạch năm sau",
        "signed_on": format!("{next_year}-01-02")}),
    )
    .await;
    assert_eq!(search(&app, "status=superseded").await, [id(&f.qc)]);
    assert_eq!(search(&app, "status=expired").await, [id(&old)]);
    assert_eq!(search(&app, "status=upcoming").await, [id(&later)]);
    let in_effect = search(&app, "status=in_effect").await;
    assert!(
        in_effect.contains(&id(&newer)) && in_effect.contains(&id(&f.ctr)) && in_effect.len() == 2
    );
    let qc: Value = app
        .get(&format!("/agreements/{}", id(&f.qc)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(qc["status"], "superseded");
    // An agreement another one relates to cannot be deleted.
    problem(
        app.delete(&format!("/agreements/{}", id(&f.qc)), Some(&editor))
            .await,
        409,
    )
    .await;
    assert_eq!(
        app.delete(&format!("/agreements/{}", id(&old)), Some(&editor))
            .await
            .status(),
        204
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_agreements_are_refused_and_nothing_is_half_written() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let base = json!({"doc_type": "quy_che", "title": "Quy chế thử"});
    let with = |extra: Value| {
        let mut b = base.clone();
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"effective_from": "2021-01-01", "effective_to": "2020-12-31"})),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["effective_to"]);
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"term_start_year": 2026, "term_end_year": 2021})),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["term_end_year"]);
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"relations": [{"kind": "based_on"}]})),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["relations.0"]);
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"doc_type": "cong_van"})),
        )
        .await;
    problem(res, 400).await;
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"signed_on": "2021-02-30"})),
        )
        .await;
    problem(res, 400).await;
    // The same folded number on the same day is the same document; another day is not.
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({"document_number": "31b-qcph/bdv-ddhdnd", "signed_on": "2013-05-16"})),
        )
        .await;
    problem(res, 409).await;
    create(
        &app,
        &editor,
        with(json!({"document_number": "31B-QCPH/BDV-ĐĐHĐND", "signed_on": "2013-06-01"})),
    )
    .await;

    // An invalid signature leaves nothing: not the agreement, not its valid parties.
    let count = |page: Value| page["meta"]["total"].as_i64().unwrap();
    let before = count(
        app.get("/agreements?with_total=true", None)
            .await
            .json()
            .await
            .unwrap(),
    );
    let res = app
        .post(
            "/agreements",
            Some(&editor),
            &with(json!({
                "parties": [{"organization_id": id(&f.bdv), "role": "lead"}],
                "signatures": [
                    {"signatory_id": id(&f.cuong), "signing_title": "Trưởng Ban"},
                    {"signatory_id": uuid::Uuid::now_v7(), "signing_title": "Phó Bí thư"}
                ]
            })),
        )
        .await;
    assert_eq!(
        fields(&problem(res, 422).await),
        ["signatures.1.signatory_id"]
    );
    let after = count(
        app.get("/agreements?with_total=true", None)
            .await
            .json()
            .await
            .unwrap(),
    );
    assert_eq!(before, after);
    // Same for an update: the old lists stay whole.
    let path = format!("/agreements/{}", id(&f.ctr));
    let res = app
        .patch(&path, Some(&editor), &json!({"title": "Đổi tên", "signatures": [{"signatory_id": uuid::Uuid::now_v7(), "signing_title": "x"}]}))
        .await;
    problem(res, 422).await;
    let ctr: Value = app.get(&path, None).await.json().await.unwrap();
    assert_eq!(ctr["signatures"].as_array().unwrap().len(), 2);
    assert_eq!(ctr["title"], f.ctr["title"]);
    assert_eq!(ctr["version"], 1);
    let res = app
        .patch(
            &path,
            Some(&editor),
            &json!({"effective_to": "2026-12-31", "effective_from": "2027-01-01"}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["effective_to"]);
    // Writers only.
    let author = app.token_for("author").await;
    problem(app.post("/agreements", Some(&author), &base).await, 403).await;
    problem(app.post("/agreements", None, &base).await, 401).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn articles_report_agreements_and_anonymous_readers_see_only_published_ones() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let published = article(
        &app,
        &editor,
        json!({"title": "Hội nghị tổng kết Quy chế phối hợp", "status": "published",
        "agreement_ids": [id(&f.qc), id(&f.ctr)]}),
    )
    .await;
    let draft = article(
        &app,
        &editor,
        json!({"title": "Bản nháp về chương trình", "agreement_ids": [id(&f.ctr)]}),
    )
    .await;
    assert_eq!(
        published["agreements"][0]["document_number"],
        "31B-QCPH/BDV-ĐĐHĐND"
    );
    assert_eq!(published["agreements"][1]["id"], id(&f.ctr));

    let path = format!("/agreements/{}", id(&f.ctr));
    let public: Value = app.get(&path, None).await.json().await.unwrap();
    let listed: Vec<String> = public["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(id)
        .collect();
    assert_eq!(listed, [id(&published)], "anonymous: published only");
    let staff: Value = app.get(&path, Some(&editor)).await.json().await.unwrap();
    assert_eq!(staff["articles"].as_array().unwrap().len(), 2);

    let page: Value = app
        .get(&format!("/articles?agreement={}", id(&f.ctr)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&page), [id(&published)]);
    let page: Value = app
        .get(
            &format!("/articles?signatory={}", id(&f.chinh)),
            Some(&editor),
        )
        .await
        .json()
        .await
        .unwrap();
    let mut got = ids(&page);
    got.sort();
    let mut want = vec![id(&published), id(&draft)];
    want.sort();
    assert_eq!(got, want);
    let res = app
        .patch(
            &format!("/articles/{}", id(&draft)),
            Some(&editor),
            &json!({"agreement_ids": [uuid::Uuid::now_v7()]}),
        )
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["agreement_ids.0"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_of_agreements_embeds_parties_and_signatures_in_the_same_number_of_queries() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let mut timings = Vec::new();
    for n in [2usize, 12] {
        let mut have = search(&app, "limit=100").await.len();
        while have < n {
            create(
                &app,
                &editor,
                json!({"doc_type": "ke_hoach", "title": format!("Kế hoạch {have}"),
                "parties": [{"organization_id": id(&f.bdv), "role": "lead"}],
                "signatures": [{"signatory_id": id(&f.cuong), "signing_title": "Trưởng Ban"}]}),
            )
            .await;
            have += 1;
        }
        let res = app.get("/agreements?limit=50", Some(&editor)).await;
        timings.push(res.headers()["server-timing"].to_str().unwrap().to_string());
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["data"].as_array().unwrap().len(), n);
        assert!(page["data"][0]["parties"].as_array().is_some());
        assert!(page["data"][0].get("body").is_none());
    }
    assert_eq!(timings[0], timings[1]);
}

/// A small PDF.
fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

async fn attach(
    app: &TestApp,
    token: &str,
    agreement: &Value,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str("application/pdf")
            .unwrap(),
    );
    app.request(
        reqwest::Method::POST,
        &format!("/agreements/{}/attachments", id(agreement)),
        Some(token),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_signed_pdf_is_attached_and_downloaded_under_its_vietnamese_name() {
    let app = TestApp::spawn_with(&[("BANTIN_MEDIA_MAX_BYTES", "200000")]).await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let res = attach(&app, &editor, &f.qc, pdf(), "Quy chế phối hợp 31B.pdf").await;
    assert_eq!(res.status(), 201);
    let attachment: Value = res.json().await.unwrap();
    assert_eq!(attachment["file_name"], "Quy chế phối hợp 31B.pdf");
    assert_eq!(attachment["mime_type"], "application/pdf");
    assert_eq!(attachment["size_bytes"].as_u64(), Some(pdf().len() as u64));
    let qc: Value = app
        .get(&format!("/agreements/{}", id(&f.qc)), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(qc["attachments"][0]["id"], attachment["id"]);
    assert_eq!(qc["version"], 2, "attaching is a change of the agreement");

    // Anyone downloads it, under its own name (RFC 6266 filename*, with an ASCII fallback).
    let url = attachment["url"].as_str().unwrap();
    let path = &url[url.find("/media/").unwrap()..];
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(
        disposition.contains("filename=\"quy-che-phoi-hop-31b.pdf\""),
        "{disposition}"
    );
    assert!(
        disposition
            .contains("filename*=UTF-8''Quy%20ch%E1%BA%BF%20ph%E1%BB%91i%20h%E1%BB%A3p%2031B.pdf"),
        "{disposition}"
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf());

    // The PDF under another name than `file`: one 400 naming the part and the missing `file`.
    let form = reqwest::multipart::Form::new().part(
        "pdf",
        reqwest::multipart::Part::bytes(pdf())
            .file_name("x.pdf")
            .mime_str("application/pdf")
            .unwrap(),
    );
    let res = app
        .request(
            reqwest::Method::POST,
            &format!("/agreements/{}/attachments", id(&f.qc)),
            Some(&editor),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = problem(res, 400).await;
    assert_eq!(fields(&body), ["pdf", "file"], "{body}");

    // Not a PDF: 415; too large: 413; not an editor: 403; unknown agreement: 404.
    problem(
        attach(
            &app,
            &editor,
            &f.qc,
            b"<html>not a pdf</html>".to_vec(),
            "x.pdf",
        )
        .await,
        415,
    )
    .await;
    let mut big = pdf();
    big.resize(300_000, b' ');
    problem(attach(&app, &editor, &f.qc, big, "lon.pdf").await, 413).await;
    let author = app.token_for("author").await;
    problem(attach(&app, &author, &f.qc, pdf(), "x.pdf").await, 403).await;
    problem(
        attach(
            &app,
            &editor,
            &json!({"id": uuid::Uuid::now_v7()}),
            pdf(),
            "x.pdf",
        )
        .await,
        404,
    )
    .await;

    // Removing it removes the file.
    let res = app
        .delete(
            &format!(
                "/agreements/{}/attachments/{}",
                id(&f.qc),
                attachment["id"].as_str().unwrap()
            ),
            Some(&editor),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // So does deleting the agreement.
    let res = attach(&app, &editor, &f.ctr, pdf(), "Chương trình 2021.pdf").await;
    let second: Value = res.json().await.unwrap();
    let url = second["url"].as_str().unwrap();
    let path = url[url.find("/media/").unwrap()..].to_string();
    assert_eq!(
        app.delete(&format!("/agreements/{}", id(&f.ctr)), Some(&editor))
            .await
            .status(),
        204
    );
    let res = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread")]
async fn doc_types_is_not_an_agreement_id() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    for method in [reqwest::Method::PATCH, reqwest::Method::DELETE] {
        let res = app
            .request(method.clone(), "/agreements/doc-types", Some(&editor))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 405, "{method}");
        assert_eq!(res.headers()["allow"], "GET");
    }
    problem(app.get("/agreements/not-a-uuid", None).await, 404).await;
    problem(
        app.patch("/agreements/not-a-uuid", Some(&editor), &json!({}))
            .await,
        404,
    )
    .await;
    // Years written as whole floats are years; out of range is a 422.
    let res = app
        .post("/agreements", Some(&editor), &json!({"doc_type": "khac", "title": "Kế hoạch", "term_start_year": 2021.0, "term_end_year": 2147483646}))
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["term_end_year"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn titles_and_symbols_follow_the_vietnamese_text_rules() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let mut ids = Vec::new();
    for (number, title) in [
        (
            Some("44 /2005/QĐ-UBND"),
            "Quyết định của Uỷ ban nhân dân tỉnh",
        ),
        (None, "Nghị quyết của Ủy ban Mặt trận"),
        (None, "Quy chế của Đảng Đoàn HĐND tỉnh"),
        (None, "Quy chế của Đảng đoàn Ủy ban"),
        (None, "Hoi nghi tong ket (ASCII title)"),
    ] {
        let a = create(
            &app,
            &editor,
            json!({"doc_type": "khac", "document_number": number, "title": title}),
        )
        .await;
        ids.push(id(&a));
    }
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    // DOMAIN.md §5.2–5.3 and §5.8.
    assert_eq!(
        sorted(search(&app, "q=uy ban").await),
        sorted(vec![ids[0].clone(), ids[1].clone(), ids[3].clone()])
    );
    assert_eq!(
        sorted(search(&app, "q=dang doan").await),
        sorted(vec![ids[2].clone(), ids[3].clone()])
    );
    assert_eq!(search(&app, "q=hội nghị").await, [ids[4].clone()]);
    assert_eq!(search(&app, "q=44/2005/qd-ubnd").await, [ids[0].clone()]);
    assert_eq!(search(&app, "q=44 /2005/QĐ–UBND").await, [ids[0].clone()]);
    let a: Value = app
        .get(&format!("/agreements/{}", ids[0]), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        a["document_number"], "44 /2005/QĐ-UBND",
        "displayed as entered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signatory_renamed_shows_in_the_next_anonymous_agreement_list() {
    let app = TestApp::spawn().await;
    let editor = app.token_for("editor").await;
    let f = fixture(&app, &editor).await;
    let names = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["signatures"].as_array().unwrap().clone())
            .map(|s| s["signatory"]["full_name"].as_str().unwrap().to_string())
            .collect()
    };
    let page: Value = app.get("/agreements", None).await.json().await.unwrap();
    assert!(names(&page).contains(&"Chu Lê Chinh".to_string()));
    // The list is now kept in memory; renaming the signatory must not leave it stale.
    let res = app
        .patch(
            &format!("/signatories/{}", id(&f.chinh)),
            Some(&editor),
            &json!({"full_name": "Chu Lê Chính"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = app.get("/agreements", None).await.json().await.unwrap();
    let names = names(&page);
    assert!(names.contains(&"Chu Lê Chính".to_string()), "{names:?}");
    // And an organisation renamed shows in the parties.
    let res = app
        .patch(
            &format!("/organizations/{}", id(&f.dd)),
            Some(&editor),
            &json!({"name": "Đảng đoàn Hội đồng nhân dân tỉnh"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page: Value = app.get("/agreements", None).await.json().await.unwrap();
    let parties: Vec<&str> = page["data"][0]["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["organization"]["name"].as_str().unwrap())
        .collect();
    assert!(
        parties.contains(&"Đảng đoàn Hội đồng nhân dân tỉnh"),
        "{parties:?}"
    );
}
