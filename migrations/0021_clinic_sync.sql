-- The clinic server (issue 15): every shared row gets a globally unique id beside its local key,
-- and every change this laptop makes is queued, in commit order, for the sync worker to push.
--
-- sync_ids: the UUID (v7, so ids sort by time) of each shared row, and the server sequence number
-- of the version this laptop's copy derives from (0: never shared). Kept beside the tables, not in
-- them, so no signed or audited row is rewritten to receive its id and no hash changes.
CREATE TABLE sync_ids (
    table_name TEXT NOT NULL,
    row_id     INTEGER NOT NULL,
    uid        TEXT NOT NULL UNIQUE CHECK (length(uid) = 36),
    base_seq   INTEGER NOT NULL DEFAULT 0 CHECK (base_seq >= 0),
    PRIMARY KEY (table_name, row_id)
) STRICT, WITHOUT ROWID;

-- One row: this laptop's place in the clinic. `laptop` is its name on the server (its PostgreSQL
-- role), NULL while it works alone; `applying` is 1 only inside the transaction that applies rows
-- pulled from the server, so they are neither queued back nor given new ids.
CREATE TABLE sync_state (
    only_row          INTEGER PRIMARY KEY CHECK (only_row = 1),
    laptop            TEXT CHECK (laptop IS NULL OR length(laptop) BETWEEN 1 AND 63),
    server_url        TEXT,
    server_ca         TEXT,
    joined_at         TEXT,
    applying          INTEGER NOT NULL DEFAULT 0 CHECK (applying IN (0, 1)),
    pushed_through    INTEGER NOT NULL DEFAULT 0 CHECK (pushed_through >= 0),
    pulled_through    INTEGER NOT NULL DEFAULT 0 CHECK (pulled_through >= 0),
    last_shared_at    TEXT,
    unreachable_since TEXT,
    last_error        TEXT,
    CHECK (laptop IS NULL OR (server_url IS NOT NULL AND server_ca IS NOT NULL AND joined_at IS NOT NULL))
) STRICT;
INSERT INTO sync_state (only_row) VALUES (1);

-- The changes to push, in commit order; `seq` is the laptop's gap-free sequence number (rows are
-- only ever added, and a rolled-back write takes its number back with it).
CREATE TABLE sync_outbox (
    seq        INTEGER PRIMARY KEY,
    table_name TEXT NOT NULL,
    row_id     INTEGER NOT NULL
) STRICT;

-- A new UUID v7: 48 bits of Unix milliseconds, the version, 74 random bits.
CREATE VIEW sync_new_uid AS
SELECT lower(printf('%08x-%04x-7%03x-%04x-%012x', ms >> 16, ms & 0xffff, random() & 0xfff,
                    0x8000 | (random() & 0x3fff), random() & 0xffffffffffff)) AS uid
FROM (SELECT CAST((julianday('now') - 2440587.5) * 86400000.0 + 0.5 AS INTEGER) AS ms);

-- The key slots of the key file, shared so that every active user signs in on every laptop with
-- their own password: the data key wrapped under that password (no password, no health data),
-- and what the wrapping is bound to as the laptop that made it wrote it.
CREATE TABLE key_slots (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE UNIQUE,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    owner    TEXT NOT NULL,
    wrapped  TEXT NOT NULL CHECK (json_valid(wrapped)),
    -- When the slot was made (a new password); the newer of two versions wins.
    changed_at TEXT
) STRICT;
CREATE TRIGGER key_slots_never_deleted BEFORE DELETE ON key_slots
BEGIN SELECT RAISE(ABORT, 'Key slots are replaced, never deleted'); END;

-- Which laptop opened a session: NULL for this one. Only that laptop charts its rows.
ALTER TABLE sessions ADD COLUMN laptop TEXT;

-- Other laptops' audit trails, one hash chain each, as they arrived from the server: the fields as
-- their laptop hashed them (its own local ids), and the shared ids those name.
CREATE TABLE remote_audit_log (
    laptop      TEXT NOT NULL,
    id          INTEGER NOT NULL CHECK (id > 0),
    at_utc      TEXT NOT NULL,
    at_local    TEXT NOT NULL,
    user_id     INTEGER,
    username    TEXT,
    action      TEXT NOT NULL,
    table_name  TEXT,
    record_id   INTEGER,
    patient_id  INTEGER,
    old_value   TEXT,
    new_value   TEXT,
    detail      TEXT,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    user_uid    TEXT,
    record_uid  TEXT,
    patient_uid TEXT,
    PRIMARY KEY (laptop, id)
) STRICT;
CREATE INDEX remote_audit_log_patient ON remote_audit_log (patient_uid);
CREATE INDEX remote_audit_log_time ON remote_audit_log (at_utc);
CREATE TRIGGER remote_audit_never_updated BEFORE UPDATE ON remote_audit_log
BEGIN SELECT RAISE(ABORT, 'Audit trail entries cannot be changed'); END;
CREATE TRIGGER remote_audit_never_deleted BEFORE DELETE ON remote_audit_log
BEGIN SELECT RAISE(ABORT, 'Audit trail entries cannot be deleted'); END;

-- Each shared table: a new row gets its id; every change is queued once this laptop has joined.
CREATE TRIGGER sync_users_inserted AFTER INSERT ON users
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'users', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'users', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_users_updated AFTER UPDATE ON users
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'users', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_key_slots_inserted AFTER INSERT ON key_slots
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'key_slots', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'key_slots', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_key_slots_updated AFTER UPDATE ON key_slots
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'key_slots', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_protocols_inserted AFTER INSERT ON protocols
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'protocols', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'protocols', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_protocols_updated AFTER UPDATE ON protocols
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'protocols', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_settings_inserted AFTER INSERT ON settings
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'settings', NEW.rowid, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'settings', NEW.rowid FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_settings_updated AFTER UPDATE ON settings
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'settings', NEW.rowid FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_patients_inserted AFTER INSERT ON patients
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'patients', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'patients', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_patients_updated AFTER UPDATE ON patients
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'patients', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_sessions_inserted AFTER INSERT ON sessions
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'sessions', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'sessions', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_sessions_updated AFTER UPDATE ON sessions
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'sessions', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_vitals_inserted AFTER INSERT ON vitals
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'vitals', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'vitals', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_vitals_updated AFTER UPDATE ON vitals
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'vitals', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_infusion_events_inserted AFTER INSERT ON infusion_events
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'infusion_events', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'infusion_events', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_infusion_events_updated AFTER UPDATE ON infusion_events
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'infusion_events', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_alerts_inserted AFTER INSERT ON alerts
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'alerts', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'alerts', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_alerts_updated AFTER UPDATE ON alerts
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'alerts', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_notes_inserted AFTER INSERT ON notes
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'notes', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'notes', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_notes_updated AFTER UPDATE ON notes
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'notes', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_checklists_inserted AFTER INSERT ON checklists
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'checklists', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'checklists', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_checklists_updated AFTER UPDATE ON checklists
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'checklists', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_wastes_inserted AFTER INSERT ON wastes
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'wastes', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'wastes', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_wastes_updated AFTER UPDATE ON wastes
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'wastes', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_outcome_scores_inserted AFTER INSERT ON outcome_scores
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'outcome_scores', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'outcome_scores', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_outcome_scores_updated AFTER UPDATE ON outcome_scores
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'outcome_scores', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_side_effects_inserted AFTER INSERT ON side_effects
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'side_effects', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'side_effects', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_side_effects_updated AFTER UPDATE ON side_effects
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'side_effects', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_interventions_inserted AFTER INSERT ON interventions
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'interventions', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'interventions', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_interventions_updated AFTER UPDATE ON interventions
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'interventions', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_aldrete_scores_inserted AFTER INSERT ON aldrete_scores
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'aldrete_scores', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'aldrete_scores', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_aldrete_scores_updated AFTER UPDATE ON aldrete_scores
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'aldrete_scores', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_discharges_inserted AFTER INSERT ON discharges
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'discharges', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'discharges', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_discharges_updated AFTER UPDATE ON discharges
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'discharges', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_signatures_inserted AFTER INSERT ON signatures
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'signatures', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'signatures', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_signatures_updated AFTER UPDATE ON signatures
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'signatures', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_addenda_inserted AFTER INSERT ON addenda
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'addenda', NEW.id, uid FROM sync_new_uid;
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'addenda', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_addenda_updated AFTER UPDATE ON addenda
WHEN (SELECT applying FROM sync_state) = 0
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'addenda', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;
CREATE TRIGGER sync_audit_log_inserted AFTER INSERT ON audit_log
BEGIN
    INSERT INTO sync_outbox (table_name, row_id) SELECT 'audit_log', NEW.id FROM sync_state WHERE laptop IS NOT NULL;
END;

-- Every row already charted gets its id now.
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'users', t.id, u.uid FROM users t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'key_slots', t.id, u.uid FROM key_slots t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'protocols', t.id, u.uid FROM protocols t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'settings', t.rowid, u.uid FROM settings t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'patients', t.id, u.uid FROM patients t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'sessions', t.id, u.uid FROM sessions t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'vitals', t.id, u.uid FROM vitals t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'infusion_events', t.id, u.uid FROM infusion_events t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'alerts', t.id, u.uid FROM alerts t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'notes', t.id, u.uid FROM notes t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'checklists', t.id, u.uid FROM checklists t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'wastes', t.id, u.uid FROM wastes t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'outcome_scores', t.id, u.uid FROM outcome_scores t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'side_effects', t.id, u.uid FROM side_effects t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'interventions', t.id, u.uid FROM interventions t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'aldrete_scores', t.id, u.uid FROM aldrete_scores t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'discharges', t.id, u.uid FROM discharges t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'signatures', t.id, u.uid FROM signatures t, sync_new_uid u;
INSERT INTO sync_ids (table_name, row_id, uid) SELECT 'addenda', t.id, u.uid FROM addenda t, sync_new_uid u;

-- A pulled row is not applied over an edit of this laptop still waiting to be pushed.
CREATE INDEX sync_outbox_row ON sync_outbox (table_name, row_id);
