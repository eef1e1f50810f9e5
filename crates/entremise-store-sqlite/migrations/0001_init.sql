-- The foundation: accounts, profiles, sessions, positions and pages.
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC.
-- Lists (skills, languages) and the audiences and reach settings of a
-- profile are JSON text, written and read only by the store.

CREATE TABLE profiles (
    id            INTEGER PRIMARY KEY,
    handle        TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL
                  CHECK (kind IN ('person', 'organization', 'brand', 'persona')),
    parent_id     INTEGER REFERENCES profiles (id),
    -- Set on persons only; filled right after the account row exists.
    account_id    INTEGER REFERENCES accounts (id),
    name          TEXT    NOT NULL,
    headline      TEXT,
    about         TEXT,
    location      TEXT,
    organization  TEXT,
    skills        TEXT    NOT NULL DEFAULT '[]',
    languages     TEXT    NOT NULL DEFAULT '[]',
    website       TEXT,
    phone         TEXT,
    email         TEXT,
    avatar        TEXT,
    cover         TEXT,
    audiences     TEXT    NOT NULL,
    settings      TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE INDEX profiles_kind ON profiles (kind, id);
CREATE INDEX profiles_parent ON profiles (parent_id) WHERE parent_id IS NOT NULL;
CREATE UNIQUE INDEX profiles_account ON profiles (account_id) WHERE account_id IS NOT NULL;

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY,
    email          TEXT    NOT NULL,
    -- Email::lookup_key: the address compared without case.
    email_key      TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    locale         TEXT    NOT NULL,
    person_id      INTEGER NOT NULL UNIQUE REFERENCES profiles (id),
    moderator      INTEGER NOT NULL DEFAULT 0 CHECK (moderator IN (0, 1)),
    created_at     INTEGER NOT NULL
);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself is never stored.
    token_hash    TEXT    NOT NULL UNIQUE,
    kind          TEXT    NOT NULL CHECK (kind IN ('web', 'api')),
    user_agent    TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);

CREATE INDEX sessions_account ON sessions (account_id, created_at);

CREATE TABLE positions (
    id                 INTEGER PRIMARY KEY,
    person_id          INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    title              TEXT    NOT NULL,
    organization_id    INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    -- As typed, or the page's name when the position was linked.
    organization_name  TEXT    NOT NULL,
    since_year         INTEGER,
    until_year         INTEGER,
    confirmed          INTEGER NOT NULL DEFAULT 0 CHECK (confirmed IN (0, 1))
);

CREATE INDEX positions_person ON positions (person_id);
CREATE INDEX positions_organization ON positions (organization_id)
    WHERE organization_id IS NOT NULL;

CREATE TABLE page_roles (
    page_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'editor', 'analyst')),
    since       INTEGER NOT NULL,
    PRIMARY KEY (page_id, account_id)
) WITHOUT ROWID;

CREATE INDEX page_roles_account ON page_roles (account_id);

CREATE TABLE offices (
    id       INTEGER PRIMARY KEY,
    page_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name     TEXT    NOT NULL,
    address  TEXT    NOT NULL,
    town     TEXT    NOT NULL,
    phone    TEXT
);

CREATE INDEX offices_page ON offices (page_id);

CREATE TABLE services (
    id           INTEGER PRIMARY KEY,
    page_id      INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    description  TEXT
);

CREATE INDEX services_page ON services (page_id);

CREATE TABLE contact_messages (
    id          INTEGER PRIMARY KEY,
    page_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    sender_id   INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX contact_messages_page ON contact_messages (page_id, created_at);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    page_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    actor_id    INTEGER NOT NULL REFERENCES accounts (id),
    action      TEXT    NOT NULL,
    detail      TEXT    NOT NULL,
    at          INTEGER NOT NULL
);

CREATE INDEX audit_log_page ON audit_log (page_id, at);

-- Written by the blocking feature; read now by `is_blocked`.
CREATE TABLE blocks (
    blocker_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    blocked_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;

CREATE INDEX blocks_blocked ON blocks (blocked_id, blocker_id);
