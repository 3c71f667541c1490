-- Overlap reads go through gist indexes on the held range: the exclusion
-- constraints' own for the bookings they guard, and the two below for the
-- bookings of professionals (resources) that take several at once. A btree
-- on held_end made "who holds this time" scan every booking ending later,
-- which grows with the agenda.
DROP INDEX bookings_professional_active;
DROP INDEX bookings_resource_active;
CREATE INDEX bookings_professional_shared ON bookings USING gist (business_id, professional_id, held)
    WHERE status IN ('pending', 'confirmed') AND NOT exclusive;
CREATE INDEX bookings_resource_shared ON bookings USING gist (business_id, resource_id, held)
    WHERE status IN ('pending', 'confirmed') AND NOT resource_exclusive AND resource_id IS NOT NULL;
