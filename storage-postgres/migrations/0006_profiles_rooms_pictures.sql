-- A resource's kind ("sala de laser"): a service may need any free one of
-- a kind rather than one given resource.
ALTER TABLE resources ADD COLUMN kind text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN resource_kind text COLLATE "C";

-- How a business presents itself (R9).
ALTER TABLE businesses ADD COLUMN profile jsonb NOT NULL DEFAULT '{}';

-- Pictures the engine re-encoded: the logo, professionals' photos.
CREATE TABLE pictures (
    business_id uuid    NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    subject     text    NOT NULL,
    media_type  text    NOT NULL CHECK (media_type IN ('image/png', 'image/jpeg')),
    width       integer NOT NULL CHECK (width >= 1),
    height      integer NOT NULL CHECK (height >= 1),
    bytes       bytea   NOT NULL,
    PRIMARY KEY (business_id, subject)
);
