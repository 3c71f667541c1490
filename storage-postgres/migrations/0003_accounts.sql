-- Who signs in (R1–R6): a business's public address, its accounts, their
-- sign-in sessions, and failed sign-ins (kept in the database so every host
-- counts the same ones).

ALTER TABLE businesses ADD COLUMN slug text COLLATE "C";
CREATE UNIQUE INDEX businesses_slug ON businesses (slug) WHERE slug IS NOT NULL;

CREATE TABLE accounts (
    business_id     uuid NOT NULL REFERENCES businesses (business_id) DEFERRABLE INITIALLY DEFERRED,
    id              uuid NOT NULL,
    email           text NOT NULL,
    login_key       text COLLATE "C" NOT NULL,
    name            text COLLATE "C" NOT NULL,
    role            text NOT NULL CHECK (role IN ('owner', 'receptionist', 'professional')),
    professional_id uuid,
    password_hash   text NOT NULL,
    activity        text NOT NULL CHECK (activity IN ('active', 'retired')),
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, professional_id) REFERENCES professionals (business_id, id) DEFERRABLE INITIALLY DEFERRED
);
CREATE UNIQUE INDEX accounts_login ON accounts (business_id, login_key);
CREATE INDEX accounts_by_login ON accounts (login_key);

CREATE TABLE sessions (
    business_id uuid NOT NULL,
    id          uuid NOT NULL,
    account_id  uuid NOT NULL,
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz NOT NULL,
    revoked_at  timestamptz,
    PRIMARY KEY (business_id, id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, id) DEFERRABLE INITIALLY DEFERRED
);

CREATE TABLE sign_in_failures (
    key text NOT NULL,
    at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_by_key ON sign_in_failures (key, at);
