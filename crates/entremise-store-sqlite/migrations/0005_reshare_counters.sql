-- Reshare counters for one viewer read each reshare's time, audience and
-- resharer: the index on `reshare_of` holds them, so that counting reads
-- no table row (the feed counts the reshares of every post it shows).

DROP INDEX posts_reshare_of;
CREATE INDEX posts_reshare_of ON posts (reshare_of, published_at, audience, author_id)
    WHERE reshare_of IS NOT NULL;
