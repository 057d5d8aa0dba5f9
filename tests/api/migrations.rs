//! Migrations: replicas starting together apply them once, without errors.

use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::helpers::empty_database;

#[derive(QueryableByName)]
struct Extension {
    #[diesel(sql_type = diesel::sql_types::Text)]
    extname: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_migration_runs_apply_each_migration_once() {
    let db = empty_database().await;
    let runs = (0..3).map(|_| bantin::db::run_migrations(&db.url));
    let results = futures_util::future::join_all(runs).await;
    let applied: usize = results
        .into_iter()
        .map(|r| r.expect("migration run").len())
        .sum();
    assert_eq!(
        applied,
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .count()
    );
    // The extensions later features need are there.
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let names: Vec<String> = diesel::sql_query("SELECT extname FROM pg_extension ORDER BY extname")
        .load::<Extension>(&mut conn)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.extname)
        .collect();
    assert!(
        names.contains(&"unaccent".to_string()) && names.contains(&"pg_trgm".to_string()),
        "{names:?}"
    );
}
