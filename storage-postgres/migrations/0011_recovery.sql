-- Account recovery (R4): when an account's e-mail was verified, and the
-- links sent to verify it or reset a password, kept by the hash of their
-- secret (never the secret), good once until they expire.
ALTER TABLE accounts ADD COLUMN email_verified_at timestamptz;

CREATE TABLE account_tokens (
    key         text        NOT NULL PRIMARY KEY,
    business_id uuid        NOT NULL,
    account_id  uuid        NOT NULL,
    purpose     text        NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);
