-- The events table's and log_head's CHECKs as domains: the same rules, checked without re-reading
-- them on every statement (issue 14; measurements in docs/benchmarks.md and below).
--
-- PostgreSQL prepares a table's CHECK constraints again for every statement that writes the table:
-- it reads each constraint's stored expression tree back from its text form and plans it. For the
-- events table's eight CHECKs and log_head's two, that was ~22 % of the server's work for a lone
-- append (one event, one transaction): ~220,000 of ~1,040,000 instructions per call, counted with
-- valgrind in a single-user backend (the CPU time a loaded machine shows is too noisy for this).
-- A domain's CHECK is read and planned once per session (PostgreSQL keeps it with the type), and a
-- statement only sets up the planned expression. With the same rules as domains a lone append
-- costs ~850,000 instructions (-18 %); a write of many events in one statement gains little, since
-- the per-statement set-up is shared by its rows.
--
-- What changes and what does not:
--   * The same values are accepted and refused, with the same SQLSTATE (23514, check_violation);
--     the message names the domain instead of the table constraint.
--   * Every column keeps its base type where anyone sees it: clients are told the base type of a
--     domain column, `data::text` and every other stored byte are unchanged, so every hash-chain
--     link stays what it is and `stipple verify` passes on a log with events from before and after.
--   * `prev_hash` and `hash` keep their 32-byte rule: the chain trigger assigns them as values of
--     the domain, which PL/pgSQL checks on assignment, as the table CHECK did after the trigger.
--   * The columns change type, so the table is rewritten once (ACCESS EXCLUSIVE while it runs).
--     `stream` cannot change type while the generated column `category` reads it, so `category` is
--     dropped first and added again (same expression, same index; it is now the table's last
--     column, and nothing reads the table by column number). The AFTER INSERT trigger of 0007 names
--     `type` in its WHEN clause and is dropped and created again around the change, unchanged.
--   * The two row triggers' PL/pgSQL functions are created again with the same bodies. A session
--     that ran one before the change keeps it compiled with the old column types and would fail
--     its next insert (42804, "type of parameter ... does not match that when preparing the
--     plan"); replacing a function makes every session compile it afresh, so a server whose pooled
--     connections appended before this migration appends on after it without reconnecting.

CREATE DOMAIN stipple_position AS bigint CHECK (VALUE > 0);
CREATE DOMAIN stipple_stream_name AS text CHECK (VALUE ~ '^[A-Za-z0-9][A-Za-z0-9_.:@-]*$' AND length(VALUE) <= 200);
CREATE DOMAIN stipple_version AS integer CHECK (VALUE >= 0);
CREATE DOMAIN stipple_event_type AS text CHECK (VALUE ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' AND length(VALUE) <= 200);
CREATE DOMAIN stipple_schema_version AS smallint CHECK (VALUE > 0);
CREATE DOMAIN stipple_json_object AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');
CREATE DOMAIN stipple_chain_link AS bytea CHECK (octet_length(VALUE) = 32);
CREATE DOMAIN stipple_head_position AS bigint CHECK (VALUE >= 0);
CREATE DOMAIN stipple_singleton AS boolean CHECK (VALUE);

DROP TRIGGER events_forget_destroys_key ON events;
DROP INDEX events_category_position;
ALTER TABLE events DROP COLUMN category;
ALTER TABLE events
    DROP CONSTRAINT events_position_check,
    DROP CONSTRAINT events_stream_check,
    DROP CONSTRAINT events_version_check,
    DROP CONSTRAINT events_type_check,
    DROP CONSTRAINT events_schema_version_check,
    DROP CONSTRAINT events_data_check,
    DROP CONSTRAINT events_metadata_check,
    DROP CONSTRAINT events_chain_lengths,
    ALTER COLUMN position TYPE stipple_position,
    ALTER COLUMN stream TYPE stipple_stream_name,
    ALTER COLUMN version TYPE stipple_version,
    ALTER COLUMN type TYPE stipple_event_type,
    ALTER COLUMN schema_version TYPE stipple_schema_version,
    ALTER COLUMN data TYPE stipple_json_object,
    ALTER COLUMN metadata TYPE stipple_json_object,
    ALTER COLUMN prev_hash TYPE stipple_chain_link,
    ALTER COLUMN hash TYPE stipple_chain_link,
    ADD COLUMN category text NOT NULL GENERATED ALWAYS AS (split_part(stream, '-', 1)) STORED;
CREATE INDEX events_category_position ON events (category, position);
CREATE TRIGGER events_forget_destroys_key AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.type = 'client.forgotten') EXECUTE FUNCTION stipple_destroy_client_key();

ALTER TABLE log_head
    DROP CONSTRAINT log_head_singleton_check,
    DROP CONSTRAINT log_head_position_check,
    ALTER COLUMN singleton TYPE stipple_singleton,
    ALTER COLUMN position TYPE stipple_head_position;

-- The same bodies as 0003 and 0007 (see the note above on why they are created again).
CREATE OR REPLACE FUNCTION stipple_chain_link() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION stipple_destroy_client_key() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO client_keys AS k (subject, key_id, wrapped_key, destroyed_at, destroyed_reason, destroyed_by)
    VALUES (NEW.stream, gen_random_uuid(), NULL, clock_timestamp(), NEW.data->>'reason', NEW.event_id)
    ON CONFLICT (subject) DO UPDATE
        SET wrapped_key = NULL,
            destroyed_at = coalesce(k.destroyed_at, excluded.destroyed_at),
            destroyed_reason = coalesce(k.destroyed_reason, excluded.destroyed_reason),
            destroyed_by = coalesce(k.destroyed_by, excluded.destroyed_by);
    RETURN NULL;
END;
$$;
