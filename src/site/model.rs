//! The one-row `site` table.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::db::schema::site;
use crate::error::{ModelError, ModelResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = site)]
pub struct SiteRow {
    pub name: String,
    pub publisher: String,
    pub responsible_person: String,
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub attribution_notice: String,
    pub time_zone: String,
    pub visit_count: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Every setting, already checked.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = site)]
pub struct SiteSettings {
    pub name: String,
    pub publisher: String,
    pub responsible_person: String,
    pub address: String,
    pub phone: String,
    pub fax: String,
    pub email: String,
    pub attribution_notice: String,
    pub time_zone: String,
}

pub async fn get(conn: &mut AsyncPgConnection) -> ModelResult<SiteRow> {
    Ok(site::table.select(SiteRow::as_select()).first(conn).await?)
}

/// Whether PostgreSQL knows the IANA time zone `name`.
pub async fn is_time_zone(conn: &mut AsyncPgConnection, name: &str) -> ModelResult<bool> {
    #[derive(QueryableByName)]
    struct Known {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        known: bool,
    }
    let row: Known = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1) AS known",
    )
    .bind::<diesel::sql_types::Text, _>(name)
    .get_result(conn)
    .await?;
    Ok(row.known)
}

/// Replaces the settings, after `precondition` accepted the current ones; the settings after,
/// and whether they changed.
pub async fn replace(
    conn: &mut AsyncPgConnection,
    settings: SiteSettings,
    precondition: impl FnOnce(&SiteRow) -> ModelResult<()> + Send + 'static,
) -> ModelResult<(SiteRow, bool)> {
    conn.transaction::<_, ModelError, _>(async move |conn| {
        let current: SiteRow = site::table
            .select(SiteRow::as_select())
            .for_update()
            .first(conn)
            .await?;
        precondition(&current)?;
        let same = current.name == settings.name
            && current.publisher == settings.publisher
            && current.responsible_person == settings.responsible_person
            && current.address == settings.address
            && current.phone == settings.phone
            && current.fax == settings.fax
            && current.email == settings.email
            && current.attribution_notice == settings.attribution_notice
            && current.time_zone == settings.time_zone;
        if same {
            return Ok((current, false));
        }
        let row = diesel::update(site::table)
            .set((
                settings,
                site::version.eq(site::version + 1),
                site::updated_at.eq(Utc::now()),
            ))
            .returning(SiteRow::as_returning())
            .get_result(conn)
            .await?;
        Ok((row, true))
    })
    .await
}

/// Counts one visit, atomically; returns the new count.
pub async fn add_visit(conn: &mut AsyncPgConnection) -> ModelResult<i64> {
    Ok(diesel::update(site::table)
        .set(site::visit_count.eq(site::visit_count + 1))
        .returning(site::visit_count)
        .get_result(conn)
        .await?)
}
