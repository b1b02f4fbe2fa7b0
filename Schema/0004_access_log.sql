-- Who looked at what, when, why and through which door: one row per read of a client's
-- records (timeline, export, ...). Append-only like the events: a trigger rejects UPDATE,
-- DELETE and TRUNCATE, and the application role may only insert and read.

CREATE TABLE access_log (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- The person or system that read: an API key name, an OS user.
    actor        text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200 AND actor !~ '[[:cntrl:]]'),
    -- What was done, e.g. `timeline.read`, `client.export`.
    action       text        NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.:-]{0,99}$'),
    -- What was read: a stream name such as `client-<id>`; its kind is the text before the first '-'.
    subject      text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 200 AND subject !~ '[[:cntrl:]]'),
    subject_kind text        NOT NULL GENERATED ALWAYS AS (split_part(subject, '-', 1)) STORED,
    -- Why, as the actor gave it.
    reason       text        CHECK (reason IS NULL OR length(reason) <= 1000),
    channel      text        NOT NULL CHECK (channel IN ('cli', 'api'))
);
CREATE INDEX access_log_subject ON access_log (subject, id);

CREATE FUNCTION stipple_reject_access_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'SE001', HINT = 'Access records are kept as they were written.';
END;
$$;
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log
    FOR EACH ROW EXECUTE FUNCTION stipple_reject_access_log_change();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
    FOR EACH STATEMENT EXECUTE FUNCTION stipple_reject_access_log_change();

-- The application role records and reads access, never changes it (0001 made the role
-- when it could; without it, grant SELECT, INSERT on access_log by hand).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        REVOKE ALL ON access_log FROM stipple_app;
        GRANT SELECT, INSERT ON access_log TO stipple_app;
    END IF;
END;
$$;
