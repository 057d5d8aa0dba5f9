//! Conditions shared by resources that show each other's rows (an agreement lists the
//! articles that report it; the articles own that link).

/// The SQL condition "article `alias` is public": published, due, not in the trash.
pub fn public_article(alias: &str) -> String {
    format!(
        "({alias}.status = 'published' AND {alias}.published_at <= now() AND {alias}.deleted_at IS NULL)"
    )
}
