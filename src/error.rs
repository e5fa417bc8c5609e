//! The one error type of the core. It crosses IPC as `{kind, message}`: `kind` lets the UI react,
//! `message` is a sentence a nurse or admin can act on. Raw SQL and internal details never reach it.

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Prefix of every RAISE message in migrations/, so such refusals reach the user as written.
pub const TRIGGER_REFUSAL: &str = "Refused:";

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// Input a person typed is out of range or missing; nothing was written.
    #[error("{0}")]
    Validation(String),
    /// A request that the UI should never send (wrong shape or type); nothing was written.
    #[error("{0}")]
    InvalidRequest(String),
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with what is already charted (a duplicate MRN, a second session today).
    #[error("{0}")]
    Conflict(String),
    /// The database or key file cannot be used: another app's file, not a database, a newer schema,
    /// an edited migration, a damaged key file. Nothing was written.
    #[error("{0}")]
    Database(String),
    /// Nobody is signed in, or the username or password is not right.
    #[error("{0}")]
    Unauthenticated(String),
    /// The screen is locked (by the user or by inactivity); unlock first.
    #[error("{0}")]
    Locked(String),
    /// The signed-in user's roles do not allow the action; the message says who may.
    #[error("{0}")]
    Forbidden(String),
    /// Too many failed sign-ins for one username; the message says how long to wait.
    #[error("{0}")]
    Throttled(String),
    /// Reading or writing failed (disk full, read-only, locked); the message says what to do.
    #[error("{0}")]
    Storage(String),
    /// The database is damaged (unreadable with the right key, failing the quick check, or missing
    /// the entries its write-ahead log should hold); an admin can restore the newest backup.
    #[error("{0}")]
    Damaged(String),
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::InvalidRequest(_) => "invalid_request",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Database(_) => "database",
            Error::Storage(_) => "storage",
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Locked(_) => "locked",
            Error::Forbidden(_) => "forbidden",
            Error::Throttled(_) => "throttled",
            Error::Damaged(_) => "damaged",
        }
    }
}

impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Error", 2)?;
        s.serialize_field("kind", self.kind())?;
        s.serialize_field("message", &self.to_string())?;
        s.end()
    }
}

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
    fn errors_serialise_as_kind_and_message_only() {
        let json =
            serde_json::to_value(Error::Validation("Heart rate must be between 20 and 300 bpm.".into())).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "validation", "message": "Heart rate must be between 20 and 300 bpm."})
        );
    }

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
