-- The outbox: one row per change of content, written in the transaction of the change, so a
-- rolled-back write leaves none. Rows are pruned after the retention period (the audit log
-- keeps its own copy of who did what).
CREATE TABLE events (
    id uuid PRIMARY KEY,                       -- UUIDv7: ordered by time
    type text NOT NULL,                        -- `article.published`, `site.updated`, ...
    occurred_at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid,                        -- no foreign key: events outlive accounts
    actor_token_id uuid,
    resource_type text NOT NULL,               -- `article`, `category`, ..., `site`
    resource_id uuid,                          -- NULL for the site (one row, no id)
    resource_version integer,
    data jsonb NOT NULL,                       -- the resource as an editor reads it
    xact_id bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint
);
CREATE INDEX events_resource ON events (resource_id, xact_id);
CREATE INDEX events_occurred ON events (occurred_at);

-- Every replica LISTENs on `bantin_events`; the notification goes out when the change commits.
CREATE FUNCTION events_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('bantin_events', NEW.type || ' ' || coalesce(NEW.resource_id::text, ''));
    RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_notify();

-- No change of content commits without its event: checked at commit, per changed row.
CREATE FUNCTION events_required() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events
                   WHERE resource_id = changed AND xact_id = pg_current_xact_id()::text::bigint) THEN
        RAISE EXCEPTION 'a change of % % has no event', TG_TABLE_NAME, changed
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION site_event_required() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM events
                   WHERE resource_type = 'site' AND xact_id = pg_current_xact_id()::text::bigint) THEN
        RAISE EXCEPTION 'a change of the site settings has no event'
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER articles_event_added AFTER INSERT OR DELETE ON articles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER articles_event_changed AFTER UPDATE ON articles
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER categories_event_added AFTER INSERT OR DELETE ON categories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER categories_event_changed AFTER UPDATE ON categories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER photos_event_added AFTER INSERT OR DELETE ON photos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER photos_event_changed AFTER UPDATE ON photos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER agreements_event_added AFTER INSERT OR DELETE ON agreements
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER agreements_event_changed AFTER UPDATE ON agreements
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER signatories_event_added AFTER INSERT OR DELETE ON signatories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER signatories_event_changed AFTER UPDATE ON signatories
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER organizations_event_added AFTER INSERT OR DELETE ON organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER organizations_event_changed AFTER UPDATE ON organizations
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION events_required();
CREATE CONSTRAINT TRIGGER site_event_changed AFTER UPDATE ON site
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.version IS DISTINCT FROM NEW.version)
    EXECUTE FUNCTION site_event_required();

-- Whether `article.published` was said for the article's current time in public: set when a
-- write makes it public or when the scheduler sees its time come, cleared when it leaves.
ALTER TABLE articles ADD COLUMN announced boolean NOT NULL DEFAULT false;
UPDATE articles SET announced = true
    WHERE status = 'published' AND published_at <= now() AND deleted_at IS NULL;
CREATE INDEX articles_due ON articles (published_at)
    WHERE status = 'published' AND NOT announced AND deleted_at IS NULL;
