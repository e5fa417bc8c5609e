-- "Anything charted since the last backup?" was the only statement the audit time index served, and
-- every charted entry paid a page write for it. Each backup now keeps the last audit row id its copy
-- holds (ids only grow), so the question is a range of row ids after that mark. Backups made before
-- this have no mark: the next automatic backup treats them as not knowing, and runs.
ALTER TABLE backups ADD COLUMN audit_through INTEGER CHECK (audit_through >= 0);
DROP INDEX audit_by_time;
