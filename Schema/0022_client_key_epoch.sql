-- Opening sealed personal data without asking for the keys' state on every page (issue 14, read all).
--
-- The vault (EventStore's PersonalDataVault) makes sure, for every page of events it opens, that the
-- keys named in it still live, so a forgotten client is never shown from a stale cache: until now one
-- more query per page. This counter moves whenever a live key is destroyed, in the destroying
-- transaction. Every read of events through a vault returns it (one row, read once per statement),
-- and when it has not moved since the vault checked a key in a statement of its own, that key has not
-- been destroyed in between: the vault opens the page with the keys it holds, without asking again. Any
-- other value (the counter moved) sends the vault back to asking, as before; so does a database without
-- this table (the vault looks for it once, with its first key check).
CREATE TABLE client_key_epoch (
    id        boolean PRIMARY KEY DEFAULT true CHECK (id),
    destroyed bigint  NOT NULL DEFAULT 0 CHECK (destroyed >= 0)
);
INSERT INTO client_key_epoch DEFAULT VALUES;

-- SECURITY DEFINER, like stipple_destroy_client_key: the application role may only read the counter.
CREATE FUNCTION stipple_count_destroyed_client_key() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE client_key_epoch SET destroyed = destroyed + 1;
    RETURN NULL;
END;
$$;

-- A live key destroyed (0007's guard allows no other change of a key).
CREATE TRIGGER client_keys_count_destroyed AFTER UPDATE ON client_keys
    FOR EACH ROW WHEN (OLD.wrapped_key IS NOT NULL AND NEW.wrapped_key IS NULL)
    EXECUTE FUNCTION stipple_count_destroyed_client_key();

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'stipple_app') THEN
        REVOKE ALL ON client_key_epoch FROM stipple_app;
        GRANT SELECT ON client_key_epoch TO stipple_app;
    END IF;
END;
$$;
