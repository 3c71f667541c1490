-- A resource's kind ("sala de laser"): a service may need any free one of
-- a kind rather than one given resource.
ALTER TABLE resources ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN resource_kind TEXT;

-- How a business presents itself (R9), as JSON.
ALTER TABLE businesses ADD COLUMN profile TEXT NOT NULL DEFAULT '{}';

-- Pictures the engine re-encoded: the logo, professionals' photos.
CREATE TABLE pictures (
    business_id TEXT    NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    subject     TEXT    NOT NULL,
    media_type  TEXT    NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    width       INTEGER NOT NULL CHECK (width >= 1),
    height      INTEGER NOT NULL CHECK (height >= 1),
    bytes       BLOB    NOT NULL,
    PRIMARY KEY (business_id, subject)
) STRICT;
