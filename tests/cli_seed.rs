//! `bantin seed-demo` as a user runs it: on a configured server (its own database per test,
//! checked with SQL) and on a fresh machine with no `DATABASE_URL` (the embedded cluster,
//! then `bantin serve` shows the content). Running it again changes nothing.

use std::path::Path;
use std::process::Output;

use bantin::text::slugify;
use serde_json::Value;
use tokio_postgres::Client;

#[path = "fixtures/cli.rs"]
mod cli_support;
#[path = "fixtures/database.rs"]
mod database;

use cli_support::{Service, bantin, cluster_running, temp_data_dir};
use database::{ThrowawayDatabase, connect};

const DEMO: &str = include_str!("../demo/lai-chau-portal.json");

fn demo() -> Value {
    serde_json::from_str(DEMO).unwrap()
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// The titles of the related articles, then of the latest ones.
fn short_titles(demo: &Value) -> (Vec<String>, Vec<String>) {
    let titles = |key: &str| {
        demo[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| text(&a["title"]).to_string())
            .collect::<Vec<_>>()
    };
    (titles("related_articles"), titles("latest_articles"))
}

/// A database of its own on the test server.
async fn test_database() -> ThrowawayDatabase {
    let server = std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1/postgres".into());
    ThrowawayDatabase::create(&server, "seed", None).await
}

/// `bantin seed-demo` with these settings; its standard output (it must succeed).
fn seed(envs: &[(&str, &Path)]) -> String {
    let mut cmd = bantin();
    cmd.arg("seed-demo");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let out: Output = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "seed-demo failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn seed_on(db: &ThrowawayDatabase, data: &Path) -> String {
    seed(&[
        ("DATABASE_URL", Path::new(&db.url)),
        ("BANTIN_DATA_DIR", data),
    ])
}

fn assert_has(output: &str, line: &str) {
    assert!(
        output.lines().any(|l| l.starts_with(line)),
        "no line starting with `{line}` in:\n{output}"
    );
}

async fn one_i64(db: &Client, sql: &str) -> i64 {
    db.query_one(sql, &[]).await.unwrap().get(0)
}

/// Every check on the seeded content, through SQL.
async fn check_content(db: &Client, demo: &Value) {
    // The category tree: the root, and its child holding the articles.
    let rows = db
        .query(
            "SELECT c.slug, c.name, p.slug, \
                    jsonb_path_query_array(c.path, '$[*].slug')::text, c.version \
               FROM categories c LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.slug",
            &[],
        )
        .await
        .unwrap();
    let categories: Vec<(String, String, Option<String>, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    assert_eq!(
        categories,
        vec![
            (
                "hoi-dong-nhan-dan".into(),
                "Hội đồng nhân dân".into(),
                Some("tin-tuc-hoat-dong".into()),
                r#"["tin-tuc-hoat-dong", "hoi-dong-nhan-dan"]"#.into(),
                1
            ),
            (
                "tin-tuc-hoat-dong".into(),
                "Tin tức hoạt động".into(),
                None,
                r#"["tin-tuc-hoat-dong"]"#.into(),
                1
            ),
        ]
    );
    for c in demo["categories"].as_array().unwrap() {
        assert_eq!(slugify(text(&c["name"])), text(&c["key"]));
    }

    // 11 published articles in that category, each at its slug and date, all at version 1.
    assert_eq!(one_i64(db, "SELECT count(*) FROM articles").await, 11);
    assert_eq!(
        one_i64(db, "SELECT count(*) FROM article_revisions").await,
        0
    );
    let (related, latest) = short_titles(demo);
    let main_title = text(&demo["article"]["title"]);
    let mut expected: Vec<(String, String)> = vec![(
        main_title.to_string(),
        text(&demo["article"]["published_at"]).to_string(),
    )];
    for key in ["related_articles", "latest_articles"] {
        for a in demo[key].as_array().unwrap() {
            expected.push((
                text(&a["title"]).to_string(),
                text(&a["published_at"]).to_string(),
            ));
        }
    }
    for (title, published_at) in &expected {
        let row = db
            .query_opt(
                "SELECT a.title, a.status, \
                        to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
                        c.slug, a.version, a.deleted_at IS NULL, a.summary, a.body, \
                        a.author_id IS NOT NULL \
                   FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.slug = $1",
                &[&slugify(title)],
            )
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no article at {}", slugify(title)));
        assert_eq!(row.get::<_, String>(0), *title);
        assert_eq!(row.get::<_, String>(1), "published", "{title}");
        assert_eq!(row.get::<_, String>(2), *published_at, "{title}");
        assert_eq!(row.get::<_, String>(3), "hoi-dong-nhan-dan", "{title}");
        assert_eq!(row.get::<_, i32>(4), 1, "{title}");
        assert!(row.get::<_, bool>(5), "{title} is not in the trash");
        let summary: String = row.get(6);
        assert!(!summary.is_empty() && !row.get::<_, String>(7).is_empty());
        if title != main_title {
            assert!(summary.starts_with("Tin đăng ngày ") && summary.ends_with('.'));
        }
        assert!(row.get::<_, bool>(8), "{title} has an author");
    }
    // The main article: its summary, its sanitised body (no script), its related ones in order.
    let main = db
        .query_one(
            "SELECT summary, body, body_text FROM articles WHERE slug = $1",
            &[&slugify(main_title)],
        )
        .await
        .unwrap();
    assert_eq!(main.get::<_, String>(0), text(&demo["article"]["summary"]));
    let body: String = main.get(1);
    assert!(body.contains("<figcaption>Quang cảnh hội nghị</figcaption>"));
    assert!(body.contains("Phát biểu bế mạc hội nghị"));
    assert!(main.get::<_, String>(2).contains("Lò Văn Cương"));
    let related_slugs: Vec<String> = db
        .query(
            "SELECT r.slug FROM article_related ar \
               JOIN articles a ON a.id = ar.article_id JOIN articles r ON r.id = ar.related_id \
              WHERE a.slug = $1 ORDER BY ar.position",
            &[&slugify(main_title)],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        related_slugs,
        related.iter().map(|t| slugify(t)).collect::<Vec<_>>()
    );
    assert_eq!(latest.len(), 5);
    // Its photos: the cover and the captioned gallery, placeholders stored with their files,
    // and the body's figures pointing at them by id.
    let gallery: Vec<(String, String, bool)> = db
        .query(
            "SELECT ap.caption, p.alt_text, a.cover_photo_id = p.id FROM article_photos ap \
               JOIN articles a ON a.id = ap.article_id JOIN photos p ON p.id = ap.photo_id \
              WHERE a.slug = $1 ORDER BY ap.position",
            &[&slugify(main_title)],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(gallery.len(), 2);
    assert_eq!(gallery[0].0, "Quang cảnh hội nghị");
    assert!(gallery[0].2, "the first photo is the cover");
    assert!(
        gallery[1]
            .0
            .starts_with("Hai bên ký kết chương trình phối hợp")
    );
    assert!(gallery[1].1.starts_with("Hai đồng chí lãnh đạo"));
    assert!(
        !body.contains("data-photo=\"quang-canh\""),
        "figures name photo ids"
    );
    assert_eq!(one_i64(db, "SELECT count(*) FROM media_files").await, 2);
    // Its agreements: the 2013 regulation with its number kept as printed and three
    // references, the 2021 programme signed by two people whose positions then are kept.
    let agreements: Vec<(Option<String>, String, i64, i64)> = db
        .query(
            "SELECT g.document_number, g.doc_type, \
                    (SELECT count(*) FROM agreement_relations r WHERE r.agreement_id = g.id), \
                    (SELECT count(*) FROM agreement_signatures s WHERE s.agreement_id = g.id) \
               FROM article_agreements aa JOIN articles a ON a.id = aa.article_id \
               JOIN agreements g ON g.id = aa.agreement_id WHERE a.slug = $1 ORDER BY aa.position",
            &[&slugify(main_title)],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        agreements,
        [
            (
                Some("31B-QCPH/BDV-ĐĐHĐND".to_string()),
                "quy_che".to_string(),
                3,
                0
            ),
            (None, "chuong_trinh".to_string(), 0, 2)
        ]
    );
    let chinh: (String, String) = db
        .query_one(
            "SELECT s.current_position, sg.positions_at_signing FROM signatories s \
               JOIN agreement_signatures sg ON sg.signatory_id = s.id WHERE s.full_name = 'Chu Lê Chinh'",
            &[],
        )
        .await
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert_eq!(chinh.0, "Phó Chủ tịch HĐND tỉnh");
    assert_eq!(
        chinh.1,
        "Ủy viên Ban Thường vụ Tỉnh ủy, Phó Bí thư Đảng Đoàn HĐND tỉnh"
    );
    assert_eq!(
        one_i64(db, "SELECT count(*) FROM article_related").await,
        5,
        "only the main article has related ones"
    );

    // The site settings.
    let site = db
        .query_one(
            "SELECT name, publisher, responsible_person, address, phone, fax, email, \
                    attribution_notice, time_zone FROM site",
            &[],
        )
        .await
        .unwrap();
    for (i, key) in [
        "name",
        "publisher",
        "responsible_person",
        "address",
        "phone",
        "fax",
        "email",
        "attribution_notice",
    ]
    .iter()
    .enumerate()
    {
        assert_eq!(site.get::<_, String>(i), text(&demo["site"][key]), "{key}");
    }
    assert_eq!(site.get::<_, String>(8), "Asia/Ho_Chi_Minh");
}

/// The number of the agreement given a placeholder PDF, as printed.
const WITH_PDF: &str = "31B-QCPH/BDV-ĐĐHĐND";

/// The placeholder PDF of the 2013 regulation: its only attachment (and the demo's only one),
/// recorded with its event and stored under the data directory's media as the API would.
async fn check_attachment(db: &Client, data: &Path) {
    let rows = db
        .query(
            "SELECT t.file_name, t.mime_type, t.size_bytes, t.sha256, t.storage_key, \
                    t.id::text, g.version \
               FROM agreement_attachments t JOIN agreements g ON g.id = t.agreement_id \
              WHERE g.document_number = $1",
            &[&WITH_PDF],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "one attachment of {WITH_PDF}");
    let row = &rows[0];
    assert_eq!(row.get::<_, String>(0), "31B-QCPH-BDV-DDHDND.pdf");
    assert_eq!(row.get::<_, String>(1), "application/pdf");
    let (size, sha256, key): (i64, String, String) = (row.get(2), row.get(3), row.get(4));
    assert_eq!(
        key,
        format!("attachments/{}/{sha256}.pdf", row.get::<_, String>(5))
    );
    assert_eq!(row.get::<_, i32>(6), 2, "created, then the file attached");
    assert_eq!(
        one_i64(db, "SELECT count(*) FROM agreement_attachments").await,
        1
    );
    assert_eq!(
        one_i64(
            db,
            "SELECT count(*) FROM events WHERE type = 'agreement.attachment_added'"
        )
        .await,
        1
    );
    let file = std::fs::read(data.join("media").join(&key)).unwrap();
    assert!(file.starts_with(b"%PDF-"), "{key} is a PDF");
    assert!(file.ends_with(b"%%EOF\n"));
    assert_eq!(file.len() as i64, size);
    assert_eq!(
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&file)),
        sha256
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_twice_loads_the_portal_once() {
    let demo = demo();
    let test_db = test_database().await;
    let data = temp_data_dir("seed-external");

    let first = seed_on(&test_db, &data);
    assert_has(&first, "site: updated, visit_count raised from 0 to 27194");
    assert_has(&first, "categories: 2 created, 0 updated, 0 unchanged");
    assert_has(&first, "photos: 2 created, 0 updated, 0 unchanged");
    assert_has(&first, "organizations: 5 created, 0 updated, 0 unchanged");
    assert_has(&first, "signatories: 2 created, 0 updated, 0 unchanged");
    assert_has(&first, "agreements: 2 created, 0 updated, 0 unchanged");
    assert_has(&first, "attachments: 1 created, 0 updated, 0 unchanged");
    assert_has(&first, "articles: 11 created, 0 updated, 0 unchanged");
    let slug = slugify(text(&demo["article"]["title"]));
    assert!(
        first.contains(&format!("/api/v1/articles/slug/{slug}")),
        "{first}"
    );
    assert!(first.contains("created admin admin@localhost with password "));
    assert!(first.contains("The editors' desk: http://"), "{first}");

    let db = connect(&test_db.url).await;
    let site_version = one_i64(&db, "SELECT version::bigint FROM site").await;
    // The commands printed to try it name real ids, ready to paste.
    let id_after = |marker: &str| -> String {
        first
            .match_indices(marker)
            .map(|(at, _)| {
                first[at + marker.len()..]
                    .chars()
                    .take(36)
                    .collect::<String>()
            })
            .find(|id| uuid::Uuid::parse_str(id).is_ok())
            .unwrap_or_else(|| panic!("no id after {marker} in {first}"))
    };
    for (marker, table) in [
        ("/api/v1/articles/", "articles"),
        ("/api/v1/agreements/", "agreements"),
        ("/api/v1/signatories/", "signatories"),
    ] {
        let id = id_after(marker);
        let sql = format!("SELECT count(*) FROM {table} WHERE id::text = '{id}'");
        assert_eq!(one_i64(&db, &sql).await, 1, "{marker}{id} in {first}");
    }
    assert!(first.contains("curl -s '"), "{first}");

    let second = seed_on(&test_db, &data);
    assert_has(&second, "site: unchanged, visit_count 27194 kept");
    assert_has(&second, "categories: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "photos: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "organizations: 0 created, 0 updated, 5 unchanged");
    assert_has(&second, "signatories: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "agreements: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "attachments: 0 created, 0 updated, 1 unchanged");
    assert_has(&second, "articles: 0 created, 0 updated, 11 unchanged");
    assert!(!second.contains("created admin"), "{second}");

    check_content(&db, &demo).await;
    check_attachment(&db, &data).await;
    assert_eq!(
        one_i64(&db, "SELECT version::bigint FROM site").await,
        site_version
    );
    assert_eq!(one_i64(&db, "SELECT visit_count FROM site").await, 27194);
    assert_eq!(one_i64(&db, "SELECT count(*) FROM users").await, 1);

    // The visit count only goes up; edits made meanwhile are brought back, with a revision.
    db.batch_execute(
        "UPDATE site SET visit_count = 30000; \
         UPDATE categories SET name = 'Tin tức' WHERE slug = 'tin-tuc-hoat-dong'; \
         UPDATE articles SET summary = 'Đã sửa.' WHERE slug = 'tiep-xuc-cu-tri-tai-huyen-nam-nhun'",
    )
    .await
    .unwrap();
    let third = seed_on(&test_db, &data);
    assert_has(&third, "site: unchanged, visit_count 30000 kept");
    assert_has(&third, "categories: 0 created, 1 updated, 1 unchanged");
    assert_has(&third, "articles: 0 created, 1 updated, 10 unchanged");
    assert_eq!(
        one_i64(
            &db,
            "SELECT version::bigint FROM articles WHERE slug = 'tiep-xuc-cu-tri-tai-huyen-nam-nhun'"
        )
        .await,
        2
    );
    assert_eq!(
        one_i64(
            &db,
            "SELECT count(*) FROM article_revisions WHERE content->>'summary' = 'Đã sửa.'"
        )
        .await,
        1
    );
    let path: String = db
        .query_one(
            "SELECT path::text FROM categories WHERE slug = 'hoi-dong-nhan-dan'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(path.contains("Tin tức hoạt động"), "{path}");
    db.batch_execute("UPDATE site SET visit_count = 5")
        .await
        .unwrap();
    let fourth = seed_on(&test_db, &data);
    assert_has(
        &fourth,
        "site: unchanged, visit_count raised from 5 to 27194",
    );
    assert_has(&fourth, "categories: 0 created, 0 updated, 2 unchanged");
    assert_has(&fourth, "attachments: 0 created, 0 updated, 1 unchanged");
    assert_has(&fourth, "articles: 0 created, 0 updated, 11 unchanged");
    check_attachment(&db, &data).await;

    drop(db);
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_demo_on_a_fresh_machine_then_serve_shows_it() {
    let demo = demo();
    let data = temp_data_dir("seed-local");
    let first = seed(&[("BANTIN_DATA_DIR", &data)]);
    assert_has(&first, "articles: 11 created, 0 updated, 0 unchanged");
    let password = first
        .lines()
        .find_map(|l| l.split("with password ").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("the first admin's password is shown:\n{first}"))
        .to_string();
    assert!(!cluster_running(&data), "seed-demo stops the local cluster");
    let second = seed(&[("BANTIN_DATA_DIR", &data)]);
    assert_has(&second, "categories: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "photos: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "organizations: 0 created, 0 updated, 5 unchanged");
    assert_has(&second, "signatories: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "agreements: 0 created, 0 updated, 2 unchanged");
    assert_has(&second, "attachments: 0 created, 0 updated, 1 unchanged");
    assert_has(&second, "articles: 0 created, 0 updated, 11 unchanged");

    let mut service = Service::start(&data);
    service.wait_ready().await;
    assert!(
        !service.output().contains("with password"),
        "serve finds the admin seed-demo created"
    );
    let title = text(&demo["article"]["title"]);
    let article = service
        .get(&format!("/api/v1/articles/slug/{}", slugify(title)))
        .await;
    assert_eq!(text(&article["title"]), title);
    assert_eq!(text(&article["published_at"]), "2021-08-31T02:52:45Z");
    assert_eq!(text(&article["category"]["slug"]), "hoi-dong-nhan-dan");
    assert_eq!(article["related_ids"].as_array().unwrap().len(), 5);
    assert_eq!(text(&article["author"]["display_name"]), "Administrator");

    let site = service.get("/api/v1/site").await;
    assert_eq!(text(&site["publisher"]), text(&demo["site"]["publisher"]));
    assert_eq!(site["visit_count"], 27194);
    let categories = service.get("/api/v1/categories").await;
    assert_eq!(categories["data"].as_array().unwrap().len(), 2);
    let listed = service
        .get("/api/v1/articles?category=tin-tuc-hoat-dong&limit=50")
        .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 11);
    let found = service.get("/api/v1/articles?q=hoi%20nghi").await;
    assert!(
        found["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["title"] == title),
        "{found}"
    );

    // The 2013 regulation offers its (placeholder) PDF, downloaded under its own name.
    let listed = service.get("/api/v1/agreements?limit=50").await;
    let with_pdf = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["document_number"] == WITH_PDF)
        .unwrap_or_else(|| panic!("no agreement {WITH_PDF} in {listed}"));
    let agreement = service
        .get(&format!("/api/v1/agreements/{}", text(&with_pdf["id"])))
        .await;
    let attachments = agreement["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{agreement}");
    assert_eq!(text(&attachments[0]["mime_type"]), "application/pdf");
    assert_eq!(
        text(&attachments[0]["file_name"]),
        "31B-QCPH-BDV-DDHDND.pdf"
    );
    let download = reqwest::get(text(&attachments[0]["url"])).await.unwrap();
    assert_eq!(download.status(), 200, "GET {}", attachments[0]["url"]);
    assert_eq!(download.headers()["content-type"], "application/pdf");
    assert!(
        download.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename=\"31b-qcph-bdv-ddhdnd.pdf\""),
        "{:?}",
        download.headers()
    );
    let pdf = download.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(
        pdf.len() as i64,
        attachments[0]["size_bytes"].as_i64().unwrap()
    );

    let login = reqwest::Client::new()
        .post(format!("{}/api/v1/auth/login", service.base))
        .json(&serde_json::json!({"email": "admin@localhost", "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);

    service.stop();
    assert!(!cluster_running(&data), "PostgreSQL left running");
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn seed_demo_help_names_everything_it_loads() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bantin"))
        .args(["seed-demo", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for part in [
        "site settings",
        "categories",
        "articles",
        "photos",
        "organisations",
        "signatories",
        "agreements",
    ] {
        assert!(
            help.contains(part),
            "seed-demo --help does not name {part}: {help}"
        );
    }
}
