-- The operator console (`/console`): server-side sessions signed in with an API key, and a
-- third door for the access log.
--
-- The browser holds only a random session token in an HttpOnly cookie; the table keeps its
-- SHA-256, the key it was signed in with and the form token (CSRF) of the session. A session
-- is valid while its key is unrevoked and it was used within the idle timeout (checked on
-- every request against `last_seen_at`), so revoking a key ends its sessions at once.
-- The blind index for client search is a projection (schema `search`, made by the projection
-- runner like every read model, rebuildable from the log), so it has no table here.

CREATE TABLE console_sessions (
    -- SHA-256 of the session token, hex.
    token_hash   text        PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    api_key_id   uuid        NOT NULL REFERENCES api_keys (id),
    -- The token every form of this session carries (compared in constant time).
    csrf_token   text        NOT NULL CHECK (length(csrf_token) BETWEEN 32 AND 128),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    last_seen_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX console_sessions_key ON console_sessions (api_key_id);

-- Reads made through the console are recorded as such.
ALTER TABLE access_log DROP CONSTRAINT access_log_channel_check;
ALTER TABLE access_log ADD CONSTRAINT access_log_channel_check CHECK (channel IN ('cli', 'api', 'console'));

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON console_sessions TO stipple_app;
    END IF;
END;
$$;
