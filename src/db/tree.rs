//! Tables that hold a tree by `parent_id` (categories, organisations): the rules every such
//! tree keeps, written once. Changes to one tree take turns under its advisory lock, so two
//! moves cannot together make a cycle.

use diesel::sql_types::{BigInt, Bool, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::locks::{self, Global};
use super::sql::Sql;
use crate::error::{ModelError, ModelResult};

/// A table holding a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tree {
    Categories,
    Organizations,
}

impl Tree {
    fn table(self) -> &'static str {
        match self {
            Tree::Categories => "categories",
            Tree::Organizations => "organizations",
        }
    }

    fn lock(self) -> Global {
        match self {
            Tree::Categories => Global::CategoryTree,
            Tree::Organizations => Global::OrganizationTree,
        }
    }

    /// How a row of this tree is named in messages: the noun, with its article, and the
    /// plural of its children.
    fn noun(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Tree::Categories => ("category", "a category", "sub-categories"),
            Tree::Organizations => ("organization", "an organization", "sub-organizations"),
        }
    }
}

/// Takes the tree's lock until the end of the transaction; take it before reading the rows a
/// change depends on.
pub async fn lock(conn: &mut AsyncPgConnection, tree: Tree) -> ModelResult<()> {
    locks::xact_lock(conn, tree.lock()).await
}

#[derive(diesel::QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// A 422 on `parent_id` when moving `id` under `parent` would make a cycle (the parent is the
/// row itself or below it), or when `parent` does not exist.
pub async fn check_parent(
    conn: &mut AsyncPgConnection,
    tree: Tree,
    id: Option<Uuid>,
    parent: Uuid,
) -> ModelResult<()> {
    let table = tree.table();
    let mut exists = Sql::new(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = "));
    exists.bind::<SqlUuid, _>(parent).push(") AS flag");
    if !exists.get_result::<Flag>(conn).await?.flag {
        return Err(ModelError::invalid(
            "parent_id",
            "not_found",
            format!("no such {}", tree.noun().0),
        ));
    }
    let Some(id) = id else { return Ok(()) };
    let mut below = Sql::new(&format!(
        "WITH RECURSIVE below (id) AS (SELECT id FROM {table} WHERE id = "
    ));
    below
        .bind::<SqlUuid, _>(id)
        .push(&format!(
            " UNION SELECT t.id FROM {table} t JOIN below b ON t.parent_id = b.id) \
             SELECT EXISTS (SELECT 1 FROM below WHERE id = "
        ))
        .bind::<SqlUuid, _>(parent)
        .push(") AS flag");
    if below.get_result::<Flag>(conn).await?.flag {
        return Err(ModelError::invalid(
            "parent_id",
            "cycle",
            format!(
                "{} cannot move under itself or one of its descendants",
                tree.noun().1
            ),
        ));
    }
    Ok(())
}

/// A 409 when `id` still has children (delete or move them first).
pub async fn refuse_if_parent(
    conn: &mut AsyncPgConnection,
    tree: Tree,
    id: Uuid,
) -> ModelResult<()> {
    let mut count = Sql::new(&format!(
        "SELECT count(*) AS n FROM {} WHERE parent_id = ",
        tree.table()
    ));
    count.bind::<SqlUuid, _>(id);
    let children = count.get_result::<Count>(conn).await?.n;
    match children {
        0 => Ok(()),
        n => {
            let (noun, _, plural) = tree.noun();
            Err(ModelError::Conflict(format!(
                "the {noun} has {n} {plural}; move or delete them first"
            )))
        }
    }
}
