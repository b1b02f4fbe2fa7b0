-- Crypto-shredding: one key per client, wrapped by a master key kept outside the database
-- (docs/audit.md, "Erasure"). Personal data in client events is sealed with the client's key by
-- the application (EventStore's PersonalDataVault); forgetting a client destroys the key, so the
-- events and the hash chain stay exactly as stored while the person becomes unreadable.

CREATE TABLE client_keys (
    -- The stream whose personal data the key protects, e.g. client-<uuid>.
    subject          text        PRIMARY KEY CHECK (length(subject) BETWEEN 1 AND 200),
    -- Named in every sealed value, so a reader finds the key without knowing the subject.
    key_id           uuid        NOT NULL UNIQUE,
    -- AES-256-GCM(master key, client key) as nonce (12) || ciphertext (32) || tag (16);
    -- NULL once destroyed.
    wrapped_key      bytea       CHECK (wrapped_key IS NULL OR octet_length(wrapped_key) = 60),
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- When, why and by which event the key was destroyed.
    destroyed_at     timestamptz,
    destroyed_reason text,
    destroyed_by     uuid,
    CHECK ((wrapped_key IS NULL) = (destroyed_at IS NOT NULL))
);

-- A one-way fingerprint (HMAC-SHA256 of a fixed label) of the master key the client keys are
-- wrapped with, written on first use: a different master key is refused with a clear error
-- instead of wrapping new client keys under it.
CREATE TABLE master_key_check (
    id          boolean     PRIMARY KEY DEFAULT true CHECK (id),
    fingerprint bytea       NOT NULL CHECK (octet_length(fingerprint) = 32),
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- A destroyed key stays destroyed: the only change allowed is live -> destroyed; rows are never
-- deleted (the row is the record of when and why), and a wrapped key is never put back.
CREATE FUNCTION stipple_guard_client_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.subject = OLD.subject AND NEW.key_id = OLD.key_id
       AND NEW.created_at = OLD.created_at AND NEW.wrapped_key IS NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'client keys can only be destroyed, not changed or deleted (%)', TG_OP
        USING ERRCODE = 'SE007';
END;
$$;

CREATE TRIGGER client_keys_guard BEFORE UPDATE OR DELETE ON client_keys
    FOR EACH ROW EXECUTE FUNCTION stipple_guard_client_key();

CREATE FUNCTION stipple_reject_client_keys_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'client keys cannot be truncated' USING ERRCODE = 'SE007';
END;
$$;

CREATE TRIGGER client_keys_no_truncate BEFORE TRUNCATE ON client_keys
    FOR EACH STATEMENT EXECUTE FUNCTION stipple_reject_client_keys_truncate();

-- Forgetting destroys the key in the same transaction as the client.forgotten event, whoever
-- appends it (CLI, API, import): the event and the erasure commit together or not at all.
-- A client forgotten before any personal data was sealed gets a destroyed row, so no key can be
-- made for them afterwards. SECURITY DEFINER: the application role may not update keys itself.
CREATE FUNCTION stipple_destroy_client_key() RETURNS trigger LANGUAGE plpgsql
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

CREATE TRIGGER events_forget_destroys_key AFTER INSERT ON events
    FOR EACH ROW WHEN (NEW.type = 'client.forgotten') EXECUTE FUNCTION stipple_destroy_client_key();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        REVOKE ALL ON client_keys, master_key_check FROM stipple_app;
        GRANT SELECT, INSERT ON client_keys, master_key_check TO stipple_app;
    END IF;
END;
$$;
