//! What the tests of the `bantin` binary share: the binary run as a user runs it, a running
//! `bantin serve` with its output collected, and the embedded cluster seen from outside.
//!
//! Each test crate uses part of it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_bantin");

/// The binary, with none of the settings of the environment the tests run in.
pub fn bantin() -> Command {
    let mut cmd = Command::new(BIN);
    // The user's machine has none of these set; neither do these tests.
    for (key, _) in std::env::vars() {
        if key.starts_with("BANTIN_") || key == "DATABASE_URL" {
            cmd.env_remove(key);
        }
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

/// A fresh data directory for the test `tag`.
pub fn temp_data_dir(tag: &str) -> PathBuf {
    // Under the system temp dir, which the `postgres` user can reach when tests run as root.
    let dir = std::env::temp_dir().join(format!("bantin-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Whether a PostgreSQL server still runs on the cluster in `data_dir`.
pub fn cluster_running(data_dir: &Path) -> bool {
    let pid_file = data_dir.join("postgres/postmaster.pid");
    let Ok(text) = std::fs::read_to_string(pid_file) else {
        return false;
    };
    let pid = text.lines().next().unwrap_or("").trim().to_string();
    Path::new(&format!("/proc/{pid}")).exists()
}

/// A running `bantin serve` with its output collected.
pub struct Service {
    child: Child,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<Vec<String>>>,
    pub base: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn collect(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            sink.lock().unwrap().push(line);
        }
    });
    lines
}

impl Service {
    pub fn start(data_dir: &Path) -> Service {
        Service::start_with(data_dir, "127.0.0.1", &[])
    }

    /// `bantin serve` listening on `host` (an address or a name) and a free port, with `envs`.
    pub fn start_with(data_dir: &Path, host: &str, envs: &[(&str, &str)]) -> Service {
        let port = free_port();
        let mut cmd = bantin();
        cmd.arg("serve")
            .env("BANTIN_DATA_DIR", data_dir)
            .env("BANTIN_BIND", format!("{host}:{port}"))
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        Service {
            child,
            stdout,
            stderr,
            base: format!("http://{host}:{port}"),
        }
    }

    pub fn stderr_text(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }

    /// Waits until a log line contains `needle` (panics if it never comes).
    pub fn wait_for_log(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.stderr_text().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("no log line with {needle:?}:\n{}", self.output());
    }

    pub async fn status(&self, path: &str) -> reqwest::StatusCode {
        let res = reqwest::Client::new()
            .get(format!("{}{path}", self.base))
            .send()
            .await;
        res.unwrap_or_else(|e| panic!("GET {path}: {e}\n{}", self.output()))
            .status()
    }

    /// The JSON answer to `GET path`, which must be a 200.
    pub async fn get(&self, path: &str) -> serde_json::Value {
        let res = reqwest::get(format!("{}{path}", self.base)).await.unwrap();
        assert_eq!(res.status(), 200, "GET {path}");
        res.json().await.unwrap()
    }

    /// What it printed: its standard output, then its log.
    pub fn output(&self) -> String {
        format!(
            "{}\n{}",
            self.stdout.lock().unwrap().join("\n"),
            self.stderr.lock().unwrap().join("\n")
        )
    }

    pub async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        while Instant::now() < deadline {
            if let Ok(res) = client
                .get(format!("{}/health/ready", self.base))
                .send()
                .await
                && res.status() == 200
            {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("bantin exited with {status}:\n{}", self.output());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("bantin did not become ready:\n{}", self.output());
    }

    pub fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    }

    pub fn wait_exit(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                return status;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("bantin did not stop:\n{}", self.output());
    }

    /// SIGTERM, then waits for a clean exit.
    pub fn stop(&mut self) {
        self.signal("-TERM");
        let status = self.wait_exit();
        assert!(status.success(), "{}", self.output());
    }

    /// The password printed on first run.
    pub fn printed_password(&self) -> Option<String> {
        self.stdout.lock().unwrap().iter().find_map(|l| {
            l.split("with password ")
                .nth(1)
                .map(|p| p.trim().to_string())
        })
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
