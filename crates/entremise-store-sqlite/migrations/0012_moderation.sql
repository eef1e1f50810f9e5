-- Moderation and instance administration: mutes, comment edits, the
-- moderation state of posts and comments, reports and the queues they go
-- to, the moderation log, sanctions, instance roles and settings.
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC.

-- A member muted another: his posts and comments leave the muter's feed
-- and notifications; he is not told.
CREATE TABLE mutes (
    muter_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    muted_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (muter_id, muted_id),
    CHECK (muter_id <> muted_id)
) WITHOUT ROWID;

-- A member's muted words and hashtags (a JSON array of lowered strings).
CREATE TABLE muted_words (
    member_id   INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    words       TEXT    NOT NULL
);

-- Moderation state of posts and comments: visible, hidden (its author
-- still sees it) or removed (instance moderators only).
ALTER TABLE posts ADD COLUMN state TEXT NOT NULL DEFAULT 'visible'
    CHECK (state IN ('visible', 'hidden', 'removed'));
ALTER TABLE comments ADD COLUMN state TEXT NOT NULL DEFAULT 'visible'
    CHECK (state IN ('visible', 'hidden', 'removed'));
ALTER TABLE comments ADD COLUMN edited_at INTEGER;

-- Earlier versions of an edited comment, in the order they were replaced.
CREATE TABLE comment_edits (
    comment_id   INTEGER NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    text         TEXT    NOT NULL,
    replaced_at  INTEGER NOT NULL
);
CREATE INDEX comment_edits_comment ON comment_edits (comment_id, replaced_at);

-- A report, with the content as it was when reported (`snapshot`, kept
-- when the content is edited or deleted). `target_id` is the post,
-- comment or message id, or the profile or group id.
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    reporter_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    target_kind  TEXT    NOT NULL
                 CHECK (target_kind IN ('post', 'comment', 'message', 'profile', 'group')),
    target_id    INTEGER NOT NULL,
    -- The member the content belongs to.
    member_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    page_id      INTEGER REFERENCES profiles (id) ON DELETE SET NULL,
    group_id     INTEGER REFERENCES groups (id) ON DELETE SET NULL,
    reason       TEXT    NOT NULL
                 CHECK (reason IN ('spam', 'harassment', 'hate', 'misinformation', 'illegal', 'other')),
    note         TEXT,
    snapshot     TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX reports_reporter ON reports (reporter_id, created_at DESC);
CREATE INDEX reports_target ON reports (target_kind, target_id);
CREATE INDEX reports_member ON reports (member_id, created_at DESC);

-- Where a report stands in each queue it went to: `instance`,
-- `page:<profile id>`, `group:<group id>`.
CREATE TABLE report_queues (
    report_id   INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    scope       TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'dismissed', 'actioned')),
    action      TEXT,
    decided_at  INTEGER,
    PRIMARY KEY (report_id, scope)
) WITHOUT ROWID;
CREATE INDEX report_queues_scope ON report_queues (scope, status, report_id);

-- Every moderation act (`decision`), and every look of a moderator at
-- reported content through a block (`viewed_through_block`).
CREATE TABLE moderation_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    scope        TEXT    NOT NULL,
    entry        TEXT    NOT NULL CHECK (entry IN ('decision', 'viewed_through_block')),
    action       TEXT,
    target_kind  TEXT    NOT NULL,
    target_id    INTEGER NOT NULL,
    member_id    INTEGER NOT NULL,
    -- Who acted: his person, and the account (the audit's).
    actor_id     INTEGER NOT NULL,
    account_id   INTEGER NOT NULL,
    report_id    INTEGER,
    reason       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX moderation_log_scope ON moderation_log (scope, id DESC);
CREATE INDEX moderation_log_member ON moderation_log (member_id, id DESC);

-- What weighs on a member: limited (posts reach contacts at most),
-- suspended until a time (2200-01-01: until lifted).
CREATE TABLE sanctions (
    member_id        INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    limited          INTEGER NOT NULL DEFAULT 0 CHECK (limited IN (0, 1)),
    suspended_until  INTEGER,
    updated_at       INTEGER NOT NULL
);

-- Instance roles: administrators run /admin; moderators (and admins) the
-- instance's queue.
ALTER TABLE accounts ADD COLUMN admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1));
-- Sign-ups by approval: the answer to the instance's question, and where
-- the request stands (an account not approved cannot sign in).
ALTER TABLE accounts ADD COLUMN approval TEXT NOT NULL DEFAULT 'approved'
    CHECK (approval IN ('approved', 'pending', 'declined'));
ALTER TABLE accounts ADD COLUMN signup_answer TEXT;

-- The instance's settings, by key (registration mode, question, name,
-- rules, terms and legal notice in each language).
CREATE TABLE instance_settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
) WITHOUT ROWID;

-- Sign-up invitation codes handed out by administrators; each signs up
-- one account.
CREATE TABLE signup_codes (
    code        TEXT PRIMARY KEY,
    created_by  INTEGER NOT NULL REFERENCES accounts (id),
    created_at  INTEGER NOT NULL,
    used_by     INTEGER REFERENCES accounts (id),
    used_at     INTEGER
) WITHOUT ROWID;

-- E-mail domains refused at sign-up.
CREATE TABLE email_domain_blocks (
    domain      TEXT PRIMARY KEY,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;
