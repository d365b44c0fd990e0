-- Bunny Stream transcodes for tens of seconds after an upload and may still fail: a render is
-- `encoding` from its upload until Bunny reports it playable (then `ready`) or failed (`failed`).
-- The catalog preview moves to a new version's render only once it is ready (next_catalog_render_id
-- holds the one waiting), so the exercise never points at a video that does not play.

ALTER TABLE exercise_renders DROP CONSTRAINT exercise_renders_status_check;

ALTER TABLE exercise_renders ADD CONSTRAINT exercise_renders_status_check
  CHECK (status IN ('pending', 'encoding', 'ready', 'failed', 'superseded', 'deleted'));

-- Rendered as an exercise's catalog preview (Render Ready / Render Failed go out for these).
ALTER TABLE exercise_renders ADD COLUMN catalog_preview boolean NOT NULL DEFAULT false;

-- Bunny's encodeProgress (0-100) while encoding, for the status page.
ALTER TABLE exercise_renders ADD COLUMN encode_progress integer;

-- How many transcodes of this render Bunny reported failed (one automatic re-upload follows the first).
ALTER TABLE exercise_renders ADD COLUMN transcode_failures integer NOT NULL DEFAULT 0;

-- When the transcode poll asks Bunny next, and how often it asked (its backoff grows with it).
ALTER TABLE exercise_renders ADD COLUMN next_check_at timestamptz;

ALTER TABLE exercise_renders ADD COLUMN transcode_checks integer NOT NULL DEFAULT 0;

ALTER TABLE exercises ADD COLUMN next_catalog_render_id integer
  REFERENCES exercise_renders (id) ON DELETE SET NULL;

CREATE INDEX exercise_renders_encoding_idx ON exercise_renders (status, next_check_at);

CREATE INDEX exercise_renders_video_idx ON exercise_renders (bunny_video_id);
