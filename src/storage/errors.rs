//! SQLite's failures in words a nurse can act on; the technical detail goes to stderr for support.

use crate::error::Error;

/// Prefix of every RAISE message in migrations/, so such refusals reach the user as written.
pub const TRIGGER_REFUSAL: &str = "Refused:";

impl From<rusqlite::Error> for Error {
    /// Turns SQLite failures into words; the technical detail goes to stderr for support, not the nurse.
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::*;
        eprintln!("infusion-chart: storage error: {e}");
        // Our own triggers refuse with a sentence (signed records, the audit trail); pass it on.
        if let rusqlite::Error::SqliteFailure(f, Some(message)) = &e {
            if f.code == ConstraintViolation && message.starts_with(TRIGGER_REFUSAL) {
                return Error::Conflict(message[TRIGGER_REFUSAL.len()..].trim().to_string());
            }
        }
        let message = match e.sqlite_error_code() {
            Some(DiskFull) => "The disk is full, so this entry was not saved. Free some space and try again.",
            Some(ReadOnly) | Some(PermissionDenied) => {
                "The chart database is read-only (its drive, folder or file cannot be written), so nothing was saved. Ask an admin to make it writable again."
            }
            Some(DatabaseBusy) | Some(DatabaseLocked) => {
                "The chart database is busy in another program, so this entry was not saved. Try again in a moment."
            }
            Some(NotADatabase) => "The chart database file is damaged or is not a database. Ask an admin to restore a backup.",
            Some(DatabaseCorrupt) => "The chart database is damaged. Ask an admin to restore a backup.",
            Some(CannotOpen) | Some(SystemIoFailure) => {
                "The chart database could not be read or written (disk error or removed drive). Nothing was saved."
            }
            _ => "The chart database reported an unexpected error, so nothing was saved. Try again; if it persists, call support.",
        };
        Error::Storage(message.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_errors_become_sentences_without_sql() {
        let raw = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
            Some("INSERT INTO vitals failed".into()),
        );
        let err = Error::from(raw);
        assert_eq!(err.kind(), "storage");
        assert!(err.to_string().starts_with("The disk is full"), "{err}");
        assert!(!err.to_string().contains("INSERT"));
    }

    /// SQLite reports most failures with an extended code; each maps to its primary code's sentence.
    #[test]
    fn extended_sqlite_codes_get_their_primary_codes_sentence() {
        use rusqlite::ffi;
        let (full, read_only) = ("The disk is full", "The chart database is read-only");
        let (io, busy) = ("(disk error or removed drive)", "is busy in another program");
        let cases = [
            (ffi::SQLITE_FULL, full),
            (ffi::SQLITE_READONLY, read_only),
            (ffi::SQLITE_READONLY_DBMOVED, read_only),
            (ffi::SQLITE_READONLY_CANTINIT, read_only),
            (ffi::SQLITE_IOERR, io),
            (ffi::SQLITE_IOERR_WRITE, io),
            (ffi::SQLITE_IOERR_FSYNC, io),
            (ffi::SQLITE_IOERR_SHMSIZE, io),
            (ffi::SQLITE_CANTOPEN, io),
            (ffi::SQLITE_BUSY_SNAPSHOT, busy),
            (ffi::SQLITE_CORRUPT_INDEX, "The chart database is damaged"),
        ];
        for (code, sentence) in cases {
            let err = Error::from(rusqlite::Error::SqliteFailure(ffi::Error::new(code), None));
            assert_eq!(err.kind(), "storage", "code {code}");
            assert!(err.to_string().contains(sentence), "code {code}: {err}");
        }
    }
}
