-- Webhook endpoints (R46) and the log of their deliveries, which is also
-- the queue the workers claim from (as `messages`). A delivery's id is
-- derived from the endpoint and the event's number, so an event is queued
-- once per endpoint. The payload is kept as the exact text signed.
CREATE TABLE endpoints (
    business_id     TEXT    NOT NULL,
    id              TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    events          TEXT    NOT NULL,
    sealed_secret   BLOB    NOT NULL,
    active          INTEGER NOT NULL,
    disabled_reason TEXT,
    created_at      TEXT    NOT NULL,
    PRIMARY KEY (business_id, id)
) STRICT;

CREATE TABLE hook_deliveries (
    id           TEXT    NOT NULL PRIMARY KEY,
    business_id  TEXT    NOT NULL,
    endpoint_id  TEXT    NOT NULL,
    event_number INTEGER NOT NULL,
    event_type   TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts     INTEGER NOT NULL,
    next_at      TEXT    NOT NULL,
    lease        TEXT,
    lease_until  TEXT,
    last_error   TEXT,
    last_status  INTEGER,
    latency_ms   INTEGER,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT
) STRICT;
CREATE INDEX hook_deliveries_due ON hook_deliveries (next_at) WHERE status = 'pending';
CREATE INDEX hook_deliveries_of_endpoint ON hook_deliveries (business_id, endpoint_id, created_at);
