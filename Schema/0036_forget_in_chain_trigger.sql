-- Forgetting destroys the key from the chain trigger, not from an AFTER trigger of its own (issue 14; measurements
-- below).
--
-- `events_forget_destroys_key` (0007, recreated in 0024) was an AFTER INSERT ... FOR EACH ROW WHEN (NEW.type =
-- 'client.forgotten') trigger. It fires for almost no row, but an INSERT into a table with an AFTER row trigger
-- sets the AFTER-trigger machinery up for the statement and prepares and evaluates the WHEN qual for every row:
-- ~19,000 of the ~520,000 instructions of a lone append (one event, one transaction).
--
--   * The BEFORE trigger every insert into events already runs (`stipple_chain_link`, 0035) destroys the key
--     when NEW.type is 'client.forgotten', after the link is computed, by calling `stipple_destroy_client_key(
--     subject, reason, event id)`: the same INSERT ... ON CONFLICT as 0024's trigger body (a subject without a key
--     gets a destroyed row, a destroyed key keeps when, why and by which event it was destroyed). It runs inside
--     the inserting statement, so whatever makes that insert fail (a duplicate event id or stream version, a
--     missing predecessor, a later row of the same statement, a rolled-back savepoint or transaction) takes the
--     destruction with it: the event and the erasure still commit together or not at all, whichever path inserts
--     the event (the append functions, the lone and stream statements, COPY, a direct INSERT). The one exception
--     would be an INSERT ... ON CONFLICT DO NOTHING that skips the row: no path inserts events that way (a skipped
--     row would leave its position empty, and the next insert would fail SE003).
--   * `stipple_destroy_client_key` is SECURITY DEFINER (the application role may not change keys itself) and, as a
--     plain function, callable directly, where the old trigger function was not (why the trigger was kept so far:
--     docs/benchmarks.md, "a function any role could call to destroy a key without a client.forgotten event"). So a
--     key may now only stay destroyed by a transaction that also holds the event named in `destroyed_by`: a
--     client.forgotten event of the key's own stream. `client_keys_destroyed_by_event`, a constraint trigger deferred
--     to commit (a trigger on client_keys: nothing on the append path), refuses the commit otherwise (SE007). It is
--     deferred because the key is destroyed before the event's row is inserted; a transaction that sets it IMMEDIATE
--     and then appends client.forgotten has that append refused, not the key destroyed without its event.
--   * The AFTER trigger and its function are dropped; the chain trigger's function is replaced, so a pooled
--     session that ran the old one compiles it afresh. The link is unchanged (same expression, same fields).
--
-- Measured as 0035 was (valgrind in a single-user backend: the one-event statement of GroupCommitter PREPAREd and
-- EXECUTEd, (Ir(440 calls) - Ir(40 calls)) / 400, a fresh database each, schema 0001-0035 plus this file): a lone
-- append 520.0k -> 500.8k instructions (-3.7 %; dropping the AFTER trigger alone gives 498.3k, the added IF costs
-- 2.5k); an INSERT of 100 events in one statement ((Ir(50) - Ir(10)) / 4,000) 162.1k -> 161.9k per event. Tried
-- and not kept: the chain trigger SECURITY DEFINER SET search_path (so the destroying function need not be
-- callable by the inserting role): 514.4k, the per-call GUC save and restore eats most of the gain; the
-- idempotency index (0011) on the idempotency key alone (api_key_id checked from the row): 499.3k, -1.5k, not
-- worth rebuilding an index on a large table (the index costs ~14k per append, nearly all of it per statement:
-- opening it, copying its expressions and predicate from the relcache, planning and compiling the predicate).
--
-- Wall clock, one durable cluster, old (0001-0035) and new schema in two databases (one release binary: only the
-- schema differs), pgbench's plain INSERT between them, taking turns run by run (08:51-08:54 UTC, load 1.3-2.6 on
-- 2 cores; master key set; medians): `stipple-bench append --writers 1 --appends 2000`, two series of 20 rounds:
-- 2,723 -> 2,754 and 2,660 -> 2,706 events/s, p50 0.345 -> 0.332 and 0.350 -> 0.344 ms, against the INSERT's
-- 3,228 and 3,132 events/s: 0.844x -> 0.859x and 0.840x -> 0.858x, faster in 13 of 20 rounds each. 8 writers (4,000
-- appends, 10 rounds): 0.99x -> 1.01x, faster in 5 of 10 (no change). 100 events per append (200 appends, 10
-- rounds): 0.97x -> 1.05x, faster in 7 of 10 (noise: valgrind says -0.1 %). pgbench running the one-event
-- statement itself (-M prepared, 20 rounds of 2,000): 2,659 -> 2,778 transactions/s (+4.5 %), faster in 15 of 20.

DROP TRIGGER events_forget_destroys_key ON events;
DROP FUNCTION stipple_destroy_client_key();

CREATE FUNCTION stipple_destroy_client_key(p_subject text, p_reason text, p_event_id uuid) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO client_keys AS k (subject, key_id, wrapped_key, destroyed_at, destroyed_reason, destroyed_by)
    VALUES (p_subject, gen_random_uuid(), NULL, clock_timestamp(), p_reason, p_event_id)
    ON CONFLICT (subject) DO UPDATE
        SET wrapped_key = NULL,
            destroyed_at = coalesce(k.destroyed_at, excluded.destroyed_at),
            destroyed_reason = coalesce(k.destroyed_reason, excluded.destroyed_reason),
            destroyed_by = coalesce(k.destroyed_by, excluded.destroyed_by);
END;
$$;

CREATE FUNCTION stipple_check_client_key_destroyed_by_event() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM events e
                    WHERE e.event_id = NEW.destroyed_by AND e.stream = NEW.subject
                      AND e.type = 'client.forgotten') THEN
        RAISE EXCEPTION 'the key of % was destroyed without its client.forgotten event (%)', NEW.subject,
            NEW.destroyed_by
            USING ERRCODE = 'SE007', HINT = 'Append client.forgotten to the client''s stream: that destroys the key.';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER client_keys_destroyed_by_event AFTER INSERT OR UPDATE ON client_keys
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.destroyed_by IS NOT NULL) EXECUTE FUNCTION stipple_check_client_key_destroyed_by_event();

CREATE OR REPLACE FUNCTION stipple_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.hash INTO NEW.prev_hash FROM events e WHERE e.position = NEW.position - 1;
    IF NEW.prev_hash IS NULL THEN
        IF NEW.position IS DISTINCT FROM 1 THEN
            RAISE EXCEPTION 'cannot chain event at position %: there is no event at position %',
                NEW.position, NEW.position - 1
                USING ERRCODE = 'SE003', HINT = 'Append through stipple_append_batch, which numbers events gaplessly.';
        END IF;
        NEW.prev_hash := decode(repeat('00', 32), 'hex');
    END IF;
    NEW.category := split_part(NEW.stream, '-', 1);
    NEW.hash := stipple_chain_hash(NEW.prev_hash, NEW.position, NEW.stream, NEW.version, NEW.event_id, NEW.type,
                                   NEW.schema_version, NEW.data, NEW.metadata, NEW.recorded_at);
    -- Forgetting destroys the client's key in the inserting statement (see the header).
    IF NEW.type = 'client.forgotten' THEN
        PERFORM stipple_destroy_client_key(NEW.stream, NEW.data ->> 'reason', NEW.event_id);
    END IF;
    RETURN NEW;
END;
$$;
