-- The follow-up inbox, derived from the change events by the inbox
-- projection (rebuilt from the store when its checkpoint is missing).
-- One item per (profile, subject): a conversation, a comment thread, a
-- post naming the profile, a contact request, an introduction, a
-- contact-form message.
CREATE TABLE inbox_items (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    post_id       INTEGER,
    from_id       INTEGER,
    -- The last word awaiting an answer (JSON: {kind, id}).
    word          TEXT,
    status        TEXT    NOT NULL
                  CHECK (status IN ('open', 'answered', 'dismissed', 'snoozed')),
    hostile       INTEGER NOT NULL DEFAULT 0,
    -- Sort rank of open and snoozed items: 0 hostile, 1 the others.
    rank          INTEGER NOT NULL,
    since         INTEGER NOT NULL,
    last_at       INTEGER NOT NULL,
    closed_at     INTEGER,
    assignee_id   INTEGER,
    snoozed_until INTEGER,
    reason        TEXT,
    -- The cycle running since `since` (see inbox_cycles).
    cycle_id      INTEGER,
    seq           INTEGER NOT NULL
);
CREATE UNIQUE INDEX inbox_items_subject ON inbox_items (owner_id, subject);
CREATE INDEX inbox_items_waiting ON inbox_items (owner_id, status, rank, since, id);
CREATE INDEX inbox_items_closed ON inbox_items (owner_id, status, closed_at DESC, id DESC);
CREATE INDEX inbox_items_snoozed ON inbox_items (status, snoozed_until) WHERE status = 'snoozed';
CREATE INDEX inbox_items_by_subject ON inbox_items (subject);
CREATE INDEX inbox_items_post ON inbox_items (post_id) WHERE post_id IS NOT NULL;
CREATE INDEX inbox_items_from ON inbox_items (from_id) WHERE from_id IS NOT NULL;
CREATE INDEX inbox_items_seq ON inbox_items (seq);

-- Each wait from its opening to its answer: the first-response figures.
CREATE TABLE inbox_cycles (
    id           INTEGER PRIMARY KEY,
    -- Kept when its item goes (a deleted post): the figures stay true.
    item_id      INTEGER NOT NULL,
    owner_id     INTEGER NOT NULL,
    opened_at    INTEGER NOT NULL,
    answered_at  INTEGER,
    dismissed    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbox_cycles_owner ON inbox_cycles (owner_id, opened_at);
CREATE INDEX inbox_cycles_item ON inbox_cycles (item_id);

-- Open items per profile (snoozed ones are counted when their date comes).
CREATE TABLE inbox_counts (
    owner_id  INTEGER PRIMARY KEY,
    open      INTEGER NOT NULL DEFAULT 0,
    hostile   INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- A page's response target, the default reply control of its posts and
-- its keyword filters.
CREATE TABLE inbox_settings (
    page_id          INTEGER PRIMARY KEY REFERENCES profiles (id) ON DELETE CASCADE,
    target_seconds   INTEGER NOT NULL,
    replies          TEXT    NOT NULL,
    keyword_filters  TEXT    NOT NULL DEFAULT '[]'
) WITHOUT ROWID;

-- Who may comment on a post; the account that wrote a comment (a page's
-- comment names the team member in the audit, never to readers).
ALTER TABLE posts ADD COLUMN replies TEXT NOT NULL DEFAULT 'everyone';
ALTER TABLE comments ADD COLUMN operator_id INTEGER;
-- Held for review by the page's keyword filters: seen by its author and
-- the page's team only, until the team publishes it.
ALTER TABLE comments ADD COLUMN held INTEGER NOT NULL DEFAULT 0;
