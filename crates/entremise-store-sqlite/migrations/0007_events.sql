-- The outbox: every committed change others must learn of, in commit order
-- (`seq`, never reused thanks to AUTOINCREMENT), recorded in the same
-- transaction as the change. `version` is the stored form's version.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL
);

-- Where each persistent projection (search index, notifications…) stopped.
CREATE TABLE projection_checkpoints (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
