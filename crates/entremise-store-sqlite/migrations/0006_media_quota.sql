-- Bytes stored for each upload (every copy), for its owner's quota; uploads
-- made before this migration count as 0.
ALTER TABLE media ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0);

CREATE INDEX media_owner ON media (owner_id);
-- Uploads no post holds, oldest first, for their collection.
CREATE INDEX media_unattached ON media (created_at) WHERE post_id IS NULL;
