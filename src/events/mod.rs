//! Events: one per change of content, written into the outbox table (`events`) in the
//! transaction of the change, so a rolled-back write leaves none and a committed one always
//! has its event. PostgreSQL itself refuses to commit a change of content without its event
//! (the `*_event_*` constraint triggers of migration 000010), so no write can forget it.
//!
//! A write records its events with [`record`] inside its transaction, with the resource as an
//! editor reads it. When the transaction commits, PostgreSQL notifies every replica (channel
//! [`CHANNEL`], see [`listener`]), which forgets its kept public answers. Scheduled articles
//! are announced by `articles::schedule` when their time comes.

pub mod listener;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::db::schema::events;
use crate::error::{ModelError, ModelResult};

/// The PostgreSQL notification channel of committed events.
pub const CHANNEL: &str = "bantin_events";

/// What kind of resource an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Article,
    Category,
    Photo,
    Agreement,
    Signatory,
    Organization,
    Site,
}

impl Resource {
    pub const ALL: [Resource; 7] = [
        Resource::Article,
        Resource::Category,
        Resource::Photo,
        Resource::Agreement,
        Resource::Signatory,
        Resource::Organization,
        Resource::Site,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Article => "article",
            Resource::Category => "category",
            Resource::Photo => "photo",
            Resource::Agreement => "agreement",
            Resource::Signatory => "signatory",
            Resource::Organization => "organization",
            Resource::Site => "site",
        }
    }

    /// The verbs events about this kind of resource use.
    pub fn verbs(self) -> &'static [Verb] {
        use Verb::*;
        match self {
            Resource::Article => &[
                Created,
                Updated,
                Published,
                Unpublished,
                Trashed,
                Restored,
                Deleted,
            ],
            Resource::Agreement => &[
                Created,
                Updated,
                Deleted,
                AttachmentAdded,
                AttachmentRemoved,
            ],
            Resource::Site => &[Updated],
            _ => &[Created, Updated, Deleted],
        }
    }
}

/// What happened to the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Created,
    Updated,
    /// An article became public: a write published it with a time already past, or the
    /// scheduler saw its scheduled time come, or it came back from the trash public.
    Published,
    /// A public article stopped being public (status changed, rescheduled into the future,
    /// moved to the trash or deleted).
    Unpublished,
    Trashed,
    Restored,
    Deleted,
    AttachmentAdded,
    AttachmentRemoved,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Created => "created",
            Verb::Updated => "updated",
            Verb::Published => "published",
            Verb::Unpublished => "unpublished",
            Verb::Trashed => "trashed",
            Verb::Restored => "restored",
            Verb::Deleted => "deleted",
            Verb::AttachmentAdded => "attachment_added",
            Verb::AttachmentRemoved => "attachment_removed",
        }
    }
}

/// Every event type there is (`article.published`, …), in a stable order.
pub fn all_types() -> Vec<String> {
    Resource::ALL
        .iter()
        .flat_map(|r| r.verbs().iter().map(move |v| type_name(*r, *v)))
        .collect()
}

fn type_name(resource: Resource, verb: Verb) -> String {
    format!("{}.{}", resource.as_str(), verb.as_str())
}

/// Who made a change: a user (signed in, or through one of their API tokens), or nobody (the
/// scheduler, the demo content).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<Uuid>,
    pub token_id: Option<Uuid>,
}

impl Actor {
    /// Bantin itself (the scheduler, the demo content).
    pub const SYSTEM: Actor = Actor {
        user_id: None,
        token_id: None,
    };

    pub fn user(user_id: Uuid, token_id: Option<Uuid>) -> Self {
        Self {
            user_id: Some(user_id),
            token_id,
        }
    }
}

/// One change of one resource, with the resource as an editor reads it after the change (or,
/// for a deletion, just before it).
#[derive(Debug, Clone)]
pub struct Event {
    pub resource: Resource,
    pub verb: Verb,
    /// `None` for the site settings, which have no id.
    pub resource_id: Option<Uuid>,
    pub version: Option<i32>,
    pub data: serde_json::Value,
}

impl Event {
    /// An event about `resource` `id` at `version`, showing `view`.
    pub fn new(
        resource: Resource,
        verb: Verb,
        id: Option<Uuid>,
        version: Option<i32>,
        view: &impl Serialize,
    ) -> ModelResult<Self> {
        debug_assert!(resource.verbs().contains(&verb), "{resource:?} {verb:?}");
        Ok(Self {
            resource,
            verb,
            resource_id: id,
            version,
            data: serde_json::to_value(view).map_err(ModelError::internal)?,
        })
    }

    /// The same resource, another verb (an article created public is also published).
    pub fn also(&self, verb: Verb) -> Self {
        Self {
            verb,
            ..self.clone()
        }
    }

    pub fn type_name(&self) -> String {
        type_name(self.resource, self.verb)
    }
}

/// A representation events carry: which kind of resource, its id and version.
pub trait Subject: Serialize {
    const RESOURCE: Resource;
    /// `None` for the site settings.
    fn subject_id(&self) -> Option<Uuid>;
    fn subject_version(&self) -> i32;
}

impl Event {
    /// `verb` happened to the resource `view` shows.
    pub fn of<S: Subject>(verb: Verb, view: &S) -> ModelResult<Self> {
        let (id, version) = (view.subject_id(), Some(view.subject_version()));
        Self::new(S::RESOURCE, verb, id, version, view)
    }
}

/// Records the single event `verb` of the resource `view` shows (see [`record`]).
pub async fn record_one<S: Subject>(
    conn: &mut AsyncPgConnection,
    actor: Actor,
    verb: Verb,
    view: &S,
) -> ModelResult<()> {
    record(conn, actor, [Event::of(verb, view)?]).await
}

/// Writes `events` into the outbox. Call it inside the transaction of the change.
pub async fn record(
    conn: &mut AsyncPgConnection,
    actor: Actor,
    events: impl IntoIterator<Item = Event>,
) -> ModelResult<()> {
    let now: DateTime<Utc> = Utc::now();
    let rows: Vec<_> = events
        .into_iter()
        .map(|event| {
            (
                events::id.eq(Uuid::now_v7()),
                events::type_.eq(event.type_name()),
                events::occurred_at.eq(now),
                events::actor_user_id.eq(actor.user_id),
                events::actor_token_id.eq(actor.token_id),
                events::resource_type.eq(event.resource.as_str()),
                events::resource_id.eq(event.resource_id),
                events::resource_version.eq(event.version),
                events::data.eq(event.data),
            )
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(events::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}
