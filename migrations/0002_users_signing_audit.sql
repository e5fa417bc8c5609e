-- Users and roles, who charted what, signatures that lock a session, addenda, settings, and the
-- append-only, hash-chained audit trail. Every RAISE message starts with "Refused:" so the core
-- shows it to the user as written (src/error.rs).

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL COLLATE NOCASE UNIQUE,
    display_name         TEXT NOT NULL,
    is_nurse             INTEGER NOT NULL DEFAULT 0 CHECK (is_nurse IN (0, 1)),
    is_physician         INTEGER NOT NULL DEFAULT 0 CHECK (is_physician IN (0, 1)),
    is_admin             INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    active               INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    created_at           TEXT NOT NULL
) STRICT;

CREATE TRIGGER users_never_deleted BEFORE DELETE ON users
BEGIN SELECT RAISE(ABORT, 'Refused: users are disabled, never deleted.'); END;

ALTER TABLE patients ADD COLUMN created_by INTEGER REFERENCES users (id);
ALTER TABLE sessions ADD COLUMN started_by INTEGER REFERENCES users (id);
ALTER TABLE vitals ADD COLUMN entered_by INTEGER REFERENCES users (id);
ALTER TABLE vitals ADD COLUMN corrected_at TEXT;
ALTER TABLE vitals ADD COLUMN corrected_by INTEGER REFERENCES users (id);

-- Nothing charted is ever erased.
CREATE TRIGGER patients_never_deleted BEFORE DELETE ON patients
BEGIN SELECT RAISE(ABORT, 'Refused: patient records are never deleted.'); END;
CREATE TRIGGER sessions_never_deleted BEFORE DELETE ON sessions
BEGIN SELECT RAISE(ABORT, 'Refused: sessions are never deleted.'); END;
CREATE TRIGGER vitals_never_deleted BEFORE DELETE ON vitals
BEGIN SELECT RAISE(ABORT, 'Refused: charted vitals are never deleted; correct them instead.'); END;

-- The nurse's signature locks the session; the physician's co-signature follows it. Never changed.
CREATE TABLE signatures (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    role       TEXT NOT NULL CHECK (role IN ('nurse', 'physician')),
    user_id    INTEGER NOT NULL REFERENCES users (id),
    signed_at  TEXT NOT NULL,
    UNIQUE (session_id, role)
) STRICT;

CREATE TRIGGER cosign_after_nurse BEFORE INSERT ON signatures
WHEN NEW.role = 'physician'
 AND NOT EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: a session is co-signed only after the nurse has signed it.'); END;
CREATE TRIGGER cosign_by_another BEFORE INSERT ON signatures
WHEN NEW.role = 'physician'
 AND EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse' AND user_id = NEW.user_id)
BEGIN SELECT RAISE(ABORT, 'Refused: the co-signing physician must be someone other than the signing nurse.'); END;
CREATE TRIGGER signatures_never_updated BEFORE UPDATE ON signatures
BEGIN SELECT RAISE(ABORT, 'Refused: signatures cannot be changed.'); END;
CREATE TRIGGER signatures_never_deleted BEFORE DELETE ON signatures
BEGIN SELECT RAISE(ABORT, 'Refused: signatures cannot be removed.'); END;

-- A signed session's rows are locked, whoever writes to the file. Every charting table added
-- later gets the same three triggers.
CREATE TRIGGER signed_session_locked BEFORE UPDATE ON sessions
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = OLD.id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_vitals_no_insert BEFORE INSERT ON vitals
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_vitals_no_update BEFORE UPDATE ON vitals
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id IN (OLD.session_id, NEW.session_id) AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;

CREATE TABLE addenda (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions (id),
    author_id  INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    reason     TEXT NOT NULL CHECK (length(reason) > 0),
    body       TEXT NOT NULL CHECK (length(body) > 0)
) STRICT;

CREATE INDEX addenda_by_session ON addenda (session_id, id);
CREATE TRIGGER addenda_never_updated BEFORE UPDATE ON addenda
BEGIN SELECT RAISE(ABORT, 'Refused: addenda cannot be changed; add another addendum.'); END;
CREATE TRIGGER addenda_never_deleted BEFORE DELETE ON addenda
BEGIN SELECT RAISE(ABORT, 'Refused: addenda cannot be removed.'); END;

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- AUTOINCREMENT: ids are never reused, so sqlite_sequence tells how many rows were ever written.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at_utc     TEXT NOT NULL,
    at_local   TEXT NOT NULL,
    user_id    INTEGER REFERENCES users (id),
    username   TEXT,
    action     TEXT NOT NULL,
    table_name TEXT,
    record_id  INTEGER,
    patient_id INTEGER,
    old_value  TEXT,
    new_value  TEXT,
    detail     TEXT,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
) STRICT;

CREATE INDEX audit_by_time ON audit_log (at_utc);
CREATE INDEX audit_by_user ON audit_log (username, at_utc);
CREATE INDEX audit_by_patient ON audit_log (patient_id, at_utc);
CREATE INDEX audit_by_action ON audit_log (action, at_utc);
CREATE TRIGGER audit_never_updated BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'Refused: the audit trail cannot be changed.'); END;
CREATE TRIGGER audit_never_deleted BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'Refused: the audit trail cannot be changed.'); END;
