//! Unique slugs: a slug derived from a title that is already taken gets `-2`, `-3`, …

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::sql::Sql;
use crate::error::{ModelError, ModelResult};
use crate::text::SLUG_MAX;

#[derive(diesel::QueryableByName)]
struct Taken {
    #[diesel(sql_type = Text)]
    slug: String,
}

/// Which table a slug must be unique in.
#[derive(Debug, Clone, Copy)]
pub enum SlugTable {
    Articles,
    Categories,
}

impl SlugTable {
    fn name(self) -> &'static str {
        match self {
            SlugTable::Articles => "articles",
            SlugTable::Categories => "categories",
        }
    }
}

/// Whether `slug` is used by a row other than `except`.
pub async fn is_taken(
    conn: &mut AsyncPgConnection,
    table: SlugTable,
    slug: &str,
    except: Option<Uuid>,
) -> ModelResult<bool> {
    let mut sql = Sql::new(&format!("SELECT slug FROM {} WHERE slug = ", table.name()));
    sql.bind::<Text, _>(slug.to_string());
    if let Some(id) = except {
        sql.push(" AND id <> ").bind::<SqlUuid, _>(id);
    }
    let rows: Vec<Taken> = sql.load(conn).await?;
    Ok(!rows.is_empty())
}

/// Length of the common stem of a base and its suffixed forms (slugs are ASCII).
const STEM_MAX: usize = SLUG_MAX - 10;

/// The first free slug among `base`, `base-2`, `base-3`, … (the base shortened if the
/// suffix would make it too long). Call inside the transaction that inserts the row: writers
/// deriving from the same base take turns until it commits (a transaction-scoped advisory
/// lock), so they pick different slugs.
pub async fn free_slug(
    conn: &mut AsyncPgConnection,
    table: SlugTable,
    base: &str,
    except: Option<Uuid>,
) -> ModelResult<String> {
    // Every candidate starts with this stem (suffixes shorten a long base by at most 7
    // characters), so one lookup sees every slug that could clash, and writers whose bases
    // share it take turns.
    let stem = base[..base.len().min(STEM_MAX)].trim_end_matches('-');
    let key = format!("{}:{stem}", table.name());
    super::locks::xact_lock_on(conn, super::locks::Keyed::SlugStem, &key).await?;
    let mut sql = Sql::new(&format!(
        "SELECT slug FROM {} WHERE slug LIKE ",
        table.name()
    ));
    sql.bind::<Text, _>(format!("{}%", super::sql::like_escape(stem)));
    if let Some(id) = except {
        sql.push(" AND id <> ").bind::<SqlUuid, _>(id);
    }
    let taken: std::collections::HashSet<String> = sql
        .load::<Taken>(conn)
        .await?
        .into_iter()
        .map(|t| t.slug)
        .collect();
    if !taken.contains(base) {
        return Ok(base.to_string());
    }
    for n in 2..100_000u32 {
        let suffix = format!("-{n}");
        let head = base[..base.len().min(SLUG_MAX - suffix.len())].trim_end_matches('-');
        let candidate = format!("{head}{suffix}");
        if !taken.contains(&candidate) {
            return Ok(candidate);
        }
    }
    Err(ModelError::Conflict(
        "no free slug left for this title".into(),
    ))
}
