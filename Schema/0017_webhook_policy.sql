-- Webhook policy (issue 18): a webhook whose deliveries keep failing is disabled, with its reason,
-- until re-enabled through `POST /v1/webhooks/{id}/enable`; a secret is rotated with the old one
-- still signing for an overlap window.

-- 0006 accepted `http://` URLs only; `https://` receivers (the default since the deliveries went to
-- async-http-client) need the scheme check to take both.
ALTER TABLE webhooks DROP CONSTRAINT webhooks_url_check;
ALTER TABLE webhooks ADD CONSTRAINT webhooks_url_check
    CHECK (url ~ '^https?://[^[:space:][:cntrl:]]+$' AND length(url) <= 2000);

ALTER TABLE webhooks
    -- When the current run of failed attempts began (NULL after a success): with `attempts`, what
    -- the disabling rule reads (N consecutive failures over at least T).
    ADD COLUMN failing_since timestamptz,
    -- Set when the rule disabled the webhook: no deliveries until re-enabled. Its checkpoint stays,
    -- so a re-enabled webhook resumes where it stopped.
    ADD COLUMN disabled_at timestamptz,
    ADD COLUMN disabled_reason text,
    -- The secret being rotated out: deliveries are signed with it too (a second `v1=`) until
    -- `previous_secret_expires_at`.
    ADD COLUMN previous_secret text CHECK (previous_secret ~ '^whsec_[0-9a-f]{64}$'),
    ADD COLUMN previous_secret_expires_at timestamptz,
    ADD CONSTRAINT webhooks_disabled_with_reason CHECK ((disabled_at IS NULL) = (disabled_reason IS NULL)),
    ADD CONSTRAINT webhooks_previous_secret_expires
        CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL));
