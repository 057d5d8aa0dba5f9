//! Hand-written SQL for the read models that join what a page needs in one query.
//!
//! Diesel treats every raw `sql_query` as uncacheable, so each run would be parsed and
//! planned again by PostgreSQL. [`Sql`] keeps the text and its binds apart and lets diesel
//! cache the prepared statement under its text: a statement is prepared once per connection
//! for each distinct shape (a bounded set: filters present or absent, sort, cursor), then
//! only bound and executed.

use diesel::QueryResult;
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{HasSqlType, SingleValue, Untyped};

type Bind = Box<dyn QueryFragment<Pg> + Send>;

enum Part {
    Text(String),
    Bind(Bind),
}

/// A statement assembled from text and bound values.
#[derive(Default)]
pub struct Sql {
    parts: Vec<Part>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql {
            parts: vec![Part::Text(text.to_string())],
        }
    }

    /// Appends SQL text (never user input: that goes through [`Sql::bind`]).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.parts.push(Part::Text(text.to_string()));
        self
    }

    /// Appends a bind parameter (`$n`) holding `value` as SQL type `ST`.
    pub fn bind<ST, V>(&mut self, value: V) -> &mut Self
    where
        ST: SingleValue + diesel::sql_types::SqlType + diesel::expression::TypedExpressionType,
        Pg: HasSqlType<ST>,
        V: AsExpression<ST>,
        V::Expression: QueryFragment<Pg> + Send + 'static,
    {
        self.parts
            .push(Part::Bind(Box::new(AsExpression::<ST>::as_expression(
                value,
            ))));
        self
    }
}

impl QueryFragment<Pg> for Sql {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_sql(text),
                Part::Bind(bind) => bind.walk_ast(out.reborrow())?,
            }
        }
        Ok(())
    }
}

impl QueryId for Sql {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Sql {
    type SqlType = Untyped;
}

impl<Conn> diesel::query_dsl::RunQueryDsl<Conn> for Sql {}

/// A table whose rows other rows name by `id`.
#[derive(Debug, Clone, Copy)]
pub enum IdTable {
    Articles,
    Photos,
    Organizations,
    Signatories,
    Agreements,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Articles => "articles",
            IdTable::Photos => "photos",
            IdTable::Organizations => "organizations",
            IdTable::Signatories => "signatories",
            IdTable::Agreements => "agreements",
        }
    }
}

/// Which of `ids` name rows of `table` (for the 422s of writes that reference them).
pub async fn existing_ids(
    conn: &mut diesel_async::AsyncPgConnection,
    table: IdTable,
    ids: &[uuid::Uuid],
) -> crate::error::ModelResult<Vec<uuid::Uuid>> {
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: uuid::Uuid,
    }
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(&format!("SELECT id FROM {} WHERE id = ANY(", table.name()));
    sql.bind::<diesel::sql_types::Array<diesel::sql_types::Uuid>, _>(ids.to_vec())
        .push(")");
    let rows: Vec<Found> = diesel_async::RunQueryDsl::load(sql, conn).await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Escapes `%`, `_` and `\` so that `text` matches itself inside a `LIKE` pattern.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
