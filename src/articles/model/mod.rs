//! The `articles` table and the tables it owns (related articles, gallery, agreements
//! reported, revisions): the read models that embed the category (with its breadcrumb), the
//! author and the photos in the same query, and the writes.

mod links;
mod queries;
mod records;
pub mod revisions;
mod writes;

pub use queries::{
    After, ArticleFilter, ArticleSort, StatusSelect, TimeBound, find, first_position, list, related,
};
pub use records::{ArticleContent, ArticleKey, ArticleRecord, GalleryItem, Viewer};
pub use writes::{
    ArticleRow, Current, NewArticle, Went, add_view, announce, announced, create, due, purge,
    set_trashed, write,
};
