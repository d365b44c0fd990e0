-- What the ingest agent's picture and sound check found in a synced delivery ("Bundle Synced"
-- findings: black or frozen stretches, silent or clipped voice-overs...), shown on the status page.
-- Rows recorded before this migration, and agents without the check, have none.
ALTER TABLE deliveries ADD COLUMN findings jsonb NOT NULL DEFAULT '[]'::jsonb;
