//! `/articles`: public reading of published articles; authors write their own drafts;
//! editors and admins publish, archive, trash and restore; admins delete for good.

pub(crate) mod common;
mod input;
mod reads;
mod revisions;
mod writes;

pub use reads::{
    add_article_view, get_article, get_article_by_slug, list_articles, related_articles,
};
pub use revisions::{get_revision, list_revisions, restore_revision};
pub use writes::{create_article, delete_article, restore_article, update_article};
