//! The key file beside the database (`infusion-chart.keys`): one key slot per active user, and the
//! sign-in throttle. It must be readable before the database is open, so it lives outside it; it
//! holds no health data, only wrapped keys, usernames and failed sign-in counts.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::sync::SharedSlot;
use crate::error::{Error, Result};
use crate::outside::crypto::{DataKey, WrappedKey, DEFAULT_KDF};

const FORMAT: u32 = 1;
/// Failed sign-ins allowed before a username must wait.
const FREE_ATTEMPTS: u32 = 4;
/// Failed sign-ins kept for the audit trail while the database is closed; older ones are dropped.
const MAX_PENDING: usize = 1000;
/// How a failed sign-in with a username that has no account is recorded: what was typed may be a password.
pub const UNKNOWN_USERNAME: &str = "(unknown username)";
const FIRST_WAIT_SECONDS: i64 = 30;
const LONGEST_WAIT_SECONDS: i64 = 15 * 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slot {
    pub user_id: i64,
    pub username: String,
    pub wrapped: WrappedKey,
    /// What the wrapping is bound to, when the slot was made on another laptop of the clinic (where
    /// the user has another local id); None: this laptop's "id:username".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When it was made (None in key files older than the clinic server): of two versions of a
    /// user's slot, on this laptop and shared by the clinic, the newer is kept.
    #[serde(default)]
    pub changed_at: Option<DateTime<Utc>>,
}

impl Slot {
    /// Wraps `key` under `password` for this user; the slot opens only for them.
    pub fn new(user_id: i64, username: &str, key: &DataKey, password: &str) -> Result<Slot> {
        let wrapped = key.wrap(password, &owner(user_id, username), DEFAULT_KDF)?;
        Ok(Slot {
            user_id,
            username: username.to_string(),
            wrapped,
            owner: None,
            changed_at: Some(Utc::now()),
        })
    }

    /// The data key, if `password` is this slot's.
    pub fn open(&self, password: &str) -> Result<Option<DataKey>> {
        DataKey::unwrap(&self.wrapped, password, &self.owner())
    }

    /// What the wrapping is bound to.
    pub fn owner(&self) -> String {
        self.owner
            .clone()
            .unwrap_or_else(|| owner(self.user_id, &self.username))
    }

    /// The slot as the clinic shares it.
    pub fn shared(&self) -> SharedSlot {
        SharedSlot {
            username: self.username.clone(),
            user_id: self.user_id,
            owner: self.owner(),
            wrapped: serde_json::to_string(&self.wrapped).expect("a wrapped key is plain JSON"),
            changed_at: self.changed_at,
            active: true,
        }
    }

    /// A slot shared by the clinic, for this laptop's user `shared.user_id`.
    pub fn from_shared(shared: &SharedSlot) -> Result<Slot> {
        let wrapped = serde_json::from_str(&shared.wrapped).map_err(|e| {
            Error::Database(format!(
                "The shared key slot of {} cannot be read ({e}).",
                shared.username
            ))
        })?;
        let mine = owner(shared.user_id, &shared.username);
        Ok(Slot {
            user_id: shared.user_id,
            username: shared.username.clone(),
            wrapped,
            owner: (shared.owner != mine).then(|| shared.owner.clone()),
            changed_at: shared.changed_at,
        })
    }
}

fn owner(user_id: i64, username: &str) -> String {
    format!("{user_id}:{}", username.to_lowercase())
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Throttle {
    pub failures: u32,
    pub blocked_until: Option<DateTime<Utc>>,
}

/// A failed sign-in seen while the database was closed; written to the audit trail at the next sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingFailure {
    pub username: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Keyring {
    format: u32,
    pub slots: Vec<Slot>,
    #[serde(default)]
    pub throttle: BTreeMap<String, Throttle>,
    #[serde(default)]
    pub pending_failures: Vec<PendingFailure>,
    /// Where automatic backups go on this computer (None: `backups/` beside the database). Kept here,
    /// not in the database, so a damaged database can still be restored from there.
    #[serde(default)]
    pub backup_folder: Option<String>,
}

impl Keyring {
    pub fn new() -> Keyring {
        Keyring {
            format: FORMAT,
            slots: Vec::new(),
            throttle: BTreeMap::new(),
            pending_failures: Vec::new(),
            backup_folder: None,
        }
    }

    /// The key slots alone, saved beside each backup so it can be opened on another computer
    /// with a password that was valid when it was made.
    pub fn slots_only(&self) -> Keyring {
        Keyring {
            slots: self.slots.clone(),
            ..Keyring::new()
        }
    }

    pub fn path_beside(database: &Path) -> PathBuf {
        database.with_extension("keys")
    }

    /// The key file, or `None` if there is none yet (first run).
    pub fn load(path: &Path) -> Result<Option<Keyring>> {
        let text = match fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Database(format!(
                    "The key file {} cannot be read ({e}).",
                    path.display()
                )))
            }
        };
        let ring: Keyring = serde_json::from_str(&text).map_err(|e| {
            Error::Database(format!(
                "The key file {} is damaged ({e}). Restore it from a backup, or use the recovery key.",
                path.display()
            ))
        })?;
        if ring.format != FORMAT {
            return Err(Error::Database(format!(
                "The key file {} was written by a newer version of Infusion Chart.",
                path.display()
            )));
        }
        Ok(Some(ring))
    }

    /// Replaces the file atomically (temp file, fsync, rename): a crash leaves the old or the new, never half.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::files::write_atomically(path, true, |out| {
            out.write_all(serde_json::to_string_pretty(self).expect("serialisable").as_bytes())
                .map_err(|e| {
                    Error::Storage(format!(
                        "The key file {} could not be written ({e}). Nothing was changed.",
                        path.display()
                    ))
                })
        })
    }

    pub fn slot(&self, username: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.username.eq_ignore_ascii_case(username))
    }

    /// Adds or replaces the slot of `user_id`.
    pub fn put_slot(&mut self, slot: Slot) {
        self.slots.retain(|s| s.user_id != slot.user_id);
        self.slots.push(slot);
    }

    pub fn remove_slot(&mut self, user_id: i64) {
        self.slots.retain(|s| s.user_id != user_id);
    }

    /// Refuses a sign-in attempt while the username is waiting out earlier failures.
    pub fn check_throttle(&self, username: &str, now: DateTime<Utc>) -> Result<()> {
        let Some(until) = self
            .throttle
            .get(&username.to_lowercase())
            .and_then(|t| t.blocked_until)
        else {
            return Ok(());
        };
        if until <= now {
            return Ok(());
        }
        let seconds = (until - now).num_seconds().max(1);
        let wait = if seconds < 90 {
            format!("{seconds} seconds")
        } else {
            format!("{} minutes", (seconds + 59) / 60)
        };
        Err(Error::Throttled(format!(
            "Too many failed sign-ins for {username}. Try again in {wait}, or ask an admin to reset the password."
        )))
    }

    /// Counts a failure. For an existing account, from the fifth on each makes the username wait,
    /// doubling (30 s, 1 min, 2 min … up to 15 min); an unknown username is recorded without its text.
    pub fn record_failure(&mut self, username: &str, now: DateTime<Utc>) {
        let known = self.slot(username).is_some();
        if known {
            let entry = self.throttle.entry(username.to_lowercase()).or_default();
            entry.failures += 1;
            if entry.failures > FREE_ATTEMPTS {
                let doublings = (entry.failures - FREE_ATTEMPTS - 1).min(10);
                let wait = (FIRST_WAIT_SECONDS << doublings).min(LONGEST_WAIT_SECONDS);
                entry.blocked_until = Some(now + Duration::seconds(wait));
            }
        }
        let username = if known {
            username.to_lowercase()
        } else {
            UNKNOWN_USERNAME.to_string()
        };
        self.pending_failures.push(PendingFailure { username, at: now });
        if self.pending_failures.len() > MAX_PENDING {
            self.pending_failures.remove(0);
        }
    }

    pub fn clear_failures(&mut self, username: &str) {
        self.throttle.remove(&username.to_lowercase());
    }
}

impl Default for Keyring {
    fn default() -> Self {
        Keyring::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring_with_nina() -> Keyring {
        let mut ring = Keyring::new();
        let wrapped = WrappedKey {
            kdf: DEFAULT_KDF,
            salt: String::new(),
            nonce: String::new(),
            ciphertext: String::new(),
        };
        ring.put_slot(Slot {
            user_id: 2,
            username: "nina".into(),
            wrapped,
            owner: None,
            changed_at: None,
        });
        ring
    }

    #[test]
    fn repeated_failures_make_the_username_wait_longer_each_time() {
        let mut ring = ring_with_nina();
        let t0 = Utc::now();
        for _ in 0..4 {
            ring.record_failure("Nina", t0);
            assert!(
                ring.check_throttle("nina", t0).is_ok(),
                "the first failures cost nothing"
            );
        }
        ring.record_failure("nina", t0);
        let err = ring.check_throttle("NINA", t0).unwrap_err();
        assert_eq!(err.kind(), "throttled");
        assert_eq!(
            err.to_string(),
            "Too many failed sign-ins for NINA. Try again in 30 seconds, or ask an admin to reset the password."
        );
        assert!(ring.check_throttle("nina", t0 + Duration::seconds(31)).is_ok());
        ring.record_failure("nina", t0);
        assert!(ring.check_throttle("nina", t0 + Duration::seconds(59)).is_err());
        assert!(
            ring.check_throttle("omar", t0).is_ok(),
            "other usernames are not affected"
        );
        ring.clear_failures("nina");
        assert!(ring.check_throttle("nina", t0).is_ok());
        assert_eq!(ring.pending_failures.len(), 6);
    }

    #[test]
    fn a_username_without_an_account_is_recorded_without_its_text() {
        let mut ring = ring_with_nina();
        ring.record_failure("MySecretPassw0rd", Utc::now());
        assert_eq!(ring.pending_failures[0].username, UNKNOWN_USERNAME);
        assert!(ring.throttle.is_empty());
    }

    #[test]
    fn saving_is_atomic_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infusion-chart.keys");
        assert!(Keyring::load(&path).unwrap().is_none());
        let mut ring = Keyring::new();
        ring.record_failure("nina", Utc::now());
        ring.save(&path).unwrap();
        assert_eq!(Keyring::load(&path).unwrap().unwrap().pending_failures.len(), 1);
        assert!(!crate::files::partial(&path).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "{ not json").unwrap();
        assert_eq!(Keyring::load(&path).unwrap_err().kind(), "database");
    }
}
