//! The demo's people: organisations (a tree, found by name under their parent) and
//! signatories (found by name).

use std::collections::HashMap;

use diesel::OptionalExtension;
use diesel::sql_types::{Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::db::sql::Sql;
use crate::domain::limits::{ORGANIZATION_NAME_MAX, POSITION_MAX, SHORT_NAME_MAX};
use crate::domain::{PersonName, PlainText, Title};
use crate::error::ApiError;
use crate::events::{self, Actor, Verb};
use crate::organizations::model::{self as organizations, NewOrganization};
use crate::organizations::views::{OrganizationKind, OrganizationView};
use crate::signatories::model::{self as signatories, SignatoryContent};

use super::fixture::{DemoOrganization, DemoSignatory};
use super::{Found, Tally, invalid};

/// The demo's bodies, found by name under their parent (case and tone marks aside) or
/// created; parents first.
pub(super) async fn load_organizations(
    conn: &mut AsyncPgConnection,
    demo: &[DemoOrganization],
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids: HashMap<String, Uuid> = HashMap::new();
    let mut pending: Vec<&DemoOrganization> = demo.iter().collect();
    while !pending.is_empty() {
        let before = pending.len();
        let mut rest = Vec::new();
        for o in pending {
            let parent = match &o.parent {
                None => None,
                Some(key) => match ids.get(key) {
                    Some(id) => Some(*id),
                    None => {
                        rest.push(o);
                        continue;
                    }
                },
            };
            let name = o.name.trim().to_string();
            let mut find =
                Sql::new("SELECT id FROM organizations WHERE bantin_fold(name) = bantin_fold(");
            find.bind::<Text, _>(name.clone())
                .push(") AND parent_id IS NOT DISTINCT FROM ")
                .bind::<Nullable<SqlUuid>, _>(parent);
            let found: Option<Found> = find.get_result(conn).await.optional()?;
            let id = match found {
                Some(f) => {
                    tally.unchanged += 1;
                    f.id
                }
                None => {
                    if OrganizationKind::parse(&o.kind).is_none() {
                        return Err(invalid(format!("organization kind `{}`", o.kind)));
                    }
                    tally.created += 1;
                    let row = organizations::create(
                        conn,
                        NewOrganization {
                            name: Title::parse(&name, ORGANIZATION_NAME_MAX).map_err(|r| {
                                invalid(format!("organization `{name}`: {}", r.message))
                            })?,
                            short_name: PlainText::parse(
                                o.short_name.as_deref().unwrap_or(""),
                                SHORT_NAME_MAX,
                            )
                            .map_err(|r| {
                                invalid(format!("organization `{name}`: {}", r.message))
                            })?,
                            kind: o.kind.clone(),
                            parent_id: parent,
                        },
                    )
                    .await?;
                    let view = OrganizationView::from(row);
                    events::record_one(conn, Actor::SYSTEM, Verb::Created, &view).await?;
                    view.id
                }
            };
            ids.insert(o.key.clone(), id);
        }
        if rest.len() == before {
            return Err(invalid("organizations whose parent is missing or a cycle"));
        }
        pending = rest;
    }
    Ok((tally, ids))
}

/// The demo's people, found by name or created.
pub(super) async fn load_signatories(
    conn: &mut AsyncPgConnection,
    demo: &[DemoSignatory],
    orgs: &HashMap<String, Uuid>,
    media: &str,
) -> Result<(Tally, HashMap<String, Uuid>), ApiError> {
    let mut tally = Tally::default();
    let mut ids = HashMap::new();
    for p in demo {
        // The rules of `POST /signatories`.
        let full_name = PersonName::parse(&p.full_name)
            .map_err(|r| invalid(format!("signatory `{}`: {}", p.full_name, r.message)))?
            .into_inner();
        let position = PlainText::parse(&p.current_position, POSITION_MAX)
            .map_err(|r| invalid(format!("signatory `{full_name}`: {}", r.message)))?;
        let mut find = Sql::new("SELECT id FROM signatories WHERE full_name = ");
        find.bind::<Text, _>(full_name.clone())
            .push(" ORDER BY created_at LIMIT 1");
        let id = match find.get_result::<Found>(conn).await.optional()? {
            Some(f) => {
                tally.unchanged += 1;
                f.id
            }
            None => {
                tally.created += 1;
                let organization_id = match &p.organization {
                    None => None,
                    Some(k) => Some(
                        *orgs
                            .get(k)
                            .ok_or_else(|| invalid(format!("no organization `{k}`")))?,
                    ),
                };
                let content = SignatoryContent {
                    full_name,
                    current_position: position.into_inner(),
                    organization_id,
                    photo_id: None,
                };
                let id = signatories::create(conn, content).await?;
                let view = crate::signatories::handlers::load_view(conn, id, media).await?;
                events::record_one(conn, Actor::SYSTEM, Verb::Created, &view).await?;
                id
            }
        };
        ids.insert(p.key.clone(), id);
    }
    Ok((tally, ids))
}
