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

/// Escapes `%`, `_` and `\` so that `text` matches itself inside a `LIKE` pattern.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
