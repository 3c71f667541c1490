-- The channels a business set up with its own provider account (WhatsApp,
-- SMS): settings anyone on the staff may read, and the credentials sealed
-- by the host (AES-256-GCM); the database never holds them in clear.
CREATE TABLE channels (
    business_id TEXT NOT NULL,
    kind        TEXT NOT NULL,
    settings    TEXT NOT NULL,
    sealed      BLOB NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (business_id, kind)
) STRICT;
