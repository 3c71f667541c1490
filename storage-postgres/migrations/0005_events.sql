-- The outbox: what each command did, numbered 1, 2, 3... per business in
-- commit order, written in the command's own transaction. Writers of one
-- business's outbox take turns on an advisory lock until they commit, so
-- numbers become visible in order.
CREATE TABLE events (
    business_id uuid        NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    number      bigint      NOT NULL,
    at          timestamptz NOT NULL,
    type        text        NOT NULL,
    event       jsonb       NOT NULL,
    PRIMARY KEY (business_id, number)
);
