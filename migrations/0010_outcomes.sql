-- Outcome scores (PHQ-9, GAD-7, PCL-5, MADRS, pain NRS), item by item with the computed total.
-- Before-infusion scores lock with their session; 24-hour and 1-week scores come later and belong to
-- the patient's series, so a signed session does not refuse them.

CREATE TABLE outcome_scores (
    id            INTEGER PRIMARY KEY,
    patient_id    INTEGER NOT NULL REFERENCES patients (id),
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    scale         TEXT NOT NULL,
    timepoint     TEXT NOT NULL CHECK (timepoint IN ('pre_infusion', 'after24h', 'after1_week')),
    items         TEXT NOT NULL CHECK (json_valid(items)),
    total         INTEGER NOT NULL CHECK (total >= 0),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    entered_by    INTEGER NOT NULL REFERENCES users (id),
    UNIQUE (session_id, scale, timepoint)
) STRICT;

CREATE INDEX outcome_scores_by_patient ON outcome_scores (patient_id, scale, clinical_time);
CREATE TRIGGER outcome_scores_never_deleted BEFORE DELETE ON outcome_scores
BEGIN SELECT RAISE(ABORT, 'Refused: outcome scores are never deleted.'); END;
CREATE TRIGGER outcome_scores_never_updated BEFORE UPDATE ON outcome_scores
BEGIN SELECT RAISE(ABORT, 'Refused: outcome scores are not edited; add a note or an addendum.'); END;
CREATE TRIGGER signed_outcome_scores_no_insert BEFORE INSERT ON outcome_scores
WHEN NEW.timepoint = 'pre_infusion'
 AND EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
