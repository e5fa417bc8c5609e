-- Every charted entry writes an audit row, and every index on the trail one more page per entry.
-- Only two of its indexes serve a statement: the time (anything audited since the last backup) and
-- the patient (one patient's history in the audit viewer, now read through it). The user and action
-- indexes served none (the viewer reads newest first and stops at its limit) and are dropped.
DROP INDEX audit_by_user;
DROP INDEX audit_by_action;
-- Rows about no patient (sign-ins, settings, backups) stay out of the patient index.
DROP INDEX audit_by_patient;
CREATE INDEX audit_by_patient ON audit_log (patient_id) WHERE patient_id IS NOT NULL;
