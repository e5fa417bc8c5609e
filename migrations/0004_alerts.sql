-- Alerts raised by the vitals alert rules (src/alerts.rs): one per rule and reading, recorded in the
-- transaction of the reading that raised it, acknowledged once by a nurse or physician.

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    session_id      INTEGER NOT NULL REFERENCES sessions (id),
    vitals_id       INTEGER NOT NULL REFERENCES vitals (id),
    rule            TEXT NOT NULL,
    message         TEXT NOT NULL,
    raised_at       TEXT NOT NULL,
    acknowledged_by INTEGER REFERENCES users (id),
    acknowledged_at TEXT,
    UNIQUE (rule, vitals_id)
) STRICT;

CREATE INDEX alerts_by_session ON alerts (session_id, id);
CREATE TRIGGER alerts_never_deleted BEFORE DELETE ON alerts
BEGIN SELECT RAISE(ABORT, 'Refused: alerts are never deleted.'); END;
CREATE TRIGGER alerts_acknowledged_once BEFORE UPDATE ON alerts
WHEN OLD.acknowledged_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'Refused: this alert was already acknowledged.'); END;
CREATE TRIGGER signed_alerts_no_insert BEFORE INSERT ON alerts
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
CREATE TRIGGER signed_alerts_no_update BEFORE UPDATE ON alerts
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = OLD.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
