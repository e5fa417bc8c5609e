-- The clinic server: the one PostgreSQL database a clinic's laptops share. This first migration
-- marks the database as Infusion Chart's, so `server init` never writes into another program's.
-- The records, the change log and the laptops' roles come in the migrations after it.
CREATE TABLE server_info (
    only_row       boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    application    text NOT NULL CHECK (application = 'infusion-chart'),
    created_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO server_info (application) VALUES ('infusion-chart');

CREATE FUNCTION server_info_is_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Refused: the server''s own marker is never changed or removed.';
END;
$$;
CREATE TRIGGER server_info_never_changed BEFORE UPDATE OR DELETE ON server_info
    FOR EACH ROW EXECUTE FUNCTION server_info_is_kept();
