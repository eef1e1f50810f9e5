-- Notifications, derived from the change events by the notifications
-- projection: one row per (member, kind, object) while unread, gathering
-- its actors. `seq` is the last event that created or grew it (the
-- real-time streams' order); `object` is the JSON of what it points at.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    object TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    read_at INTEGER,
    seq INTEGER NOT NULL
);
CREATE INDEX notifications_of_member ON notifications (member_id, updated_at DESC, id DESC);
CREATE INDEX notifications_by_seq ON notifications (seq);
CREATE UNIQUE INDEX notifications_unread_group
    ON notifications (member_id, kind, coalesce(object, '')) WHERE read_at IS NULL;

CREATE TABLE notification_actors (
    notification_id INTEGER NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    actor_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (notification_id, actor_id)
) WITHOUT ROWID;

-- Kinds a member switched off.
CREATE TABLE notification_kinds_off (
    member_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (member_id, kind)
) WITHOUT ROWID;
