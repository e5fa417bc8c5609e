//! Backups and restores on real files: copies made while a nurse charts, the round trip, rotation,
//! the refusals (another app, newer schema, damaged, truncated, wrong key), the stale-backup warning
//! and a damaged database found at sign-in.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{Datelike, Duration, Local};
use infusion_chart::app::clinic::{AppState, Nothing};
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::backups::BackupKind;
use infusion_chart::domain::backups::Trigger;
use infusion_chart::domain::sessions::{DayRequest, Session, SessionRef};
use infusion_chart::outside::backup::{self, BackupFile, BackupRequest};
use infusion_chart::outside::crypto::DataKey;
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::Clinic;

use crate::support::{creds, keyed, password, raw_connection, restore_damaged, vitals_input, Fixture};

/// Vitals ids stored in a backup file.
fn vitals_in(file: &Path, recovery_key: &str) -> BTreeSet<i64> {
    let conn = keyed(file, recovery_key);
    let mut stmt = conn.prepare("SELECT id FROM vitals").unwrap();
    let ids = stmt.query_map([], |r| r.get(0)).unwrap();
    ids.map(Result::unwrap).collect()
}

/// The id of the last audit row a backup file holds.
fn last_audit_row_in(file: &Path, recovery_key: &str) -> i64 {
    keyed(file, recovery_key)
        .query_row("SELECT max(id) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

fn restore_count(f: &Fixture) -> usize {
    let filter = Filter {
        action: Some(Action::BackupRestored),
        ..Default::default()
    };
    f.as_user("ada").audit_search(filter).unwrap().len()
}

/// Rewrites a backup's manifest so its size and SHA-256 match the file again (as a careful forger would).
fn reseal(file: &Path) {
    let mut manifest = backup::read_manifest(file).unwrap();
    (manifest.bytes, manifest.sha256) = backup::digest_file(file).unwrap();
    std::fs::write(backup::manifest_path(file), serde_json::to_string(&manifest).unwrap()).unwrap();
}

/// A copy of `file` (with its manifest and key slots) under a new name in `dir`.
fn copy_backup(file: &Path, dir: &Path, name: &str) -> PathBuf {
    let copy = dir.join(format!("{name}.db"));
    std::fs::copy(file, &copy).unwrap();
    std::fs::copy(backup::manifest_path(file), backup::manifest_path(&copy)).unwrap();
    std::fs::copy(Keyring::path_beside(file), Keyring::path_beside(&copy)).unwrap();
    copy
}

#[test]
fn backups_taken_while_a_nurse_charts_hold_every_entry_acknowledged_before_they_began() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let p = f.add_patient("B-1");
    let s = f.start_session(&p);
    let admin = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    admin.login(creds("ada", &password("ada"))).unwrap();
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let out = tempfile::tempdir().unwrap();
    let mut checked = 0;
    let backups_done = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        // The nurse charts until three backups are done (at most 5,000 entries), so they overlap.
        // A breath between entries, still hundreds a second: SQLite's lock is not a queue, and a
        // writer that never pauses could keep the backup's own write out past its busy timeout.
        let nurse = scope.spawn(|| {
            for _ in 0..5_000 {
                if backups_done.load(Ordering::SeqCst) >= 3 {
                    break;
                }
                let v = f
                    .clinic
                    .add_vitals(vitals_input(s.id, f.clock.now(), 120.0, 80.0))
                    .unwrap();
                acknowledged.lock().unwrap().push(v.id);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        });
        while !nurse.is_finished() && checked < 20 {
            let before: Vec<i64> = acknowledged.lock().unwrap().clone();
            let folder = out.path().join(format!("b{checked}"));
            std::fs::create_dir(&folder).unwrap();
            let made = admin.backup_to(Some(&folder), BackupKind::CommandLine).unwrap();
            let file = Path::new(&made.record.path);
            backup::verify(
                file,
                Some(&DataKey::from_recovery_code(&f.recovery_key).unwrap().sqlcipher_key()),
            )
            .unwrap();
            let stored = vitals_in(file, &f.recovery_key);
            assert!(
                before.iter().all(|id| stored.contains(id)),
                "an acknowledged entry is missing"
            );
            // Charting went on during the copy: the mark is the copy's own last audit row.
            assert_eq!(
                made.record.audit_through,
                Some(last_audit_row_in(file, &f.recovery_key))
            );
            checked += 1;
            backups_done.store(checked, Ordering::SeqCst);
        }
    });
    assert!(checked >= 2, "at least two backups overlapped the charting ({checked})");
}

#[test]
fn a_backup_restores_to_what_was_charted_before_it_and_the_replaced_database_is_kept() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let p = f.add_patient("R-1");
    let s = f.start_session(&p);
    f.chart_vitals(&s, 120.0, 80.0);
    f.chart_vitals(&s, 122.0, 81.0);
    let out = tempfile::tempdir().unwrap();
    let made = f
        .as_user("ada")
        .backup_now(BackupRequest {
            folder: Some(out.path().display().to_string()),
        })
        .unwrap();
    assert_eq!(made.manifest.tables["vitals"], 2);
    assert_eq!(made.manifest.schema_version, infusion_chart::storage::LATEST_VERSION);
    f.as_user("nina");
    let late = f.chart_vitals(&s, 124.0, 82.0);

    let restored = f
        .as_user("ada")
        .restore_backup(BackupFile {
            path: made.record.path.clone(),
        })
        .unwrap();
    assert_eq!(
        f.clinic.app_status(Nothing {}).unwrap().state,
        AppState::SignedOut,
        "everyone signs in again"
    );
    f.clinic.login(creds("nina", &password("nina"))).unwrap();
    let record = f.clinic.get_session(SessionRef { session_id: s.id }).unwrap();
    assert_eq!(
        record.vitals.len(),
        2,
        "the entry charted after the backup is not in it"
    );
    let kept = vitals_in(Path::new(&restored.previous_kept_at), &f.recovery_key);
    assert!(
        kept.contains(&late.id),
        "the replaced database was backed up first, with every entry"
    );
    assert_eq!(restore_count(&f), 1);
    assert!(f.clinic.audit_verify(Nothing {}).unwrap().intact);
    let status = f.clinic.backup_status(Nothing {}).unwrap();
    let pre_restore = status.recent.iter().find(|b| b.kind == BackupKind::PreRestore).unwrap();
    assert_eq!(
        pre_restore.path, restored.previous_kept_at,
        "the backup log of the restored database names it"
    );
    // The pre-restore backup is of the replaced database: its audit rows say nothing of this one's.
    f.as_user("nina");
    f.chart_vitals(&s, 126.0, 83.0);
    assert!(
        f.clinic.automatic_backup(Trigger::SignOut).unwrap().is_some(),
        "an entry charted after the restore is backed up at the next sign-out"
    );
}

#[test]
fn rotation_keeps_exactly_the_newest_backup_of_each_recent_day_and_week() {
    let f = Fixture::staffed();
    f.as_user("ada");
    let folder = f.path.with_file_name("backups");
    let made_at_setup = std::fs::read_dir(&folder).unwrap().count() / 3;
    let mut made_on: Vec<_> =
        std::iter::repeat_n(f.clock.now().with_timezone(&Local).date_naive(), made_at_setup).collect();
    for _ in 0..24 {
        f.clock.advance(12 * 60);
        if let Some(made) = f.clinic.automatic_backup(Trigger::Timer).unwrap() {
            made_on.push(made.record.created_at.with_timezone(&Local).date_naive());
        }
    }
    assert_eq!(
        made_on.len(),
        made_at_setup + 24,
        "every 12 hours is past the 4-hour cadence"
    );
    // Expected: the 7 newest days, and the newest day of each of the 4 newest weeks.
    let days: BTreeSet<_> = made_on.iter().copied().collect();
    let mut expected: BTreeSet<_> = days.iter().rev().take(7).copied().collect();
    let mut weeks = BTreeSet::new();
    for day in days.iter().rev() {
        let week = (day.iso_week().year(), day.iso_week().week());
        if weeks.len() < 4 && weeks.insert(week) {
            expected.insert(*day);
        }
    }
    let kept: BTreeSet<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .map(|p| {
            backup::read_manifest(&p)
                .unwrap()
                .created_at
                .with_timezone(&Local)
                .date_naive()
        })
        .collect();
    assert_eq!(kept, expected);
    let files = std::fs::read_dir(&folder).unwrap().count();
    assert_eq!(
        files,
        expected.len() * 3,
        "each backup kept has its manifest and key slots, nothing else"
    );
}

#[test]
fn backups_of_another_app_a_newer_schema_damaged_truncated_or_with_another_key_are_refused() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let p = f.add_patient("X-1");
    let s = f.start_session(&p);
    f.chart_vitals(&s, 120.0, 80.0);
    let out = tempfile::tempdir().unwrap();
    let good = f
        .as_user("ada")
        .backup_now(BackupRequest {
            folder: Some(out.path().display().to_string()),
        })
        .unwrap();
    let good = PathBuf::from(good.record.path);
    let key = DataKey::from_recovery_code(&f.recovery_key).unwrap().sqlcipher_key();

    let no_manifest = out.path().join("plain-copy.db");
    std::fs::copy(&good, &no_manifest).unwrap();

    let other_app = copy_backup(&good, out.path(), "other-app");
    std::fs::remove_file(&other_app).unwrap();
    raw_connection(&other_app)
        .execute_batch("PRAGMA application_id = 1234; CREATE TABLE notes (body TEXT);")
        .unwrap();
    reseal(&other_app);

    let newer = copy_backup(&good, out.path(), "newer");
    let conn = raw_connection(&newer);
    conn.pragma_update(None, "key", key.as_str()).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);
    reseal(&newer);

    let damaged = copy_backup(&good, out.path(), "damaged");
    let mut bytes = std::fs::read(&damaged).unwrap();
    for b in &mut bytes[8192..8292] {
        *b ^= 0xff;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let damaged_resealed = copy_backup(&damaged, out.path(), "damaged-resealed");
    reseal(&damaged_resealed);

    let truncated = copy_backup(&good, out.path(), "truncated");
    let len = std::fs::metadata(&truncated).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&truncated)
        .unwrap()
        .set_len(len / 2)
        .unwrap();

    let elsewhere = Fixture::staffed();
    let foreign_out = tempfile::tempdir().unwrap();
    let foreign = elsewhere
        .as_user("ada")
        .backup_now(BackupRequest {
            folder: Some(foreign_out.path().display().to_string()),
        })
        .unwrap();

    let cases: [(&Path, &str); 7] = [
        (&no_manifest, "has no readable manifest"),
        (&other_app, "belongs to another application, not Infusion Chart"),
        (&newer, "was made by a newer version of Infusion Chart (schema 99"),
        (
            &damaged,
            "is damaged: its contents no longer match the SHA-256 in its manifest",
        ),
        (&damaged_resealed, "is damaged"),
        (&truncated, "is truncated or damaged"),
        (Path::new(&foreign.record.path), "cannot be read with this key"),
    ];
    let before = vitals_in(&f.path, &f.recovery_key);
    f.as_user("ada");
    for (file, expected) in cases {
        let request = || BackupFile {
            path: file.display().to_string(),
        };
        let verified = f.clinic.verify_backup(request()).unwrap_err();
        assert!(
            verified.to_string().contains(expected),
            "{}: {verified}",
            file.display()
        );
        let restored = f.clinic.restore_backup(request()).unwrap_err();
        assert_eq!(restored, verified, "restore refuses for the same reason");
        assert!(restored.to_string().ends_with("Nothing was changed."), "{restored}");
        assert_eq!(
            f.clinic.app_status(Nothing {}).unwrap().state,
            AppState::Ready,
            "nobody was signed out"
        );
    }
    assert_eq!(vitals_in(&f.path, &f.recovery_key), before);
    assert_eq!(restore_count(&f), 0);
    assert!(f
        .clinic
        .verify_backup(BackupFile {
            path: good.display().to_string()
        })
        .is_ok());
}

#[test]
fn a_backup_to_a_missing_folder_fails_clearly_and_is_audited() {
    let f = Fixture::staffed();
    let missing = f.path.with_file_name("usb-drive-not-plugged-in");
    let err = f
        .as_user("ada")
        .backup_now(BackupRequest {
            folder: Some(missing.display().to_string()),
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "The backup to {} failed: the folder does not exist. If it is a USB drive or a network share, connect it and try again. The chart database and earlier backups are unchanged.",
            missing.display()
        )
    );
    assert!(!missing.exists());
    let failures = Filter {
        action: Some(Action::BackupFailed),
        ..Default::default()
    };
    assert_eq!(f.clinic.audit_search(failures).unwrap().len(), 1);
}

#[test]
fn a_stale_backup_is_warned_about_on_every_screen_until_the_next_automatic_one() {
    let f = Fixture::staffed();
    let status = f.as_user("nina").app_status(Nothing {}).unwrap();
    assert_eq!(status.backup_warning, None, "signing out after set-up made a backup");
    f.clock.advance(25 * 60);
    let warning = f
        .as_user("nina")
        .app_status(Nothing {})
        .unwrap()
        .backup_warning
        .unwrap();
    assert!(warning.starts_with("The last backup is 25 hours old"), "{warning}");
    assert!(f.clinic.automatic_backup(Trigger::Timer).unwrap().is_some());
    assert_eq!(f.clinic.app_status(Nothing {}).unwrap().backup_warning, None);
    assert!(
        f.clinic.automatic_backup(Trigger::Timer).unwrap().is_none(),
        "not due again until 4 hours have passed"
    );
    assert!(
        f.clinic.automatic_backup(Trigger::SignOut).unwrap().is_none(),
        "nothing charted since the last backup"
    );
}

#[test]
fn signing_out_backs_up_only_what_was_audited_after_the_last_copy() {
    let f = Fixture::staffed();
    f.as_user("nina");
    // Whatever set-up left unsaved is copied now; after that, sign-ins alone are nothing to back up.
    f.clinic.automatic_backup(Trigger::SignOut).unwrap();
    assert!(f.clinic.automatic_backup(Trigger::SignOut).unwrap().is_none());

    f.add_patient("MARK-1");
    let made = f
        .clinic
        .automatic_backup(Trigger::SignOut)
        .unwrap()
        .expect("a patient was added");
    // Made in the same (stopped) millisecond as the backups before it, it is still the one kept.
    assert!(Path::new(&made.record.path).exists(), "{made:?}");
    assert_eq!(
        made.record.audit_through,
        Some(last_audit_row_in(Path::new(&made.record.path), &f.recovery_key)),
        "the mark is the copy's own last row"
    );
    assert!(f.clinic.automatic_backup(Trigger::SignOut).unwrap().is_none());
}

/// A session of 40 readings charted by nina, who then signs out (which backs them up).
fn forty_readings_backed_up(f: &Fixture, mrn: &str) -> Session {
    f.as_user("nina");
    let s = f.start_session(&f.add_patient(mrn));
    for i in 0..40 {
        f.chart_vitals(&s, 120.0 + i as f64, 80.0);
    }
    f.clinic.logout(Nothing {}).unwrap();
    s
}

#[test]
fn damage_only_the_quick_check_finds_closes_the_database_after_sign_in_until_an_admin_restores() {
    let f = Fixture::staffed();
    let s = forty_readings_backed_up(&f, "Q-1");
    // One page of the vitals table, which signing in never reads, no longer decrypts.
    let raw = f.raw();
    let root: i64 = raw
        .query_row("SELECT rootpage FROM sqlite_schema WHERE name = 'vitals'", [], |r| {
            r.get(0)
        })
        .unwrap();
    raw.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(raw);
    let mut bytes = std::fs::read(&f.path).unwrap();
    let middle = (root as usize - 1) * 4096 + 2048;
    for b in &mut bytes[middle..middle + 16] {
        *b ^= 0xff;
    }
    std::fs::write(&f.path, &bytes).unwrap();

    let restarted = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    restarted
        .login(creds("nina", &password("nina")))
        .expect("signing in does not wait for the check");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while restarted.app_status(Nothing {}).unwrap().state != AppState::SignedOut {
        assert!(std::time::Instant::now() < deadline, "the check did not finish in 30 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let closed = std::fs::read(&f.path).unwrap();
    let err = restarted.day_list(DayRequest { date: None }).unwrap_err();
    assert_eq!(err.kind(), "damaged", "{err}");
    assert!(err.to_string().contains("SQLite's quick check"), "{err}");
    let err = restarted.login(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(err.kind(), "damaged", "{err}");
    assert_eq!(
        std::fs::read(&f.path).unwrap(),
        closed,
        "nothing written once it was found"
    );

    restore_damaged(&restarted);
    restarted.login(creds("nina", &password("nina"))).unwrap();
    let record = restarted.get_session(SessionRef { session_id: s.id }).unwrap();
    assert_eq!(record.vitals.len(), 40, "sign-out had backed up every entry");
}

#[test]
fn a_damaged_database_is_found_at_sign_in_and_an_admin_restores_the_newest_verified_backup() {
    let f = Fixture::staffed();
    f.clock.advance(1);
    let s = forty_readings_backed_up(&f, "D-1");
    let mut bytes = std::fs::read(&f.path).unwrap();
    assert!(bytes.len() > 8 * 4096, "the database spans several pages");
    let end = bytes.len() - 4096;
    for b in &mut bytes[4096..end] {
        *b = 0xaa;
    }
    std::fs::write(&f.path, &bytes).unwrap();

    let restarted = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    let err = restarted.login(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(err.kind(), "damaged", "{err}");
    assert!(err.to_string().contains("Nothing was written to it."), "{err}");
    let refused = restarted.restore_newest(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(refused.kind(), "forbidden", "{refused}");
    let restored = restore_damaged(&restarted);
    assert!(
        Path::new(&restored.previous_kept_at).exists(),
        "the damaged file is kept, not erased"
    );
    restarted.login(creds("nina", &password("nina"))).unwrap();
    let record = restarted.get_session(SessionRef { session_id: s.id }).unwrap();
    assert_eq!(record.vitals.len(), 40, "sign-out had backed up every entry");
    assert!(record.vitals[0].clinical_time <= f.clock.now() + Duration::minutes(5));
}
