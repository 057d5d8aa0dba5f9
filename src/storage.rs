//! Where uploaded files live: a small trait with a local-directory backend (the default,
//! served by Bantin under `/media/`) and an S3-compatible one (served by the bucket or a CDN).
//!
//! Keys are relative paths derived from the content (`ab/ab12…/medium.jpg`), so a key names
//! one content for ever: writing it again is a no-op, and files are never overwritten with
//! something else.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use object_store::{
    Attribute, Attributes, ObjectStore, ObjectStoreExt, PutOptions, PutPayload,
    path::Path as ObjectPath,
};

use crate::config::{MediaBackend, MediaConfig, S3Config};

/// A store of immutable files by key.
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` under `key`, whole or not at all. `disposition`: the
    /// `Content-Disposition` an S3 object is served with (local files get theirs from Bantin).
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
        disposition: Option<&'a str>,
    ) -> BoxFuture<'a, io::Result<()>>;
    /// Removes `key`; a missing key is not an error.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, io::Result<()>>;
    /// The directory Bantin serves the files from, for a local store.
    fn local_root(&self) -> Option<&Path>;
}

/// The configured store.
pub fn from_config(media: &MediaConfig, data_dir: &Path) -> Result<Arc<dyn MediaStore>, String> {
    match &media.backend {
        MediaBackend::Local => Ok(Arc::new(LocalStore::new(
            data_dir.join("media"),
            data_dir.join("tmp"),
        ))),
        MediaBackend::S3(s3) => Ok(Arc::new(S3Store::new(s3)?)),
    }
}

/// A key is safe as a relative path: lowercase ASCII words, `/` between non-empty parts,
/// no dot-only parts.
pub fn is_safe_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|part| {
            !part.is_empty()
                && !part.starts_with('.')
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
        })
}

fn unsafe_key(key: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("unsafe media key {key:?}"),
    )
}

/// Prefix of the temporary files a write makes before renaming them into place.
pub const TEMP_PREFIX: &str = ".upload-";

/// How old a temporary file must be before the sweep at start removes it. Writes take
/// seconds; an hour leaves any write in flight on another replica sharing the directories
/// alone.
pub const STALE_TEMP_AGE: Duration = Duration::from_secs(60 * 60);

/// Files in a directory, each written to a temporary file in `tmp` (on the same filesystem,
/// normally) and renamed into place: a write interrupted by a crash leaves its partial file in
/// `tmp`, never among the media, and [`sweep_stale_temp_files`] removes it at the next start.
pub struct LocalStore {
    root: PathBuf,
    tmp: PathBuf,
    /// Cleared when `tmp` turns out to be on another filesystem than `root`: temporary files
    /// are then made beside their destination (`.upload-*`), which the sweep also finds.
    rename_from_tmp: AtomicBool,
}

impl LocalStore {
    /// Files under `root`, temporary files in `tmp`.
    pub fn new(root: PathBuf, tmp: PathBuf) -> Self {
        LocalStore {
            root,
            tmp,
            rename_from_tmp: AtomicBool::new(true),
        }
    }

    /// A temporary file holding `bytes` (synced), in `dir`.
    fn temp_file(dir: &Path, bytes: &[u8]) -> io::Result<tempfile::NamedTempFile> {
        std::fs::create_dir_all(dir)?;
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .tempfile_in(dir)?;
        io::Write::write_all(&mut tmp, bytes)?;
        tmp.as_file().sync_all()?;
        Ok(tmp)
    }

    async fn write(&self, key: &str, bytes: Bytes) -> io::Result<()> {
        if !is_safe_key(key) {
            return Err(unsafe_key(key));
        }
        let path = self.root.join(key);
        if tokio::fs::try_exists(&path).await? {
            return Ok(()); // same key, same content
        }
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        let tmp_dir = self
            .rename_from_tmp
            .load(Ordering::Relaxed)
            .then(|| self.tmp.clone());
        let renamed_from_tmp = tokio::task::spawn_blocking(move || -> io::Result<bool> {
            std::fs::create_dir_all(&dir)?;
            if let Some(tmp_dir) = tmp_dir {
                match Self::temp_file(&tmp_dir, &bytes)?.persist(&path) {
                    Ok(_) => return Ok(true),
                    // The temporary file is removed as `e.file` drops.
                    Err(e) if e.error.kind() == io::ErrorKind::CrossesDevices => {}
                    Err(e) => return Err(e.error),
                }
            }
            Self::temp_file(&dir, &bytes)?
                .persist(&path)
                .map_err(|e| e.error)?;
            Ok(false)
        })
        .await
        .map_err(io::Error::other)??;
        if !renamed_from_tmp && self.rename_from_tmp.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                tmp = %self.tmp.display(),
                media = %self.root.display(),
                "the temporary directory is on another filesystem than the media; \
                 writing temporary files beside their destination instead"
            );
        }
        Ok(())
    }

    async fn remove(&self, key: &str) -> io::Result<()> {
        if !is_safe_key(key) {
            return Err(unsafe_key(key));
        }
        match tokio::fs::remove_file(self.root.join(key)).await {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}

impl MediaStore for LocalStore {
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        _content_type: &'a str,
        _disposition: Option<&'a str>,
    ) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(self.write(key, bytes))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(self.remove(key))
    }

    fn local_root(&self) -> Option<&Path> {
        Some(&self.root)
    }
}

/// Removes what writes interrupted by a crash (`kill -9`, power loss) left behind: files in
/// `tmp_dir` and `.upload-*` files anywhere under `media_root`, last modified more than
/// `older_than` ago. Younger ones may be writes in flight (another replica sharing the
/// directories) and stay, as does every other file. Run once at start; returns how many files
/// went (what cannot be read or removed is logged and left).
pub fn sweep_stale_temp_files(
    tmp_dir: &Path,
    media_root: Option<&Path>,
    older_than: Duration,
) -> usize {
    let now = SystemTime::now();
    let stale = |entry: &walkdir::DirEntry| -> bool {
        entry.file_type().is_file()
            && entry
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age > older_than)
    };
    let mut candidates = Vec::new();
    let walk = |root: &Path, max_depth: usize| {
        walkdir::WalkDir::new(root)
            .min_depth(1)
            .max_depth(max_depth)
            .into_iter()
            .filter_map(|entry| match entry {
                Ok(entry) => Some(entry),
                Err(e) if e.io_error().map(io::Error::kind) == Some(io::ErrorKind::NotFound) => {
                    None
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot look for stale temporary files");
                    None
                }
            })
    };
    candidates.extend(walk(tmp_dir, 1).filter(|e| stale(e)));
    if let Some(root) = media_root {
        candidates.extend(
            walk(root, usize::MAX)
                .filter(|e| e.file_name().to_string_lossy().starts_with(TEMP_PREFIX) && stale(e)),
        );
    }
    let mut removed = 0;
    for entry in candidates {
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            // Another replica's sweep was first.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                tracing::warn!(error = %e, path = %entry.path().display(), "cannot remove a stale temporary file");
            }
        }
    }
    removed
}

/// Objects in an S3 bucket (AWS or any S3-compatible server), through `object_store`.
pub struct S3Store {
    store: Arc<dyn ObjectStore>,
}

impl S3Store {
    pub fn new(s3: &S3Config) -> Result<Self, String> {
        let mut builder = object_store::aws::AmazonS3Builder::new()
            .with_bucket_name(&s3.bucket)
            .with_region(&s3.region);
        if let Some(endpoint) = &s3.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"))
                .with_virtual_hosted_style_request(false);
        }
        if let Some(id) = &s3.access_key_id {
            builder = builder.with_access_key_id(id);
        }
        if let Some(secret) = &s3.secret_access_key {
            builder = builder.with_secret_access_key(secret.expose());
        }
        let store = builder
            .build()
            .map_err(|e| format!("S3 media store: {e}"))?;
        Ok(S3Store {
            store: Arc::new(store),
        })
    }

    async fn write(
        &self,
        key: &str,
        bytes: Bytes,
        content_type: &str,
        disposition: Option<&str>,
    ) -> io::Result<()> {
        if !is_safe_key(key) {
            return Err(unsafe_key(key));
        }
        let mut attributes = Attributes::from_iter([
            (Attribute::ContentType, content_type.to_string()),
            (
                Attribute::CacheControl,
                "public, max-age=31536000, immutable".to_string(),
            ),
        ]);
        if let Some(disposition) = disposition {
            attributes.insert(
                Attribute::ContentDisposition,
                disposition.to_string().into(),
            );
        }
        let options = PutOptions {
            attributes,
            ..Default::default()
        };
        self.store
            .put_opts(&ObjectPath::from(key), PutPayload::from(bytes), options)
            .await
            .map(|_| ())
            .map_err(io::Error::other)
    }

    async fn remove(&self, key: &str) -> io::Result<()> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(io::Error::other(e)),
        }
    }
}

impl MediaStore for S3Store {
    fn put<'a>(
        &'a self,
        key: &'a str,
        bytes: Bytes,
        content_type: &'a str,
        disposition: Option<&'a str>,
    ) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(self.write(key, bytes, content_type, disposition))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(self.remove(key))
    }

    fn local_root(&self) -> Option<&Path> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_cannot_leave_the_root() {
        assert!(is_safe_key("ab/ab12/medium.jpg"));
        for bad in [
            "",
            "../x",
            "a/../b",
            "/etc/passwd",
            "a//b",
            ".hidden",
            "A/b",
            "a\\b",
        ] {
            assert!(!is_safe_key(bad), "{bad}");
        }
    }

    /// Every file under `dir`, as paths relative to it.
    fn files_under(dir: &Path) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        files
    }

    #[tokio::test]
    async fn local_writes_are_whole_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("media"), dir.path().join("tmp"));
        store
            .put("ab/x.jpg", Bytes::from_static(b"one"), "image/jpeg", None)
            .await
            .unwrap();
        store
            .put("ab/x.jpg", Bytes::from_static(b"one"), "image/jpeg", None)
            .await
            .unwrap();
        assert_eq!(
            std::fs::read(dir.path().join("media/ab/x.jpg")).unwrap(),
            b"one"
        );
        assert_eq!(
            files_under(dir.path()),
            ["media/ab/x.jpg"],
            "no temporary file is left behind"
        );
        store.delete("ab/x.jpg").await.unwrap();
        store.delete("ab/x.jpg").await.unwrap();
        assert!(!dir.path().join("media/ab/x.jpg").exists());
        assert!(
            store
                .put("../x", Bytes::new(), "image/jpeg", None)
                .await
                .is_err()
        );
    }

    #[test]
    fn a_write_cut_short_leaves_its_temporary_file_outside_the_media() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().join("media"), dir.path().join("tmp"));
        std::fs::create_dir_all(dir.path().join("media/ab")).unwrap();
        // What `write` makes before renaming; forgetting it is what a kill -9 does.
        let tmp = LocalStore::temp_file(&store.tmp, &[0; 4096]).unwrap();
        std::mem::forget(tmp);
        assert!(files_under(&dir.path().join("media")).is_empty());
        assert_eq!(files_under(&dir.path().join("tmp")).len(), 1);
    }

    #[tokio::test]
    async fn a_temporary_directory_on_another_filesystem_still_works() {
        use std::os::unix::fs::MetadataExt;
        let media = tempfile::tempdir().unwrap();
        let Ok(tmp) = tempfile::tempdir_in("/dev/shm") else {
            eprintln!("skipped: no /dev/shm");
            return;
        };
        let device = |p: &Path| std::fs::metadata(p).unwrap().dev();
        if device(media.path()) == device(tmp.path()) {
            eprintln!("skipped: /dev/shm is on the same filesystem as the temporary directory");
            return;
        }
        let store = LocalStore::new(media.path().to_path_buf(), tmp.path().to_path_buf());
        for key in ["ab/x.jpg", "ab/y.jpg"] {
            store
                .put(key, Bytes::from_static(b"one"), "image/jpeg", None)
                .await
                .unwrap();
        }
        assert_eq!(files_under(media.path()), ["ab/x.jpg", "ab/y.jpg"]);
        assert!(files_under(tmp.path()).is_empty());
        assert!(!store.rename_from_tmp.load(Ordering::Relaxed));
    }

    #[test]
    fn the_sweep_removes_stale_temporary_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let (media, tmp) = (dir.path().join("media"), dir.path().join("tmp"));
        let hours_ago = |hours: u64| SystemTime::now() - Duration::from_secs(hours * 3600);
        let file = |path: &Path, modified: SystemTime| {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let f = std::fs::File::create(path).unwrap();
            f.set_modified(modified).unwrap();
        };
        // Left by writes killed two hours ago: go.
        file(&tmp.join(".upload-a1b2c3"), hours_ago(2));
        file(&media.join("ab/abcd/.upload-d4e5f6"), hours_ago(2));
        // Writes in flight (another replica's): stay.
        file(&tmp.join(".upload-fresh1"), SystemTime::now());
        file(&media.join("ab/abcd/.upload-fresh2"), SystemTime::now());
        // Stored files, however old: stay.
        file(&media.join("ab/abcd/original.jpg"), hours_ago(24 * 365));
        file(
            &media.join("attachments/0193/abcd.pdf"),
            hours_ago(24 * 365),
        );
        let removed = sweep_stale_temp_files(&tmp, Some(&media), STALE_TEMP_AGE);
        assert_eq!(removed, 2);
        assert_eq!(
            files_under(dir.path()),
            [
                "media/ab/abcd/.upload-fresh2",
                "media/ab/abcd/original.jpg",
                "media/attachments/0193/abcd.pdf",
                "tmp/.upload-fresh1"
            ]
        );
        // Nothing to do, or no directories at all: nothing happens.
        assert_eq!(
            sweep_stale_temp_files(&tmp, Some(&media), STALE_TEMP_AGE),
            0
        );
        let none = dir.path().join("none");
        assert_eq!(
            sweep_stale_temp_files(&none, Some(&none), STALE_TEMP_AGE),
            0
        );
    }
}
