-- E-mail preferences per account: consent to e-mails (off until the member
-- gives it) and the digest's frequency (off without consent), with the end
-- of the last digest's window, so a restart neither repeats nor skips one.
-- An account without a row has given no consent.
CREATE TABLE email_preferences (
    account_id      INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    consent         INTEGER NOT NULL CHECK (consent IN (0, 1)),
    digest          TEXT    NOT NULL CHECK (digest IN ('off', 'daily', 'weekly')),
    -- Everything up to this instant (ns since the epoch) was reported: the
    -- last digest's window end, or when the digest was turned on.
    digest_since    INTEGER,
    updated_at      INTEGER NOT NULL,
    CHECK (consent = 1 OR digest = 'off')
);

-- Members whose digest may be due, by window end.
CREATE INDEX email_preferences_digests ON email_preferences (digest_since)
    WHERE digest <> 'off';

-- Secrets the server makes once and keeps (the key signing unsubscribe
-- links), so links survive restarts and go along with backups.
CREATE TABLE server_secrets (
    name    TEXT PRIMARY KEY,
    value   BLOB NOT NULL CHECK (length(value) = 32)
);
