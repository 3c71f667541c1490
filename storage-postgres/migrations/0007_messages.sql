-- Messages to clients and professionals (R28-R33): the queue the workers
-- claim from (FOR UPDATE SKIP LOCKED), kept after sending as the record of
-- what went out. The id is derived from the notice and the channel, so a
-- notice found again is not queued twice. A claim leases a pending message
-- (`lease`, `lease_until`) to one worker; only that lease records the
-- outcome.
CREATE TABLE messages (
    id              uuid        NOT NULL PRIMARY KEY,
    business_id     uuid        NOT NULL,
    key             text        NOT NULL,
    channel         text        NOT NULL,
    recipient       text        NOT NULL,
    professional_id uuid,
    address         text        NOT NULL,
    name            text        NOT NULL,
    topic           text        NOT NULL,
    subject         text        NOT NULL,
    lang            text        NOT NULL,
    title           text        NOT NULL,
    body            text        NOT NULL,
    vals            jsonb       NOT NULL,
    due_at          timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    status          text        NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        integer     NOT NULL,
    next_at         timestamptz NOT NULL,
    lease           uuid,
    lease_until     timestamptz,
    last_error      text,
    sent_at         timestamptz,
    reference       text,
    read_at         timestamptz
);
CREATE INDEX messages_due ON messages (next_at) WHERE status = 'pending';
CREATE INDEX messages_of_business ON messages (business_id, created_at);

-- The last event of each business that messages were gathered from.
CREATE TABLE gathered (
    business_id uuid   NOT NULL PRIMARY KEY,
    number      bigint NOT NULL
);

-- A business's own message templates; the defaults are the engine's.
CREATE TABLE templates (
    business_id uuid NOT NULL,
    topic       text NOT NULL,
    form        text NOT NULL,
    lang        text NOT NULL,
    title       text NOT NULL,
    body        text NOT NULL,
    PRIMARY KEY (business_id, topic, form, lang)
);

-- Unpaid receivables by due date, for the worker's look across businesses.
CREATE INDEX receivables_unpaid_due ON receivables (due) WHERE paid_at IS NULL;
