//! Backups as the clinic sees them: why one was made, the backup log's record of it, and when the
//! last one is too old. Making, checking and rotating the files is `outside::backup`.

use chrono::{DateTime, Local, Utc};
use serde::Serialize;

use crate::domain::catalogue::catalogue;
use crate::domain::settings::BackupPolicy;

catalogue! {
    /// Why a backup was made.
    BackupKind {
        Manual => "Backed up by an admin",
        Automatic => "Automatic",
        PreRestore => "Before a restore",
        CommandLine => "Command line",
    }
}

/// What sets off an automatic backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The periodic check while the app is open: due once the last backup is `every_hours` old.
    Timer,
    /// Sign-out and closing the app: due when anything was charted since the last backup.
    SignOut,
    Exit,
}

/// A backup as the backup log keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackupRecord {
    pub id: i64,
    pub kind: BackupKind,
    pub created_at: DateTime<Utc>,
    pub path: String,
    pub bytes: i64,
    pub sha256: String,
    pub made_by: Option<String>,
    /// The last audit row id the copy holds (None: made before this was kept, or a copy of the
    /// database a restore replaced): anything audited after it is not in this backup.
    pub audit_through: Option<i64>,
}

/// The warning every screen shows when the last backup is older than the policy allows, or missing.
pub fn warning(last: Option<&BackupRecord>, policy: &BackupPolicy, now: DateTime<Utc>) -> Option<String> {
    let Some(last) = last else {
        return Some("No backup of the chart has been made yet. Ask an admin to back up now.".into());
    };
    let hours = age_hours(last, now);
    (hours > policy.warn_after_hours as f64).then(|| {
        format!(
            "The last backup is {} old (made {}). Ask an admin to back up now.",
            age_in_words(hours),
            last.created_at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
        )
    })
}

/// How old `backup` is at `now`, in hours.
pub fn age_hours(backup: &BackupRecord, now: DateTime<Utc>) -> f64 {
    (now - backup.created_at).num_minutes() as f64 / 60.0
}

fn age_in_words(hours: f64) -> String {
    let (count, unit) = if hours < 48.0 {
        (hours.floor(), "hour")
    } else {
        ((hours / 24.0).floor(), "day")
    };
    format!("{count} {unit}{}", if count == 1.0 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_or_missing_backup_is_warned_about_in_words() {
        let policy = BackupPolicy::default();
        let now = Utc::now();
        assert!(warning(None, &policy, now)
            .unwrap()
            .starts_with("No backup of the chart has been made yet."));
        let mut last = BackupRecord {
            id: 1,
            kind: BackupKind::Automatic,
            created_at: now - chrono::Duration::hours(30),
            path: "x".into(),
            bytes: 1,
            sha256: "0".repeat(64),
            made_by: None,
            audit_through: Some(1),
        };
        assert!(warning(Some(&last), &policy, now)
            .unwrap()
            .starts_with("The last backup is 30 hours old"));
        last.created_at = now - chrono::Duration::hours(3);
        assert_eq!(warning(Some(&last), &policy, now), None);
        last.created_at = now - chrono::Duration::hours(80);
        assert!(warning(Some(&last), &policy, now).unwrap().contains("3 days old"));
    }
}
