-- What a session's times and its infusion mean, kept so they cannot be misread later:
-- the patient's arrival (the time the session was opened, movable back with a reason; sessions
-- opened before this read their opening time), when the checklist was completed, the baseline
-- reading a start was judged on, and the due outcome scales a nurse confirmed starting without.
ALTER TABLE sessions ADD COLUMN arrived_at TEXT;
ALTER TABLE sessions ADD COLUMN arrival_reason TEXT
    CHECK (arrival_reason IS NULL OR arrived_at IS NOT NULL);
-- When the checklist was completed (its clinical time; checklists saved before this read the time
-- they were saved).
ALTER TABLE checklists ADD COLUMN completed_at TEXT;
ALTER TABLE infusion_events ADD COLUMN baseline_vitals_id INTEGER REFERENCES vitals (id);
ALTER TABLE infusion_events ADD COLUMN scales_not_taken TEXT;
-- A reading is looked up as a start's baseline (and SQLite checks it on every new reading).
CREATE INDEX infusion_events_by_baseline ON infusion_events (baseline_vitals_id);

-- Alerts on the infusion itself (past its plan, at the hard limit) have no reading behind them:
-- the table is rebuilt with `vitals_id` optional, every row copied as it was, and such an alert
-- raised once per session and rule. Nothing references alerts, so the copy keeps every id.
CREATE TABLE alerts_rebuilt (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions (id),
    vitals_id       INTEGER REFERENCES vitals (id),
    rule            TEXT NOT NULL,
    message         TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    UNIQUE (rule, vitals_id)
) STRICT;
INSERT INTO alerts_rebuilt (id, session_id, vitals_id, rule, message, raised_at, acknowledged_by, acknowledged_at)
    SELECT id, session_id, vitals_id, rule, message, raised_at, acknowledged_by, acknowledged_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_rebuilt RENAME TO alerts;

CREATE INDEX alerts_by_session ON alerts (session_id, id);
CREATE INDEX alerts_by_vitals ON alerts (vitals_id);
CREATE UNIQUE INDEX infusion_alerts_once ON alerts (session_id, rule) WHERE vitals_id IS NULL;
CREATE TRIGGER alerts_never_deleted BEFORE DELETE ON alerts
BEGIN SELECT RAISE(ABORT, 'Refused: alerts are never deleted.'); END;
CREATE TRIGGER alerts_acknowledged_once BEFORE UPDATE ON alerts
WHEN OLD.acknowledged_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'Refused: this alert was already acknowledged.'); END;
CREATE TRIGGER signed_alerts_no_insert BEFORE INSERT ON alerts
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_alerts_no_update BEFORE UPDATE ON alerts
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id IN (OLD.session_id, NEW.session_id) AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
