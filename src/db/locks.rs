//! PostgreSQL advisory locks: every key Bantin uses is named here, so that no two rules
//! share one by accident and a reader can see what serialises what.
//!
//! Transaction-scoped locks (`pg_advisory_xact_lock`) end with the transaction that took
//! them; take them first in a transaction, and where a transaction takes several, always in
//! the order their keys are listed here.

use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::sql::Sql;
use crate::error::ModelResult;

/// A lock on one thing for the whole database.
#[derive(Debug, Clone, Copy)]
pub enum Global {
    /// Applying migrations (session-scoped, held by the migrating connection).
    Migrations = 727_000,
    /// Creating the first admin when there is no user.
    FirstAdmin = 727_001,
    /// Changing the category tree (moves, paths).
    CategoryTree = 727_002,
    /// Changing the organisation tree.
    OrganizationTree = 727_003,
    /// Changing accounts: serialises user updates and deletions, so that two admins
    /// demoting or disabling each other at once cannot both succeed (or deadlock).
    Accounts = 727_004,
}

/// A lock on one value of a kind: `pg_advisory_xact_lock(class, hashtext(value))`.
#[derive(Debug, Clone, Copy)]
pub enum Keyed {
    /// Deriving a slug from a stem (`<table>:<stem>`).
    SlugStem = 727_100,
    /// Storing the files of one upload (its SHA-256).
    PhotoFile = 727_200,
    /// Login attempts for one account (its email key).
    LoginAccount = 727_300,
    /// Login attempts from one client address.
    LoginAddress = 727_301,
}

#[derive(diesel::QueryableByName)]
struct Locked {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    #[allow(dead_code)]
    done: bool,
}

/// Takes `lock` until the end of the current transaction.
pub async fn xact_lock(conn: &mut AsyncPgConnection, lock: Global) -> ModelResult<()> {
    let mut sql = Sql::new("SELECT true AS done FROM pg_advisory_xact_lock(");
    sql.bind::<BigInt, _>(lock as i64).push(")");
    sql.load::<Locked>(conn).await?;
    Ok(())
}

/// Takes the lock of `class` on `value` until the end of the current transaction.
pub async fn xact_lock_on(
    conn: &mut AsyncPgConnection,
    class: Keyed,
    value: &str,
) -> ModelResult<()> {
    let mut sql = Sql::new("SELECT true AS done FROM pg_advisory_xact_lock(");
    sql.bind::<Integer, _>(class as i32)
        .push(", hashtext(")
        .bind::<Text, _>(value.to_string())
        .push("))");
    sql.load::<Locked>(conn).await?;
    Ok(())
}
