//! Finding PostgreSQL's programs and running them: as the `postgres` user under root, without
//! the caller's `PG*` variables.

use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::{LocalPgError, LocalPostgres, PORT, Result, SUPERUSER, io_err};

impl LocalPostgres {
    /// Runs one SQL statement as the superuser over the socket; returns its output.
    pub(super) async fn psql(&self, sql: &str) -> Result<String> {
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
    pub(super) fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut pg_ctl = self.command(&self.bindir.join("pg_ctl"));
        pg_ctl.args(args).arg("-D").arg(&self.dir);
        pg_ctl
    }

    /// Runs `program` as `run_as` if set, without our `PG*` variables (PGHOST,
    /// PGOPTIONS, …), which could redirect or alter it.
    pub(super) fn command(&self, program: &Path) -> Command {
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

    pub(super) async fn exec(&self, what: &str, cmd: Command) -> Result<Output> {
        let output = tokio::process::Command::from(cmd).output().await;
        output.map_err(io_err(format!("run {what}")))
    }

    /// Runs `cmd`; returns its stdout, or an error with its status and output.
    pub(super) async fn run(&self, what: String, cmd: Command) -> Result<String> {
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

/// A finished command's exit status, stderr and stdout, for error messages.
pub(super) fn describe(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = format!("{}\n{stderr}{stdout}", out.status);
    text.trim_end().to_owned()
}

pub(super) fn path_dirs() -> Vec<PathBuf> {
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
pub(super) async fn find_bindir() -> Option<PathBuf> {
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

pub(super) fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|meta| meta.is_file() && meta.mode() & 0o111 != 0)
}
