-- Agendo's records on Postgres. Every table carries business_id and every
-- key starts with it; references are composite, so one business's rows can
-- never point at another's. Money is numeric, instants timestamptz, a
-- booking's held time a tstzrange, nested values jsonb. Names sort by
-- code point (COLLATE "C"), as every other store sorts them.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE businesses (
    business_id  uuid PRIMARY KEY,
    name         text COLLATE "C" NOT NULL,
    zone         text NOT NULL,
    currency     text NOT NULL,
    locale       text NOT NULL,
    confirmation text NOT NULL CHECK (confirmation IN ('manual', 'on_payment', 'immediate')),
    policy       jsonb NOT NULL,
    notify       jsonb NOT NULL,
    commissions  jsonb NOT NULL
);

CREATE TABLE resources (
    business_id uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    hours       jsonb NOT NULL,
    capacity    integer NOT NULL CHECK (capacity >= 1),
    activity    text NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
);

CREATE TABLE services (
    business_id           uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id                    uuid NOT NULL,
    name                  text COLLATE "C" NOT NULL,
    description           text NOT NULL,
    duration_minutes      integer NOT NULL CHECK (duration_minutes >= 1),
    price                 numeric NOT NULL CHECK (price >= 0),
    currency              text NOT NULL,
    buffer_before_minutes integer NOT NULL CHECK (buffer_before_minutes >= 0),
    buffer_after_minutes  integer NOT NULL CHECK (buffer_after_minutes >= 0),
    policy                jsonb NOT NULL,
    resource_id           uuid,
    activity              text NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE professionals (
    business_id uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    service_ids jsonb NOT NULL,
    hours       jsonb NOT NULL,
    capacity    integer NOT NULL CHECK (capacity >= 1),
    activity    text NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
);

CREATE TABLE clients (
    business_id uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id          uuid NOT NULL,
    name        text COLLATE "C" NOT NULL,
    email       text,
    phone       text,
    tax_id      text,
    notes       text NOT NULL,
    attributes  jsonb NOT NULL,
    activity    text NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id)
);
CREATE INDEX clients_email ON clients (business_id, email);
CREATE INDEX clients_phone ON clients (business_id, phone);

CREATE TABLE blocks (
    business_id     uuid NOT NULL,
    id              uuid NOT NULL,
    professional_id uuid,
    resource_id     uuid,
    start_at        timestamptz NOT NULL,
    end_at          timestamptz NOT NULL CHECK (end_at > start_at),
    reason          text NOT NULL,
    PRIMARY KEY (business_id, id),
    CHECK ((professional_id IS NULL) <> (resource_id IS NULL)),
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX blocks_professional ON blocks (business_id, professional_id, end_at) WHERE professional_id IS NOT NULL;
CREATE INDEX blocks_resource ON blocks (business_id, resource_id, end_at) WHERE resource_id IS NOT NULL;

CREATE TABLE bookings (
    business_id        uuid NOT NULL,
    id                 uuid NOT NULL,
    service_id         uuid NOT NULL,
    professional_id    uuid NOT NULL,
    resource_id        uuid,
    client_id          uuid NOT NULL,
    start_at           timestamptz NOT NULL,
    end_at             timestamptz NOT NULL CHECK (end_at > start_at),
    held_start         timestamptz NOT NULL CHECK (held_start <= start_at),
    held_end           timestamptz NOT NULL CHECK (held_end >= end_at),
    held               tstzrange GENERATED ALWAYS AS (tstzrange(held_start, held_end, '[)')) STORED,
    status             text NOT NULL CHECK (status IN ('pending', 'confirmed', 'completed', 'cancelled', 'no_show')),
    price              numeric NOT NULL CHECK (price >= 0),
    deposit            numeric NOT NULL CHECK (deposit >= 0),
    currency           text NOT NULL,
    series_id          uuid,
    created_at         timestamptz NOT NULL,
    history            jsonb NOT NULL,
    -- Whether the professional (the resource) takes one booking at a time,
    -- kept in step with its capacity by the store. Those bookings are
    -- guarded by the constraints below; the others by a count taken under a
    -- lock on the professional's (resource's) row.
    exclusive          boolean NOT NULL DEFAULT true,
    resource_exclusive boolean NOT NULL DEFAULT true,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, service_id) REFERENCES services (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, resource_id) REFERENCES resources (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    -- The final guard: no two active bookings of one professional (or
    -- resource) of capacity 1 hold overlapping time, whatever code wrote
    -- them.
    CONSTRAINT bookings_professional_free EXCLUDE USING gist (
        business_id WITH =, professional_id WITH =, held WITH &&
    ) WHERE (status IN ('pending', 'confirmed') AND exclusive),
    CONSTRAINT bookings_resource_free EXCLUDE USING gist (
        business_id WITH =, resource_id WITH =, held WITH &&
    ) WHERE (status IN ('pending', 'confirmed') AND resource_exclusive AND resource_id IS NOT NULL)
);
CREATE INDEX bookings_professional_active ON bookings (business_id, professional_id, held_end)
    WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_resource_active ON bookings (business_id, resource_id, held_end)
    WHERE resource_id IS NOT NULL AND status IN ('pending', 'confirmed');
CREATE INDEX bookings_start ON bookings (business_id, start_at);
CREATE INDEX bookings_client ON bookings (business_id, client_id, start_at);
CREATE INDEX bookings_series ON bookings (business_id, series_id) WHERE series_id IS NOT NULL;

CREATE TABLE payments (
    business_id uuid NOT NULL,
    id          uuid NOT NULL,
    client_id   uuid NOT NULL,
    booking_id  uuid,
    method      text NOT NULL,
    amount      numeric NOT NULL CHECK (amount > 0),
    currency    text NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    decided_at  timestamptz,
    refunds     jsonb NOT NULL,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX payments_booking ON payments (business_id, booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX payments_client ON payments (business_id, client_id, created_at);

CREATE TABLE receivables (
    business_id uuid NOT NULL,
    id          uuid NOT NULL,
    client_id   uuid NOT NULL,
    booking_id  uuid,
    amount      numeric NOT NULL CHECK (amount > 0),
    currency    text NOT NULL,
    due         date NOT NULL,
    description text NOT NULL,
    paid_at     timestamptz,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, client_id) REFERENCES clients (business_id, id) DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (business_id, booking_id) REFERENCES bookings (business_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE idempotency (
    business_id uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    key         text COLLATE "C" NOT NULL,
    request     text NOT NULL,
    outcome     jsonb NOT NULL,
    at          timestamptz NOT NULL,
    PRIMARY KEY (business_id, key)
);
