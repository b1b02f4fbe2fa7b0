-- Idempotency that survives a crash (issue 18).
--
-- A command's events carry its Idempotency-Key and API key id in their metadata
-- (`metadata.extra.idempotency_key`, `metadata.extra.api_key_id`), written in the append's own
-- transaction. So "appended" and "answered" cannot disagree: when an attempt dies after its
-- append but before its answer was kept, the retry finds the events by key and answers with
-- them (the answer is a function of the events written) instead of running the command again.
-- The attempt that owns a pending key holds a session-level advisory lock for it, which a dead
-- connection or a dead server releases at once; `idempotency_keys.status = 'pending'` no longer
-- means "someone is running it", only "no answer was kept yet".

CREATE INDEX events_idempotency_key ON events
    ((metadata -> 'extra' ->> 'api_key_id'), (metadata -> 'extra' ->> 'idempotency_key'))
    WHERE metadata -> 'extra' ? 'idempotency_key';
