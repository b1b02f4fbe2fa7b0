-- Stipple event store: a gapless log in commit order.
--
-- Every append takes the row lock on log_head before it numbers its events, and keeps
-- it until commit, so positions are handed out in commit order with no holes: a reader
-- paging with `position > last` can never pass over an event that commits later.

CREATE TABLE log_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL CHECK (position >= 0)
);
INSERT INTO log_head (singleton, position) VALUES (true, 0);

CREATE TABLE events (
    position        bigint      PRIMARY KEY CHECK (position > 0),
    stream          text        NOT NULL CHECK (stream ~ '^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$'),
    category        text        NOT NULL GENERATED ALWAYS AS (split_part(stream, '-', 1)) STORED,
    version         integer     NOT NULL CHECK (version >= 0),
    event_id        uuid        NOT NULL UNIQUE,
    type            text        NOT NULL CHECK (type ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$'),
    schema_version  smallint    NOT NULL CHECK (schema_version > 0),
    data            jsonb       NOT NULL CHECK (jsonb_typeof(data) = 'object'),
    metadata        jsonb       NOT NULL CHECK (jsonb_typeof(metadata) = 'object'),
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (stream, version)
);
CREATE INDEX events_category_position ON events (category, position);

-- Immutability: history is appended, never edited.
CREATE FUNCTION stipple_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'SE001', HINT = 'Append a compensating event instead.';
END;
$$;
CREATE TRIGGER events_no_update_delete BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION stipple_reject_change();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION stipple_reject_change();

-- One append request: one or more streams, each with an expected version, all or nothing.
--   request = {"appends": [{"stream": s, "expected": "any"|"no_stream"|"stream_exists"|<int>,
--                          "events": [{"id", "type", "schema_version", "data", "metadata"}]}]}
-- `head` is the last position handed out so far in this batch. Returns
-- {"ok": true, "head": new head, "results": [{"stream", "version", "positions": [...], "duplicate": bool}]}
-- or {"ok": false, "error": code, ...details}. Domain errors never abort the caller's
-- transaction: each request runs in its own subtransaction (the EXCEPTION block), and
-- raising (not returning) undoes the request's earlier streams.
CREATE FUNCTION stipple_append_one(request jsonb, head bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    app        jsonb;
    s          text;
    expected   jsonb;
    current    integer;
    n          integer;
    found_n    integer;
    same_n     integer;
    ids        uuid[];
    results    jsonb[] := '{}';
    positions  jsonb;
    last_ver   integer;
    detail     text;
BEGIN
    FOR app IN SELECT * FROM jsonb_array_elements(request->'appends') LOOP
        s := app->>'stream';
        expected := app->'expected';
        n := jsonb_array_length(app->'events');
        SELECT array_agg((e->>'id')::uuid) INTO ids FROM jsonb_array_elements(app->'events') e;

        -- Idempotency: the same event ids again with the same content is the original result.
        IF EXISTS (SELECT 1 FROM events WHERE event_id = ANY(ids)) THEN
            SELECT count(*),
                   count(*) FILTER (WHERE x.stream = s AND x.type = e->>'type'
                                     AND x.schema_version = (e->>'schema_version')::smallint
                                     AND x.data = e->'data')
              INTO found_n, same_n
              FROM jsonb_array_elements(app->'events') AS t(e)
              JOIN events x ON x.event_id = (e->>'id')::uuid;
            IF found_n = n AND same_n = n THEN
                SELECT max(version), jsonb_agg(position ORDER BY position)
                  INTO last_ver, positions FROM events WHERE event_id = ANY(ids);
                results := results || jsonb_build_object('stream', s, 'version', last_ver,
                    'positions', positions, 'duplicate', true);
                CONTINUE;
            END IF;
            RAISE EXCEPTION 'idempotency conflict on stream %', s USING ERRCODE = 'SE002',
                DETAIL = jsonb_build_object('ok', false, 'error', 'idempotency_conflict', 'stream', s,
                    'event_id', (SELECT x.event_id FROM events x WHERE x.event_id = ANY(ids)
                                  ORDER BY x.position LIMIT 1),
                    'found', found_n, 'same', same_n, 'count', n)::text;
        END IF;

        SELECT max(version) INTO current FROM events WHERE stream = s;
        current := coalesce(current, -1);
        IF (jsonb_typeof(expected) = 'number' AND current <> (expected)::text::integer)
           OR (expected = '"no_stream"' AND current <> -1)
           OR (expected = '"stream_exists"' AND current = -1) THEN
            RAISE EXCEPTION 'wrong expected version on stream %', s USING ERRCODE = 'SE002',
                DETAIL = jsonb_build_object('ok', false, 'error', 'wrong_expected_version',
                    'stream', s, 'expected', expected, 'actual', current)::text;
        END IF;

        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
        SELECT head + t.i, s, current + t.i::integer, (t.e->>'id')::uuid, t.e->>'type',
               (t.e->>'schema_version')::smallint, t.e->'data', t.e->'metadata'
          FROM jsonb_array_elements(app->'events') WITH ORDINALITY AS t(e, i);
        SELECT jsonb_agg(head + g) INTO positions FROM generate_series(1, n) g;
        results := results || jsonb_build_object('stream', s, 'version', current + n,
            'positions', positions, 'duplicate', false);
        head := head + n;
    END LOOP;
    RETURN jsonb_build_object('ok', true, 'head', head, 'results', to_jsonb(results));
EXCEPTION
    WHEN SQLSTATE 'SE002' THEN
        GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
        RETURN detail::jsonb;
    WHEN unique_violation THEN
        RETURN jsonb_build_object('ok', false, 'error', 'duplicate_event',
            'message', SQLERRM, 'sqlstate', SQLSTATE);
    WHEN OTHERS THEN
        RETURN jsonb_build_object('ok', false, 'error', 'database',
            'message', SQLERRM, 'sqlstate', SQLSTATE);
END;
$$;

-- A group of requests from concurrent writers, committed together (group commit): one
-- statement, one commit, one fsync; each request succeeds or fails on its own. The head
-- row is locked first and written once at the end (updating it per request would leave
-- a chain of dead row versions that every later update in the transaction walks).
CREATE FUNCTION stipple_append_batch(requests jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    req      jsonb;
    answer   jsonb;
    answers  jsonb[] := '{}';
    before   bigint;
    head     bigint;
BEGIN
    -- Serialise appenders first, so every check below sees every earlier commit.
    SELECT position INTO before FROM log_head FOR UPDATE;
    head := before;
    FOR req IN SELECT * FROM jsonb_array_elements(requests) LOOP
        answer := stipple_append_one(req, head);
        IF (answer->>'ok')::boolean THEN
            head := (answer->>'head')::bigint;
        END IF;
        answers := answers || (answer - 'head');
    END LOOP;
    IF head > before THEN
        UPDATE log_head SET position = head;
        PERFORM pg_notify('stipple_events', head::text);
    END IF;
    RETURN to_jsonb(answers);
END;
$$;

-- The application role may read and append, never change history.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        BEGIN
            CREATE ROLE stipple_app NOLOGIN;
        EXCEPTION
            WHEN insufficient_privilege THEN
                RAISE NOTICE 'cannot create role stipple_app; grant SELECT, INSERT on events by hand';
                RETURN;
            -- Roles are shared by every database of the cluster: another database's migration
            -- may have created it a moment ago.
            WHEN duplicate_object OR unique_violation THEN
                NULL;
        END;
    END IF;
    REVOKE ALL ON events FROM stipple_app;
    GRANT SELECT, INSERT ON events TO stipple_app;
    GRANT SELECT, UPDATE ON log_head TO stipple_app;
END;
$$;
