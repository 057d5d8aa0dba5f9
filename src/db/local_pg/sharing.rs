//! The lock files that let several bantin processes share one cluster: `<cluster>.lock`,
//! held exclusively around every start and stop decision, and `<cluster>.users`, share-locked
//! by every process that uses the cluster.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{LocalPgError, Result, io_err};

/// `<cluster>.lock` beside the cluster directory `dir` (absolute), in the
/// canonical form of its parent, which this creates if needed: every path to one
/// data directory names the same lock files.
pub(super) fn control_path(dir: &Path) -> Result<PathBuf> {
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
pub(super) fn beside(control: &Path, extension: &str) -> PathBuf {
    control.with_extension(extension)
}

/// Opens (creating) a lock file. Like every file std opens, it is closed on
/// `exec`, so no child process (`pg_ctl`, the server) inherits a lock.
pub(super) fn open_lock_file(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// Takes the exclusive lock on the control file, waiting for a process that
/// holds it (on a blocking thread); it is released when the file is dropped.
pub(super) async fn lock_control(path: &Path) -> Result<fs::File> {
    let what = format!("lock {}", path.display());
    let file = open_lock_file(path).map_err(io_err(&what))?;
    let locked = tokio::task::spawn_blocking(move || file.lock().map(|()| file)).await;
    let locked = locked.map_err(io::Error::other).flatten();
    locked.map_err(io_err(what))
}

/// Whether another open file (so another process, or another
/// [`LocalPostgres`](super::LocalPostgres) of this one) holds a lock on the users file, judged by a
/// non-blocking exclusive lock, released at once. `users` must hold no lock.
pub(super) fn others_use(users: &fs::File) -> io::Result<bool> {
    match users.try_lock() {
        Ok(()) => users.unlock().map(|()| false),
        Err(fs::TryLockError::WouldBlock) => Ok(true),
        Err(fs::TryLockError::Error(e)) => Err(e),
    }
}
