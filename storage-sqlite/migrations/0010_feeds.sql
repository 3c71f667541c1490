-- Each professional's calendar feed: the hash of its secret key (never the
-- key), one per professional; a new key replaces the old.
CREATE TABLE feeds (
    key             TEXT NOT NULL PRIMARY KEY,
    business_id     TEXT NOT NULL,
    professional_id TEXT NOT NULL,
    UNIQUE (business_id, professional_id)
) STRICT;
