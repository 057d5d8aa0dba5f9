//! Checks on the cluster directory (what pg_ctl's quoting and a socket path allow, whether
//! the `postgres` user can reach it) and giving it to that user.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use nix::unistd::User;

use super::{LocalPgError, MAX_SOCKET_PATH, Result, SOCKET, io_err};

/// Rejects paths that pg_ctl's shell quoting cannot carry, and socket paths too long for `sun_path`.
pub(super) fn check_path(dir: &Path) -> Result<()> {
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
pub(super) fn check_reachable(dir: &Path, user: &User) -> Result<()> {
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
pub(super) fn chown_tree(path: &Path, user: &User, recursive: bool) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))?;
    if recursive && fs::symlink_metadata(path)?.is_dir() {
        for entry in fs::read_dir(path)? {
            chown_tree(&entry?.path(), user, true)?;
        }
    }
    Ok(())
}
