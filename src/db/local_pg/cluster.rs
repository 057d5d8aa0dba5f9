//! The cluster's lifecycle: initialising it, telling whether its server runs, starting and
//! stopping that server, and creating the application database.

use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::time::Duration;

use nix::unistd::{Uid, User};
use tracing::{info, warn};

use super::paths::{check_path, check_reachable, chown_tree};
use super::programs::{describe, find_bindir, is_executable, path_dirs};
use super::sharing::{beside, control_path, lock_control, open_lock_file, others_use};
use super::{LocalPgError, LocalPostgres, PORT, Result, SOCKET, SUPERUSER, io_err};

/// What [`LocalPostgres::prepare`] leaves for the start decision.
pub(super) struct Prepared {
    pub(super) pg: LocalPostgres,
    /// The exclusive lock on `<cluster>.lock`, released when dropped.
    pub(super) _control: fs::File,
    /// Whether another live process uses the cluster.
    pub(super) shared: bool,
}

impl LocalPostgres {
    /// Finds the programs and the user to run them as and checks the directory
    /// (creating nothing until then); takes the control lock and joins the
    /// cluster's users; then creates the directory and runs `initdb` if it holds
    /// no cluster yet.
    pub(super) async fn prepare(cluster_dir: &Path) -> Result<Prepared> {
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
    pub(super) async fn live_postmaster(&self) -> Result<bool> {
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
    pub(super) async fn start_server(&self) -> Result<()> {
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

    pub(super) async fn pg_ctl_stop(&self) -> Result<()> {
        let stop = self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"]);
        let what = format!("stopping PostgreSQL in {}", self.dir.display());
        match self.run(what, stop).await {
            Ok(_) => Ok(()),
            // A server that died meanwhile may linger as a zombie nobody reaps, which
            // pg_ctl waits for in vain: it is stopped all the same.
            Err(e) => match self.live_postmaster().await? {
                true => Err(e),
                false => Ok(()),
            },
        }
    }

    /// Creates `database` unless it exists (or another process creates it meanwhile).
    pub(super) async fn ensure_database(&self, database: &str) -> Result<()> {
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
}

/// Whether process `pid` is a postmaster serving `dir`, judged from /proc:
/// `Some(false)` for a zombie, a process that is not PostgreSQL, or another
/// cluster's server; `None` where /proc cannot tell (not Linux, no such
/// process, no absolute `-D` on its command line).
pub(super) fn is_postmaster_for(pid: u32, dir: &Path) -> Option<bool> {
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
