-- Reaching someone: contacts, contact requests, invitation codes,
-- introductions, and conversations.
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC. Statuses are the
-- domain's `as_str` forms.

-- A mutual contact, stored once: `a` is the smaller id.
CREATE TABLE contacts (
    a      INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    b      INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    since  INTEGER NOT NULL,
    PRIMARY KEY (a, b),
    CHECK (a < b)
) WITHOUT ROWID;

CREATE INDEX contacts_b ON contacts (b, a);

CREATE TABLE contact_requests (
    id          INTEGER PRIMARY KEY,
    from_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    to_id       INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    message     TEXT,
    via         TEXT    NOT NULL
                CHECK (via IN ('setting', 'email', 'invitation_code', 'introduction')),
    status      TEXT    NOT NULL
                CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn')),
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);

-- The weekly quota, and the sender's own list.
CREATE INDEX contact_requests_from ON contact_requests (from_id, created_at);
-- A pending request between two members (either direction, for blocks).
CREATE INDEX contact_requests_pending_from ON contact_requests (from_id, to_id)
    WHERE status = 'pending';
-- A member's incoming requests, newest first.
CREATE INDEX contact_requests_pending_to ON contact_requests (to_id, created_at)
    WHERE status = 'pending';
-- When `to` last declined `from` (the 90-day pause).
CREATE INDEX contact_requests_declined ON contact_requests (from_id, to_id, decided_at)
    WHERE status = 'declined';

CREATE TABLE invitation_codes (
    code        TEXT    PRIMARY KEY,
    owner_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
) WITHOUT ROWID;

CREATE INDEX invitation_codes_owner ON invitation_codes (owner_id, created_at);

-- `step` indexes the current holder: 0.. an intermediary (see
-- `introduction_hops.position`), the number of intermediaries the target.
CREATE TABLE introductions (
    id            INTEGER PRIMARY KEY,
    requester_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    target_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    step          INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
    status        TEXT    NOT NULL
                  CHECK (status IN ('pending', 'forwarded', 'accepted', 'declined', 'expired')),
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    decided_at    INTEGER,
    declined_by   INTEGER REFERENCES profiles (id) ON DELETE SET NULL
);

-- The requester's quotas and list; the target's list.
CREATE INDEX introductions_requester ON introductions (requester_id, created_at);
CREATE INDEX introductions_target ON introductions (target_id);

-- The intermediaries of an introduction, in order from 0.
CREATE TABLE introduction_hops (
    introduction_id  INTEGER NOT NULL REFERENCES introductions (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position >= 0),
    member_id        INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    PRIMARY KEY (introduction_id, position)
) WITHOUT ROWID;

-- Introductions relayed by a member, and his relay record.
CREATE INDEX introduction_hops_member ON introduction_hops (member_id, introduction_id);

-- Notes written along the way, in the order they were written.
CREATE TABLE introduction_notes (
    introduction_id  INTEGER NOT NULL REFERENCES introductions (id) ON DELETE CASCADE,
    seq              INTEGER NOT NULL,
    author_id        INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    recipient_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    text             TEXT    NOT NULL,
    at               INTEGER NOT NULL,
    PRIMARY KEY (introduction_id, seq)
) WITHOUT ROWID;

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    created_at       INTEGER NOT NULL,
    -- NULL until the first message.
    last_message_at  INTEGER
);

-- `last_read_message_id` is 0 before the member reads anything (ids start at 1).
CREATE TABLE conversation_participants (
    conversation_id       INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    member_id             INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    last_read_message_id  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, member_id)
) WITHOUT ROWID;

CREATE INDEX conversation_participants_member
    ON conversation_participants (member_id, conversation_id);

CREATE TABLE messages (
    id               INTEGER PRIMARY KEY,
    conversation_id  INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    author_id        INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    text             TEXT    NOT NULL,
    created_at       INTEGER NOT NULL
);

CREATE INDEX messages_conversation ON messages (conversation_id, id);
