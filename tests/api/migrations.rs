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

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    column_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    udt_name: String,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    nullable: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    primary: bool,
}

/// `table (keys) { column -> Type, … }` as `diesel print-schema` writes it, from the
/// migrated database.
fn printed(columns: &[Column]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for c in columns {
        let base = match c.udt_name.as_str() {
            "uuid" => "Uuid",
            "text" => "Text",
            "varchar" => "Varchar",
            "bool" => "Bool",
            "int2" => "Int2",
            "int4" => "Int4",
            "int8" => "Int8",
            "date" => "Date",
            "timestamptz" => "Timestamptz",
            "timestamp" => "Timestamp",
            "jsonb" => "Jsonb",
            "bytea" => "Bytea",
            "inet" => "Inet",
            "tsvector" => "Tsvector",
            // What `diesel print-schema` prints for `text[]` (PostgreSQL arrays may hold NULLs).
            "_text" => "Array<Nullable<Text>>",
            other => panic!(
                "no diesel type known for {other} ({}.{})",
                c.table_name, c.column_name
            ),
        };
        let ty = if c.nullable {
            format!("Nullable<{base}>")
        } else {
            base.to_string()
        };
        let key = if c.primary { " (key)" } else { "" };
        tables
            .entry(c.table_name.clone())
            .or_default()
            .push(format!("{}{key} -> {ty}", c.column_name));
    }
    tables
}

/// The same from `src/db/schema.rs`.
fn declared() -> std::collections::BTreeMap<String, Vec<String>> {
    let text = include_str!("../../src/db/schema.rs");
    let mut tables: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut current: Option<(String, Vec<String>)> = None;
    // `#[sql_name = "type"]` names the column of the next line (a Rust keyword there).
    let mut sql_name: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix("#[sql_name = \"") {
            sql_name = Some(name.trim_end_matches("\"]").to_string());
            continue;
        }
        if line == "}" {
            current = None;
            continue;
        }
        if let Some(head) = line.strip_suffix(" {")
            && let Some((name, keys)) = head.split_once(" (")
            && !name.contains(' ')
        {
            let keys = keys
                .trim_end_matches(')')
                .split(", ")
                .map(str::to_string)
                .collect();
            current = Some((name.to_string(), keys));
            continue;
        }
        if let (Some((name, keys)), Some((column, ty))) = (&current, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let renamed = sql_name.take();
            let column = renamed.as_deref().unwrap_or(column);
            let key = if keys.iter().any(|k| k == column) {
                " (key)"
            } else {
                ""
            };
            tables
                .entry(name.clone())
                .or_default()
                .push(format!("{column}{key} -> {ty}"));
        }
    }
    tables
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schema_knows_every_table_and_column() {
    let db = empty_database().await;
    bantin::db::run_migrations(&db.url).await.unwrap();
    let mut conn = AsyncPgConnection::establish(&db.url).await.unwrap();
    let columns: Vec<Column> = diesel::sql_query(
        "SELECT c.table_name::text, c.column_name::text, c.udt_name::text, \
                c.is_nullable = 'YES' AS nullable, \
                EXISTS (SELECT 1 FROM information_schema.table_constraints t \
                          JOIN information_schema.key_column_usage k \
                            ON k.constraint_name = t.constraint_name AND k.table_name = t.table_name \
                         WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_name = c.table_name \
                           AND k.column_name = c.column_name) AS primary \
           FROM information_schema.columns c \
          WHERE c.table_schema = 'public' AND c.table_name <> '__diesel_schema_migrations' \
          ORDER BY c.table_name, c.ordinal_position",
    )
    .load(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        declared(),
        printed(&columns),
        "src/db/schema.rs is stale: regenerate it with `diesel print-schema --database-url <a migrated database> > src/db/schema.rs`"
    );
}
