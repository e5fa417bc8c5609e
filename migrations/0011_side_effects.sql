-- Side effects (the clinical reference's catalogue, or "other" with a description) with onset,
-- severity and resolution, and interventions (rescue medications) with dose, unit, route, time,
-- indication and effect. Resolution and effect are filled in once, later; both lock with the session.

CREATE TABLE side_effects (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id),
    effect      TEXT NOT NULL,
    other       TEXT,
    severity    TEXT NOT NULL CHECK (severity IN ('mild', 'moderate', 'severe')),
    onset_time  TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    entered_by  INTEGER NOT NULL REFERENCES users (id),
    resolved_at TEXT,
    resolved_recorded_at TEXT,
    resolved_by INTEGER REFERENCES users (id),
    CHECK (effect <> 'other' OR length(other) > 0)
) STRICT;

CREATE INDEX side_effects_by_session ON side_effects (session_id, onset_time);
CREATE TRIGGER side_effects_never_deleted BEFORE DELETE ON side_effects
BEGIN SELECT RAISE(ABORT, 'Refused: charted side effects are never deleted.'); END;
CREATE TRIGGER side_effects_resolved_once BEFORE UPDATE ON side_effects
WHEN OLD.resolved_at IS NOT NULL
  OR NEW.effect IS NOT OLD.effect OR NEW.other IS NOT OLD.other OR NEW.severity IS NOT OLD.severity
  OR NEW.onset_time IS NOT OLD.onset_time OR NEW.session_id IS NOT OLD.session_id
BEGIN SELECT RAISE(ABORT, 'Refused: a side effect is only ever marked resolved, once.'); END;
CREATE TRIGGER signed_side_effects_no_insert BEFORE INSERT ON side_effects
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_side_effects_no_update BEFORE UPDATE ON side_effects
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = OLD.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;

CREATE TABLE interventions (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER NOT NULL REFERENCES sessions (id),
    side_effect_id INTEGER REFERENCES side_effects (id),
    medication     TEXT NOT NULL,
    other          TEXT,
    dose           REAL NOT NULL CHECK (dose > 0),
    unit           TEXT NOT NULL,
    route          TEXT NOT NULL,
    clinical_time  TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    indication     TEXT NOT NULL CHECK (length(indication) > 0),
    effect         TEXT,
    entered_by     INTEGER NOT NULL REFERENCES users (id),
    CHECK (medication <> 'other' OR length(other) > 0)
) STRICT;

CREATE INDEX interventions_by_session ON interventions (session_id, clinical_time);
CREATE TRIGGER interventions_never_deleted BEFORE DELETE ON interventions
BEGIN SELECT RAISE(ABORT, 'Refused: charted interventions are never deleted.'); END;
CREATE TRIGGER interventions_never_updated BEFORE UPDATE ON interventions
BEGIN SELECT RAISE(ABORT, 'Refused: interventions are not edited; add a note or an addendum.'); END;
CREATE TRIGGER signed_interventions_no_insert BEFORE INSERT ON interventions
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
