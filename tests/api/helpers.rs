//! `TestApp`: the real app on a random port against its own fresh database, cloned from a
//! migrated template (so a test costs milliseconds, not a migration run). The server is
//! `DATABASE_URL` when set, else the shared local cluster that `bantin serve` would use.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use bantin::config::{Config, Secret};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::database::{ThrowawayDatabase, with_db};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const ADMIN_EMAIL: &str = "admin@test.vn";
pub const ADMIN_PASSWORD: &str = "admin-password-123";

/// The advisory lock that makes test processes build the migrated template one at a time
/// (outside the keys of `bantin::db::locks`, which the service uses).
const TEMPLATE_LOCK: i64 = 727_900;

/// The server URL with `{db}` standing for the database name.
static SERVER: OnceCell<(String, String)> = OnceCell::const_new();

fn migrations_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<PathBuf> = walk(&dir);
    files.sort();
    let mut hasher = Sha256::new();
    for f in files {
        hasher.update(f.strip_prefix(&dir).unwrap().to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&f).unwrap());
    }
    hex::encode(&hasher.finalize()[..6])
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path))
        } else {
            out.push(path)
        }
    }
    out
}

/// Finds or starts the server and makes sure the migrated template exists.
async fn server() -> &'static (String, String) {
    SERVER
        .get_or_init(|| async {
            let base = match std::env::var("DATABASE_URL") {
                Ok(url) if !url.is_empty() => url,
                _ => {
                    let dir = std::env::temp_dir().join("bantin-test-postgres");
                    let pg = bantin::db::local_pg::LocalPostgres::start_shared(&dir, "bantin")
                        .await
                        .expect("start the shared local PostgreSQL cluster");
                    pg.url("bantin")
                }
            };
            let template = format!("bantin_tpl_{}", migrations_hash());
            let mut admin = AsyncPgConnection::establish(&with_db(&base, "postgres"))
                .await
                .expect("connect to postgres db");
            diesel::sql_query(format!("SELECT pg_advisory_lock({TEMPLATE_LOCK})"))
                .execute(&mut admin)
                .await
                .unwrap();
            let exists: i64 = count_databases(&mut admin, &template).await;
            if exists == 0 {
                let building = format!("{template}_building");
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                diesel::sql_query(format!("CREATE DATABASE {building}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
                bantin::db::run_migrations(&with_db(&base, &building))
                    .await
                    .expect("migrate template");
                diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {template}"))
                    .execute(&mut admin)
                    .await
                    .unwrap();
            }
            diesel::sql_query(format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK})"))
                .execute(&mut admin)
                .await
                .unwrap();
            (base, template)
        })
        .await
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

async fn count_databases(conn: &mut AsyncPgConnection, name: &str) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result::<Count>(conn)
        .await
        .unwrap()
        .n
}

/// An empty database (no migrations), dropped with the returned guard.
pub async fn empty_database() -> ThrowawayDatabase {
    let (base, _) = server().await;
    ThrowawayDatabase::create(base, "t", None).await
}

pub struct TestApp {
    pub address: String,
    pub db_url: String,
    pub client: reqwest::Client,
    server: Option<actix_web::dev::ServerHandle>,
    data_dir: PathBuf,
    config: Config,
    /// Dropped after the server stops (fields drop after `Drop::drop`).
    _database: ThrowawayDatabase,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(&[]).await
    }

    /// Starts the app with extra `BANTIN_*` settings.
    pub async fn spawn_with(settings: &[(&str, &str)]) -> TestApp {
        let (base, template) = server().await;
        let database = ThrowawayDatabase::create(base, "t", Some(template)).await;
        let db_url = database.url.clone();
        let data_dir = std::env::temp_dir().join(format!(
            "bantin-test-data-{}",
            uuid::Uuid::now_v7().simple()
        ));
        let mut env: BTreeMap<String, String> = BTreeMap::from([
            ("BANTIN_JWT_SECRET".into(), JWT_SECRET.into()),
            ("BANTIN_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
            ("BANTIN_ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
            ("BANTIN_DATA_DIR".into(), data_dir.display().to_string()),
            ("BANTIN_DB_POOL_SIZE".into(), "4".into()),
        ]);
        for (k, v) in settings {
            env.insert(k.to_string(), v.to_string());
        }
        let config =
            Config::from_sources(&env, None, Path::new("bantin.toml")).expect("test config");
        bantin::bootstrap::first_admin(&db_url, &config)
            .await
            .expect("first admin");
        let state = bantin::state(config.clone(), &db_url, &Secret::new(JWT_SECRET)).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = bantin::serve(listener, state).unwrap();
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            db_url,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            server: Some(handle),
            data_dir,
            config,
            _database: database,
        }
    }

    /// Loads the demo content (`bantin seed-demo`) into this app's database and media.
    pub async fn seed_demo(&self) {
        bantin::seed::seed_demo(&self.db_url, &self.config)
            .await
            .expect("seed the demo content");
    }

    /// The app's `BANTIN_DATA_DIR`.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with("/api/")
            || path.starts_with("/health")
            || path.starts_with("/docs")
            || path.starts_with("/openapi")
            || path.starts_with("/media/")
            || path.starts_with("/feeds/")
            || path.starts_with("/sitemap")
        {
            format!("{}{path}", self.address)
        } else {
            format!("{}/api/v1{path}", self.address)
        }
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let mut r = self.client.request(method, self.url(path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        r
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::GET, path, token).send().await.unwrap()
    }

    pub async fn send_json(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> Response {
        self.request(method, path, token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(Method::POST, path, token, body).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.send_json(Method::PATCH, path, token, body).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.request(Method::DELETE, path, token)
            .send()
            .await
            .unwrap()
    }

    /// Logs in; panics unless 200. Returns the token pair.
    pub async fn login(&self, email: &str, password: &str) -> Tokens {
        let res = self
            .post(
                "/auth/login",
                None,
                &json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(res.status(), 200, "login of {email}");
        let body: Value = res.json().await.unwrap();
        Tokens {
            access: body["access_token"].as_str().unwrap().to_string(),
            refresh: body["refresh_token"].as_str().unwrap().to_string(),
        }
    }

    pub async fn admin_token(&self) -> String {
        self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await.access
    }

    /// Creates a user with `role`; returns (id, email, password).
    pub async fn create_user(&self, role: &str) -> (String, String, String) {
        let admin = self.admin_token().await;
        let email = format!(
            "{role}-{}@test.vn",
            &uuid::Uuid::now_v7().simple().to_string()[20..]
        );
        let password = "mật-khẩu-thử-nghiệm".to_string();
        let res = self
            .post("/users", Some(&admin), &json!({"email": email, "display_name": "Người dùng thử", "role": role, "password": password}))
            .await;
        assert_eq!(res.status(), 201);
        let body: Value = res.json().await.unwrap();
        (body["id"].as_str().unwrap().to_string(), email, password)
    }

    /// Logs a new user with `role` in; returns its access token.
    pub async fn token_for(&self, role: &str) -> String {
        if role == "admin" {
            return self.admin_token().await;
        }
        let (_, email, password) = self.create_user(role).await;
        self.login(&email, &password).await.access
    }

    /// Runs SQL against this test's database.
    pub async fn sql(&self, statement: &str) {
        let mut conn = AsyncPgConnection::establish(&self.db_url).await.unwrap();
        diesel::sql_query(statement)
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.server.take();
        let data_dir = self.data_dir.clone();
        // Drop runs inside the test's (multi-threaded) runtime, which keeps polling the server
        // while this thread waits for the async cleanup on a thread of its own.
        let cleanup = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Some(h) = handle {
                    h.stop(false).await;
                }
            });
            let _ = std::fs::remove_dir_all(data_dir);
        });
        tokio::task::block_in_place(|| {
            let _ = cleanup.join();
        });
    }
}

/// Reads a problem document, checking its content type and shape.
pub async fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status(), status, "status");
    let ct = res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(ct, "application/problem+json");
    let header_id = res
        .headers()
        .get("x-request-id")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert_eq!(
        body["request_id"],
        header_id.as_str(),
        "problem carries the request id"
    );
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string());
    body
}

/// The field names in a problem's `errors[]`.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default()
}
