-- Sign-in attempts older than any window are swept on every attempt, for
-- every key, so keys never tried again (addresses, e-mails) do not pile up.
CREATE INDEX sign_in_failures_by_at ON sign_in_failures (at);
