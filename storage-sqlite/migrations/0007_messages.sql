-- Messages to clients and professionals (R28-R33): the queue the workers
-- claim from, kept after sending as the record of what went out. The id is
-- derived from the notice and the channel, so a notice found again is not
-- queued twice. A claim leases a pending message (`lease`, `lease_until`)
-- to one worker; only that lease records the outcome.
CREATE TABLE messages (
    id              TEXT    NOT NULL PRIMARY KEY,
    business_id     TEXT    NOT NULL,
    key             TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    recipient       TEXT    NOT NULL,
    professional_id TEXT,
    address         TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    topic           TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    lang            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    vals            TEXT    NOT NULL,
    due_at          TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'dead')),
    attempts        INTEGER NOT NULL,
    next_at         TEXT    NOT NULL,
    lease           TEXT,
    lease_until     TEXT,
    last_error      TEXT,
    sent_at         TEXT,
    reference       TEXT,
    read_at         TEXT
) STRICT;
CREATE INDEX messages_due ON messages (next_at) WHERE status = 'pending';
CREATE INDEX messages_of_business ON messages (business_id, created_at);

-- The last event of each business that messages were gathered from.
CREATE TABLE gathered (
    business_id TEXT    NOT NULL PRIMARY KEY,
    number      INTEGER NOT NULL
) STRICT;

-- A business's own message templates; the defaults are the engine's.
CREATE TABLE templates (
    business_id TEXT NOT NULL,
    topic       TEXT NOT NULL,
    form        TEXT NOT NULL,
    lang        TEXT NOT NULL,
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (business_id, topic, form, lang)
) STRICT;

-- Unpaid receivables by due date, for the worker's look across businesses.
CREATE INDEX receivables_unpaid_due ON receivables (due) WHERE paid_at IS NULL;
