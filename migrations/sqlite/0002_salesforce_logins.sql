-- Salesforce sign-ins in progress: a ticket (issued to an authenticated rep, spent when the
-- Office dialog opens /auth/salesforce/start) and then an OAuth state (spent by the callback).
-- Only hashes of the ticket and state values are kept; each row is used once.
CREATE TABLE salesforce_logins (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('ticket', 'state')),
    secret_hash      TEXT NOT NULL UNIQUE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    login_url        TEXT NOT NULL,
    verifier_sealed  BLOB,
    browser_hash     TEXT,
    expires_at       TEXT NOT NULL,
    used_at          TEXT
);
CREATE INDEX salesforce_logins_expiry ON salesforce_logins (expires_at);
