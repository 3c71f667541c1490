-- The channels a business set up with its own provider account (WhatsApp,
-- SMS): settings anyone on the staff may read, and the credentials sealed
-- by the host (AES-256-GCM); the database never holds them in clear.
CREATE TABLE channels (
    business_id uuid        NOT NULL,
    kind        text        NOT NULL,
    settings    jsonb       NOT NULL,
    sealed      bytea       NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (business_id, kind)
);
