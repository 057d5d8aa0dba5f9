//! Conditions shared by resources that show each other's rows (an agreement lists the
//! articles that report it; the articles own that link).

/// The SQL condition "article `alias` is public": published, due, not in the trash.
pub fn public_article(alias: &str) -> String {
    format!(
        "({alias}.status = 'published' AND {alias}.published_at <= now() AND {alias}.deleted_at IS NULL)"
    )
}

/// When the next scheduled article becomes public (the earliest `published_at` still in the
/// future of a published, untrashed article), if one is scheduled.
pub async fn next_publication(
    conn: &mut diesel_async::AsyncPgConnection,
) -> crate::error::ModelResult<Option<chrono::DateTime<chrono::Utc>>> {
    use diesel::dsl::{min, now};
    use diesel::prelude::*;
    use diesel_async::RunQueryDsl;

    use super::schema::articles;
    Ok(articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::deleted_at.is_null())
        .filter(articles::published_at.gt(now))
        .select(min(articles::published_at))
        .first(conn)
        .await?)
}
