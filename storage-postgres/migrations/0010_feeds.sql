-- Each professional's calendar feed: the hash of its secret key (never the
-- key), one per professional; a new key replaces the old.
CREATE TABLE feeds (
    key             text NOT NULL PRIMARY KEY,
    business_id     uuid NOT NULL,
    professional_id uuid NOT NULL,
    UNIQUE (business_id, professional_id)
);
