-- Each verification of the hash chain as it ended (`stipple audit verify`, the console's Audit page):
-- when, by whom, through which door, what it checked and what it found. An auditor reads the latest to
-- know when the log was last shown intact, and who showed it. Append-only like the access log: a
-- trigger rejects UPDATE, DELETE and TRUNCATE, and the application role may only insert and read.

CREATE TABLE chain_verifications (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- An API key's name (console) or an OS user (CLI).
    actor         text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 200 AND actor !~ '[[:cntrl:]]'),
    channel       text        NOT NULL CHECK (channel IN ('cli', 'api', 'console')),
    intact        boolean     NOT NULL,
    from_position bigint      NOT NULL CHECK (from_position >= 1),
    checked       bigint      NOT NULL CHECK (checked >= 0),
    -- The last link checked (the head when intact), as POSITION and hex hash.
    head_position bigint,
    head_hash     text        CHECK (head_hash IS NULL OR head_hash ~ '^[0-9a-f]{64}$'),
    -- `log_head` when the verification started.
    log_head      bigint      NOT NULL,
    findings      integer     NOT NULL CHECK (findings >= 0),
    seals_checked integer     NOT NULL CHECK (seals_checked >= 0),
    -- The seal kept outside that the verification was asked to find (`--against`), POSITION:HASH.
    anchor        text        CHECK (anchor IS NULL OR length(anchor) <= 100),
    -- One line: the summary of an intact log, or the count and first finding.
    summary       text        NOT NULL CHECK (length(summary) BETWEEN 1 AND 2000),
    duration_ms   double precision NOT NULL CHECK (duration_ms >= 0)
);

CREATE FUNCTION stipple_reject_verification_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chain verifications are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'SE001', HINT = 'Verification records are kept as they were written.';
END;
$$;
CREATE TRIGGER chain_verifications_no_update_delete BEFORE UPDATE OR DELETE ON chain_verifications
    FOR EACH ROW EXECUTE FUNCTION stipple_reject_verification_change();
CREATE TRIGGER chain_verifications_no_truncate BEFORE TRUNCATE ON chain_verifications
    FOR EACH STATEMENT EXECUTE FUNCTION stipple_reject_verification_change();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        REVOKE ALL ON chain_verifications FROM stipple_app;
        GRANT SELECT, INSERT ON chain_verifications TO stipple_app;
    END IF;
END;
$$;
