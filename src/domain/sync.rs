//! Sharing the record with the clinic server: a change as it travels, and where a laptop stands,
//! said in words a nurse reads at a glance.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::domain::clock;
use crate::error::{Error, Result};

/// The table name an audit entry travels under; it continues its laptop's chain, not a row.
pub const AUDIT_TABLE: &str = "audit_log";

/// One change this laptop pushes: its gap-free number, the row by its global id, as it is now, with
/// every reference as a global id; `base` is the server version the laptop's copy came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub table: String,
    pub uid: String,
    pub base: i64,
    pub row: Value,
    /// The local row it came from (not sent).
    #[serde(skip)]
    pub row_id: i64,
}

/// One change from the server, in its order; `row` is None for this laptop's own changes.
#[derive(Debug, Clone, PartialEq)]
pub struct Pulled {
    pub server_seq: i64,
    pub laptop: String,
    pub table: String,
    pub uid: String,
    pub row: Option<Value>,
}

/// What the server answered a push: how far it holds this laptop's changes, and for each change
/// sent its server number (None: refused, and kept there with the reason).
#[derive(Debug, Clone, PartialEq)]
pub struct PushAck {
    pub through: i64,
    pub acks: Vec<(i64, Option<i64>)>,
}

/// Why a round with the server did not finish.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The server did not answer, or refused (a revoked laptop): its words.
    Server(String),
    /// Something on this laptop (a pulled row it could not apply): its words.
    Here(String),
}

/// A laptop's name on the server (its PostgreSQL role): lower-case letters, digits, "-" and "_",
/// starting with a letter or digit, at most 40.
pub fn laptop_name(typed: &str) -> Result<String> {
    let name = typed.trim();
    let first_ok = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !first_ok || !rest_ok || name.len() > 40 {
        return Err(Error::Validation(format!(
            "Laptop name \"{name}\" is not allowed: use 1 to 40 lower-case letters, digits, \"-\" or \"_\", starting with a letter or digit (for example chair-3)."
        )));
    }
    Ok(name.to_string())
}

/// A key slot as the clinic shares it: the data key wrapped under one user's password (as JSON),
/// bound to `owner`, for the user `user_id` of this laptop.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedSlot {
    pub username: String,
    pub user_id: i64,
    pub owner: String,
    pub wrapped: String,
    pub changed_at: Option<DateTime<Utc>>,
    pub active: bool,
}

/// Where this laptop stands with the clinic server, as stored in its database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SyncState {
    /// This laptop's name on the server; None while it works alone.
    pub laptop: Option<String>,
    /// The server's address, without the laptop's secret.
    pub server_url: Option<String>,
    /// Its changes not yet taken by the server.
    pub waiting: i64,
    pub pulled_through: i64,
    pub last_shared_at: Option<DateTime<Utc>>,
    pub unreachable_since: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// The sharing line every screen shows, and whether the server answers (the window marks it when not).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sharing {
    pub words: String,
    pub answering: bool,
}

impl SyncState {
    /// The line for screens, on a laptop that shares a clinic server (None on one working alone).
    pub fn sharing(&self, now: DateTime<Utc>) -> Option<Sharing> {
        self.laptop.as_ref()?;
        Some(Sharing {
            words: self.words(now),
            answering: self.unreachable_since.is_none(),
        })
    }

    /// Users, roles, settings and protocols are the clinic's, not one laptop's: on a laptop that
    /// shares a server they change only while it answers, so no two laptops hold different ones.
    pub fn clinic_wide_change(&self, what: &str) -> Result<()> {
        match self.unreachable_since {
            Some(since) if self.laptop.is_some() => Err(Error::Conflict(format!(
                "{what} change only while the clinic server answers, so that every laptop has the same; it has not answered since {}. Try again once it does (the line at the top says when).",
                clock::hm(since)
            ))),
            _ => Ok(()),
        }
    }

    /// The one line every screen shows: shared, waiting, or why not, and that entries are safe.
    pub fn words(&self, now: DateTime<Utc>) -> String {
        if self.laptop.is_none() {
            return "This laptop works alone (no clinic server set up).".into();
        }
        if let Some(since) = self.unreachable_since {
            let waiting = match self.waiting {
                0 => String::new(),
                1 => " (1 change waiting)".into(),
                n => format!(" ({n} changes waiting)"),
            };
            return format!(
                "Server unreachable since {}: entries are safe on this laptop{waiting}.",
                clock::hm(since)
            );
        }
        if let Some(problem) = &self.last_error {
            return format!("Not shared: {problem} Entries are safe on this laptop.");
        }
        match self.last_shared_at {
            None => "Not yet shared with the clinic: connecting to the server…".into(),
            Some(at) if self.waiting > 0 => format!(
                "Sharing with the clinic: {} change{} waiting (last shared {}).",
                self.waiting,
                if self.waiting == 1 { "" } else { "s" },
                ago(now, at)
            ),
            Some(at) => format!("Shared with the clinic {}.", ago(now, at)),
        }
    }
}

/// "12 s ago", "4 min ago", "at 10:42".
fn ago(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let seconds = (now - at).num_seconds().max(0);
    match seconds {
        0..=59 => format!("{seconds} s ago"),
        60..=3599 => format!("{} min ago", seconds / 60),
        _ => format!("at {}", clock::hm(at)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn state(now: DateTime<Utc>) -> SyncState {
        SyncState {
            laptop: Some("chair-1".into()),
            server_url: Some("postgresql://chair-1@clinic/ic".into()),
            waiting: 0,
            pulled_through: 10,
            last_shared_at: Some(now - Duration::seconds(12)),
            unreachable_since: None,
            last_error: None,
        }
    }

    #[test]
    fn a_shared_laptop_says_how_long_ago() {
        let now = Utc::now();
        assert_eq!(state(now).words(now), "Shared with the clinic 12 s ago.");
        let waiting = SyncState {
            waiting: 3,
            ..state(now)
        };
        assert_eq!(
            waiting.words(now),
            "Sharing with the clinic: 3 changes waiting (last shared 12 s ago)."
        );
    }

    #[test]
    fn an_unreachable_server_says_since_when_and_that_entries_are_safe() {
        let now = Utc::now();
        let since = now - Duration::minutes(5);
        let down = SyncState {
            unreachable_since: Some(since),
            waiting: 1,
            ..state(now)
        };
        assert_eq!(
            down.words(now),
            format!(
                "Server unreachable since {}: entries are safe on this laptop (1 change waiting).",
                clock::hm(since)
            )
        );
    }

    #[test]
    fn laptop_names_are_plain_role_names() {
        assert_eq!(laptop_name(" chair-3 ").unwrap(), "chair-3");
        for bad in ["", "Chair3", "-chair", "chair 3", "chair\"3", &"a".repeat(41)] {
            let e = laptop_name(bad).unwrap_err();
            assert!(e.to_string().starts_with("Laptop name"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_problem_on_this_laptop_is_said_apart_from_the_server() {
        let now = Utc::now();
        let stuck = SyncState {
            last_error: Some("A patient with MRN A-1 is already on this laptop.".into()),
            ..state(now)
        };
        assert_eq!(
            stuck.words(now),
            "Not shared: A patient with MRN A-1 is already on this laptop. Entries are safe on this laptop."
        );
    }

    #[test]
    fn clinic_wide_changes_wait_for_the_server_only_on_a_laptop_that_shares_one() {
        let now = Utc::now();
        assert!(state(now).clinic_wide_change("Protocols").is_ok());
        let down = SyncState {
            unreachable_since: Some(now),
            ..state(now)
        };
        let refused = down.clinic_wide_change("Protocols").unwrap_err();
        assert!(
            refused
                .to_string()
                .starts_with("Protocols change only while the clinic server answers"),
            "{refused}"
        );
        let alone = SyncState { laptop: None, ..down };
        assert!(alone.clinic_wide_change("Protocols").is_ok());
    }

    #[test]
    fn a_laptop_without_a_server_says_it_works_alone() {
        let now = Utc::now();
        let alone = SyncState {
            laptop: None,
            ..state(now)
        };
        assert!(alone.words(now).contains("works alone"));
    }
}
