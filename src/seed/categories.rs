//! The category tree, found by slug.

use std::collections::HashMap;

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::categories::model::{self as model, CategoryChanges, NewCategory, SlugChoice};
use crate::categories::views::CategoryView;
use crate::domain::limits::CATEGORY_NAME_MAX;
use crate::domain::{PlainText, Slug, Title};
use crate::error::ApiError;
use crate::events::{self, Actor, Verb};

use super::fixture::DemoCategory;
use super::{Tally, invalid};

/// The slug a category is found under: derived from its name as the API derives it.
pub(super) fn slug_of(name: &str) -> Slug {
    Slug::derive(name)
        .or_else(|| Slug::derive("chuyen-muc"))
        .unwrap_or_else(|| unreachable!("a slug"))
}

/// The tree, parents before children; returns the id of every `key`.
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &[DemoCategory],
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut ids = HashMap::new();
    let mut tally = Tally::default();
    let mut pending: Vec<&DemoCategory> = demo.iter().collect();
    while !pending.is_empty() {
        let ready = pending
            .iter()
            .position(|c| c.parent.as_ref().is_none_or(|p| ids.contains_key(p)))
            .ok_or_else(|| invalid("a category's parent is missing or the tree has a cycle"))?;
        let category = pending.remove(ready);
        let parent_id = category.parent.as_ref().map(|p| ids[p]);
        let name = Title::parse(&category.name, CATEGORY_NAME_MAX)
            .map_err(|r| invalid(format!("category `{}`: {}", category.name, r.message)))?;
        let slug = slug_of(name.as_str());
        let id = match model::find_by_slug(conn, slug.as_str()).await? {
            None => {
                tally.created += 1;
                let new = NewCategory {
                    name,
                    slug: SlugChoice::Given(slug),
                    description: PlainText::default(),
                    parent_id,
                    position: None,
                };
                let view = CategoryView::from(model::create(conn, new).await?);
                events::record_one(conn, Actor::SYSTEM, Verb::Created, &view).await?;
                view.id
            }
            Some(row) => {
                let changes = CategoryChanges {
                    name: Some(name),
                    parent_id: Some(parent_id),
                    ..CategoryChanges::default()
                };
                let (after, changed) = model::update(conn, row.id, changes, |_| Ok(())).await?;
                if changed {
                    tally.updated += 1;
                    let view = CategoryView::from(after);
                    events::record_one(conn, Actor::SYSTEM, Verb::Updated, &view).await?;
                } else {
                    tally.unchanged += 1;
                }
                row.id
            }
        };
        ids.insert(category.key.clone(), id);
    }
    Ok((tally, ids))
}
