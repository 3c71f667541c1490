-- The outbox: what each command did, numbered 1, 2, 3... per business in
-- commit order, written in the command's own transaction.
CREATE TABLE events (
    business_id TEXT    NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    number      INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    event       TEXT    NOT NULL,
    PRIMARY KEY (business_id, number)
) STRICT;
