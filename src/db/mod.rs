//! The database: connection pool, embedded migrations, the schema, and the private local
//! PostgreSQL cluster used when no `DATABASE_URL` is configured.

pub mod constraints;
pub mod keyset;
pub mod local_pg;
pub mod locks;
pub mod schema;
pub mod slugs;
pub mod sql;
pub mod tree;
pub mod visibility;

use std::time::Duration;

use diesel_async::AsyncPgConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

pub type DbPool = Pool<AsyncPgConnection>;
pub type DbConn = Object<AsyncPgConnection>;

tokio::task_local! {
    /// Statements sent to the database while serving the current request.
    pub static QUERY_COUNT: std::cell::Cell<u32>;
}

/// Counts every statement a pooled connection starts, for the request being served.
fn count_queries(event: diesel::connection::InstrumentationEvent<'_>) {
    if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
        let _ = QUERY_COUNT.try_with(|n| n.set(n.get() + 1));
    }
}

/// Builds a pool of `size` connections; connections are opened lazily.
pub fn pool(url: &str, size: usize) -> Result<DbPool, String> {
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    // Checking each connection with a test query on every checkout doubled the round trips
    // of a simple read. A connection that broke is marked so by diesel and not reused; one
    // that died idle fails its first request (503) and is then dropped.
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(|url| {
        Box::pin(async move {
            use diesel_async::AsyncConnection as _;
            let mut conn = AsyncPgConnection::establish(url).await?;
            diesel_async::AsyncConnection::set_instrumentation(&mut conn, count_queries);
            Ok(conn)
        })
    });
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
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
        let key = locks::Global::Migrations as i64;
        diesel::sql_query(format!("SELECT pg_advisory_lock({key})"))
            .execute(&mut conn)
            .map_err(|e| format!("cannot lock the schema for migrations: {e}"))?;
        conn.run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.iter().map(|m| m.to_string()).collect())
            .map_err(|e| format!("migration failed: {e}"))
    })
    .await
    .map_err(|e| format!("migration task failed: {e}"))?
}

/// How often [`watch`] checks the database.
const WATCH_EVERY: Duration = Duration::from_secs(5);
/// How long a check may take before the database counts as not answering.
const WATCH_TIMEOUT: Duration = Duration::from_secs(5);

/// Watches the database for as long as the server runs: one error line when it stops
/// answering, one info line when it answers again. Meanwhile requests that need it fail with
/// 503, and without this the log would say nothing about why. It uses a connection of its own,
/// so a busy pool never makes the database look lost. When the database is back, the pool
/// drops each connection that broke at its next checkout (diesel marks a closed one broken).
pub async fn watch(url: String) {
    let mut conn = None;
    let mut lost = false;
    let mut ticks = tokio::time::interval(WATCH_EVERY);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await; // the first tick is immediate; the server has just connected
    loop {
        ticks.tick().await;
        match check(&url, &mut conn).await {
            Ok(()) if lost => {
                lost = false;
                tracing::info!("the database answers again");
            }
            Err(error) if !lost => {
                lost = true;
                tracing::error!(
                    %error,
                    "the database does not answer; requests that need it fail with 503 until it is back"
                );
            }
            _ => {}
        }
    }
}

/// Pings over the kept connection; if that fails (it may have been closed by a restart of the
/// server), over a new one, which is kept.
async fn check(url: &str, conn: &mut Option<AsyncPgConnection>) -> Result<(), String> {
    use diesel_async::AsyncConnection as _;
    if let Some(kept) = conn.as_mut()
        && ping(kept).await.is_ok()
    {
        return Ok(());
    }
    *conn = None;
    let connect = tokio::time::timeout(WATCH_TIMEOUT, AsyncPgConnection::establish(url)).await;
    let mut fresh = connect
        .map_err(|_| format!("no connection within {WATCH_TIMEOUT:?}"))?
        .map_err(|e| format!("cannot connect: {e}"))?;
    ping(&mut fresh).await?;
    *conn = Some(fresh);
    Ok(())
}

async fn ping(conn: &mut AsyncPgConnection) -> Result<(), String> {
    use diesel_async::RunQueryDsl as _;
    let query = diesel::sql_query("SELECT 1").execute(conn);
    match tokio::time::timeout(WATCH_TIMEOUT, query).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!("no answer within {WATCH_TIMEOUT:?}")),
    }
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
