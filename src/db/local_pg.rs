//! TEMPORARY stub, replaced by the real module.
use std::path::{Path, PathBuf};
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct LocalPgError(String);
pub struct LocalPostgres { dir: PathBuf }
impl LocalPostgres {
    pub async fn start(dir: &Path, _db: &str) -> Result<Self, LocalPgError> { Ok(Self { dir: dir.to_path_buf() }) }
    pub async fn start_shared(dir: &Path, _db: &str) -> Result<Self, LocalPgError> { Ok(Self { dir: dir.to_path_buf() }) }
    pub fn url(&self, _db: &str) -> String { self.dir.display().to_string() }
    pub async fn stop(&self) -> Result<(), LocalPgError> { Err(LocalPgError("stub".into())) }
}
