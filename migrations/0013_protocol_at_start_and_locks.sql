-- A session keeps the protocol as it was when the session started (holds, cadence, observation,
-- outcome scales), so a later edit of the library does not change a running or past session.
-- Sessions started before this have none and use the protocol as it is now.
ALTER TABLE sessions ADD COLUMN protocol_at_start TEXT
    CHECK (protocol_at_start IS NULL OR json_valid(protocol_at_start));

-- A side effect is only ever marked resolved, once, with who and when all set together.
DROP TRIGGER side_effects_resolved_once;
CREATE TRIGGER side_effects_resolved_once BEFORE UPDATE ON side_effects
WHEN OLD.resolved_at IS NOT NULL
  OR NEW.resolved_at IS NULL OR NEW.resolved_by IS NULL OR NEW.resolved_recorded_at IS NULL
  OR NEW.effect IS NOT OLD.effect OR NEW.other IS NOT OLD.other OR NEW.severity IS NOT OLD.severity
  OR NEW.onset_time IS NOT OLD.onset_time OR NEW.session_id IS NOT OLD.session_id
  OR NEW.recorded_at IS NOT OLD.recorded_at OR NEW.entered_by IS NOT OLD.entered_by
BEGIN SELECT RAISE(ABORT, 'Refused: a side effect is only ever marked resolved, once.'); END;

-- An alert cannot be moved into a signed session either.
DROP TRIGGER signed_alerts_no_update;
CREATE TRIGGER signed_alerts_no_update BEFORE UPDATE ON alerts
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id IN (OLD.session_id, NEW.session_id) AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
