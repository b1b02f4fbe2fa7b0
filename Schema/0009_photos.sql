-- Client photos (before/after, healing checks): the stored image, already upright and stripped of every
-- metadata block, and its thumbnail, each sealed (AES-256-GCM) with the client's own key from
-- client_keys (EventStore's PersonalDataVault, sealBlob). Forgetting a client destroys that key in the
-- same transaction as the client.forgotten event (migration 0007), so these rows become unreadable at
-- once, here and in every backup, while the client.photo-logged events keep their hashes.
-- Keyed by client and content hash: the same image uploaded twice is one row.

CREATE TABLE client_photos (
    -- The client's stream name, client-<uuid>: the subject the sealing key belongs to.
    subject              text        NOT NULL CHECK (subject LIKE 'client-%' AND length(subject) <= 200),
    -- SHA-256 of the stored (stripped) image bytes, lower-case hex: what client.photo-logged names.
    content_hash         text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    media_type           text        NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/webp', 'image/heic')),
    size_bytes           integer     NOT NULL CHECK (size_bytes > 0),
    width                integer     NOT NULL CHECK (width > 0),
    height               integer     NOT NULL CHECK (height > 0),
    -- The client key both blobs are sealed with (client_keys.key_id).
    key_id               uuid        NOT NULL,
    -- nonce (12) || ciphertext || tag (16); the label authenticated with it is '<hash>/image'.
    sealed_image         bytea       NOT NULL,
    thumbnail_media_type text        NOT NULL,
    -- Sealed the same way under '<hash>/thumbnail'.
    sealed_thumbnail     bytea       NOT NULL,
    stored_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (subject, content_hash)
);

-- Photos are never changed; a forgotten client's rows stay (unreadable) like the events.
CREATE FUNCTION stipple_guard_client_photo() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stored photos cannot be changed (%)', TG_OP USING ERRCODE = 'SE009';
END;
$$;

CREATE TRIGGER client_photos_guard BEFORE UPDATE ON client_photos
    FOR EACH ROW EXECUTE FUNCTION stipple_guard_client_photo();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        REVOKE ALL ON client_photos FROM stipple_app;
        GRANT SELECT, INSERT ON client_photos TO stipple_app;
    END IF;
END;
$$;
