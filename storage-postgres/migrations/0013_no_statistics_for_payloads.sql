-- The columns that hold a record's payload (a booking's history, an
-- event, a message's values and text, a payment's refunds, a kept
-- outcome) are written and read back whole, never searched, joined or
-- sorted on: the planner has no use for their statistics. Gathering them
-- was half of each ANALYZE of bookings (sorting a sample of jsonb values),
-- and autovacuum analyzes a table each time a tenth of it has changed, so
-- on a busy day that time was taken from the bookings and searches
-- themselves. Target 0 leaves these columns out of ANALYZE; the others
-- keep the default.
ALTER TABLE bookings ALTER COLUMN history SET STATISTICS 0;
ALTER TABLE events ALTER COLUMN event SET STATISTICS 0;
ALTER TABLE messages ALTER COLUMN vals SET STATISTICS 0,
    ALTER COLUMN body SET STATISTICS 0;
ALTER TABLE payments ALTER COLUMN refunds SET STATISTICS 0;
ALTER TABLE idempotency ALTER COLUMN outcome SET STATISTICS 0;
