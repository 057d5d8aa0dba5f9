//! Keyset paging in SQL, written once for every list: the condition that starts a page after
//! its cursor, the order, the offset of numbered pages and the one extra row that tells
//! whether a next page exists (see [`crate::paging`] for the parameters and the envelope).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::sql_types::{BigInt, Date, Int4, Int8, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::sql::Sql;
use crate::paging::{Paging, Start};

/// One value of a sort key, as a cursor holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum KeyValue {
    Int4(i32),
    Int8(i64),
    Text(String),
    /// Text compared in a collation (`"vi-x-icu"` for Vietnamese order).
    Collated(String, &'static str),
    Instant(DateTime<Utc>),
    Date(NaiveDate),
}

impl KeyValue {
    fn bind(&self, sql: &mut Sql) {
        match self {
            KeyValue::Int4(v) => sql.bind::<Int4, _>(*v),
            KeyValue::Int8(v) => sql.bind::<Int8, _>(*v),
            KeyValue::Text(v) => sql.bind::<Text, _>(v.clone()),
            KeyValue::Collated(v, collation) => sql
                .bind::<Text, _>(v.clone())
                .push(&format!(" COLLATE \"{collation}\"")),
            KeyValue::Instant(v) => sql.bind::<Timestamptz, _>(*v),
            KeyValue::Date(v) => sql.bind::<Date, _>(*v),
        };
    }
}

/// How a list is ordered: its sort columns (SQL expressions of the query's rows), then the
/// row id as the tie-breaker, all in one direction.
pub struct Order<'a> {
    pub columns: &'a [&'a str],
    pub id: &'a str,
    pub descending: bool,
}

/// Appends to `sql` (which already has its `WHERE`) the page that `paging` asks for: after
/// `after` (the cursor's key values and row id) in `order`, at most `limit + 1` rows.
pub fn page(
    sql: &mut Sql,
    order: &Order<'_>,
    after: Option<(Vec<KeyValue>, Uuid)>,
    paging: &Paging,
) {
    let (cmp, dir) = match order.descending {
        true => ("<", "DESC"),
        false => (">", "ASC"),
    };
    if let (Start::After(Some(_)), Some((values, id))) = (&paging.start, after) {
        sql.push(&format!(
            " AND ({}, {}) {cmp} (",
            order.columns.join(", "),
            order.id
        ));
        for value in &values {
            value.bind(sql);
            sql.push(", ");
        }
        sql.bind::<SqlUuid, _>(id).push(")");
    }
    let terms: Vec<String> = order
        .columns
        .iter()
        .chain(std::iter::once(&order.id))
        .map(|c| format!("{c} {dir}"))
        .collect();
    sql.push(&format!(" ORDER BY {}", terms.join(", ")));
    if let Start::Offset(offset) = paging.start {
        sql.push(" OFFSET ").bind::<BigInt, _>(offset);
    }
    sql.push(" LIMIT ").bind::<BigInt, _>(paging.limit + 1);
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The list's total when the page asks for it (`with_total`, numbered pages): `count` is the
/// list's `SELECT count(*) AS n FROM … WHERE …`.
pub async fn total(
    conn: &mut diesel_async::AsyncPgConnection,
    count: Sql,
    paging: &Paging,
) -> crate::error::ModelResult<Option<i64>> {
    use diesel_async::RunQueryDsl;
    match paging.with_total {
        true => Ok(Some(count.get_result::<Count>(conn).await?.n)),
        false => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Cursor;

    fn text(sql: &Sql) -> String {
        diesel::debug_query::<diesel::pg::Pg, _>(sql)
            .to_string()
            .split(" -- binds")
            .next()
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn a_page_after_a_cursor_is_one_row_comparison_then_the_order_and_one_more_row() {
        let id = Uuid::nil();
        let cursor = Cursor {
            sort: "name".into(),
            value: serde_json::json!("Hà"),
            id,
        };
        let paging = Paging {
            limit: 20,
            start: Start::After(Some(cursor)),
            with_total: false,
        };
        let order = Order {
            columns: &["c.name COLLATE \"vi-x-icu\""],
            id: "c.id",
            descending: false,
        };
        let mut sql = Sql::new("SELECT c.id FROM categories c WHERE true");
        let after = Some((vec![KeyValue::Collated("Hà".into(), "vi-x-icu")], id));
        page(&mut sql, &order, after, &paging);
        assert_eq!(
            text(&sql),
            "SELECT c.id FROM categories c WHERE true AND (c.name COLLATE \"vi-x-icu\", c.id) > ($1 COLLATE \"vi-x-icu\", $2) ORDER BY c.name COLLATE \"vi-x-icu\" ASC, c.id ASC LIMIT $3"
        );
    }

    #[test]
    fn numbered_pages_use_an_offset_and_descending_lists_compare_downwards() {
        let paging = Paging {
            limit: 10,
            start: Start::Offset(30),
            with_total: true,
        };
        let order = Order {
            columns: &["a.published_at"],
            id: "a.id",
            descending: true,
        };
        let mut sql = Sql::new("SELECT a.id FROM articles a WHERE true");
        page(&mut sql, &order, None, &paging);
        assert_eq!(
            text(&sql),
            "SELECT a.id FROM articles a WHERE true ORDER BY a.published_at DESC, a.id DESC OFFSET $1 LIMIT $2"
        );
    }
}
