//! The audit trail: who did what, when, to which record, old → new. Rows are append-only (the
//! database refuses UPDATE and DELETE) and hash-chained: each row's SHA-256 covers the previous
//! row's hash and its own fields, so `verify` finds a row altered, removed or slipped in.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::catalogue::catalogue;
use crate::domain::validate::Checker;
use serde_json::Value;

use crate::digest::sha256_hex;
use crate::error::Result;

/// The hash the first row chains from.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

catalogue! {
    /// What an audit row records; the snake_case name is stored and filtered on.
    Action {
        Setup => "Set-up",
        Login => "Sign-in",
        LoginFailed => "Failed sign-in",
        Logout => "Sign-out",
        Lock => "Screen locked",
        Unlock => "Screen unlocked",
        RecoveryKeyUsed => "Recovery key used",
        PasswordChanged => "Password changed",
        UserAdded => "User added",
        UserRolesChanged => "User roles changed",
        UserDisabled => "User disabled",
        UserEnabled => "User enabled",
        PasswordReset => "Password reset",
        SettingsChanged => "Settings changed",
        PatientAdded => "Patient added",
        PatientUpdated => "Patient changed",
        SessionStarted => "Session started",
        ArrivalMoved => "Arrival time moved",
        VitalsAdded => "Vitals charted",
        VitalsCorrected => "Vitals corrected",
        InfusionEventAdded => "Infusion event charted",
        NoteAdded => "Note added",
        ChecklistSaved => "Checklist saved",
        WasteRecorded => "Waste recorded",
        OutcomeScored => "Outcome scored",
        SideEffectAdded => "Side effect charted",
        SideEffectResolved => "Side effect resolved",
        InterventionAdded => "Rescue medication charted",
        AldreteScored => "Aldrete scored",
        PatientDischarged => "Patient discharged",
        ProtocolAdded => "Protocol added",
        ProtocolChanged => "Protocol changed",
        AlertRaised => "Alert raised",
        AlertAcknowledged => "Alert acknowledged",
        SessionSigned => "Session signed",
        SessionCosigned => "Session co-signed",
        AddendumAdded => "Addendum added",
        AuditExported => "Audit trail exported",
        ReportPrinted => "Report printed",
        BackupMade => "Backup made",
        BackupFailed => "Backup failed",
        BackupRestored => "Backup restored",
        BackupFolderChanged => "Backup folder changed",
        DataExported => "Records exported",
        DemoDataLoaded => "Demo data loaded",
        ClinicJoined => "Joined the clinic server",
    }
}

/// What happened, before it gets its time, author and hash.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub action: Action,
    pub table_name: Option<&'static str>,
    pub record_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub old_value: Option<Value>,
    pub new_value: Option<Value>,
    pub detail: Option<String>,
}

impl Event {
    pub fn new(action: Action) -> Event {
        Event {
            action,
            table_name: None,
            record_id: None,
            patient_id: None,
            old_value: None,
            new_value: None,
            detail: None,
        }
    }

    pub fn record(mut self, table: &'static str, id: i64) -> Event {
        self.table_name = Some(table);
        self.record_id = Some(id);
        self
    }

    pub fn patient(mut self, patient_id: i64) -> Event {
        self.patient_id = Some(patient_id);
        self
    }

    pub fn change(mut self, old: Option<impl Serialize>, new: Option<impl Serialize>) -> Event {
        self.old_value = old.map(|v| serde_json::to_value(v).expect("serialisable"));
        self.new_value = new.map(|v| serde_json::to_value(v).expect("serialisable"));
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Event {
        self.detail = Some(detail.into());
        self
    }
}

/// One stored row of the trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub id: i64,
    pub at_utc: String,
    /// The same instant in the clinic's local time, with its offset.
    pub at_local: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub action: String,
    pub table_name: Option<String>,
    pub record_id: Option<i64>,
    pub patient_id: Option<i64>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
    #[serde(skip)]
    pub prev_hash: String,
    #[serde(skip)]
    pub hash: String,
    /// The laptop of the clinic that wrote it, when not this one (its record and patient ids are
    /// this laptop's; its old and new values are as that laptop wrote them).
    pub laptop: Option<String>,
}

impl Entry {
    /// SHA-256 over the previous hash and every field but the row's own hash, unambiguously joined.
    pub fn compute_hash(&self) -> String {
        // "-" for a missing value, "+" before a present one: no text can hash like a missing value.
        let opt = |v: &Option<String>| v.as_ref().map_or_else(|| "-".to_string(), |t| format!("+{t}"));
        let num = |v: Option<i64>| opt(&v.map(|n| n.to_string()));
        let fields = [
            self.prev_hash.clone(),
            self.id.to_string(),
            self.at_utc.clone(),
            self.at_local.clone(),
            num(self.user_id),
            opt(&self.username),
            self.action.clone(),
            opt(&self.table_name),
            num(self.record_id),
            num(self.patient_id),
            opt(&self.old_value),
            opt(&self.new_value),
            opt(&self.detail),
        ];
        let joined: Vec<String> = fields.iter().map(|f| format!("{}:{f}", f.len())).collect();
        sha256_hex(joined.join("|").as_bytes())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verification {
    pub intact: bool,
    pub entries: usize,
    pub message: String,
}

/// Walks the chain in id order. `highest_id_issued` is what SQLite's AUTOINCREMENT has handed out,
/// so rows removed from the end are found too.
pub fn verify(entries: &[Entry], highest_id_issued: i64) -> Verification {
    let broken = |message: String| Verification {
        intact: false,
        entries: entries.len(),
        message,
    };
    let mut prev_hash = GENESIS.to_string();
    let mut expected_id = 1;
    for e in entries {
        if e.id != expected_id {
            return broken(if e.id > expected_id {
                format!("The audit trail is broken at entry {expected_id}: entries {expected_id}–{} are missing (deleted outside the app).", e.id - 1)
            } else {
                format!(
                    "The audit trail is broken at entry {}: it appears out of order (inserted outside the app).",
                    e.id
                )
            });
        }
        if e.prev_hash != prev_hash {
            return broken(format!("The audit trail is broken at entry {}: it does not follow entry {} (an entry was removed or inserted outside the app).", e.id, e.id - 1));
        }
        if e.compute_hash() != e.hash {
            return broken(format!(
                "The audit trail is broken at entry {}: its contents were changed after it was written.",
                e.id
            ));
        }
        prev_hash = e.hash.clone();
        expected_id += 1;
    }
    if highest_id_issued >= expected_id {
        return broken(format!(
            "The audit trail is broken after entry {}: entries {expected_id}–{highest_id_issued} are missing (deleted outside the app).",
            expected_id - 1
        ));
    }
    Verification {
        intact: true,
        entries: entries.len(),
        message: format!(
            "The audit trail is intact: {} entries, every link verified.",
            entries.len()
        ),
    }
}

/// This laptop's chain and each other laptop's, as they arrived from the clinic server, in one
/// answer: intact only if every chain is, and a broken one names its laptop.
pub fn verify_every_laptop(here: Verification, others: Vec<(String, Verification)>) -> Verification {
    if others.is_empty() {
        return here;
    }
    let entries = here.entries + others.iter().map(|(_, v)| v.entries).sum::<usize>();
    let broken: Vec<String> = std::iter::once(("this laptop".to_string(), &here))
        .chain(others.iter().map(|(laptop, v)| (format!("laptop {laptop}"), v)))
        .filter(|(_, v)| !v.intact)
        .map(|(who, v)| format!("On {who}: {}", v.message))
        .collect();
    let names: Vec<&str> = others.iter().map(|(laptop, _)| laptop.as_str()).collect();
    Verification {
        intact: broken.is_empty(),
        entries,
        message: if broken.is_empty() {
            format!(
                "Every laptop's audit trail is intact: {entries} entries (this laptop's and those of {}), every link verified.",
                names.join(", ")
            )
        } else {
            broken.join(" ")
        },
    }
}

/// Filters of the admin's audit screen; all optional.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    pub username: Option<String>,
    pub patient_id: Option<i64>,
    pub action: Option<Action>,
    /// The first and last day, as typed (domain/dates.rs); `period` reads them.
    pub from: Option<String>,
    pub to: Option<String>,
    pub limit: Option<u32>,
}

/// The days a filter's `from` and `to` name.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Filter {
    /// The filter's days read as typed, or every problem with them, naming the field.
    pub fn period(&self) -> Result<Period> {
        let mut c = Checker::new();
        let from = c.optional_date(self.from.clone(), "From");
        let to = c.optional_date(self.to.clone(), "To");
        c.finish()?;
        Ok(Period { from, to })
    }
}

/// Most rows one search shows; exports take every match.
pub const SEARCH_LIMIT: u32 = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[serde(flatten)]
    pub filter: Filter,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exported {
    pub path: String,
    pub rows: usize,
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn every_laptops_chain_is_intact_or_the_broken_one_is_named() {
        let intact = |entries| Verification {
            intact: true,
            entries,
            message: "intact".into(),
        };
        assert_eq!(
            verify_every_laptop(intact(3), vec![]),
            intact(3),
            "alone: this laptop's answer"
        );
        let all = verify_every_laptop(intact(3), vec![("chair-2".into(), intact(4))]);
        assert!(
            all.intact && all.entries == 7 && all.message.contains("chair-2"),
            "{all:?}"
        );
        let broken = Verification {
            intact: false,
            entries: 2,
            message: "The audit trail is broken at entry 2.".into(),
        };
        let one = verify_every_laptop(
            intact(3),
            vec![("chair-2".into(), intact(4)), ("chair-3".into(), broken)],
        );
        assert!(!one.intact);
        assert_eq!(one.message, "On laptop chair-3: The audit trail is broken at entry 2.");
    }

    /// A chain of `n` vitals rows, each hashed over the one before.
    pub(crate) fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|id| {
                let mut e = Entry {
                    id,
                    at_utc: format!("2026-11-22T10:{id:02}:00.000Z"),
                    at_local: format!("2026-11-22T10:{id:02}:00.000+00:00"),
                    user_id: Some(1),
                    username: Some("nina".into()),
                    action: "vitals_added".into(),
                    table_name: Some("vitals".into()),
                    record_id: Some(id),
                    patient_id: Some(7),
                    laptop: None,
                    old_value: None,
                    new_value: Some(format!("{{\"sbp\":{}}}", 120 + id)),
                    detail: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let v = verify(&chain(5), 5);
        assert!(v.intact, "{}", v.message);
        assert_eq!(v.message, "The audit trail is intact: 5 entries, every link verified.");
    }

    #[test]
    fn verify_says_where_the_chain_breaks() {
        let mut edited = chain(5);
        edited[2].new_value = Some("{\"sbp\":90}".into());
        let mut deleted = chain(5);
        deleted.remove(2);
        let mut inserted = chain(5);
        let mut fake = inserted[1].clone();
        fake.id = 6;
        inserted.push(fake);
        let cases: Vec<(Vec<Entry>, i64, &str)> = vec![
            (edited, 5, "The audit trail is broken at entry 3: its contents were changed after it was written."),
            (deleted, 5, "The audit trail is broken at entry 3: entries 3–3 are missing (deleted outside the app)."),
            (inserted, 6, "The audit trail is broken at entry 6: it does not follow entry 5 (an entry was removed or inserted outside the app)."),
            (chain(3), 5, "The audit trail is broken after entry 3: entries 4–5 are missing (deleted outside the app)."),
        ];
        for (entries, issued, message) in cases {
            let v = verify(&entries, issued);
            assert!(!v.intact);
            assert_eq!(v.message, message);
        }
    }
}
