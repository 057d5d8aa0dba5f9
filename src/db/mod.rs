//! The database: connection pool, embedded migrations, the schema, and the private local
//! PostgreSQL cluster used when no `DATABASE_URL` is configured.

pub mod local_pg;
pub mod schema;

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

/// Builds a pool of `size` connections; connections are opened lazily.
pub fn pool(url: &str, size: usize) -> Result<DbPool, String> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(Duration::from_secs(10)))
        .create_timeout(Some(Duration::from_secs(10)))
        .runtime(deadpool_runtime())
        .build()
        .map_err(|e| format!("cannot build the connection pool: {e}"))
}

fn deadpool_runtime() -> deadpool::Runtime {
    deadpool::Runtime::Tokio1
}

/// Applies pending migrations; returns the versions applied.
///
/// Serialised between processes by an advisory lock. Runs on a blocking thread through
/// diesel's synchronous harness (diesel-async's own harness
/// needs a multi-threaded runtime context it cannot always have).
pub async fn run_migrations(url: &str) -> Result<Vec<String>, String> {
    let url = url.to_string();
    tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        use diesel::RunQueryDsl;
        use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
        let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::establish(&url)
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        // Replicas starting together take turns; the lock ends with the connection.
        diesel::sql_query("SELECT pg_advisory_lock(727000)")
            .execute(&mut conn)
            .map_err(|e| format!("cannot lock the schema for migrations: {e}"))?;
        conn.run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.iter().map(|m| m.to_string()).collect())
            .map_err(|e| format!("migration failed: {e}"))
    })
    .await
    .map_err(|e| format!("migration task failed: {e}"))?
}

/// The newest migration compiled into this binary, as diesel records it.
pub fn latest_migration_version() -> String {
    use diesel::migration::MigrationSource;
    let migrations: Vec<_> =
        MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).unwrap_or_default();
    migrations
        .iter()
        .map(|m| m.name().version().to_string())
        .max()
        .unwrap_or_default()
}
