-- Groups (hubs): the group, its memberships (one per profile, with its
-- standing and role, and the member's own settings in the group), pinned
-- posts, and the group a post is for.
CREATE TABLE groups (
    id          INTEGER PRIMARY KEY,
    handle      TEXT    NOT NULL UNIQUE,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('open', 'closed', 'secret')),
    about       TEXT    NOT NULL DEFAULT '',
    rules       TEXT    NOT NULL DEFAULT '',
    -- JSON array of lowercase tags.
    tags        TEXT    NOT NULL DEFAULT '[]',
    created_by  INTEGER NOT NULL REFERENCES profiles (id),
    created_at  INTEGER NOT NULL
);

CREATE TABLE group_members (
    group_id     INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    standing     TEXT    NOT NULL
                 CHECK (standing IN ('member', 'pending', 'invited', 'banned')),
    role         TEXT    NOT NULL CHECK (role IN ('owner', 'moderator', 'member')),
    -- JSON array of lowercase expertise tags.
    expertise    TEXT    NOT NULL DEFAULT '[]',
    in_directory INTEGER NOT NULL DEFAULT 1,
    muted        INTEGER NOT NULL DEFAULT 0,
    -- Told of each new post in the group.
    closely      INTEGER NOT NULL DEFAULT 0,
    since        INTEGER NOT NULL,
    PRIMARY KEY (group_id, member_id)
) WITHOUT ROWID;
-- A group's members of one standing, in order; a member's groups.
CREATE INDEX group_members_standing ON group_members (group_id, standing, member_id);
CREATE INDEX group_members_member ON group_members (member_id);
-- Those told of each new post, found without reading the whole group.
CREATE INDEX group_members_closely ON group_members (group_id, member_id)
    WHERE closely = 1 AND standing = 'member';

CREATE TABLE group_pins (
    group_id   INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    pinned_at  INTEGER NOT NULL,
    PRIMARY KEY (group_id, post_id)
) WITHOUT ROWID;

-- A group's cover is an uploaded image the group holds: it is then no
-- longer waiting for a post (nor collected), and is shown to whoever may
-- see the group. One at most per group.
ALTER TABLE media ADD COLUMN group_id INTEGER REFERENCES groups (id) ON DELETE SET NULL;
CREATE UNIQUE INDEX media_group ON media (group_id) WHERE group_id IS NOT NULL;
DROP INDEX media_unattached;
CREATE INDEX media_unattached ON media (created_at) WHERE post_id IS NULL AND group_id IS NULL;

-- A post to a group: `audience` is then 'only_me', so that nothing that
-- forgets the group shows it to anyone but its author.
ALTER TABLE posts ADD COLUMN group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE;
CREATE INDEX posts_group ON posts (group_id, published_at DESC, id DESC)
    WHERE group_id IS NOT NULL;
