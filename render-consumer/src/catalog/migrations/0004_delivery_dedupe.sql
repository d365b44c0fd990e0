-- An agent's event delivered twice (SQS delivers at least once; a failed refresh is retried; several
-- consumers may hold copies) must add one row. The key is a hash of what identifies the event,
-- computed by the consumer; rows recorded before this migration keep a NULL key.
ALTER TABLE deliveries ADD COLUMN dedupe_key text;

CREATE UNIQUE INDEX deliveries_dedupe_key_idx ON deliveries (dedupe_key);
