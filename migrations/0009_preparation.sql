-- Before the infusion: the chair, the pre-infusion checklist with the vial's lot and expiry, and the
-- waste of what is left in the vial with its witness (a second user who confirmed with their
-- password). Locked with the session like every charting table.

ALTER TABLE sessions ADD COLUMN chair TEXT;
CREATE INDEX sessions_by_date ON sessions (session_date, chair, started_at);

CREATE TABLE checklists (
    id                          INTEGER PRIMARY KEY,
    session_id                  INTEGER NOT NULL UNIQUE REFERENCES sessions (id),
    consent_on_file             INTEGER NOT NULL CHECK (consent_on_file = 1),
    fasting_confirmed           INTEGER NOT NULL CHECK (fasting_confirmed = 1),
    escort_confirmed            INTEGER NOT NULL CHECK (escort_confirmed = 1),
    escort_name                 TEXT NOT NULL,
    medication_changes_reviewed INTEGER NOT NULL CHECK (medication_changes_reviewed = 1),
    pregnancy                   TEXT NOT NULL,
    iv_site                     TEXT NOT NULL,
    iv_gauge                    INTEGER NOT NULL,
    vial_lot                    TEXT NOT NULL,
    vial_expiry                 TEXT NOT NULL,
    recorded_at                 TEXT NOT NULL,
    entered_by                  INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE TRIGGER checklists_never_deleted BEFORE DELETE ON checklists
BEGIN SELECT RAISE(ABORT, 'Refused: a charted checklist is never deleted.'); END;
CREATE TRIGGER signed_checklists_no_insert BEFORE INSERT ON checklists
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_checklists_no_update BEFORE UPDATE ON checklists
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id IN (OLD.session_id, NEW.session_id) AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;

CREATE TABLE wastes (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    amount_mg     REAL NOT NULL CHECK (amount_mg > 0),
    entered_by    INTEGER NOT NULL REFERENCES users (id),
    witness_id    INTEGER NOT NULL REFERENCES users (id),
    CHECK (witness_id <> entered_by)
) STRICT;

CREATE INDEX wastes_by_session ON wastes (session_id, clinical_time);
CREATE TRIGGER wastes_never_deleted BEFORE DELETE ON wastes
BEGIN SELECT RAISE(ABORT, 'Refused: a recorded waste is never deleted.'); END;
CREATE TRIGGER wastes_never_updated BEFORE UPDATE ON wastes
BEGIN SELECT RAISE(ABORT, 'Refused: a recorded waste is not edited; add an addendum.'); END;
CREATE TRIGGER signed_wastes_no_insert BEFORE INSERT ON wastes
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
