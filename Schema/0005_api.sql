-- The HTTP API: API keys (only a hash of each key is stored) and idempotency records,
-- so a retried command with the same Idempotency-Key returns its first answer.

CREATE TABLE api_keys (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL CHECK (length(name) BETWEEN 1 AND 200 AND name !~ '[[:cntrl:]]'),
    role        text        NOT NULL CHECK (role IN ('operator', 'auditor', 'integrator', 'admin')),
    -- SHA-256 of the key, hex; keys are 256-bit random, so a plain hash is enough.
    key_hash    text        NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    -- For integrators: the categories they may read (NULL: all).
    categories  text[],
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    revoked_at  timestamptz
);

CREATE TABLE idempotency_keys (
    key          text        NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    api_key_id   uuid        NOT NULL REFERENCES api_keys (id),
    -- SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint  text        NOT NULL,
    -- 'pending' while the first request runs, then 'done'.
    status       text        NOT NULL CHECK (status IN ('pending', 'done')),
    response_status integer,
    response_body   text,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (key, api_key_id)
);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        GRANT SELECT, INSERT, UPDATE ON api_keys TO stipple_app;
        GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO stipple_app;
    END IF;
END;
$$;
