-- Webhooks: endpoints that hear about events, and one delivery per (endpoint, event), made in
-- the transaction of the event (a trigger on `events`), so a committed event always has its
-- deliveries and a rolled-back one has none.
CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    url text NOT NULL,
    events text[] NOT NULL,                    -- types, prefixes (`article.*`) or `*`
    enabled boolean NOT NULL DEFAULT true,
    description text NOT NULL DEFAULT '',
    secret text NOT NULL,                      -- `whsec_…`, shown once
    disabled_reason text,
    failure_streak integer NOT NULL DEFAULT 0, -- failed attempts in a row
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,                       -- the `webhook-id` header, the same on every try
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id uuid,                             -- NULL for a ping
    event_type text NOT NULL,
    payload jsonb NOT NULL,                    -- the body sent
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz DEFAULT now(), -- NULL once delivered or given up
    leased_until timestamptz,                  -- a replica is sending it until then
    created_at timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_of ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_created ON webhook_deliveries (created_at);

CREATE TABLE webhook_attempts (
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    n integer NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code integer,                       -- NULL when no answer came
    duration_ms integer NOT NULL,
    error text,
    PRIMARY KEY (delivery_id, n)
);

-- Whether webhook pattern `pattern` selects event type `type`.
CREATE FUNCTION bantin_event_matches(pattern text, type text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT pattern = '*' OR pattern = type
        OR (right(pattern, 2) = '.*' AND starts_with(type, left(pattern, -1)))
$$;

-- The body of a delivery: the event as integrators read it.
CREATE FUNCTION events_fan_out() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, payload)
    SELECT gen_random_uuid(), w.id, NEW.id, NEW.type,
           jsonb_build_object(
               'id', NEW.id, 'type', NEW.type, 'timestamp', NEW.occurred_at,
               'actor', jsonb_build_object('user_id', NEW.actor_user_id, 'token_id', NEW.actor_token_id),
               'resource', jsonb_build_object('type', NEW.resource_type, 'id', NEW.resource_id,
                                              'version', NEW.resource_version),
               'data', NEW.data)
    FROM webhooks w
    WHERE w.enabled AND EXISTS (SELECT 1 FROM unnest(w.events) p WHERE bantin_event_matches(p, NEW.type));
    RETURN NULL;
END $$;
CREATE TRIGGER events_fan_out AFTER INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION events_fan_out();
