-- Posts and what hangs on them: images, earlier versions, comments,
-- reactions, reshares; and who follows which page.
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC. Audiences and
-- reaction kinds are the domain's `as_str` forms.

CREATE TABLE posts (
    id            INTEGER PRIMARY KEY,
    -- The profile it is published as (a person, or a page or persona).
    author_id     INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    -- The account that acted.
    operator_id   INTEGER NOT NULL REFERENCES accounts (id),
    audience      TEXT    NOT NULL
                  CHECK (audience IN ('public', 'members', 'network', 'contacts', 'only_me')),
    text          TEXT    NOT NULL,
    -- A reshare outlives its original, then reshares nothing.
    reshare_of    INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    created_at    INTEGER NOT NULL,
    -- Later than `created_at` for a scheduled post.
    published_at  INTEGER NOT NULL,
    edited_at     INTEGER
);

-- Feeds and profile pages: an author's posts, newest first (one range per
-- author, also for the scheduled ones after "now").
CREATE INDEX posts_author ON posts (author_id, published_at DESC, id DESC);
-- Reshare counts, and clearing `reshare_of` when the original goes.
CREATE INDEX posts_reshare_of ON posts (reshare_of) WHERE reshare_of IS NOT NULL;

-- An upload: its owner's until a post holds it (`post_id` and `position`,
-- from 0, set together when the post is created).
CREATE TABLE media (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL REFERENCES accounts (id),
    -- Content address in the media store: the same picture uploaded twice
    -- has the same key on two rows.
    key           TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    alt           TEXT    NOT NULL,
    width         INTEGER NOT NULL CHECK (width >= 0),
    height        INTEGER NOT NULL CHECK (height >= 0),
    post_id       INTEGER REFERENCES posts (id) ON DELETE SET NULL,
    position      INTEGER CHECK (position >= 0),
    created_at    INTEGER NOT NULL,
    CHECK (post_id IS NULL OR position IS NOT NULL)
);

CREATE INDEX media_post ON media (post_id, position) WHERE post_id IS NOT NULL;
CREATE INDEX media_key ON media (key);

-- Earlier versions of an edited post, in the order they were replaced.
CREATE TABLE post_edits (
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    text         TEXT    NOT NULL,
    -- Until when this version was shown.
    replaced_at  INTEGER NOT NULL
);

CREATE INDEX post_edits_post ON post_edits (post_id, replaced_at);

-- A comment, or a reply to one (`parent_id`, a comment of the same post).
CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    post_id     INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id   INTEGER REFERENCES comments (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    text        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE INDEX comments_post ON comments (post_id, created_at, id);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;

-- One reaction per member and post.
CREATE TABLE reactions (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL
               CHECK (kind IN ('like', 'celebrate', 'support', 'insightful', 'curious')),
    at         INTEGER NOT NULL,
    PRIMARY KEY (post_id, member_id)
) WITHOUT ROWID;

CREATE TABLE follows (
    follower_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    page_id      INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    PRIMARY KEY (follower_id, page_id)
) WITHOUT ROWID;

-- Follower counts.
CREATE INDEX follows_page ON follows (page_id, follower_id);
