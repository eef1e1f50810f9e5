-- Visits of profiles ("who viewed my profile") and views of posts (the
-- reach of a page's posts).
--
-- Times are INTEGER nanoseconds since the Unix epoch, UTC; `day` is the
-- number of whole UTC days since the epoch.

-- One row per visitor, visited member and day: a later visit the same day
-- moves `at` forward.
CREATE TABLE profile_visits (
    visitor_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    visited_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (visitor_id, visited_id, day),
    CHECK (visitor_id <> visited_id)
) WITHOUT ROWID;

-- "Who viewed my profile": one member's visits, newest first.
CREATE INDEX profile_visits_visited ON profile_visits (visited_id, at DESC);

-- A member was shown a post (the first time is kept).
CREATE TABLE post_views (
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    viewer_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    PRIMARY KEY (post_id, viewer_id)
) WITHOUT ROWID;
