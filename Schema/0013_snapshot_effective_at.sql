-- "As of what?" (issue 17): a snapshot answers what the records said on a date (knowledge time,
-- `as_of`, by `recorded_at`), what was true on a date (business time, each event's own `at`), or
-- both. `effective_at` records the second question, so every reader of the snapshot can say which
-- one was asked.
ALTER TABLE projection_snapshots ADD COLUMN effective_at timestamptz;
