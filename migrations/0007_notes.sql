-- Free-text notes of a session, timestamped (clinical time and entry time), locked with the session.
CREATE TABLE notes (
    id            INTEGER PRIMARY KEY,
    session_id    INTEGER NOT NULL REFERENCES sessions (id),
    clinical_time TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    body          TEXT NOT NULL CHECK (length(body) > 0),
    author_id     INTEGER NOT NULL REFERENCES users (id)
) STRICT;

CREATE INDEX notes_by_session ON notes (session_id, clinical_time, id);
CREATE TRIGGER notes_never_deleted BEFORE DELETE ON notes
BEGIN SELECT RAISE(ABORT, 'Refused: notes are never deleted.'); END;
CREATE TRIGGER notes_never_updated BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'Refused: notes are not edited; add another note or an addendum.'); END;
CREATE TRIGGER signed_notes_no_insert BEFORE INSERT ON notes
WHEN EXISTS (SELECT 1 FROM signatures WHERE session_id = NEW.session_id AND role = 'nurse')
BEGIN SELECT RAISE(ABORT, 'Refused: this session is signed and locked; add an addendum instead.'); END;
