-- When an exercise's asset fingerprint last changed, so the status page can show how old the
-- assets behind its current asset_version are. updated_at moves on every catalog change (kind,
-- catalog render, archive), so it cannot answer that.

ALTER TABLE exercises ADD COLUMN fingerprint_updated_at timestamptz;

-- Rows from before this column: their last change is the best estimate there is.
UPDATE exercises SET fingerprint_updated_at = updated_at WHERE asset_fingerprint IS NOT NULL;
