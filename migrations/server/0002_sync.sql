-- The shared record: every laptop's rows by their global id, the change log in commit order, each
-- laptop's audit chain checked as it arrives, and the only door laptops have: the sync functions.
-- Laptops are PostgreSQL roles in the group infusion_chart_laptop; they may run the functions at
-- the end of this file and nothing else (no table is granted to them).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'infusion_chart_laptop') THEN
        CREATE ROLE infusion_chart_laptop NOLOGIN;
    END IF;
END;
$$;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO infusion_chart_laptop;

-- Each laptop: its role, how far its numbered changes and its audit chain have arrived.
CREATE TABLE laptops (
    name           text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
    added_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at     timestamptz,
    pushed_through bigint NOT NULL DEFAULT 0 CHECK (pushed_through >= 0),
    audit_through  bigint NOT NULL DEFAULT 0 CHECK (audit_through >= 0),
    audit_hash     text NOT NULL DEFAULT repeat('0', 64)
);

-- The server's sequence: assigned only under the ingest lock, so numbers are handed out in commit
-- order and a pull that has seen number n has seen every row below it.
CREATE SEQUENCE server_seq;

-- Every change in the order the server committed it: what pulls read.
CREATE TABLE changes (
    server_seq  bigint PRIMARY KEY,
    laptop      text NOT NULL REFERENCES laptops (name),
    laptop_seq  bigint NOT NULL CHECK (laptop_seq > 0),
    table_name  text NOT NULL,
    uid         text NOT NULL,
    body        jsonb NOT NULL,
    -- The stored row differs from the one pushed (a patient edit merged with a concurrent one): the
    -- pushing laptop pulls it back too.
    merged      boolean NOT NULL DEFAULT false,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (laptop, laptop_seq)
);
CREATE INDEX changes_uid ON changes (uid);

-- The current version of every shared row, in plain JSON the clinic can query.
CREATE TABLE records (
    uid         text PRIMARY KEY,
    table_name  text NOT NULL,
    origin      text NOT NULL REFERENCES laptops (name),
    session_uid text,
    body        jsonb NOT NULL,
    server_seq  bigint NOT NULL
);
CREATE INDEX records_table ON records (table_name);
CREATE INDEX records_signed ON records ((body ->> 'session_id')) WHERE table_name = 'signatures';
CREATE INDEX records_mrn ON records (lower(body ->> 'mrn')) WHERE table_name = 'patients';

-- Changes the server would not take, kept with the reason.
CREATE TABLE refused (
    laptop     text NOT NULL REFERENCES laptops (name),
    laptop_seq bigint NOT NULL,
    table_name text NOT NULL,
    uid        text NOT NULL,
    body       jsonb NOT NULL,
    reason     text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (laptop, laptop_seq)
);

-- Two laptops changed the same field of a patient from the same version: both values kept for a
-- person to review; the later (in server order) is the one in force.
CREATE TABLE conflicts (
    id           bigserial PRIMARY KEY,
    table_name   text NOT NULL,
    uid          text NOT NULL,
    field        text NOT NULL,
    base_value   jsonb,
    earlier      jsonb,
    earlier_from text NOT NULL,
    later        jsonb,
    later_from   text NOT NULL,
    server_seq   bigint NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);

-- Nothing is erased on the server, and the log is never rewritten.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'Refused: % rows on the clinic server are never changed or removed.', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER changes_append_only BEFORE UPDATE OR DELETE ON changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER refused_append_only BEFORE UPDATE OR DELETE ON refused
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER conflicts_never_removed BEFORE DELETE ON conflicts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER records_never_removed BEFORE DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER laptops_never_removed BEFORE DELETE ON laptops
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- A signed session and its rows are locked here as on every laptop: only signatures and addenda
-- are added to it.
CREATE FUNCTION session_is_signed(session text) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT FROM records
                   WHERE table_name = 'signatures' AND body ->> 'session_id' = session
                     AND body ->> 'role' = 'nurse');
$$;
CREATE FUNCTION signed_session_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.session_uid IS NOT NULL AND NEW.table_name NOT IN ('signatures', 'addenda')
       AND session_is_signed(NEW.session_uid) THEN
        RAISE EXCEPTION 'This session is signed and locked; corrections are added as addenda.'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER records_signed_session_locked BEFORE INSERT OR UPDATE ON records
    FOR EACH ROW EXECUTE FUNCTION signed_session_locked();

-- The hash a laptop gave an audit entry (src/domain/audit.rs, Entry::compute_hash): each field's
-- length in bytes, a colon and the field, joined by "|"; a missing value is "-", a present one "+…".
CREATE FUNCTION audit_entry_hash(e jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT encode(sha256(convert_to(string_agg(octet_length(f) || ':' || f, '|' ORDER BY n), 'UTF8')), 'hex')
    FROM unnest(ARRAY[
        e ->> 'prev_hash',
        e ->> 'id',
        e ->> 'at_utc',
        e ->> 'at_local',
        coalesce('+' || (e ->> 'user_id'), '-'),
        coalesce('+' || (e ->> 'username'), '-'),
        e ->> 'action',
        coalesce('+' || (e ->> 'table_name'), '-'),
        coalesce('+' || (e ->> 'record_id'), '-'),
        coalesce('+' || (e ->> 'patient_id'), '-'),
        coalesce('+' || (e ->> 'old_value'), '-'),
        coalesce('+' || (e ->> 'new_value'), '-'),
        coalesce('+' || (e ->> 'detail'), '-')
    ]) WITH ORDINALITY AS fields (f, n);
$$;

-- Which group of a patient's fields a field belongs to: fields that only make sense together (the
-- names and their search keys, a weight and its unit) conflict and merge as one.
CREATE FUNCTION patient_field_group(field text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN field IN ('family_name', 'given_names', 'name_key', 'given_key') THEN 'name'
        WHEN field IN ('weight_kg', 'weight_typed', 'weight_unit') THEN 'weight'
        WHEN field IN ('indication', 'indication_other') THEN 'indication'
        ELSE field
    END;
$$;

-- A patient edit based on version `base` while the server holds a later one from another laptop:
-- the fields this edit changed are applied over the server's row; a group both changed, to
-- different values, is recorded as a conflict.
CREATE FUNCTION merge_patient(uid text, base bigint, current jsonb, current_from text, incoming jsonb,
                              incoming_from text, seq bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    base_row jsonb := (SELECT body FROM changes WHERE server_seq = base);
    merged jsonb := current;
    g text;
    mine jsonb;
    theirs jsonb;
    was jsonb;
BEGIN
    IF base_row IS NULL THEN
        RETURN incoming;
    END IF;
    FOR g IN SELECT DISTINCT patient_field_group(k) FROM jsonb_object_keys(incoming) AS k
             WHERE k NOT IN ('id', 'updated_at', 'updated_by', 'created_at', 'created_by') LOOP
        SELECT jsonb_object_agg(k, incoming -> k), jsonb_object_agg(k, current -> k), jsonb_object_agg(k, base_row -> k)
          INTO mine, theirs, was
          FROM jsonb_object_keys(incoming) AS k WHERE patient_field_group(k) = g;
        CONTINUE WHEN mine IS NOT DISTINCT FROM was;
        IF theirs IS DISTINCT FROM was AND theirs IS DISTINCT FROM mine THEN
            INSERT INTO conflicts (table_name, uid, field, base_value, earlier, earlier_from, later, later_from, server_seq)
            VALUES ('patients', uid, g, was, theirs, current_from, mine, incoming_from, seq);
        END IF;
        merged := merged || mine;
    END LOOP;
    RETURN merged || jsonb_build_object('updated_at', incoming -> 'updated_at', 'updated_by', incoming -> 'updated_by');
END;
$$;

-- Takes one change from laptop `me`: an audit entry continues that laptop's chain; a row is stored
-- by its id (a patient edit merged as above). Returns the server sequence number it was given, or
-- NULL when it was refused (kept in `refused` with the reason).
CREATE FUNCTION take_change(me text, c jsonb) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t text := c ->> 'table';
    row_uid text := c ->> 'uid';
    incoming jsonb := c -> 'row';
    lseq bigint := (c ->> 'seq')::bigint;
    seq bigint;
    stored jsonb := incoming;
    was records%ROWTYPE;
    lap laptops%ROWTYPE;
    session text;
BEGIN
    IF t = 'audit_log' THEN
        SELECT * INTO lap FROM laptops WHERE name = me;
        IF (incoming ->> 'id')::bigint <> lap.audit_through + 1 OR incoming ->> 'prev_hash' <> lap.audit_hash THEN
            RAISE EXCEPTION 'The audit trail of laptop % does not continue at its entry % (the server holds up to entry %): a gap or a fork.',
                me, incoming ->> 'id', lap.audit_through USING ERRCODE = 'data_exception';
        END IF;
        IF audit_entry_hash(incoming) <> incoming ->> 'hash' THEN
            RAISE EXCEPTION 'The audit trail of laptop % is broken at its entry %: the entry does not match its hash.',
                me, incoming ->> 'id' USING ERRCODE = 'data_exception';
        END IF;
        UPDATE laptops SET audit_through = (incoming ->> 'id')::bigint, audit_hash = incoming ->> 'hash' WHERE name = me;
        seq := nextval('server_seq');
        INSERT INTO changes (server_seq, laptop, laptop_seq, table_name, uid, body)
        VALUES (seq, me, lseq, t, row_uid, incoming);
        RETURN seq;
    END IF;

    session := CASE WHEN t = 'sessions' THEN row_uid ELSE incoming ->> 'session_id' END;
    SELECT * INTO was FROM records WHERE uid = row_uid FOR UPDATE;
    IF session IS NOT NULL AND t NOT IN ('signatures', 'addenda')
       AND (SELECT origin FROM records WHERE uid = session) IS DISTINCT FROM me
       AND (t <> 'sessions' OR was.uid IS NOT NULL) THEN
        INSERT INTO refused (laptop, laptop_seq, table_name, uid, body, reason)
        VALUES (me, lseq, t, row_uid, incoming, 'A session is charted only by the laptop that opened it.');
        RETURN NULL;
    END IF;
    seq := nextval('server_seq');
    IF t = 'patients' AND was.uid IS NOT NULL AND was.server_seq <> coalesce((c ->> 'base')::bigint, 0)
       AND was.origin IS DISTINCT FROM me THEN
        stored := merge_patient(row_uid, (c ->> 'base')::bigint, was.body, was.origin, incoming, me, seq);
    END IF;
    BEGIN
        INSERT INTO records (uid, table_name, origin, session_uid, body, server_seq)
        VALUES (row_uid, t, me, session, stored, seq)
        ON CONFLICT (uid) DO UPDATE SET body = EXCLUDED.body, server_seq = EXCLUDED.server_seq,
            origin = EXCLUDED.origin;
    EXCEPTION WHEN check_violation THEN
        INSERT INTO refused (laptop, laptop_seq, table_name, uid, body, reason)
        VALUES (me, lseq, t, row_uid, incoming, SQLERRM);
        RETURN NULL;
    END;
    INSERT INTO changes (server_seq, laptop, laptop_seq, table_name, uid, body, merged)
    VALUES (seq, me, lseq, t, row_uid, stored, stored IS DISTINCT FROM incoming);
    -- Two patients with one MRN (added on two laptops while apart) are flagged for a person to
    -- merge; neither is removed.
    IF t = 'patients' THEN
        INSERT INTO conflicts (table_name, uid, field, earlier, earlier_from, later, later_from, server_seq)
        SELECT 'patients', row_uid, 'same_mrn', to_jsonb(r.uid), r.origin, to_jsonb(row_uid), me, seq
        FROM records r
        WHERE r.table_name = 'patients' AND r.uid <> row_uid AND lower(r.body ->> 'mrn') = lower(stored ->> 'mrn')
          AND NOT EXISTS (SELECT FROM conflicts k WHERE k.field = 'same_mrn' AND k.uid = row_uid AND k.earlier = to_jsonb(r.uid));
    END IF;
    RETURN seq;
END;
$$;

-- The laptop calling (its role), refused if it is not enrolled or was revoked.
CREATE FUNCTION calling_laptop() RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    me text := session_user;
BEGIN
    IF NOT EXISTS (SELECT FROM laptops WHERE name = me AND revoked_at IS NULL) THEN
        RAISE EXCEPTION 'Laptop % is not enrolled with this clinic server, or it was revoked.', me
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END;
$$;

-- Push: the calling laptop's changes, numbered from 1 with no gap. Numbers it already sent are
-- skipped (sending a batch twice changes nothing). Answers how far it has taken this laptop's
-- changes and, for each change in the batch, the server number it was given (null: refused).
CREATE FUNCTION sync_push(batch jsonb) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me text := calling_laptop();
    through bigint;
    c jsonb;
    lseq bigint;
    acks jsonb := '[]';
BEGIN
    PERFORM pg_advisory_xact_lock(4849617210376454146);
    SELECT pushed_through INTO through FROM laptops WHERE name = me FOR UPDATE;
    FOR c IN SELECT value FROM jsonb_array_elements(batch) LOOP
        lseq := (c ->> 'seq')::bigint;
        IF lseq <= through THEN
            acks := acks || jsonb_build_array(jsonb_build_object('seq', lseq, 'server_seq',
                (SELECT server_seq FROM changes WHERE laptop = me AND laptop_seq = lseq)));
            CONTINUE;
        END IF;
        IF lseq <> through + 1 THEN
            RAISE EXCEPTION 'Laptop % sent change % after %: its changes must arrive in order, with no gap.', me, lseq, through
                USING ERRCODE = 'data_exception';
        END IF;
        acks := acks || jsonb_build_array(jsonb_build_object('seq', lseq, 'server_seq', take_change(me, c)));
        through := lseq;
    END LOOP;
    UPDATE laptops SET pushed_through = through WHERE name = me;
    RETURN jsonb_build_object('through', through, 'acks', acks);
END;
$$;

-- Pull: up to `lim` changes after server number `after`, in order. The caller's own changes are
-- listed without their row (it has them), unless the server merged them.
CREATE FUNCTION sync_pull(after bigint, lim integer) RETURNS TABLE (server_seq bigint, laptop text, table_name text, uid text, body jsonb)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me text := calling_laptop();
BEGIN
    RETURN QUERY
        SELECT c.server_seq, c.laptop, c.table_name, c.uid,
               CASE WHEN c.laptop = me AND NOT c.merged THEN NULL ELSE c.body END
        FROM changes c WHERE c.server_seq > after ORDER BY c.server_seq LIMIT lim;
END;
$$;

-- Where the calling laptop stands: how far its changes and its audit chain have arrived, and the
-- newest server number (for "n changes to pull").
CREATE FUNCTION sync_where() RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me text := calling_laptop();
BEGIN
    RETURN (SELECT jsonb_build_object('laptop', name, 'pushed_through', pushed_through,
                                      'audit_through', audit_through,
                                      'newest', (SELECT coalesce(max(server_seq), 0) FROM changes))
            FROM laptops WHERE name = me);
END;
$$;

-- A user's key slot, for a new laptop joining with that user's password: the data key wrapped
-- under the password (no password, no health data).
CREATE FUNCTION sync_key_slot(who text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    me text := calling_laptop();
BEGIN
    RETURN (SELECT body FROM records WHERE table_name = 'key_slots' AND lower(body ->> 'username') = lower(who));
END;
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sync_push(jsonb), sync_pull(bigint, integer), sync_where(), sync_key_slot(text)
    TO infusion_chart_laptop;
