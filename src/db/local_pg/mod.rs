//! A private PostgreSQL cluster for when no `DATABASE_URL` is configured.
//!
//! So that a fresh install (or a test suite) works with nothing but the
//! PostgreSQL binaries installed, Bantin runs its own cluster in a directory the
//! caller chooses: `initdb` once, `pg_ctl start`, then create the application
//! database. The server listens only on a Unix socket inside the cluster
//! directory, never on TCP, so it cannot clash with another server on port 5432.
//! It trusts every local connection; the directory's mode (0700) keeps other
//! users out. PostgreSQL refuses to run as root, so under root the programs run
//! as the `postgres` system user.

mod cluster;
mod paths;
mod programs;
mod sharing;
#[cfg(test)]
mod tests;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use nix::unistd::User;
use tracing::{info, warn};

use cluster::Prepared;
use sharing::{beside, lock_control, others_use};

/// The superuser `initdb` creates; clients log in as it over the socket.
const SUPERUSER: &str = "bantin";
/// With TCP off, the port only names the socket file.
const PORT: &str = "5432";
const SOCKET: &str = ".s.PGSQL.5432";
/// A socket path must fit `sun_path`: 108 bytes including the final NUL.
const MAX_SOCKET_PATH: usize = 107;
const INSTALL: &str = "install it (Debian/Ubuntu: `apt-get install postgresql`; macOS: `brew install postgresql@15`), or set DATABASE_URL to use an existing PostgreSQL server";

/// Why the local cluster could not be run; each message tells an operator what to do.
#[derive(Debug, thiserror::Error)]
pub enum LocalPgError {
    #[error(
        "PostgreSQL is not installed: no directory with initdb, pg_ctl and postgres was found (looked at `pg_config --bindir`, /usr/lib/postgresql/*/bin, PATH and Homebrew); {INSTALL}"
    )]
    NotInstalled,
    #[error("psql was found neither in {0} nor on PATH; {INSTALL}")]
    NoPsql(PathBuf),
    #[error(
        "PostgreSQL refuses to run as root, and there is no `postgres` system user to run it as; create one (for example `useradd --system --user-group postgres`), run Bantin as another user, or set DATABASE_URL"
    )]
    NoPostgresUser,
    #[error(
        "the PostgreSQL server runs as user \"{user}\", which cannot reach {dir} because {blocker} has mode {mode:o}; choose a BANTIN_DATA_DIR it can reach (for example under /var/lib/bantin or /srv), or set DATABASE_URL"
    )]
    Unreachable {
        user: String,
        dir: PathBuf,
        blocker: PathBuf,
        mode: u32,
    },
    #[error(
        "the PostgreSQL socket path {path} is {len} bytes long but Unix socket paths are limited to {MAX_SOCKET_PATH} bytes; choose a shorter BANTIN_DATA_DIR, or set DATABASE_URL"
    )]
    SocketPathTooLong { path: PathBuf, len: usize },
    #[error(
        "the PostgreSQL cluster directory {0} must be valid UTF-8 without \", \\, $, ` or control characters (pg_ctl passes it through a shell); choose another BANTIN_DATA_DIR, or set DATABASE_URL"
    )]
    UnsupportedPath(PathBuf),
    #[error("could not {what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("{what} failed: {detail}")]
    Command { what: String, detail: String },
}

type Result<T, E = LocalPgError> = std::result::Result<T, E>;

fn io_err(what: impl std::fmt::Display) -> impl FnOnce(io::Error) -> LocalPgError {
    let what = what.to_string();
    move |source| LocalPgError::Io { what, source }
}

/// A local cluster, in use by this process for as long as the value lives.
///
/// Several bantin processes may use one cluster at once (`bantin serve`, and a
/// `bantin create-admin` run beside it). Each holds a shared lock on
/// `<cluster>.users` while it uses the cluster; whoever starts, takes over or
/// stops the server decides under an exclusive lock on `<cluster>.lock`, so
/// that no two decisions interleave. A process asks whether anyone else uses the
/// cluster by trying, under that lock, to lock `<cluster>.users` exclusively.
/// The kernel releases a process's locks when it ends, however it ends, so a
/// server that no live process holds was left by a crash.
///
/// Dropping the value ends its use without stopping the server: call
/// [`stop`](Self::stop) at shutdown. A server that no process uses any more is
/// restarted by the next [`start`](Self::start).
#[derive(Debug)]
pub struct LocalPostgres {
    /// Canonical cluster directory, which is also the socket directory.
    dir: PathBuf,
    /// Holds `initdb`, `pg_ctl` and `postgres`.
    bindir: PathBuf,
    psql: PathBuf,
    /// The user the programs run as when we are root.
    run_as: Option<User>,
    /// `<cluster>.lock`, locked exclusively around every start and stop decision.
    control: PathBuf,
    /// `<cluster>.users`, share-locked while this value uses the cluster.
    users: fs::File,
}

impl LocalPostgres {
    /// Initialises the cluster in `cluster_dir` if it has none, starts its
    /// server, and creates `database`. A server another bantin process uses is
    /// used as it is; one that no process uses (left by a crash) is restarted.
    pub async fn start(cluster_dir: &Path, database: &str) -> Result<Self> {
        let Prepared {
            pg,
            _control,
            shared,
        } = Self::prepare(cluster_dir).await?;
        let dir = pg.dir.display();
        if !pg.live_postmaster().await? {
            pg.start_server().await?;
        } else if shared {
            info!("using the local PostgreSQL in {dir} with the bantin process that runs it");
        } else {
            warn!(
                "a PostgreSQL server from an earlier run still runs in {dir} and no bantin process uses it; restarting it"
            );
            pg.pg_ctl_stop().await?;
            pg.start_server().await?;
        }
        pg.ensure_database(database).await?;
        Ok(pg)
    }

    /// [`start`](Self::start) for test suites, whose tests may run in several
    /// threads or processes at once: a running server is always reused, never
    /// restarted, and nothing stops it, so later runs reuse it too. Do not call
    /// [`stop`](Self::stop) on the result while others may still use the cluster.
    pub async fn start_shared(cluster_dir: &Path, database: &str) -> Result<Self> {
        let Prepared { pg, _control, .. } = Self::prepare(cluster_dir).await?;
        if pg.live_postmaster().await? {
            info!("reusing the local PostgreSQL in {}", pg.dir.display());
        } else {
            pg.start_server().await?;
        }
        pg.ensure_database(database).await?;
        Ok(pg)
    }

    /// A URL for `database` that tokio-postgres (so diesel-async) and libpq accept:
    /// the host is the percent-encoded socket directory. It names no TCP host on
    /// purpose: tokio-postgres would try that host too, and could reach whatever
    /// other server listens on port 5432.
    pub fn url(&self, database: &str) -> String {
        let db = percent_encode(database);
        let host = percent_encode(&self.dir.to_string_lossy());
        format!("postgres://{SUPERUSER}@/{db}?host={host}&port={PORT}")
    }

    /// The cluster directory, which also holds the socket and `server.log`.
    pub fn cluster_dir(&self) -> &Path {
        &self.dir
    }

    /// Ends this value's use of the cluster, and stops the server (fast
    /// shutdown: open transactions are rolled back) unless another bantin
    /// process still uses it. Does nothing if the server is not running.
    pub async fn stop(&self) -> Result<()> {
        let _control = lock_control(&self.control).await?;
        let users = self.users_path();
        self.users
            .unlock()
            .map_err(io_err(format!("unlock {}", users.display())))?;
        if others_use(&self.users).map_err(io_err(format!("lock {}", users.display())))? {
            let dir = self.dir.display();
            info!("leaving the local PostgreSQL in {dir} running for the bantin process using it");
            return Ok(());
        }
        if self.live_postmaster().await? {
            self.pg_ctl_stop().await?;
            info!("stopped local PostgreSQL in {}", self.dir.display());
        }
        Ok(())
    }

    fn users_path(&self) -> PathBuf {
        beside(&self.control, "users")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let keep = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let encode = |b: u8| match keep(b) {
        true => char::from(b).to_string(),
        false => format!("%{b:02X}"),
    };
    text.bytes().map(encode).collect()
}
