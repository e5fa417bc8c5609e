-- Recovery: modified Aldrete scores (5 items × 0–2) and the discharge, once per session, with a
-- physician's override and reason when the score is below the clinic's minimum or the protocol's
-- observation time is not over. Locked with the session.

CREATE TABLE aldrete_scores (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    activity      INTEGER NOT NULL CHECK (activity BETWEEN 0 AND 2),
    respiration   INTEGER NOT NULL CHECK (respiration BETWEEN 0 AND 2),
    circulation   INTEGER NOT NULL CHECK (circulation BETWEEN 0 AND 2),
    consciousness INTEGER NOT NULL CHECK (consciousness BETWEEN 0 AND 2),
    oxygen        INTEGER NOT NULL CHECK (oxygen BETWEEN 0 AND 2),
    entered_by    INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX aldrete_by_session ON aldrete_scores (session_id, clinical_time);
CREATE TRIGGER aldrete_never_deleted BEFORE DELETE ON aldrete_scores
BEGIN SELECT RAISE(ABORT, 'Refused: Aldrete scores are never deleted.'); END;
CREATE TRIGGER aldrete_never_updated BEFORE UPDATE ON aldrete_scores
BEGIN SELECT RAISE(ABORT, 'Refused: Aldrete scores are not edited; score again.'); END;
CREATE TRIGGER signed_aldrete_no_insert BEFORE INSERT ON aldrete_scores
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;

CREATE TABLE discharges (
    id                 INTEGER PRIMARY KEY,
    session_id         INTEGER NOT NULL UNIQUE REFERENCES sessions (id),
    clinical_time      TEXT NOT NULL,
    recorded_at        TEXT NOT NULL,
    aldrete_total      INTEGER NOT NULL,
    escort_name        TEXT NOT NULL CHECK (length(escort_name) > 0),
    instructions_given INTEGER NOT NULL CHECK (instructions_given = 1),
    override_reason    TEXT,
    override_by        INTEGER REFERENCES users (id),
    entered_by         INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE TRIGGER discharges_never_deleted BEFORE DELETE ON discharges
BEGIN SELECT RAISE(ABORT, 'Refused: a discharge is never deleted.'); END;
CREATE TRIGGER discharges_never_updated BEFORE UPDATE ON discharges
BEGIN SELECT RAISE(ABORT, 'Refused: a discharge is not edited; add a note or an addendum.'); END;
CREATE TRIGGER signed_discharges_no_insert BEFORE INSERT ON discharges
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
