//! The `bantin` binary as a user runs it: help, the spec, settings errors, and `serve` on the
//! embedded local PostgreSQL (start, log in, stop cleanly, restart on the same data, recover
//! from a crash, leave no PostgreSQL behind).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "fixtures/cli.rs"]
mod cli_support;
#[path = "fixtures/receiver.rs"]
mod receiver;

use cli_support::{Service, bantin, cluster_running, temp_data_dir};

#[test]
fn help_lists_every_subcommand() {
    let out = bantin().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for sub in [
        "serve",
        "migrate",
        "create-admin",
        "openapi",
        "BANTIN_DATA_DIR",
        "DATABASE_URL",
    ] {
        assert!(text.contains(sub), "{sub} missing from --help");
    }
    for sub in ["serve", "migrate", "create-admin", "openapi"] {
        let out = bantin().args([sub, "--help"]).output().unwrap();
        assert!(out.status.success(), "{sub} --help");
    }
}

#[test]
fn openapi_prints_the_committed_spec() {
    let out = bantin().arg("openapi").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        include_str!("../openapi/openapi.json"),
        "openapi/openapi.json is out of date: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn unknown_or_invalid_settings_stop_the_start_naming_the_variable() {
    for (name, value) in [
        ("BANTIN_BINDD", "x"),
        ("BANTIN_JWT_SECRET", "too-short"),
        ("BANTIN_LOG_FORMAT", "xml"),
    ] {
        let out = bantin().arg("serve").env(name, value).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(name), "{name}: {err}");
        assert!(
            !err.contains(value) || name != "BANTIN_JWT_SECRET",
            "the secret must not be echoed"
        );
    }
}

async fn login(base: &str, email: &str, password: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_on_the_embedded_database_stops_cleanly_and_keeps_its_data() {
    let data = temp_data_dir("cli-serve");
    let mut service = Service::start(&data);
    service.wait_ready().await;
    let password = service
        .printed_password()
        .expect("first run prints the admin password");
    assert!(service.output().contains("/docs"), "prints the docs URL");
    assert!(
        !service.stderr_text().contains(&password),
        "the password is not logged"
    );
    assert_eq!(
        login(&service.base, "admin@localhost", &password).await,
        200
    );
    assert!(data.join("jwt-secret").exists());
    assert!(cluster_running(&data));
    assert!(
        !service.stderr_text().contains("\x1b["),
        "colour codes in a log that is not a terminal:\n{}",
        service.stderr_text()
    );

    // SIGTERM: clean exit and no PostgreSQL left.
    service.signal("-TERM");
    assert!(service.wait_exit().success(), "{}", service.output());
    assert!(!cluster_running(&data), "PostgreSQL left running");

    // Again: same data, no new admin.
    let mut again = Service::start(&data);
    again.wait_ready().await;
    assert!(again.printed_password().is_none());
    assert_eq!(login(&again.base, "admin@localhost", &password).await, 200);

    // A crash (SIGKILL) leaves the cluster running; the next start still works.
    again.signal("-KILL");
    again.wait_exit();
    let mut third = Service::start(&data);
    third.wait_ready().await;
    assert_eq!(login(&third.base, "admin@localhost", &password).await, 200);
    third.signal("-INT");
    assert!(third.wait_exit().success(), "{}", third.output());
    assert!(
        !cluster_running(&data),
        "PostgreSQL left running after Ctrl-C"
    );
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_admin_reads_the_password_from_stdin() {
    let data = temp_data_dir("cli-admin");
    let run = |password: &str| {
        let mut child = bantin()
            .args(["create-admin", "--email", "chutich@hdnd.laichau.gov.vn"])
            .env("BANTIN_DATA_DIR", &data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let out = run("short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("12"));
    let out = run("mật-khẩu-quản-trị");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin"));
    assert!(
        !cluster_running(&data),
        "create-admin stops the local cluster"
    );

    let mut service = Service::start(&data);
    service.wait_ready().await;
    assert!(
        service.printed_password().is_none(),
        "an admin exists already"
    );
    assert_eq!(
        login(
            &service.base,
            "chutich@hdnd.laichau.gov.vn",
            "mật-khẩu-quản-trị"
        )
        .await,
        200
    );
    service.signal("-TERM");
    service.wait_exit();
    let _ = std::fs::remove_dir_all(&data);
}

/// A bantin command (not `serve`) on the local cluster in `data`, `stdin` as its input.
fn command(data: &Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = bantin()
        .args(args)
        .env("BANTIN_DATA_DIR", data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_share_the_database_of_a_running_server() {
    let data = temp_data_dir("cli-share");
    let mut service = Service::start(&data);
    service.wait_ready().await;
    let password = service.printed_password().expect("first run");

    // The README's lost-password recipe, while the server runs.
    let email = "bantochuc@hdnd.laichau.gov.vn";
    let out = command(
        &data,
        &["create-admin", "--email", email],
        "mật-khẩu-ban-tổ-chức\n",
    );
    let err = text(&out.stderr);
    assert!(out.status.success(), "create-admin: {err}");
    assert!(
        !err.contains("stopping it"),
        "create-admin stopped it: {err}"
    );
    assert!(cluster_running(&data), "create-admin stopped the database");
    assert_eq!(service.status("/health/ready").await, 200);
    assert_eq!(
        login(&service.base, email, "mật-khẩu-ban-tổ-chức").await,
        200
    );

    let out = command(&data, &["seed-demo"], "");
    assert!(out.status.success(), "seed-demo: {}", text(&out.stderr));
    assert_eq!(service.status("/health/ready").await, 200);
    assert_eq!(
        service
            .status("/api/v1/categories/slug/tin-tuc-hoat-dong")
            .await,
        200,
        "the server sees what seed-demo wrote"
    );
    assert_eq!(
        login(&service.base, "admin@localhost", &password).await,
        200
    );
    assert!(
        !service.stderr_text().contains("ERROR"),
        "{}",
        service.output()
    );

    // The server, the last one using the database, stops it.
    service.signal("-TERM");
    assert!(service.wait_exit().success(), "{}", service.output());
    assert!(!cluster_running(&data), "PostgreSQL left running");

    // A server left by a killed `bantin serve` is no one's: a command takes it over and
    // stops it when done.
    let mut killed = Service::start(&data);
    killed.wait_ready().await;
    killed.signal("-KILL");
    killed.wait_exit();
    assert!(cluster_running(&data));
    let out = command(&data, &["migrate"], "");
    let err = text(&out.stderr);
    assert!(out.status.success(), "migrate: {err}");
    assert!(err.contains("from an earlier run"), "{err}");
    assert!(!cluster_running(&data), "migrate left the leftover running");
    let _ = std::fs::remove_dir_all(&data);
}

/// The PID of the PostgreSQL server of the cluster in `data`.
fn postmaster_pid(data: &Path) -> String {
    let text = std::fs::read_to_string(data.join("postgres/postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_whose_database_vanishes_says_so_and_recovers_when_it_returns() {
    let data = temp_data_dir("cli-vanish");
    let mut service = Service::start(&data);
    service.wait_ready().await;
    let password = service.printed_password().expect("first run");
    assert_eq!(service.status("/api/v1/categories").await, 200);

    // The database stops under the server (fast shutdown: its sessions are ended).
    let stopped = Command::new("kill")
        .args(["-INT", &postmaster_pid(&data)])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = Instant::now() + Duration::from_secs(60);
    while cluster_running(&data) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!cluster_running(&data), "PostgreSQL did not stop");
    service.wait_for_log("the database does not answer");
    assert_eq!(service.status("/health/ready").await, 503);

    // Any bantin command brings it back, and leaves it running for the server.
    let out = command(&data, &["migrate"], "");
    assert!(out.status.success(), "migrate: {}", text(&out.stderr));
    assert!(
        cluster_running(&data),
        "migrate stopped the server's database"
    );
    service.wait_for_log("the database answers again");

    // Connections from before are not reused: every request succeeds, more than the pool holds.
    for _ in 0..15 {
        assert_eq!(
            service.status("/api/v1/categories").await,
            200,
            "{}",
            service.output()
        );
    }
    assert_eq!(service.status("/health/ready").await, 200);
    assert_eq!(
        login(&service.base, "admin@localhost", &password).await,
        200
    );
    let log = service.stderr_text();
    assert_eq!(
        log.matches("the database does not answer").count(),
        1,
        "{log}"
    );
    assert_eq!(
        log.matches("the database answers again").count(),
        1,
        "{log}"
    );

    service.signal("-TERM");
    assert!(service.wait_exit().success(), "{}", service.output());
    assert!(!cluster_running(&data), "PostgreSQL left running");
    let _ = std::fs::remove_dir_all(&data);
}

/// A small valid PNG.
fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn access_token(base: &str, email: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_string()
}

/// Reads from `stream` until the end of a response head (`\r\n\r\n`), or the end of the stream.
fn read_head(stream: &mut std::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match std::io::Read::read(stream, &mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    text(&head)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_and_sigterm_finish_an_upload_in_flight() {
    let data = temp_data_dir("cli-drain");
    let password = "mật-khẩu-quản-trị-viên";
    for (signal, name) in [("-INT", "SIGINT"), ("-TERM", "SIGTERM")] {
        let mut service =
            Service::start_with(&data, "127.0.0.1", &[("BANTIN_ADMIN_PASSWORD", password)]);
        service.wait_ready().await;
        let token = access_token(&service.base, "admin@localhost", password).await;

        let boundary = "bantin-upload-boundary";
        let mut first = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"caption\"\r\n\r\nQuang cảnh hội nghị\r\n"
        )
        .into_bytes();
        first.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"hoi-nghi.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .as_bytes(),
        );
        let file = png();
        let (sent_early, rest) = file.split_at(file.len() / 3);
        first.extend_from_slice(sent_early);
        let mut last = rest.to_vec();
        last.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());

        let host = service.base.trim_start_matches("http://").to_string();
        let mut stream = std::net::TcpStream::connect(&host).unwrap();
        let head = format!(
            "POST /api/v1/photos HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            first.len() + last.len()
        );
        stream.write_all(head.as_bytes()).unwrap();
        // The server has the request once it asks for the body.
        let continued = read_head(&mut stream);
        assert!(continued.starts_with("HTTP/1.1 100"), "{continued}");
        stream.write_all(&first).unwrap();

        service.signal(signal);
        service.wait_for_log(name);
        for chunk in last.chunks(64) {
            if stream.write_all(chunk).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut response = String::new();
        let _ = std::io::Read::read_to_string(&mut stream, &mut response);
        assert!(
            response.starts_with("HTTP/1.1 201"),
            "{name}: the upload in flight got {response:?}\n{}",
            service.output()
        );
        let status = service.wait_exit();
        assert!(status.success(), "{name}: {status}\n{}", service.output());
        assert!(!cluster_running(&data), "{name}: PostgreSQL left running");
    }
    let _ = std::fs::remove_dir_all(&data);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_listens_on_a_host_name() {
    let data = temp_data_dir("cli-hostname");
    let mut service = Service::start_with(&data, "localhost", &[]);
    service.wait_ready().await;
    let port = service.base.rsplit(':').next().unwrap().to_string();
    let printed = format!("Bantin is running at http://localhost:{port}");
    assert!(service.output().contains(&printed), "{}", service.output());
    // The first-run message says where the editors' desk is, and it answers there.
    let desk = format!("Desk:       http://localhost:{port}/admin/");
    assert!(service.output().contains(&desk), "{}", service.output());
    assert_eq!(service.status("/admin/login").await, 200);
    service.signal("-TERM");
    assert!(service.wait_exit().success(), "{}", service.output());
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_fatal_error_is_printed_once_without_colour_codes() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let out = bantin()
        .arg("serve")
        .env("BANTIN_BIND", &bind)
        .env("BANTIN_DATA_DIR", temp_data_dir("cli-fatal"))
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert_eq!(err.matches("cannot listen").count(), 1, "{err}");
    assert!(err.contains("BANTIN_BIND"), "{err}");
    assert!(!err.contains("\x1b["), "colour codes: {err:?}");

    // Nothing listens on port 1.
    let out = bantin()
        .arg("migrate")
        .env("DATABASE_URL", "postgres://bantin@127.0.0.1:1/bantin")
        .output()
        .unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert_eq!(
        err.matches("cannot connect to the database").count(),
        1,
        "{err}"
    );
    assert!(!err.contains("\x1b["), "colour codes: {err:?}");
}

/// The anonymous article list of `base`, as titles.
async fn anonymous_titles(base: &str) -> Vec<String> {
    let list: serde_json::Value = reqwest::get(format!("{base}/api/v1/articles"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

/// Polls the anonymous list of `base` until `check` holds, for at most a second.
async fn within_a_second(base: &str, what: &str, check: impl Fn(&[String]) -> bool) -> Duration {
    let start = Instant::now();
    loop {
        if check(&anonymous_titles(base).await) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{what}: not within 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Two `bantin serve` on one database: each keeps anonymous answers for a minute, yet a write
/// on one is seen by the other's anonymous readers within a second (NOTIFY).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_on_one_replica_is_seen_on_the_other_within_a_second() {
    let data = temp_data_dir("cli-replicas");
    let envs = [("BANTIN_WEBHOOK_ALLOW_PRIVATE", "true")];
    let mut a = Service::start_with(&data, "127.0.0.1", &envs);
    a.wait_ready().await;
    let password = a.printed_password().expect("first run");
    let mut b = Service::start_with(&data, "127.0.0.1", &envs);
    b.wait_ready().await;
    let token = access_token(&a.base, "admin@localhost", &password).await;
    let client = reqwest::Client::new();
    // Both replicas send deliveries: each event still arrives once.
    let receiver = receiver::Receiver::start(&[]).await;
    let hook = client
        .post(format!("{}/api/v1/webhooks", b.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"url": receiver.url, "events": ["*"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 201);
    assert!(anonymous_titles(&b.base).await.is_empty()); // B keeps this answer

    let created = client
        .post(format!("{}/api/v1/articles", a.base))
        .bearer_auth(&token)
        .json(
            &serde_json::json!({"title": "Kỳ họp thứ tám", "status": "published",
            "published_at": "2024-12-01T01:00:00Z"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    within_a_second(&b.base, "created on A, listed on B", |t| {
        t == ["Kỳ họp thứ tám"]
    })
    .await;

    // And the other way: trashed on B, gone from A's kept list.
    assert_eq!(anonymous_titles(&a.base).await, ["Kỳ họp thứ tám"]);
    let trashed = client
        .delete(format!("{}/api/v1/articles/{id}", b.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(trashed.status(), 204);
    within_a_second(&a.base, "trashed on B, gone from A", |t| t.is_empty()).await;

    for i in 0..10 {
        let base = [&a.base, &b.base][i % 2];
        let created = client
            .post(format!("{base}/api/v1/categories"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("Chuyên mục {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    // created, published, trashed, unpublished; ten categories.
    receiver.wait_for(14, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = receiver.received();
    let events: std::collections::HashSet<String> = got
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!((got.len(), events.len()), (14, 14), "each event once");

    for service in [&mut a, &mut b] {
        service.signal("-TERM");
        assert!(service.wait_exit().success(), "{}", service.output());
    }
    let _ = std::fs::remove_dir_all(&data);
}

/// `kill -9` while deliveries wait for a receiver that is down: after the restart they all go
/// out, once each (one the killed process was sending waits for its lease, 30 s, to end).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_pending_at_a_crash_go_out_after_the_restart() {
    let data = temp_data_dir("cli-webhook-crash");
    let envs = [
        ("BANTIN_WEBHOOK_ALLOW_PRIVATE", "true"),
        (
            "BANTIN_WEBHOOK_RETRY_DELAYS",
            "1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1",
        ),
    ];
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut first = Service::start_with(&data, "127.0.0.1", &envs);
    first.wait_ready().await;
    let password = first.printed_password().expect("first run");
    let token = access_token(&first.base, "admin@localhost", &password).await;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/hooks/bantin"); // nobody listens yet
    let hook = client
        .post(format!("{}/api/v1/webhooks", first.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"url": url, "events": ["category.created"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 201);
    for i in 0..5 {
        let created = client
            .post(format!("{}/api/v1/categories", first.base))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": format!("Chuyên mục {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    first.signal("-KILL");
    first.wait_exit();

    let receiver = receiver::Receiver::start_on(port, &[]).await;
    let mut second = Service::start_with(&data, "127.0.0.1", &envs);
    second.wait_ready().await;
    receiver.wait_for(5, Duration::from_secs(45)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let got = receiver.received();
    let events: std::collections::HashSet<String> = got
        .iter()
        .map(|r| r.json()["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        (got.len(), events.len()),
        (5, 5),
        "each event once: {got:?}"
    );
    second.signal("-TERM");
    assert!(second.wait_exit().success(), "{}", second.output());
    let _ = std::fs::remove_dir_all(&data);
}
