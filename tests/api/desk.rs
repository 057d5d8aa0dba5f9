//! The editor's desk (`/admin`) over HTTP, as a browser uses it: cookies, forms, CSRF tokens,
//! headers, roles, conflicts. (The pages themselves are driven in Chromium by `.ci/frontends`.)

use std::collections::BTreeMap;

use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp};

fn as_refs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// A browser: a cookie jar (by hand, to see every flag) and the last page's CSRF token.
struct Browser<'a> {
    app: &'a TestApp,
    cookies: BTreeMap<String, String>,
    /// Every `Set-Cookie` line received, newest last.
    set_cookies: Vec<String>,
}

struct Page {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Page {
    fn csrf(&self) -> String {
        let marker = r#"name="csrf" value=""#;
        let start = self.body.find(marker).expect("a CSRF field") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        html_escape::decode_html_entities(&self.body[start..end]).into_owned()
    }

    fn location(&self) -> &str {
        self.headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The value of the text input with id `id`.
    fn hidden_input(&self, id: &str) -> String {
        let marker = format!(r#"id="{id}" type="text" name="{id}" value=""#);
        let Some(start) = self.body.find(&marker) else {
            return String::new();
        };
        let start = start + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        html_escape::decode_html_entities(&self.body[start..end]).into_owned()
    }

    /// The value of the first hidden input named `name`.
    fn hidden(&self, name: &str) -> String {
        let marker = format!(r#"name="{name}" value=""#);
        let start = self.body.find(&marker).expect(name) + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        html_escape::decode_html_entities(&self.body[start..end]).into_owned()
    }
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Browser {
            app,
            cookies: BTreeMap::new(),
            set_cookies: vec![],
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn absorb(&mut self, res: Response) -> Page {
        for line in res.headers().get_all("set-cookie") {
            let line = line.to_str().unwrap().to_string();
            let pair = line.split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() || line.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
            self.set_cookies.push(line);
        }
        Page {
            status: res.status(),
            headers: res.headers().clone(),
            body: res.text().await.unwrap(),
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        let res = self
            .app
            .client
            .get(format!("{}{path}", self.app.address))
            .header("cookie", self.cookie_header())
            .send()
            .await
            .unwrap();
        self.absorb(res).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        let res = self
            .app
            .client
            .request(Method::POST, format!("{}{path}", self.app.address))
            .header("cookie", self.cookie_header())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap();
        self.absorb(res).await
    }

    async fn sign_in(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/admin/login").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = form.csrf();
        let page = self
            .post(
                "/admin/login",
                &[
                    ("csrf", &csrf),
                    ("email", email),
                    ("password", password),
                    ("next", "/admin/articles"),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        page
    }

    fn session_cookie_line(&self) -> &str {
        self.set_cookies
            .iter()
            .rev()
            .find(|l| l.starts_with("bantin_desk="))
            .expect("a session cookie")
    }
}

async fn signed_in<'a>(app: &'a TestApp, role: &str) -> Browser<'a> {
    let mut b = Browser::new(app);
    if role == "admin" {
        b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    } else {
        let (_, email, password) = app.create_user(role).await;
        b.sign_in(&email, &password).await;
    }
    b
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_a_strict_http_only_cookie_and_signing_out_revokes_the_session() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    // Without a session, every page sends the browser to sign in, then back.
    let page = b.get("/admin/articles?q=hoi").await;
    assert_eq!(page.status, 303);
    assert_eq!(
        page.location(),
        "/admin/login?next=%2Fadmin%2Farticles%3Fq%3Dhoi"
    );

    let page = b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(page.location(), "/admin/articles");
    let line = b.session_cookie_line().to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin"] {
        assert!(line.contains(flag), "{flag} missing: {line}");
    }
    assert!(!line.contains("Secure"), "http public URL: {line}");
    let refresh = b.cookies["bantin_desk"].clone();
    assert!(refresh.starts_with("rt_"), "a refresh token: {refresh}");

    let page = b.get("/admin/articles").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Bài viết"), "Vietnamese by default");
    let csrf = page.csrf();

    let page = b.post("/admin/logout", &[("csrf", &csrf)]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/admin/login?bye=1");
    assert!(
        !b.cookies.contains_key("bantin_desk"),
        "the cookie is cleared"
    );
    // The session is revoked, not only forgotten by this browser.
    b.cookies.insert("bantin_desk".into(), refresh.clone());
    assert_eq!(b.get("/admin/articles").await.status, 303);
    let res = app
        .post("/auth/refresh", None, &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(res.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cookie_is_secure_when_the_public_url_is_https() {
    let app = TestApp::spawn_with(&[("BANTIN_PUBLIC_URL", "https://hdnd.laichau.gov.vn")]).await;
    let mut b = Browser::new(&app);
    b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let line = b.session_cookie_line();
    assert!(line.contains("Secure"), "{line}");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Strict"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_refused_on_the_form_and_counts_for_the_throttle() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    let form = b.get("/admin/login").await;
    let csrf = form.csrf();
    let mut last = None;
    for _ in 0..6 {
        let page = b
            .post(
                "/admin/login",
                &[
                    ("csrf", &csrf),
                    ("email", ADMIN_EMAIL),
                    ("password", "sai-mật-khẩu-rồi"),
                ],
            )
            .await;
        last = Some(page);
    }
    let page = last.unwrap();
    // The same throttle as the API's: after 5 failures the account waits.
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(
        page.body.contains("Đăng nhập sai quá nhiều lần"),
        "{}",
        page.body
    );
    assert!(!b.cookies.contains_key("bantin_desk"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_form_post_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    // Sign-in itself needs the visitor's token.
    let mut stranger = Browser::new(&app);
    let page = stranger
        .post(
            "/admin/login",
            &[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)],
        )
        .await;
    assert_eq!(page.status, 403);
    assert!(!stranger.cookies.contains_key("bantin_desk"));

    let mut victim = signed_in(&app, "admin").await;
    let mut other = signed_in(&app, "admin").await;
    let others_token = other.get("/admin/articles").await.csrf();
    let form = [
        ("title", "Bài giả mạo"),
        ("summary", "x"),
        ("body", "<p>x</p>"),
    ];
    // No token, and another session's token: both refused, nothing written.
    let page = victim.post("/admin/articles", &form).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("Biểu mẫu đã hết hạn"), "{}", page.body);
    let mut with_other = form.to_vec();
    with_other.push(("csrf", &others_token));
    assert_eq!(
        victim.post("/admin/articles", &with_other).await.status,
        403
    );
    let list: Value = app
        .get("/articles?q=gi%E1%BA%A3%20m%E1%BA%A1o", Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), 0, "{list}");
    // Logging someone out is a form too.
    let page = victim.post("/admin/logout", &[("csrf", "forged")]).await;
    assert_eq!(page.status, 403);
    assert_eq!(
        victim.get("/admin/articles").await.status,
        200,
        "still signed in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn desk_pages_carry_a_strict_content_security_policy() {
    let app = TestApp::spawn().await;
    let mut b = Browser::new(&app);
    for page in [b.get("/admin/login").await, b.get("/admin/nowhere").await] {
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert_eq!(page.headers["x-frame-options"], "DENY");
        assert!(
            page.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    // Pages are HTML, also when they are errors; no inline script or style anywhere.
    let page = b.get("/admin/nowhere").await;
    assert_eq!(page.status, 404);
    b.sign_in(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page = b.get("/admin/articles/new").await;
    assert_eq!(page.status, 200);
    for inline in ["<script>", " style=", "<style", "onclick=", "javascript:"] {
        assert!(!page.body.contains(inline), "{inline} in the editor page");
    }
    // Its scripts and stylesheet are served from here, cached by content hash.
    for asset in ["desk.css", "desk.js", "htmx.min.js"] {
        let res = app
            .client
            .get(format!("{}/admin/assets/{asset}", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{asset}");
        assert!(
            res.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_writes_a_draft_but_cannot_publish() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut author = signed_in(&app, "author").await;
    let page = author.get("/admin/articles/new").await;
    assert!(
        !page.body.contains(r#"<select id="status""#),
        "no status choice for authors"
    );
    let csrf = page.csrf();
    // A forged "publish" is refused by the API's rule, shown on the form, nothing stored.
    let page = author
        .post(
            "/admin/articles",
            &[
                ("csrf", &csrf),
                ("title", "Tin của tác giả"),
                ("status", "published"),
                ("body", "<p>Nội dung</p>"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("Tin của tác giả"),
        "the typed title is kept"
    );
    // A draft is saved.
    let page = author
        .post(
            "/admin/articles",
            &[
                ("csrf", &csrf),
                ("title", "Tin của tác giả"),
                ("summary", "Tóm tắt"),
                ("body", "<p>Nội dung <b>đậm</b></p><script>x</script>"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = page
        .location()
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let article: Value = app
        .get(&format!("/articles/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["status"], "draft");
    assert_eq!(
        article["body"], "<p>Nội dung <b>đậm</b></p>",
        "sanitised by the API"
    );
    // Publishing it from the editor's form is refused too.
    let edit = author.get(&format!("/admin/articles/{id}")).await;
    let etag = edit.hidden("etag");
    let csrf = edit.csrf();
    let page = author
        .post(
            &format!("/admin/articles/{id}"),
            &[
                ("csrf", &csrf),
                ("etag", &etag),
                ("title", "Tin của tác giả"),
                ("status", "published"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let article: Value = app
        .get(&format!("/articles/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["status"], "draft");
    // And the trash is for editors.
    let page = author
        .post(&format!("/admin/articles/{id}/trash"), &[("csrf", &csrf)])
        .await;
    assert_eq!(page.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_editor_publishes_and_the_article_is_public() {
    let app = TestApp::spawn().await;
    let mut editor = signed_in(&app, "editor").await;
    let csrf = editor.get("/admin/articles/new").await.csrf();
    // A date that is not one comes back on the form, the field marked, nothing stored.
    let page = editor
        .post(
            "/admin/articles",
            &[
                ("csrf", &csrf),
                ("title", "Kỳ họp thứ Mười"),
                ("published_at", "hôm qua"),
            ],
        )
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(page.body.contains(r#"value="hôm qua""#), "{}", page.body);
    assert!(
        page.body.contains(r#"id="published_at-error""#),
        "{}",
        page.body
    );
    let page = editor
        .post(
            "/admin/articles",
            &[
                ("csrf", &csrf),
                ("title", "Kỳ họp thứ Mười"),
                ("summary", "Khai mạc"),
                ("body", "<p>Sáng nay</p>"),
                ("status", "published"),
                ("published_at", "31/08/2021 09:52"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let res = app.get("/articles/slug/ky-hop-thu-muoi", None).await;
    assert_eq!(res.status(), 200);
    let article: Value = res.json().await.unwrap();
    // The time typed is the site's (Asia/Ho_Chi_Minh).
    assert_eq!(article["published_at"], "2021-08-31T02:52:00Z");
    // It shows in the list, found without accents.
    let page = editor.get("/admin/articles?q=ky+hop").await;
    assert!(page.body.contains("Kỳ họp thứ Mười"), "{}", page.body);
    assert!(
        page.body.contains("31/08/2021 09:52"),
        "dd/mm/yyyy in the site's time zone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_editors_saving_at_once_lose_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created: Value = app
        .post(
            "/articles",
            Some(&admin),
            &json!({"title": "Tin gốc", "summary": "Bản đầu", "body": "<p>Một</p>"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let mut first = signed_in(&app, "editor").await;
    let mut second = signed_in(&app, "editor").await;
    let a = first.get(&format!("/admin/articles/{id}")).await;
    let b = second.get(&format!("/admin/articles/{id}")).await;
    let form = |csrf: &str, etag: &str, summary: &str| -> Vec<(String, String)> {
        [
            ("csrf", csrf),
            ("etag", etag),
            ("title", "Tin gốc"),
            ("summary", summary),
            ("body", "<p>Một</p>"),
            ("status", "draft"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    };
    let first_form = form(&a.csrf(), &a.hidden("etag"), "Bản của người thứ nhất");
    let page = first
        .post(&format!("/admin/articles/{id}"), &as_refs(&first_form))
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    // The second saves what they read before: told, their text kept, nothing overwritten.
    let second_form = form(&b.csrf(), &b.hidden("etag"), "Bản của người thứ hai");
    let page = second
        .post(&format!("/admin/articles/{id}"), &as_refs(&second_form))
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(
        page.body.contains("Người khác đã lưu bài này"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("Bản của người thứ hai"),
        "the typed text is kept"
    );
    assert!(page.body.contains("<del>"), "their version shown as a diff");
    let stored: Value = app
        .get(&format!("/articles/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["summary"], "Bản của người thứ nhất");
    // Choosing to overwrite is based on the version the conflict showed.
    let theirs = page
        .body
        .split(r#"name="overwrite" value=""#)
        .nth(1)
        .unwrap();
    let theirs =
        html_escape::decode_html_entities(&theirs[..theirs.find('"').unwrap()]).into_owned();
    let mut overwrite = second_form.clone();
    overwrite.push(("overwrite".into(), theirs));
    let page = second
        .post(&format!("/admin/articles/{id}"), &as_refs(&overwrite))
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let stored: Value = app
        .get(&format!("/articles/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["summary"], "Bản của người thứ hai");
    // Both versions are in the history, and the diff page shows what changed.
    let history = second.get(&format!("/admin/articles/{id}/revisions")).await;
    assert!(
        history.body.contains("Bản của người thứ nhất") || history.body.contains("Phiên bản 2"),
        "{}",
        history.body
    );
    let diff = second
        .get(&format!("/admin/articles/{id}/revisions/2"))
        .await;
    assert_eq!(diff.status, 200, "{}", diff.body);
    assert!(
        diff.body.contains("<ins>hai</ins>") || diff.body.contains("<ins>"),
        "{}",
        diff.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trash_and_restore_from_the_desk() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let created: Value = app
        .post("/articles", Some(&admin), &json!({"title": "Tin sẽ xóa"}))
        .await
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let mut editor = signed_in(&app, "editor").await;
    let page = editor.get(&format!("/admin/articles/{id}")).await;
    let page = editor
        .post(
            &format!("/admin/articles/{id}/trash"),
            &[("csrf", &page.csrf()), ("etag", &page.hidden("etag"))],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let trash = editor.get("/admin/trash").await;
    assert!(trash.body.contains("Tin sẽ xóa"), "{}", trash.body);
    let page = editor
        .post(
            &format!("/admin/articles/{id}/restore"),
            &[("csrf", &trash.csrf())],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let stored: Value = app
        .get(&format!("/articles/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert!(stored["deleted_at"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_account_changes_the_name_and_the_password() {
    let app = TestApp::spawn().await;
    let (_, email, password) = app.create_user("author").await;
    let elsewhere = app.login(&email, &password).await;
    let mut b = Browser::new(&app);
    b.sign_in(&email, &password).await;
    let page = b.get("/admin/account").await;
    let csrf = page.csrf();
    let page = b
        .post(
            "/admin/account",
            &[("csrf", &csrf), ("display_name", "Lò Văn Cương")],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Đã lưu"));
    let page = b
        .post(
            "/admin/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", "sai"),
                ("new_password", "mật-khẩu-mới-đủ-dài"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    let page = b
        .post(
            "/admin/account/password",
            &[
                ("csrf", &csrf),
                ("current_password", &password),
                ("new_password", "mật-khẩu-mới-đủ-dài"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    // This browser stays signed in; the other session is signed out.
    assert_eq!(b.get("/admin/account").await.status, 200);
    assert_eq!(
        app.get("/auth/me", Some(&elsewhere.access)).await.status(),
        401
    );
    app.login(&email, "mật-khẩu-mới-đủ-dài").await;
    // English is one click away, and stays chosen.
    let page = b.get("/admin/lang/en?next=/admin/account").await;
    assert_eq!(page.location(), "/admin/account");
    let page = b.get("/admin/account").await;
    assert!(page.body.contains("My account"), "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_are_uploaded_through_the_desk_and_not_deleted_while_in_use() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let mut editor = signed_in(&app, "editor").await;
    let library = editor.get("/admin/photos").await;
    assert_eq!(library.status, 200, "{}", library.body);
    let csrf = library.csrf();
    let upload = |token: Option<String>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(crate::photos::jpeg(64, 48))
                .file_name("hoi-nghi.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        );
        let mut req = app
            .client
            .post(format!("{}/admin/photos/upload", app.address))
            .header("cookie", editor.cookie_header())
            .multipart(form);
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        req.send()
    };
    // Without the session's token: refused, nothing stored.
    assert_eq!(upload(None).await.unwrap().status(), 403);
    let res = upload(Some(csrf.clone())).await.unwrap();
    assert_eq!(res.status(), 201);
    let photo: Value = res.json().await.unwrap();
    let id = photo["id"].as_str().unwrap().to_string();
    let library = editor.get("/admin/photos").await;
    assert!(
        library.body.contains(&format!("/admin/photos/{id}")),
        "{}",
        library.body
    );
    assert!(
        library.body.contains("Thiếu mô tả ảnh"),
        "an empty alt text is warned about"
    );
    // Caption and alt text.
    let page = editor.get(&format!("/admin/photos/{id}")).await;
    let page = editor
        .post(
            &format!("/admin/photos/{id}"),
            &[
                ("csrf", &csrf),
                ("etag", &page.hidden("etag")),
                ("caption", "Quang cảnh hội nghị"),
                ("alt_text", "Hội trường"),
                ("credit", "Báo Lai Châu"),
                ("taken_on", "30/08/2021"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let stored: Value = app
        .get(&format!("/photos/{id}"), Some(&admin))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["caption"], "Quang cảnh hội nghị");
    assert_eq!(
        stored["taken_at"], "2021-08-30T05:00:00Z",
        "noon in the site's time zone"
    );
    // In use: refused, saying where.
    app.post(
        "/articles",
        Some(&admin),
        &json!({"title": "Tin có ảnh", "cover_photo_id": id}),
    )
    .await;
    let page = editor.get(&format!("/admin/photos/{id}")).await;
    let page = editor
        .post(
            &format!("/admin/photos/{id}/delete"),
            &[("csrf", &csrf), ("etag", &page.hidden("etag"))],
        )
        .await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert!(page.body.contains("«Tin có ảnh»"), "{}", page.body);
    assert_eq!(
        app.get(&format!("/photos/{id}"), Some(&admin))
            .await
            .status(),
        200
    );
    // The editor's picker finds it.
    let picker = editor
        .get("/admin/photos/pick?mode=figure&q=quang+canh")
        .await;
    assert!(
        picker
            .body
            .contains(&format!(r#"data-choose-photo="{id}""#)),
        "{}",
        picker.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_are_for_admins_and_a_token_secret_is_shown_once() {
    let app = TestApp::spawn().await;
    let mut editor = signed_in(&app, "editor").await;
    let page = editor.get("/admin/articles").await;
    assert!(
        !page.body.contains("/admin/users"),
        "no admin menu for editors"
    );
    for path in ["/admin/users", "/admin/tokens"] {
        assert_eq!(editor.get(path).await.status, 403, "{path}");
    }
    let csrf = page.csrf();
    // The site settings are public (GET /site); changing them is not.
    let page = editor
        .post(
            "/admin/site",
            &[
                ("csrf", &csrf),
                ("name", "X"),
                ("publisher", "X"),
                ("responsible_person", "X"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    let page = editor
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "x@test.vn"),
                ("display_name", "X"),
                ("role", "admin"),
                ("password", "mật-khẩu-đủ-dài-1"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);
    // An author may not record agreements.
    let mut author = signed_in(&app, "author").await;
    let csrf = author.get("/admin/agreements").await.csrf();
    let page = author
        .post(
            "/admin/agreements",
            &[
                ("csrf", &csrf),
                ("title", "Quy chế"),
                ("doc_type", "quy_che"),
            ],
        )
        .await;
    assert_eq!(page.status, 403, "{}", page.body);

    let mut admin = signed_in(&app, "admin").await;
    let csrf = admin.get("/admin/tokens").await.csrf();
    let page = admin
        .post(
            "/admin/tokens",
            &[
                ("csrf", &csrf),
                ("name", "Cổng tỉnh"),
                ("scope", "read"),
                ("expires_at", ""),
            ],
        )
        .await;
    assert_eq!(page.status, 201, "{}", page.body);
    let secret = page.body.split(r#"id="token-secret">"#).nth(1).unwrap();
    let secret = &secret[..secret.find('<').unwrap()];
    assert!(secret.starts_with("bt_"), "{secret}");
    assert_eq!(app.get("/auth/me", Some(secret)).await.status(), 200);
    let again = admin.get("/admin/tokens").await;
    assert!(!again.body.contains(secret), "shown once");
    // Users: created from the desk, then able to sign in.
    let page = admin
        .post(
            "/admin/users",
            &[
                ("csrf", &csrf),
                ("email", "lan@test.vn"),
                ("display_name", "Phạm Thị Lan"),
                ("role", "editor"),
                ("password", "mật-khẩu-của-Lan-2026"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    app.login("lan@test.vn", "mật-khẩu-của-Lan-2026").await;
    // Site settings are saved through PUT /site.
    let site = admin.get("/admin/site").await;
    let typed = |f: &str| match f {
        "publisher" => "Thường trực HĐND tỉnh Lai Châu".to_string(),
        "responsible_person" => "Ông Lò Văn Cương".to_string(),
        other => site.hidden_input(other),
    };
    let form: Vec<(String, String)> = [
        "name",
        "publisher",
        "responsible_person",
        "address",
        "phone",
        "fax",
        "email",
        "time_zone",
    ]
    .iter()
    .map(|f| (f.to_string(), typed(f)))
    .chain([
        ("csrf".to_string(), csrf.clone()),
        ("etag".to_string(), site.hidden("etag")),
    ])
    .collect();
    let page = admin.post("/admin/site", &as_refs(&form)).await;
    assert_eq!(page.status, 303, "{}", page.body);
    let stored: Value = app.get("/site", None).await.json().await.unwrap();
    assert_eq!(stored["responsible_person"], "Ông Lò Văn Cương");
}
