-- Tamper evidence: one SHA-256 hash chain over the whole log, in position (commit) order.
--
-- Every event stores the hash of its predecessor (`prev_hash`, 32 zero bytes for position 1)
-- and its own link:
--
--     hash = SHA-256( prev_hash || canonical(event) )
--
--     canonical(event) = F('stipple.event.v1') || F(position) || F(stream) || F(version)
--                     || F(event_id) || F(type) || F(schema_version) || F(data) || F(metadata)
--                     || F(recorded_at)
--
--     F(x) = the byte length of x as a 4-byte big-endian unsigned integer, then the bytes of x
--
-- Every field is text encoded as UTF-8: integers (position, version, schema_version) in
-- PostgreSQL's decimal output (no sign, no leading zeros); event_id as lowercase hyphenated
-- UUID text; data and metadata as PostgreSQL's `jsonb` text output (`data::text`);
-- recorded_at as the integer number of microseconds since 1970-01-01 00:00:00 UTC, in
-- decimal. The length prefixes make every field boundary explicit, so no two different
-- events have the same canonical form. The `stipple.event.v1` tag names this definition,
-- so a later form can be told apart. docs/audit.md says the same; the Swift verifier
-- (Sources/EventStore/Audit) recomputes every link from the stored columns on its own,
-- using none of the functions below, so altering them cannot make a tampered log pass.
--
-- Appends are serialised by the row lock on log_head, so "the previous event" is well
-- defined. A BEFORE INSERT trigger computes the link from the stored predecessor; an
-- INSERT ... SELECT that adds several events sees the earlier rows of the same statement
-- (row-level BEFORE triggers do), and an insert whose predecessor is not there fails
-- instead of chaining to the wrong event.

-- The link of one event, given its predecessor's hash. PL/pgSQL rather than SQL so its
-- plan is cached per session: it runs once for every appended event.
CREATE FUNCTION stipple_chain_hash(
    p_prev bytea, p_position bigint, p_stream text, p_version integer, p_event_id uuid, p_type text,
    p_schema_version smallint, p_data jsonb, p_metadata jsonb, p_recorded_at timestamptz
) RETURNS bytea
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    fields    text[];
    field     bytea;
    canonical bytea := p_prev;
BEGIN
    fields := ARRAY[
        'stipple.event.v1', p_position::text, p_stream, p_version::text, p_event_id::text, p_type,
        p_schema_version::text, p_data::text, p_metadata::text,
        -- Exact integer microseconds on every PostgreSQL version (no floating point).
        (extract(epoch FROM date_trunc('second', p_recorded_at AT TIME ZONE 'UTC'))::bigint * 1000000
         + extract(microseconds FROM p_recorded_at AT TIME ZONE 'UTC')::bigint % 1000000)::text];
    FOR i IN 1..array_length(fields, 1) LOOP
        field := convert_to(fields[i], 'UTF8');
        canonical := canonical || int4send(length(field)) || field;
    END LOOP;
    RETURN sha256(canonical);
END;
$$;

ALTER TABLE events ADD COLUMN prev_hash bytea, ADD COLUMN hash bytea;

-- Backfill a log that already has events, in position order. The immutability trigger
-- forbids UPDATE, so it is switched off for this transaction's backfill only: the
-- migration runs in one transaction, and ALTER TABLE holds an exclusive lock on events
-- until it commits, so no other session can write (or see the trigger off) meanwhile.
ALTER TABLE events DISABLE TRIGGER events_no_update_delete;
DO $$
DECLARE
    r    record;
    prev bytea := decode(repeat('00', 32), 'hex');
    link bytea;
BEGIN
    FOR r IN SELECT position, stream, version, event_id, type, schema_version, data, metadata, recorded_at
               FROM events ORDER BY position LOOP
        link := stipple_chain_hash(prev, r.position, r.stream, r.version, r.event_id, r.type,
                                   r.schema_version, r.data, r.metadata, r.recorded_at);
        UPDATE events SET prev_hash = prev, hash = link WHERE position = r.position;
        prev := link;
    END LOOP;
END;
$$;
ALTER TABLE events ENABLE TRIGGER events_no_update_delete;

ALTER TABLE events
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN hash SET NOT NULL,
    ADD CONSTRAINT events_chain_lengths CHECK (octet_length(prev_hash) = 32 AND octet_length(hash) = 32);

-- Chains each new event to its predecessor. Whatever the writer put in prev_hash and hash
-- is overwritten: only the database computes links.
CREATE FUNCTION stipple_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
BEGIN
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

-- BEFORE triggers fire in name order: this name sorts last, so the link covers the row
-- exactly as it is stored even if another BEFORE INSERT trigger is added later.
CREATE TRIGGER zz_events_hash_chain BEFORE INSERT ON events
    FOR EACH ROW EXECUTE FUNCTION stipple_chain_link();
