-- The outbox: what each command did, numbered 1, 2, 3... per business in
-- commit order, written in the command's own transaction. Writers of one
-- business's outbox take turns on the business's advisory lock until they
-- commit, so numbers become visible in order.
--
-- No foreign key to businesses: its check would take a share of the
-- business's row while the advisory lock is held, and a change of the
-- business's settings takes the two the other way round. Events are only
-- written by commands of an existing business.
CREATE TABLE events (
    business_id uuid        NOT NULL,
    number      bigint      NOT NULL,
    at          timestamptz NOT NULL,
    type        text        NOT NULL,
    event       jsonb       NOT NULL,
    PRIMARY KEY (business_id, number)
);
