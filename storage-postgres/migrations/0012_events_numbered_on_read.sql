-- Events are written unnumbered and numbered when first read, so writers of
-- one business no longer take turns on its outbox until they commit (which
-- made every booking of a business wait for the one before it to reach the
-- disk). A reader numbers the events committed unnumbered, after the
-- business's last number, in the order they were written (`seq`), under
-- the business's advisory lock, in a transaction of its own that commits
-- before it reads: numbers are still 1, 2, 3... per business, and a reader
-- that saw event n never later finds one below it.
ALTER TABLE events DROP CONSTRAINT events_pkey;
ALTER TABLE events ALTER COLUMN number DROP NOT NULL;
ALTER TABLE events ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE events ADD PRIMARY KEY (seq);
CREATE UNIQUE INDEX events_number ON events (business_id, number);
CREATE INDEX events_unnumbered ON events (business_id, seq) WHERE number IS NULL;
