-- Webhook endpoints (R46) and the log of their deliveries, which is also
-- the queue the workers claim from (as `messages`, FOR UPDATE SKIP
-- LOCKED). A delivery's id is derived from the endpoint and the event's
-- number, so an event is queued once per endpoint. The payload is kept as
-- the exact text signed.
CREATE TABLE endpoints (
    business_id     uuid        NOT NULL,
    id              uuid        NOT NULL,
    url             text        NOT NULL,
    events          jsonb       NOT NULL,
    sealed_secret   bytea       NOT NULL,
    active          integer     NOT NULL,
    disabled_reason text,
    created_at      timestamptz NOT NULL,
    PRIMARY KEY (business_id, id)
);

CREATE TABLE hook_deliveries (
    id           uuid        NOT NULL PRIMARY KEY,
    business_id  uuid        NOT NULL,
    endpoint_id  uuid        NOT NULL,
    event_number bigint      NOT NULL,
    event_type   text        NOT NULL,
    payload      text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts     integer     NOT NULL,
    next_at      timestamptz NOT NULL,
    lease        uuid,
    lease_until  timestamptz,
    last_error   text,
    last_status  integer,
    latency_ms   integer,
    created_at   timestamptz NOT NULL,
    sent_at      timestamptz
);
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX hook_deliveries_of_endpoint ON hook_deliveries (business_id, endpoint_id, created_at);
