-- Appends in a few statements (issue 14; docs/benchmarks.md has the measurements).
--
-- 1. A lone request to one stream ---------------------------------------------------------------
--
-- A lone request to one stream (what a single writer sends, and what group commit sends when no
-- other writer is waiting) went through `stipple_append_batch` (0012): a JSON request document
-- unpacked field by field, shape checks, an idempotency probe, a JSON answer built and parsed
-- again by the client. In PL/pgSQL every expression and statement of a function is set up again
-- in each new transaction, and an append is one transaction, so that work cost about as much as
-- the INSERT itself: ~270 µs of server time per call against ~85 µs for the bare INSERT into
-- `events` (trigger included) and ~15-30 µs for a plain INSERT.
--
-- `stipple_append_stream` does only what the guarantees need, in four statements:
--   1. take the log_head row lock and move the head by the number of events (one UPDATE: the
--      lock and the new head at once; later statements get a snapshot taken after the lock, so
--      they see every earlier commit);
--   2. read the stream's version (one index entry, as 0008 note 3);
--   3. on a wrong expected version: put the head back and answer with the actual version, nothing
--      written; otherwise one INSERT of every event, numbered from the old head (gapless, in commit
--      order, since the lock is held to commit); the hash-chain trigger of 0003/0012 links each row;
--   4. pg_notify with the new head, as every append path does.
-- Whatever else can go wrong raises (or answers NULL, below) and writes nothing: an event id already stored (a retry, to be
-- answered as a duplicate, or a conflict), a value a CHECK refuses, a bad argument. The caller
-- then sends the same request through `stipple_append_batch`, whose per-request path gives each
-- of those its answer as before (Sources/EventStore/Append/GroupCommitter.swift). So the unique
-- index on event_id, not a probe, is what keeps ids idempotent here, and a retry costs one more
-- round trip.
--
-- Arguments: the stream; the expectation as an integer (NULL: any, -1: no stream, -2: the stream
-- exists, n >= 0: exactly version n); the events as a JSON array of
-- {"id", "type", "schema_version", "data", "metadata"}, in order.
-- Answers one row: the position of the last event written and the stream's version after the
-- append; or, on a wrong expected version, last_position NULL and the stream's actual version
-- (-1: no such stream); or both NULL, nothing written, for `stipple_append_batch` to answer: no
-- events, or a wrong expected version on a request whose event ids are stored already (a retry of
-- an append that went through is its duplicate, as 0001 answers, not a conflict).
CREATE FUNCTION stipple_append_stream(
    p_stream text, p_expected integer, p_events jsonb, OUT last_position bigint, OUT stream_version integer
) LANGUAGE plpgsql AS $$
DECLARE
    n integer := jsonb_array_length(p_events);
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    UPDATE log_head SET position = position + n RETURNING position INTO last_position;
    SELECT x.version INTO stream_version FROM events x WHERE x.stream = p_stream ORDER BY x.version DESC LIMIT 1;
    IF NOT FOUND THEN
        stream_version := -1;
    END IF;
    IF p_expected IS NOT NULL AND stream_version <> p_expected AND NOT (p_expected = -2 AND stream_version >= 0) THEN
        UPDATE log_head SET position = position - n;
        last_position := NULL;
        -- A retry of an append that went through is answered as its duplicate, whatever the
        -- stream's version is now: that is the other path's to answer.
        IF EXISTS (SELECT 1 FROM events x
                    WHERE x.event_id = ANY(ARRAY(SELECT (e->>'id')::uuid FROM jsonb_array_elements(p_events) AS e))) THEN
            stream_version := NULL;
        END IF;
        RETURN;
    END IF;
    INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
    SELECT last_position - n + e.i, p_stream, stream_version + e.i::integer, e.id, e.type, e.schema_version, e.data,
           e.metadata
      FROM ROWS FROM (jsonb_to_recordset(p_events)
                      AS (id uuid, type text, schema_version smallint, data jsonb, metadata jsonb))
           WITH ORDINALITY AS e(id, type, schema_version, data, metadata, i);
    stream_version := stream_version + n;
    PERFORM pg_notify('stipple_events', last_position::text);
END;
$$;

-- 2. A group of requests ----------------------------------------------------------------------
--
-- Several requests sent together by group commit (each with one or more streams, each request all
-- or nothing on its own), or one request to several streams. 0008's group path unpacked the JSON
-- request document in a subtransaction and built a JSON answer; `stipple_append_streams` takes the
-- streams as arrays and the events as one JSON array, and answers one row per stream, in order:
--   p_requests[i]       the request (1, 2, ...) stream i belongs to (a request's streams adjacent);
--   p_streams[i], p_expected[i] (coded as for stipple_append_stream), p_counts[i] (its events);
--   p_event_streams[j]  the stream (index into p_streams) of event j; each stream's events are
--                       adjacent and in order in p_events.
-- A request whose expectations all hold is written; one with any expectation failing writes
-- nothing, and each of its streams answers last_position NULL and its actual version. Positions
-- are handed out in stream order over the requests written, gapless, under the log_head lock, and
-- the chain trigger links each row as before. No rows at all (nothing written) means "answer it
-- through stipple_append_batch": a stream named twice in the call (its versions depend on each
-- other), counts that do not add up, or a failing request whose event ids are stored already (a
-- retry, to be answered as a duplicate). As for the lone path, anything that raises (an event id
-- already stored, a CHECK) writes nothing, and the caller falls back to stipple_append_batch.
--
-- `plan_cache_mode = force_generic_plan`: with array parameters the plan cache otherwise keeps
-- choosing a custom plan and plans the INSERT anew on every call (measured: 86 µs of planning per
-- call, most of the INSERT's own cost).
CREATE FUNCTION stipple_append_streams(
    p_requests integer[], p_streams text[], p_expected integer[], p_counts integer[], p_event_streams integer[],
    p_events jsonb
) RETURNS TABLE (last_position bigint, stream_version integer)
    LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    before   bigint;
    total    bigint;
    usable   boolean;
    failing  boolean;
    lasts    bigint[];
    versions integer[];
BEGIN
    SELECT h.position INTO before FROM log_head h FOR UPDATE;
    -- Each stream's current version (one index entry each, see 0008 note 3), whether its request
    -- holds, and the last position of each written stream.
    WITH s AS (
        SELECT t.i, t.req, t.stream, t.expected, t.n,
               coalesce((SELECT x.version FROM events x WHERE x.stream = t.stream ORDER BY x.version DESC LIMIT 1), -1)
                   AS cur
          FROM unnest(p_requests, p_streams, p_expected, p_counts) WITH ORDINALITY AS t(req, stream, expected, n, i)
    ), k AS (
        SELECT s.*, bool_and(s.expected IS NULL OR s.cur = s.expected OR (s.expected = -2 AND s.cur >= 0))
                        OVER (PARTITION BY s.req) AS ok
          FROM s
    ), p AS (
        SELECT k.*, sum(CASE WHEN k.ok THEN k.n ELSE 0 END) OVER (ORDER BY k.i) AS upto FROM k
    )
    SELECT array_agg(CASE WHEN p.ok THEN before + p.upto END ORDER BY p.i),
           array_agg(CASE WHEN p.ok THEN p.cur + p.n ELSE p.cur END ORDER BY p.i),
           coalesce(sum(p.n) FILTER (WHERE p.ok), 0),
           count(*) > 0 AND count(DISTINCT p.stream) = count(*) AND bool_and(p.n > 0)
               AND sum(p.n) = jsonb_array_length(p_events) AND sum(p.n) = cardinality(p_event_streams),
           NOT bool_and(p.ok)
      INTO lasts, versions, total, usable, failing
      FROM p;
    IF NOT coalesce(usable, false) THEN
        RETURN;
    END IF;
    IF failing AND EXISTS (
        SELECT 1 FROM events x
         WHERE x.event_id = ANY(ARRAY(
             SELECT (e.v->>'id')::uuid FROM jsonb_array_elements(p_events) WITH ORDINALITY AS e(v, g)
              WHERE lasts[p_event_streams[e.g]] IS NULL))) THEN
        RETURN;
    END IF;
    IF total > 0 THEN
        INSERT INTO events (position, stream, version, event_id, type, schema_version, data, metadata)
        SELECT lasts[e.s] - p_counts[e.s] + e.r, p_streams[e.s], versions[e.s] - p_counts[e.s] + e.r::integer,
               e.id, e.type, e.schema_version, e.data, e.metadata
          FROM (SELECT r.*, p_event_streams[r.g] AS s,
                       row_number() OVER (PARTITION BY p_event_streams[r.g] ORDER BY r.g) AS r
                  FROM ROWS FROM (jsonb_to_recordset(p_events)
                                  AS (id uuid, type text, schema_version smallint, data jsonb, metadata jsonb))
                       WITH ORDINALITY AS r(id, type, schema_version, data, metadata, g)) AS e
         WHERE lasts[e.s] IS NOT NULL
         ORDER BY 1;
        UPDATE log_head SET position = before + total;
        PERFORM pg_notify('stipple_events', (before + total)::text);
    END IF;
    RETURN QUERY SELECT * FROM unnest(lasts, versions);
END;
$$;
