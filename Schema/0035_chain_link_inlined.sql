-- The chain link as one inlined expression, the same links (issue 14; measurements below).
--
-- A lone append is one transaction, and PL/pgSQL sets each expression of a function up again in every new
-- transaction. The chain trigger ran six of them and a query, and called `stipple_chain_hash`, a second PL/pgSQL
-- function with nine more (eight DECLAREs and the RETURN, ~50 function calls between them), each set up afresh:
-- ~187,000 of the ~578,000 instructions of a lone append (one event, one transaction; valgrind in a single-user
-- backend, Schema/0024's method: the one-event statement of GroupCommitter PREPAREd and EXECUTEd,
-- (Ir(440 calls) - Ir(40 calls)) / 400, a fresh database each; 390,000 with the trigger disabled).
--
--   * `stipple_chain_hash` is a LANGUAGE sql function of one expression, which the planner inlines into the
--     trigger's assignment (planned once per session; set up once per transaction and reused for every row of
--     it). The fields' length prefixes come from `array_send` of a bytea array: its binary form is a 20-byte
--     header (dimensions, null flag, element type, length, lower bound) and then, for every element, its byte
--     length as a 4-byte big-endian integer and its bytes, which after the header is F(x) for every field in
--     order, exactly 0003's canonical form. Every field is still the UTF-8 bytes of the same text (convert_to),
--     so every link stays what it is. It is no longer STRICT (a STRICT function whose body has an ARRAY[...] is
--     not inlined): a NULL predecessor still gives NULL; a NULL field would be hashed as length -1, but every
--     field of `events` is NOT NULL, so no stored event has one.
--   * The trigger reads the predecessor's hash straight into NEW.prev_hash (the same query, with the snapshot of
--     its own it always took, after the log_head lock), then sets category and hash: three statements and two
--     expressions where there were six and a function call. Any insert into events still fires it; what an
--     INSERT supplies for prev_hash, hash and category is still overwritten (a query that finds no row sets its
--     target to NULL); an event whose predecessor is missing still fails with SE003, one with a NULL position
--     too, and the first event of a log is still linked to 32 zero bytes.
--   * Both functions are replaced, so a pooled session that ran the old ones compiles them afresh.
--
-- Measured, valgrind as above: a lone append 578k -> 520k instructions (-10 %; the trigger's share 187k -> 130k);
-- an INSERT of 100 events in one statement 173k -> 160k per event (the trigger's share 102k -> 89k; 71k with it
-- disabled). Tried and not kept: the link computed in the trigger's query beside the look-up (SELECT ... INTO
-- NEW.prev_hash, NEW.hash, NEW.category): 522k for a lone append, but 193k per event of a 100-event INSERT, since
-- a query's expressions are set up again for every row and a PL/pgSQL expression once per transaction; a text[]
-- array (textsend, no convert_to): 507k, but textsend's bytes follow the session's client_encoding.
--
-- Wall clock, one durable cluster, old and new schema in two databases (one binary: only the schema differs),
-- pgbench's plain INSERT between them, taking turns run by run (08:02-08:07 UTC, load 1.4-2.9 on 2 cores, the
-- other engineer's work running; master key set; medians): `stipple-bench append --writers 1 --appends 2000`, two
-- series of 30 rounds: 2,530 -> 2,586 and 2,406 -> 2,603 events/s, p50 0.369 -> 0.358 and 0.378 -> 0.359 ms,
-- against the INSERT's 2,946 and 3,114 events/s (p50 0.298 and 0.290 ms): 0.83x -> 0.86x and 0.79x -> 0.83x,
-- faster in 21 and 25 of 30 rounds (+4.4 % and +6.4 % per round). 8 writers (4,000 appends, 16 rounds): 7,164 ->
-- 7,325 events/s, 0.97x -> 0.99x, faster in 13 of 16. 100 events per append (200 appends, 12 rounds): 25,997 ->
-- 27,884 events/s, 0.95x -> 1.04x of pgbench's 100-row INSERT, faster in 10 of 12. pgbench running the one-event
-- statement itself (-M prepared, 20 rounds of 2,000): +4.2 % (synchronous_commit on), +4.7 % (off).

CREATE OR REPLACE FUNCTION stipple_chain_hash(
    p_prev bytea, p_position bigint, p_stream text, p_version integer, p_event_id uuid, p_type text,
    p_schema_version smallint, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz
) RETURNS bytea
    LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    -- '\x7374...31' is 'stipple.event.v1'; substr(..., 21) drops array_send's header.
    SELECT sha256(p_prev || substr(array_send(ARRAY[
        '\x73746970706c652e6576656e742e7631'::bytea, convert_to(p_position::text, 'UTF8'),
        convert_to(p_stream, 'UTF8'), convert_to(p_version::text, 'UTF8'), convert_to(p_event_id::text, 'UTF8'),
        convert_to(p_type, 'UTF8'), convert_to(p_schema_version::text, 'UTF8'), convert_to(p_data::text, 'UTF8'),
        convert_to(p_metadata::text, 'UTF8'),
        convert_to((extract(epoch FROM p_recorded_at) * 1000000)::bigint::text, 'UTF8')]), 21))
$$;

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
    RETURN NEW;
END;
$$;
