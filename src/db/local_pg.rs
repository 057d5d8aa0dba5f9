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

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use nix::unistd::{Uid, User};
use tracing::{info, warn};

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

/// What [`LocalPostgres::prepare`] leaves for the start decision.
struct Prepared {
    pg: LocalPostgres,
    /// The exclusive lock on `<cluster>.lock`, released when dropped.
    _control: fs::File,
    /// Whether another live process uses the cluster.
    shared: bool,
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

    /// Finds the programs and the user to run them as and checks the directory
    /// (creating nothing until then); takes the control lock and joins the
    /// cluster's users; then creates the directory and runs `initdb` if it holds
    /// no cluster yet.
    async fn prepare(cluster_dir: &Path) -> Result<Prepared> {
        let dir =
            std::path::absolute(cluster_dir).map_err(io_err("resolve the cluster directory"))?;
        check_path(&dir)?;
        let bindir = find_bindir().await.ok_or(LocalPgError::NotInstalled)?;
        let psql_dirs = std::iter::once(bindir.clone()).chain(path_dirs());
        let psql = psql_dirs
            .map(|dir| dir.join("psql"))
            .find(|p| is_executable(p));
        let psql = psql.ok_or_else(|| LocalPgError::NoPsql(bindir.clone()))?;
        let postgres = || User::from_name("postgres").ok().flatten();
        let root = Uid::effective().is_root();
        let run_as = root
            .then(|| postgres().ok_or(LocalPgError::NoPostgresUser))
            .transpose()?;
        if let Some(user) = &run_as {
            check_reachable(&dir, user)?; // before creating anything
        }

        let control = control_path(&dir)?;
        let _control = lock_control(&control).await?;
        let users_path = beside(&control, "users");
        let users = open_lock_file(&users_path)
            .map_err(io_err(format!("open {}", users_path.display())))?;
        let lock_users = format!("lock {}", users_path.display());
        let shared = others_use(&users).map_err(io_err(&lock_users))?;
        // Only a process holding the control lock, which is ours, locks it exclusively.
        let joined = users.try_lock_shared().map_err(io::Error::from);
        joined.map_err(io_err(lock_users))?;

        let fresh = !dir.join("PG_VERSION").exists();
        if fresh {
            fs::create_dir_all(&dir).map_err(io_err(format!("create {}", dir.display())))?;
            let mode = fs::Permissions::from_mode(0o700);
            fs::set_permissions(&dir, mode).map_err(io_err(format!("chmod {}", dir.display())))?;
        }
        let dir = fs::canonicalize(&dir).map_err(io_err(format!("resolve {}", dir.display())))?;
        check_path(&dir)?;
        if let Some(user) = &run_as {
            check_reachable(&dir, user)?; // again: symlinks, a umask of 077
            let meta = fs::metadata(&dir).map_err(io_err(format!("inspect {}", dir.display())))?;
            if meta.uid() == 0 {
                let what = format!("give {} to user {}", dir.display(), user.name);
                chown_tree(&dir, user, !fresh).map_err(io_err(what))?;
            }
        }
        let pg = Self {
            dir,
            bindir,
            psql,
            run_as,
            control,
            users,
        };
        if fresh {
            let dir = pg.dir.display();
            info!("initialising a local PostgreSQL cluster in {dir}");
            let mut initdb = pg.command(&pg.bindir.join("initdb"));
            initdb
                .arg("-D")
                .arg(&pg.dir)
                .arg(format!("--username={SUPERUSER}"));
            initdb.args(["--auth=trust", "--encoding=UTF8", "--no-locale"]);
            let what = format!("initdb (creating a cluster in {dir})");
            pg.run(what, initdb).await?;
        }
        Ok(Prepared {
            pg,
            _control,
            shared,
        })
    }

    /// Whether a server runs for this cluster. If `postmaster.pid` names a process
    /// that exists but is not that server (a zombie nobody reaped yet, or a PID
    /// reused after a reboot or container restart), that file and the socket lock
    /// file are removed, so neither we (`pg_ctl stop` would signal that process)
    /// nor PostgreSQL trip on them; its shared-memory check still guards the data.
    async fn live_postmaster(&self) -> Result<bool> {
        let pid_file = self.dir.join("postmaster.pid");
        let Ok(text) = fs::read_to_string(&pid_file) else {
            return Ok(false);
        };
        let status = self.exec("pg_ctl status", self.pg_ctl(&["status"])).await?;
        let running = status.status.success();
        let pid = text.lines().next().unwrap_or_default().trim().parse().ok();
        if !running || pid.and_then(|pid| is_postmaster_for(pid, &self.dir)) != Some(false) {
            return Ok(running);
        }
        warn!(
            "{} names a process that is not this server; removing it",
            pid_file.display()
        );
        for file in [pid_file, self.dir.join(format!("{SOCKET}.lock"))] {
            if let Err(e) = fs::remove_file(&file)
                && e.kind() != io::ErrorKind::NotFound
            {
                return Err(io_err(format!("remove {}", file.display()))(e));
            }
        }
        Ok(false)
    }

    /// `pg_ctl start`, socket only. Right after a crash the old server's children
    /// may still hold its shared memory, so that failure is retried.
    async fn start_server(&self) -> Result<()> {
        let (dir, log) = (self.dir.to_string_lossy(), self.dir.join("server.log"));
        // pg_ctl runs -o through `sh -c`, hence the shell quoting; PostgreSQL's list
        // syntax needs the double quotes for names with spaces or commas.
        let quoted = dir.replace('\'', r"'\''");
        let opts = format!("-c listen_addresses='' -c port={PORT} -c unix_socket_permissions=0700");
        let opts = format!("{opts} -c 'unix_socket_directories=\"{quoted}\"'");
        let mut attempt = 1;
        loop {
            let mut start = self.pg_ctl(&["start", "-w", "-t", "60", "-o", &opts]);
            start.arg("-l").arg(&log);
            let out = self.exec("pg_ctl start", start).await?;
            if out.status.success() {
                info!("started local PostgreSQL (socket in {dir})");
                return Ok(());
            }
            let text = fs::read_to_string(&log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            let tail = lines[lines.len().saturating_sub(15)..].join("\n");
            if attempt == 4 || !tail.contains("pre-existing shared memory block") {
                let (what, out) = (format!("starting PostgreSQL in {dir}"), describe(&out));
                let detail = format!("{out}\nlast lines of {}:\n{tail}", log.display());
                return Err(LocalPgError::Command { what, detail });
            }
            warn!("the previous PostgreSQL server in {dir} is still exiting; retrying");
            tokio::time::sleep(Duration::from_secs(attempt)).await;
            attempt += 1;
        }
    }

    async fn pg_ctl_stop(&self) -> Result<()> {
        let stop = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"]);
        let what = format!("stopping PostgreSQL in {}", self.dir.display());
        self.run(what, stop).await.map(drop)
    }

    /// Creates `database` unless it exists (or another process creates it meanwhile).
    async fn ensure_database(&self, database: &str) -> Result<()> {
        let literal = database.replace('\'', "''");
        let exists = format!("SELECT 1 FROM pg_database WHERE datname = '{literal}'");
        if self.psql(&exists).await? == "1" {
            return Ok(());
        }
        let identifier = database.replace('"', "\"\"");
        let create = format!("CREATE DATABASE \"{identifier}\"");
        let created = self.psql(&create).await;
        if created.is_err() && self.psql(&exists).await? == "1" {
            return Ok(());
        }
        created.map(|_| info!("created database {database} in the local PostgreSQL"))
    }

    /// Runs one SQL statement as the superuser over the socket; returns its output.
    async fn psql(&self, sql: &str) -> Result<String> {
        let mut psql = self.command(&self.psql);
        psql.args([
            "-X", "-w", "-q", "-tA", "-p", PORT, "-U", SUPERUSER, "-d", "postgres",
        ]);
        psql.arg("-h").arg(&self.dir).arg("-c").arg(sql);
        psql.env("PGCONNECT_TIMEOUT", "10");
        let out = self.run(format!("psql `{sql}`"), psql).await?;
        Ok(out.trim().to_owned())
    }

    /// `pg_ctl <args> -D <dir>`.
    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut pg_ctl = self.command(&self.bindir.join("pg_ctl"));
        pg_ctl.args(args).arg("-D").arg(&self.dir);
        pg_ctl
    }

    /// Runs `program` as `run_as` if set, without our `PG*` variables (PGHOST,
    /// PGOPTIONS, …), which could redirect or alter it.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir("/");
        for (key, _) in std::env::vars_os().filter(|(key, _)| key.as_bytes().starts_with(b"PG")) {
            cmd.env_remove(key);
        }
        if let Some(user) = &self.run_as {
            let (uid, gid) = (user.uid.as_raw(), user.gid.as_raw());
            cmd.uid(uid).gid(gid).env("HOME", &user.dir);
        }
        cmd
    }

    async fn exec(&self, what: &str, cmd: Command) -> Result<Output> {
        let output = tokio::process::Command::from(cmd).output().await;
        output.map_err(io_err(format!("run {what}")))
    }

    /// Runs `cmd`; returns its stdout, or an error with its status and output.
    async fn run(&self, what: String, cmd: Command) -> Result<String> {
        let out = self.exec(&what, cmd).await?;
        match out.status.success() {
            true => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            false => Err(LocalPgError::Command {
                detail: describe(&out),
                what,
            }),
        }
    }
}

/// `<cluster>.lock` beside the cluster directory `dir` (absolute), in the
/// canonical form of its parent, which this creates if needed: every path to one
/// data directory names the same lock files.
fn control_path(dir: &Path) -> Result<PathBuf> {
    let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
        return Err(LocalPgError::UnsupportedPath(dir.to_owned()));
    };
    fs::create_dir_all(parent).map_err(io_err(format!("create {}", parent.display())))?;
    let parent =
        fs::canonicalize(parent).map_err(io_err(format!("resolve {}", parent.display())))?;
    let mut name = name.to_owned();
    name.push(".lock");
    Ok(parent.join(name))
}

/// `<cluster>.<extension>` for the control file `<cluster>.lock`.
fn beside(control: &Path, extension: &str) -> PathBuf {
    control.with_extension(extension)
}

/// Opens (creating) a lock file. Like every file std opens, it is closed on
/// `exec`, so no child process (`pg_ctl`, the server) inherits a lock.
fn open_lock_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Takes the exclusive lock on the control file, waiting for a process that
/// holds it (on a blocking thread); it is released when the file is dropped.
async fn lock_control(path: &Path) -> Result<fs::File> {
    let what = format!("lock {}", path.display());
    let file = open_lock_file(path).map_err(io_err(&what))?;
    let locked = tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await;
    let locked = locked.map_err(io::Error::other).flatten();
    locked.map_err(io_err(what))
}

/// Whether another open file (so another process, or another
/// [`LocalPostgres`] of this one) holds a lock on the users file, judged by a
/// non-blocking exclusive lock, released at once. `users` must hold no lock.
fn others_use(users: &fs::File) -> io::Result<bool> {
    match users.try_lock() {
        Ok(()) => users.unlock().map(|()| false),
        Err(fs::TryLockError::WouldBlock) => Ok(true),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}

/// A finished command's exit status, stderr and stdout, for error messages.
fn describe(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = format!("{}\n{stderr}{stdout}", out.status);
    text.trim_end().to_owned()
}

/// Rejects paths that pg_ctl's shell quoting cannot carry, and socket paths too long for `sun_path`.
fn check_path(dir: &Path) -> Result<()> {
    let bad = |c: char| c.is_control() || "\"\\$`".contains(c);
    if dir.to_str().is_none_or(|text| text.contains(bad)) {
        return Err(LocalPgError::UnsupportedPath(dir.to_owned()));
    }
    let path = dir.join(SOCKET);
    match path.as_os_str().len() {
        len if len > MAX_SOCKET_PATH => Err(LocalPgError::SocketPathTooLong { path, len }),
        _ => Ok(()),
    }
}

/// Checks that `user` may traverse every existing ancestor of `dir`, by mode
/// bits. Only the primary group counts: dropping privileges clears the others.
fn check_reachable(dir: &Path, user: &User) -> Result<()> {
    for ancestor in dir.ancestors().skip(1) {
        let meta = match fs::metadata(ancestor) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            meta => meta.map_err(io_err(format!("inspect {}", ancestor.display())))?,
        };
        let (mode, uid, gid) = (meta.mode() & 0o7777, user.uid.as_raw(), user.gid.as_raw());
        let bit = match (meta.uid() == uid, meta.gid() == gid) {
            (true, _) => 0o100,
            (false, true) => 0o010,
            (false, false) => 0o001,
        };
        if mode & bit == 0 {
            let (user, dir, blocker) = (user.name.clone(), dir.to_owned(), ancestor.to_owned());
            return Err(LocalPgError::Unreachable {
                user,
                dir,
                blocker,
                mode,
            });
        }
    }
    Ok(())
}

/// Gives `path` (and, if `recursive`, all below it, not following symlinks) to `user`.
fn chown_tree(path: &Path, user: &User, recursive: bool) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))?;
    if recursive && fs::symlink_metadata(path)?.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), user, true)?;
        }
    }
    Ok(())
}

/// Whether process `pid` is a postmaster serving `dir`, judged from /proc:
/// `Some(false)` for a zombie, a process that is not PostgreSQL, or another
/// cluster's server; `None` where /proc cannot tell (not Linux, no such
/// process, no absolute `-D` on its command line).
fn is_postmaster_for(pid: u32, dir: &Path) -> Option<bool> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (head, state) = stat.rsplit_once(") ")?;
    if state.starts_with('Z') || !["postgres", "postmaster"].contains(&head.split_once(" (")?.1) {
        return Some(false);
    }
    let cmdline = fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    let mut args = cmdline.split(|b| *b == 0);
    args.find(|arg| *arg == b"-D")?;
    let data = Path::new(OsStr::from_bytes(args.next()?));
    data.is_absolute()
        .then(|| fs::canonicalize(data).is_ok_and(|p| p == dir))
}

fn path_dirs() -> Vec<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).collect()
}

/// `<root>/<prefix><version>/bin` directories, newest version first.
fn versioned_bindirs(root: &str, prefix: &str) -> Vec<PathBuf> {
    let entries = fs::read_dir(root).into_iter().flatten().flatten();
    let mut found: Vec<(Vec<u32>, PathBuf)> = entries
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let version = name.strip_prefix(prefix)?.split('.');
            let version = version
                .map(|part| part.parse().ok())
                .collect::<Option<_>>()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    found.sort();
    found.into_iter().rev().map(|(_, dir)| dir).collect()
}

/// The first directory holding `initdb`, `pg_ctl` and `postgres`: `pg_config
/// --bindir`, the newest /usr/lib/postgresql/N/bin (Debian), PATH, and last
/// Homebrew's keg-only `postgresql@N`, which `brew install` leaves off PATH.
async fn find_bindir() -> Option<PathBuf> {
    let pg_config = tokio::process::Command::new("pg_config")
        .arg("--bindir")
        .output();
    let from_pg_config = pg_config.await.ok().filter(|out| out.status.success());
    let stdout = |out: Output| String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let from_pg_config = from_pg_config.map(|out| PathBuf::from(stdout(out)));
    let mut candidates = (from_pg_config.into_iter())
        .chain(versioned_bindirs("/usr/lib/postgresql", ""))
        .chain(path_dirs())
        .chain(versioned_bindirs("/opt/homebrew/opt", "postgresql@"))
        .chain(versioned_bindirs("/usr/local/opt", "postgresql@"));
    let programs = ["initdb", "pg_ctl", "postgres"];
    candidates.find(|dir| programs.iter().all(|name| is_executable(&dir.join(name))))
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.mode() & 0o111 != 0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{SystemTime, UNIX_EPOCH};

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
}
