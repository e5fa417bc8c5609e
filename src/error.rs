//! The one error type of the core. It crosses IPC as `{kind, message}`: `kind` lets the UI react,
//! `message` is a sentence a nurse or admin can act on. Raw SQL and internal details never reach it.

use serde::ser::{Serialize, SerializeStruct, Serializer};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a database file did not open with the key given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Nothing decrypts: not a database file, or the wrong key.
    WrongKey,
    /// It decrypts, but SQLite finds it damaged.
    Corrupt,
}

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
    /// The database file does not open with the key given (`why`); the window sees it as `database`.
    #[error("{0}")]
    Unreadable(String, Unreadable),
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
    /// The clinic server cannot be used: unreachable, its certificate not the clinic's, a database
    /// that is not Infusion Chart's, an edited server migration. The laptop's own chart is untouched.
    #[error("{0}")]
    Server(String),
}

impl Error {
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::InvalidRequest(_) => "invalid_request",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::Database(_) | Error::Unreadable(..) => "database",
            Error::Storage(_) => "storage",
            Error::Unauthenticated(_) => "unauthenticated",
            Error::Locked(_) => "locked",
            Error::Forbidden(_) => "forbidden",
            Error::Throttled(_) => "throttled",
            Error::Damaged(_) => "damaged",
            Error::Server(_) => "server",
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
}
