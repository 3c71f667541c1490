-- Agendo's records on SQLite. Every table carries business_id and every key
-- starts with it; references are composite, so one business's rows can
-- never point at another's. Ids are UUID text, instants fixed-width RFC 3339
-- UTC text (so text order is time order), money decimal text (never REAL),
-- nested values JSON text.

CREATE TABLE businesses (
    business_id  TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    zone         TEXT NOT NULL,
    currency     TEXT NOT NULL,
    locale       TEXT NOT NULL,
    confirmation TEXT NOT NULL CHECK (confirmation IN ('manual', 'on_payment', 'immediate')),
    policy       TEXT NOT NULL,
    notify       TEXT NOT NULL,
    commissions  TEXT NOT NULL
) STRICT;

CREATE TABLE resources (
    business_id TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    hours       TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity >= 1),
    activity    TEXT NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
) STRICT;

CREATE TABLE services (
    business_id           TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id                    TEXT NOT NULL,
    name                  TEXT NOT NULL,
    description           TEXT NOT NULL,
    duration_minutes      INTEGER NOT NULL CHECK (duration_minutes >= 1),
    price                 TEXT NOT NULL,
    currency              TEXT NOT NULL,
    buffer_before_minutes INTEGER NOT NULL CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes  INTEGER NOT NULL CHECK (buffer_after_minutes >= 0),
    policy                TEXT NOT NULL,
    resource_id           TEXT,
    activity              TEXT NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE professionals (
    business_id TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    service_ids TEXT NOT NULL,
    hours       TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity >= 1),
    activity    TEXT NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
) STRICT;

CREATE TABLE clients (
    business_id TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    tax_id      TEXT,
    notes       TEXT NOT NULL,
    attributes  TEXT NOT NULL,
    activity    TEXT NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
) STRICT;
CREATE INDEX clients_email ON clients (business_id, email);
CREATE INDEX clients_phone ON clients (business_id, phone);

CREATE TABLE blocks (
    business_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    professional_id TEXT,
    resource_id     TEXT,
    start_at        TEXT NOT NULL,
    end_at          TEXT NOT NULL CHECK (end_at > start_at),
    reason          TEXT NOT NULL,
    PRIMARY KEY (business_id, id),
    CHECK ((professional_id IS NULL) <> (resource_id IS NULL)),
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX blocks_professional ON blocks (business_id, professional_id, end_at) WHERE professional_id IS NOT NULL;
CREATE INDEX blocks_resource ON blocks (business_id, resource_id, end_at) WHERE resource_id IS NOT NULL;

CREATE TABLE bookings (
    business_id     TEXT NOT NULL,
    id              TEXT NOT NULL,
    service_id      TEXT NOT NULL,
    professional_id TEXT NOT NULL,
    resource_id     TEXT,
    client_id       TEXT NOT NULL,
    start_at        TEXT NOT NULL,
    end_at          TEXT NOT NULL CHECK (end_at > start_at),
    held_start      TEXT NOT NULL CHECK (held_start <= start_at),
    held_end        TEXT NOT NULL CHECK (held_end >= end_at),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled', 'no_show')),
    price           TEXT NOT NULL,
    deposit         TEXT NOT NULL,
    currency        TEXT NOT NULL,
    series_id       TEXT,
    created_at      TEXT NOT NULL,
    history         TEXT NOT NULL,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
-- The conflict check reads the active bookings of one professional (or
-- resource) that end after a start: future ones, whatever the history.
CREATE INDEX bookings_professional_active ON bookings (business_id, professional_id, held_end)
    WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_resource_active ON bookings (business_id, resource_id, held_end)
    WHERE resource_id IS NOT NULL AND status IN ('pending', 'confirmed');
CREATE INDEX bookings_start ON bookings (business_id, start_at);
CREATE INDEX bookings_client ON bookings (business_id, client_id, start_at);
CREATE INDEX bookings_series ON bookings (business_id, series_id) WHERE series_id IS NOT NULL;

CREATE TABLE payments (
    business_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    booking_id  TEXT,
    method      TEXT NOT NULL,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    decided_at  TEXT,
    refunds     TEXT NOT NULL,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE INDEX payments_booking ON payments (business_id, booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX payments_client ON payments (business_id, client_id, created_at);

CREATE TABLE receivables (
    business_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    booking_id  TEXT,
    amount      TEXT NOT NULL,
    currency    TEXT NOT NULL,
    due         TEXT NOT NULL,
    description TEXT NOT NULL,
    paid_at     TEXT,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE idempotency (
    business_id TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    key         TEXT NOT NULL,
    request     TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    at          TEXT NOT NULL,
    PRIMARY KEY (business_id, key)
) STRICT;
