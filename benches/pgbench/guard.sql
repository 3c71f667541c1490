-- pgbench baseline: raw Postgres inserting into a table with the same guard
-- as agendo-postgres's bookings (an exclusion constraint over a range), one
-- statement per transaction, 50 "professionals", 15-minute marks of 120 days.
--
--   psql "$URL" -c "CREATE EXTENSION IF NOT EXISTS btree_gist;
--     CREATE TABLE t (p int, r tstzrange, EXCLUDE USING gist (p WITH =, r WITH &&))"
--   pgbench -n -c 64 -j 2 -T 10 -M prepared -f benches/pgbench/guard.sql "$URL"
\set p random(1, 50)
\set s random(0, 11520)
INSERT INTO t VALUES (:p, tstzrange('2026-03-02'::timestamptz + :s * interval '15 minutes', '2026-03-02'::timestamptz + :s * interval '15 minutes' + interval '30 minutes')) ON CONFLICT DO NOTHING;
