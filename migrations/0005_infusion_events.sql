-- Infusion events of a session: start, rate change, pause, resume, bolus, stop. Each has its clinical
-- time (when it happened) and its entry time (when it was saved), and is locked with the session.
-- A start over a baseline BP hold carries the overriding physician's reason.

CREATE TABLE infusion_events (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('start', 'rate_change', 'pause', 'resume', 'bolus', 'stop')),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    rate_ml_per_h REAL CHECK (rate_ml_per_h IS NULL OR rate_ml_per_h > 0),
    bolus_mg      REAL CHECK (bolus_mg IS NULL OR bolus_mg > 0),
    entered_by    INTEGER NOT NULL REFERENCES users (id),
    -- A start over a baseline BP hold: the physician's reason (the author is entered_by).
    hold_override TEXT
) STRICT;

CREATE INDEX infusion_events_by_session ON infusion_events (session_id, clinical_time, id);
CREATE TRIGGER infusion_events_never_deleted BEFORE DELETE ON infusion_events
BEGIN SELECT RAISE(ABORT, 'Refused: charted infusion events are never deleted.'); END;
CREATE TRIGGER infusion_events_never_updated BEFORE UPDATE ON infusion_events
BEGIN SELECT RAISE(ABORT, 'Refused: infusion events are not edited; chart a new event or an addendum.'); END;
CREATE TRIGGER signed_infusion_events_no_insert BEFORE INSERT ON infusion_events
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
