-- Forced refreshes that bumped an asset version, by the request's id: a redelivered "Refresh
-- Requested" (a consumer killed mid-render, a replayed message) must not bump a second time.
CREATE TABLE IF NOT EXISTS forced_refreshes (
  request_id text PRIMARY KEY,
  exercise_id integer NOT NULL REFERENCES exercises (id) ON DELETE CASCADE,
  asset_version integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
