use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use nix::unistd::Uid;

use super::cluster::is_postmaster_for;
use super::{LocalPgError, LocalPostgres};

/// A scratch directory under /tmp whose name has a space and a quote (to
/// exercise quoting). On drop it shuts down any server still running in its
/// cluster (a safety net for failed assertions) and removes itself.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let dir = PathBuf::from(format!(
            "/tmp/bantin pg '{name}' {}-{nanos}",
            std::process::id()
        ));
        fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn cluster(&self) -> PathBuf {
        self.0.join("postgres")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let pid_file = self.cluster().join("postmaster.pid");
        let pid = fs::read_to_string(pid_file)
            .ok()
            .and_then(|t| t.lines().next()?.trim().parse::<u32>().ok());
        let cluster = fs::canonicalize(self.cluster()).unwrap_or_default();
        if let Some(pid) = pid.filter(|pid| is_postmaster_for(*pid, &cluster) == Some(true)) {
            let _ = std::process::Command::new("kill")
                .args(["-QUIT", &pid.to_string()])
                .status();
            for _ in 0..100 {
                if is_postmaster_for(pid, &cluster) != Some(true) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = fs::remove_dir_all(&self.0);
    }
}

async fn start(cluster: &Path, database: &str) -> LocalPostgres {
    LocalPostgres::start(cluster, database).await.unwrap()
}

/// Connects through `pg.url(database)`, runs `sql` and returns the first
/// column of the first row as text ("" if there is none).
async fn query(pg: &LocalPostgres, database: &str, sql: &str) -> String {
    let url = pg.url(database);
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let first = |message: &tokio_postgres::SimpleQueryMessage| match message {
        tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).map(str::to_owned),
        _ => None,
    };
    client
        .simple_query(sql)
        .await
        .unwrap()
        .iter()
        .find_map(first)
        .unwrap_or_default()
}

fn postmaster_pid(pg: &LocalPostgres) -> u32 {
    let text = fs::read_to_string(pg.cluster_dir().join("postmaster.pid")).unwrap();
    text.lines().next().unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn init_start_connect_stop_and_restart_keeps_data() {
    let scratch = Scratch::new("lifecycle");
    let pg = start(&scratch.cluster(), "bantin").await;
    assert!(pg.cluster_dir().join("PG_VERSION").exists());

    // The URL names exactly the socket directory: no TCP host at all.
    let config: tokio_postgres::Config = pg.url("bantin").parse().unwrap();
    let socket = tokio_postgres::config::Host::Unix(pg.cluster_dir().to_owned());
    assert_eq!(config.get_hosts(), [socket]);
    assert_eq!(query(&pg, "bantin", "SELECT 1").await, "1");
    let sql = "SELECT current_database() || ',' || current_setting('listen_addresses')";
    assert_eq!(query(&pg, "bantin", sql).await, "bantin,");
    let sql = "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')";
    query(&pg, "bantin", sql).await;

    pg.stop().await.unwrap();
    assert!(!pg.cluster_dir().join("postmaster.pid").exists());
    pg.stop().await.unwrap(); // stopping a stopped cluster is a no-op

    let pg = start(&scratch.cluster(), "bantin").await;
    assert_eq!(
        query(&pg, "bantin", "SELECT v FROM kept").await,
        "still here"
    );
    pg.stop().await.unwrap();
}

#[tokio::test]
async fn stale_servers_do_not_block_the_next_start() {
    let scratch = Scratch::new("stale");
    let first = postmaster_pid(&start(&scratch.cluster(), "app").await);

    // The service crashed: its server still runs. The next start replaces it.
    let pg = start(&scratch.cluster(), "app").await;
    let second = postmaster_pid(&pg);
    for _ in 0..100 {
        if is_postmaster_for(first, pg.cluster_dir()) != Some(true) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let old = is_postmaster_for(first, pg.cluster_dir());
    assert!(
        first != second && old != Some(true),
        "the old server still runs"
    );

    // The server itself was killed, and its service with it: postmaster.pid
    // names a dead process.
    drop(pg);
    let mut kill = std::process::Command::new("kill");
    assert!(
        kill.args(["-KILL", &second.to_string()])
            .status()
            .unwrap()
            .success()
    );
    // `kill` returns before the server has exited: wait until it is gone (or a zombie).
    let dead = |pid: u32| {
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        stat.rsplit_once(") ")
            .is_none_or(|(_, state)| state.starts_with('Z'))
    };
    for _ in 0..200 {
        if dead(second) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let pg = start(&scratch.cluster(), "app").await;
    assert_eq!(query(&pg, "app", "SELECT 1").await, "1");
    pg.stop().await.unwrap();

    // After a reboot postmaster.pid may name an unrelated live process of the
    // same user: it must be neither signalled nor block the start.
    let mut sleeper = pg.command(Path::new("sleep")).arg("60").spawn().unwrap();
    let pid_file = format!("{}\n{}\n", sleeper.id(), pg.cluster_dir().display());
    fs::write(pg.cluster_dir().join("postmaster.pid"), pid_file).unwrap();
    let pg = start(&scratch.cluster(), "app").await;
    let signalled = sleeper.try_wait().unwrap().is_some();
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    assert!(!signalled, "the unrelated process was signalled");
    assert_eq!(query(&pg, "app", "SELECT 1").await, "1");
    pg.stop().await.unwrap();
}

#[tokio::test]
async fn a_server_in_use_is_shared_and_stopped_by_its_last_user() {
    let scratch = Scratch::new("users");
    let serve = start(&scratch.cluster(), "app").await;
    let pid = postmaster_pid(&serve);

    // A second user (a command run beside `bantin serve`) uses the server as it is.
    let command = start(&scratch.cluster(), "app").await;
    assert_eq!(postmaster_pid(&command), pid, "the server was restarted");
    assert_eq!(query(&command, "app", "SELECT 1").await, "1");

    // Done, it leaves the server running for the first one.
    command.stop().await.unwrap();
    assert_eq!(postmaster_pid(&serve), pid);
    assert_eq!(query(&serve, "app", "SELECT 1").await, "1");

    // The last user stops it.
    serve.stop().await.unwrap();
    assert!(!serve.cluster_dir().join("postmaster.pid").exists());
    let (control, users) = (serve.control.clone(), serve.users_path());
    assert!(control.ends_with("postgres.lock") && users.ends_with("postgres.users"));
    assert_eq!(control.parent(), serve.cluster_dir().parent());
}

#[tokio::test]
async fn unreachable_cluster_dir_is_explained() {
    if !Uid::effective().is_root() {
        return; // only root switches to the postgres user
    }
    let scratch = Scratch::new("unreachable");
    let locked = scratch.0.join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o700)).unwrap();
    let cluster = locked.join("data/postgres");
    let err = LocalPostgres::start(&cluster, "bantin").await.unwrap_err();
    assert!(matches!(err, LocalPgError::Unreachable { .. }), "{err:?}");
    let (cluster, locked_str) = (cluster.display(), locked.display());
    let expected = format!(
        "the PostgreSQL server runs as user \"postgres\", which cannot reach {cluster} because {locked_str} has mode 700; choose a BANTIN_DATA_DIR"
    );
    assert!(err.to_string().starts_with(&expected), "{err}");
    assert!(!locked.join("data").exists(), "created before the check");
}

#[tokio::test]
async fn too_long_socket_path_is_explained() {
    let dir = PathBuf::from(format!("/tmp/{}", "x".repeat(100)));
    let err = LocalPostgres::start(&dir, "bantin").await.unwrap_err();
    assert!(
        matches!(err, LocalPgError::SocketPathTooLong { len: 119, .. }),
        "{err:?}"
    );
    let socket = format!("{}/.s.PGSQL.5432 is 119 bytes", dir.display());
    assert!(err.to_string().contains(&socket), "{err}");
    assert!(!dir.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_cluster_is_started_once_and_reused() {
    let scratch = Scratch::new("shared");
    let cluster = scratch.cluster();
    let start = |db: &'static str| {
        let cluster = cluster.clone();
        tokio::spawn(async move { LocalPostgres::start_shared(&cluster, db).await })
    };
    let tasks: Vec<_> = (0..4).map(|_| start("shared_db")).collect();
    let mut servers = Vec::new();
    for task in tasks {
        let pg = task.await.unwrap().unwrap();
        let started = query(&pg, "shared_db", "SELECT pg_postmaster_start_time()::text");
        servers.push((postmaster_pid(&pg), started.await));
    }
    assert!(
        servers.iter().all(|s| *s == servers[0]),
        "several servers: {servers:?}"
    );

    // A later run reuses the running server instead of restarting it.
    let pg = start("other_db").await.unwrap().unwrap();
    assert_eq!(postmaster_pid(&pg), servers[0].0);
    assert_eq!(query(&pg, "other_db", "SELECT 1").await, "1");
    pg.stop().await.unwrap(); // only because this test owns the cluster
}
