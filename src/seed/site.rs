//! The site's settings and its visit count.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::schema::site;
use crate::error::ApiError;
use crate::events::{self, Actor, Verb};
use crate::site::model::{self as model, SiteSettings};
use crate::site::views::SiteView;
use crate::text;

use super::fixture::DemoSite;
use super::invalid;

/// The settings through `site::model::replace` (no new version when equal); the visit count
/// raised to the demo's only when lower (it is a counter, not a setting: no new version).
pub(super) async fn load(
    conn: &mut AsyncPgConnection,
    demo: &DemoSite,
) -> Result<(bool, (i64, i64)), ApiError> {
    let current = model::get(conn).await?;
    let email = demo.email.trim().to_string();
    if !email.is_empty() && text::parse_email(&email).is_err() {
        return Err(invalid("site.email is not an email address"));
    }
    let settings = SiteSettings {
        name: demo.name.trim().to_string(),
        publisher: demo.publisher.trim().to_string(),
        responsible_person: demo.responsible_person.trim().to_string(),
        address: demo.address.trim().to_string(),
        phone: demo.phone.trim().to_string(),
        fax: demo.fax.trim().to_string(),
        email,
        attribution_notice: demo.attribution_notice.trim().to_string(),
        // The demo has none: keep the portal's own.
        time_zone: current.time_zone.clone(),
    };
    let (after, changed) = model::replace(conn, settings, |_| Ok(())).await?;
    if changed {
        let view = SiteView::from(after.clone());
        events::record_one(conn, Actor::SYSTEM, Verb::Updated, &view).await?;
    }
    let raised: Option<i64> =
        diesel::update(site::table.filter(site::visit_count.lt(demo.visit_count)))
            .set(site::visit_count.eq(demo.visit_count))
            .returning(site::visit_count)
            .get_result(conn)
            .await
            .optional()?;
    let before = after.visit_count;
    Ok((changed, (before, raised.unwrap_or(before))))
}
