//! What every handler can reach: the database pool, the token keys and the settings.

use std::sync::Arc;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::db::DbPool;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub jwt: JwtKeys,
    pub config: Arc<Config>,
    /// Anonymous list answers kept for a few seconds.
    pub public_cache: Arc<crate::cache::PublicCache>,
    /// Where uploaded files are stored.
    pub media_store: Arc<dyn crate::storage::MediaStore>,
    /// Images being decoded at once are bounded by this (`BANTIN_MEDIA_WORKERS`).
    pub image_slots: Arc<tokio::sync::Semaphore>,
    /// And by the memory they need (`BANTIN_MEDIA_MEMORY_MB`).
    pub image_memory: Arc<crate::budget::MemoryBudget>,
    /// Makes and checks the CSRF tokens of the desk's forms.
    pub csrf: crate::auth::csrf::CsrfKeys,
    /// Wakes the webhook worker: an event committed, or a delivery was queued.
    pub wake_deliveries: Arc<tokio::sync::Notify>,
}

impl AppState {
    /// The base URL of stored files (ends in `/`), which photo and attachment URLs start with.
    pub fn media_url(&self) -> &str {
        &self.config.media.public_url
    }
}
