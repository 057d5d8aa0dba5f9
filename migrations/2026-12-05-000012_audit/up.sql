-- The audit log: who did what, when, from where. Kept for good (events are pruned, these are
-- not); nothing changes or removes an entry (triggers below refuse it).
CREATE TABLE audit_log (
    id uuid PRIMARY KEY,                       -- UUIDv7 (a content event's own id)
    at timestamptz NOT NULL DEFAULT now(),
    actor_user_id uuid,                        -- no foreign key: entries outlive accounts
    actor_token_id uuid,
    action text NOT NULL,                      -- `article.published`, `auth.login_failed`, ...
    resource_type text,
    resource_id uuid,
    address inet,                              -- the client's, where the action had one
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor_user_id, at DESC);
CREATE INDEX audit_log_resource ON audit_log (resource_id, at DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Every content event is an entry too, in its transaction.
CREATE FUNCTION events_audit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (id, at, actor_user_id, actor_token_id, action, resource_type,
                           resource_id, detail)
    VALUES (NEW.id, NEW.occurred_at, NEW.actor_user_id, NEW.actor_token_id, NEW.type,
            NEW.resource_type, NEW.resource_id,
            jsonb_strip_nulls(jsonb_build_object(
                'version', NEW.resource_version,
                'title', NEW.data->>'title',
                'name', coalesce(NEW.data->>'name', NEW.data->>'full_name'),
                'slug', NEW.data->>'slug',
                'document_number', NEW.data->>'document_number')));
    RETURN NULL;
END $$;
CREATE TRIGGER events_audit AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_audit();
