-- Webhooks: integrators register a URL and the categories they want; the server POSTs the
-- matching events to it, signed with the webhook's own secret, in log order, and keeps a
-- checkpoint per webhook that moves only after the receiver acknowledged (2xx).

CREATE TABLE webhooks (
    id              uuid        PRIMARY KEY,
    -- The key that registered it; deliveries stop when that key is revoked.
    api_key_id      uuid        NOT NULL REFERENCES api_keys (id),
    url             text        NOT NULL CHECK (url ~ '^http://[^[:space:][:cntrl:]]+$' AND length(url) <= 2000),
    -- The categories delivered (NULL: every category).
    categories      text[],
    -- The HMAC-SHA256 key deliveries are signed with. It has to be kept usable (not hashed) to sign.
    secret          text        NOT NULL CHECK (secret ~ '^whsec_[0-9a-f]{64}$'),
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Delivery state. `checkpoint` is the log position up to which everything matching was
    -- acknowledged; it only ever moves forward, and only after a 2xx.
    checkpoint      bigint      NOT NULL DEFAULT 0 CHECK (checkpoint >= 0),
    delivered       bigint      NOT NULL DEFAULT 0,
    -- Failed attempts of the delivery now pending (0 after a success).
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    last_success_at timestamptz
);
CREATE INDEX webhooks_api_key ON webhooks (api_key_id);

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        GRANT SELECT, INSERT, UPDATE, DELETE ON webhooks TO stipple_app;
    END IF;
END;
$$;
