-- A lone append's per-statement table set-up, cheaper; the same rows (issue 14; measurements in
-- docs/benchmarks.md and below).
--
-- PostgreSQL sets up a stored generated column again for every statement that inserts into its table:
-- it reads the column's expression back from its stored text form and plans it. For `category`
-- (split_part(stream, '-', 1)) that was ~28,000 of the ~705,000 instructions of a lone append (one
-- event, one transaction; valgrind in a single-user backend, Schema/0024's method: 705k with the
-- column, 677k without it). The chain trigger is a PL/pgSQL function whose expressions are set up once
-- per transaction, cheaply: it now sets `category` from `stream` as it sets the links.
--
--   * `category` becomes an ordinary column (DROP EXPRESSION keeps every stored value; the table is not
--     rewritten). The chain trigger, which every insert into events fires (it is what links the row),
--     sets it from `stream`, overwriting whatever an INSERT supplied, as it overwrites `prev_hash` and
--     `hash`. Rows are never updated (0001's trigger), so `category` stays split_part(stream, '-', 1).
--   * `stipple_chain_hash` gets a cheaper form of the recorded_at field, the same value for every
--     timestamp: the epoch in exact integer microseconds as extract(epoch ...) * 1000000 (extract returns
--     an exact numeric since PostgreSQL 14) instead of whole seconds of date_trunc plus the microseconds
--     of the second (~8,000 instructions per event). Every link stays what it is (the tests verify old and
--     new events with the Swift verifier, which computes the canonical form on its own).
--   * Both functions are replaced, so a pooled session that ran the old ones compiles them afresh.

ALTER TABLE events ALTER COLUMN category DROP EXPRESSION;

CREATE OR REPLACE FUNCTION stipple_chain_hash(
    p_prev bytea, p_position bigint, p_stream text, p_version integer, p_event_id uuid, p_type text,
    p_schema_version smallint, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz
) RETURNS bytea
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    pos  bytea := convert_to(p_position::text, 'UTF8');
    str  bytea := convert_to(p_stream, 'UTF8');
    ver  bytea := convert_to(p_version::text, 'UTF8');
    typ  bytea := convert_to(p_type, 'UTF8');
    sv   bytea := convert_to(p_schema_version::text, 'UTF8');
    dat  bytea := convert_to(p_data::text, 'UTF8');
    meta bytea := convert_to(p_metadata::text, 'UTF8');
    rec  bytea := convert_to((extract(epoch FROM p_recorded_at) * 1000000)::bigint::text, 'UTF8');
BEGIN
    -- F('stipple.event.v1') and F(event_id) have fixed lengths (16 and 36 bytes).
    RETURN sha256(p_prev || '\x0000001073746970706c652e6576656e742e7631'::bytea
        || int4send(length(pos)) || pos || int4send(length(str)) || str || int4send(length(ver)) || ver
        || '\x00000024'::bytea || convert_to(p_event_id::text, 'UTF8')
        || int4send(length(typ)) || typ || int4send(length(sv)) || sv || int4send(length(dat)) || dat
        || int4send(length(meta)) || meta || int4send(length(rec)) || rec);
END;
$$;

CREATE OR REPLACE FUNCTION stipple_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
BEGIN
    NEW.category := split_part(NEW.stream, '-', 1);
    IF NEW.position = 1 THEN
        prev := decode(repeat('00', 32), 'hex');
    ELSE
        SELECT e.hash INTO prev FROM events e WHERE e.position = NEW.position - 1;
        IF prev IS NULL THEN
            RAISE EXCEPTION 'cannot chain event at position %: there is no event at position %',
                NEW.position, NEW.position - 1
                USING ERRCODE = 'SE003', HINT = 'Append through stipple_append_batch, which numbers events gaplessly.';
        END IF;
    END IF;
    NEW.prev_hash := prev;
    NEW.hash := stipple_chain_hash(prev, NEW.position, NEW.stream, NEW.version, NEW.event_id, NEW.type,
                                   NEW.schema_version, NEW.data, NEW.metadata, NEW.recorded_at);
    RETURN NEW;
END;
$$;
