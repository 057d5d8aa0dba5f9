//! Where uploaded files live: a small trait with a local-directory backend (the default,
//! served by Bantin under `/media/`) and an S3-compatible one (served by the bucket or a CDN).
//!
//! Keys are relative paths derived from the content (`ab/ab12…/medium.jpg`), so a key names
//! one content for ever: writing it again is a no-op, and files are never overwritten with
//! something else.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
        MediaBackend::Local => Ok(Arc::new(LocalStore::new(data_dir.join("media")))),
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

/// Files in a directory, each written to a temporary file and renamed into place.
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn new(root: PathBuf) -> Self {
        LocalStore { root }
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
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let mut tmp = tempfile::Builder::new()
                .prefix(".upload-")
                .tempfile_in(&dir)?;
            io::Write::write_all(&mut tmp, &bytes)?;
            tmp.as_file().sync_all()?;
            tmp.persist(&path).map_err(|e| e.error)?;
            Ok(())
        })
        .await
        .map_err(io::Error::other)?
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

    #[tokio::test]
    async fn local_writes_are_whole_and_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::new(dir.path().to_path_buf());
        store
            .put("ab/x.jpg", Bytes::from_static(b"one"), "image/jpeg", None)
            .await
            .unwrap();
        store
            .put("ab/x.jpg", Bytes::from_static(b"one"), "image/jpeg", None)
            .await
            .unwrap();
        assert_eq!(std::fs::read(dir.path().join("ab/x.jpg")).unwrap(), b"one");
        let leftovers = std::fs::read_dir(dir.path().join("ab")).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
        store.delete("ab/x.jpg").await.unwrap();
        store.delete("ab/x.jpg").await.unwrap();
        assert!(!dir.path().join("ab/x.jpg").exists());
        assert!(
            store
                .put("../x", Bytes::new(), "image/jpeg", None)
                .await
                .is_err()
        );
    }
}
