-- Every backup made (by hand, automatically, before a restore, or from the command line) and every
-- restore: the backup status screen and the stale-backup warning read the newest good one.
CREATE TABLE backups (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('manual', 'automatic', 'pre_restore', 'command_line')),
    created_at  TEXT NOT NULL,
    path        TEXT NOT NULL,
    bytes       INTEGER NOT NULL CHECK (bytes > 0),
    sha256      TEXT NOT NULL CHECK (length(sha256) = 64),
    made_by     INTEGER REFERENCES users (id)
) STRICT;

CREATE INDEX backups_by_time ON backups (created_at);

CREATE TRIGGER backups_never_updated BEFORE UPDATE ON backups
BEGIN SELECT RAISE(ABORT, 'Refused: the backup log cannot be changed.'); END;
CREATE TRIGGER backups_never_deleted BEFORE DELETE ON backups
BEGIN SELECT RAISE(ABORT, 'Refused: the backup log cannot be changed.'); END;
