-- Who signs in (R1–R6): a business's public address, its accounts, their
-- sign-in sessions, and failed sign-ins (kept in the database so every host
-- counts the same ones).

ALTER TABLE businesses ADD COLUMN slug TEXT;
CREATE UNIQUE INDEX businesses_slug ON businesses (slug) WHERE slug IS NOT NULL;

CREATE TABLE accounts (
    business_id     TEXT NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id              TEXT NOT NULL,
    email           TEXT NOT NULL,
    login_key       TEXT NOT NULL,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'receptionist', 'professional')),
    professional_id TEXT,
    password_hash   TEXT NOT NULL,
    activity        TEXT NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;
CREATE UNIQUE INDEX accounts_login ON accounts (business_id, login_key);
CREATE INDEX accounts_by_login ON accounts (login_key);

CREATE TABLE sessions (
    business_id TEXT NOT NULL,
    id          TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    rotated_at  TEXT NOT NULL,
    revoked_at  TEXT,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, id) DEFERRABLE INITIALLY DEFERRED
) STRICT;

CREATE TABLE sign_in_failures (
    key TEXT NOT NULL,
    at  TEXT NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at);
