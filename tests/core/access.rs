//! Sign-in, the key slots that encrypt the database, throttling, auto-lock, recovery.

use infusion_chart::app::access::KeyRecovery;
use infusion_chart::app::clinic::{AppState, Nothing};
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::patients::PatientSearch;
use infusion_chart::domain::users::{ActiveChange, PasswordChange, PasswordReset, UserInput};
use infusion_chart::storage::Db;
use infusion_chart::Clinic;

use crate::support::{creds, password, Fixture};

fn kind<T: std::fmt::Debug>(r: infusion_chart::Result<T>) -> &'static str {
    r.unwrap_err().kind()
}

#[test]
fn first_run_needs_setup_and_setup_happens_once() {
    let (_dir, path, _clock, clinic) = Fixture::empty();
    assert_eq!(clinic.app_status(Nothing {}).unwrap().state, AppState::Setup);
    assert_eq!(kind(clinic.login(creds("ada", "whatever-password"))), "unauthenticated");
    let f = Fixture::staffed();
    let again = f.clinic.setup(UserInput {
        username: Some("eve".into()),
        display_name: Some("Eve".into()),
        password: Some("long enough pw".into()),
        password_confirm: None,
        roles: vec![],
    });
    assert_eq!(kind(again), "conflict");
    assert!(!path.exists(), "an empty clinic writes nothing before setup");
}

#[test]
fn a_wrong_password_opens_nothing_and_the_file_is_unreadable_without_a_key() {
    let f = Fixture::staffed();
    assert_eq!(
        f.clinic
            .login(creds("nina", "not-her-password"))
            .unwrap_err()
            .to_string(),
        "The username or password is not right. After 5 failed tries, sign-in for that username pauses for a while."
    );
    assert_eq!(
        kind(f.clinic.login(creds("nobody", "not-a-password"))),
        "unauthenticated"
    );
    assert_eq!(f.clinic.app_status(Nothing {}).unwrap().state, AppState::SignedOut);
    assert_eq!(
        kind(f.clinic.search_patients(PatientSearch { query: String::new() })),
        "unauthenticated"
    );
    let message = Db::open(&f.path, None).err().expect("no key, no database").to_string();
    assert!(message.contains("not an Infusion Chart database"), "{message}");
}

#[test]
fn repeated_failures_throttle_the_username_even_after_a_restart_and_are_audited() {
    let f = Fixture::staffed();
    for _ in 0..5 {
        assert_eq!(kind(f.clinic.login(creds("nina", "wrong-password"))), "unauthenticated");
    }
    let err = f.clinic.login(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(err.kind(), "throttled");
    assert!(
        err.to_string()
            .starts_with("Too many failed sign-ins for nina. Try again in 30 seconds"),
        "{err}"
    );

    let reopened = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    assert_eq!(
        kind(reopened.login(creds("nina", &password("nina")))),
        "throttled",
        "a restart does not reset the count"
    );
    f.clock.advance(1);
    reopened.login(creds("ada", &password("ada"))).unwrap();
    let failed = reopened
        .audit_search(Filter {
            action: Some(Action::LoginFailed),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(
        failed.len(),
        5,
        "failures made while the database was closed reach the audit trail"
    );
    assert!(failed
        .iter()
        .all(|e| e.username.as_deref() == Some("nina") && e.user_id.is_none()));
}

#[test]
fn the_screen_locks_after_inactivity_and_unlocks_for_the_same_or_another_user() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("L-1");
    f.clock.advance(9);
    clinic.touch(Nothing {}).unwrap();
    f.clock.advance(9);
    assert_eq!(
        clinic.app_status(Nothing {}).unwrap().state,
        AppState::Ready,
        "activity restarted the 10-minute clock"
    );
    f.clock.advance(10);
    let err = clinic
        .search_patients(PatientSearch { query: String::new() })
        .unwrap_err();
    assert_eq!(err.kind(), "locked");
    assert_eq!(
        err.to_string(),
        "The screen is locked. Nina Park or another user must unlock it."
    );
    assert_eq!(clinic.app_status(Nothing {}).unwrap().state, AppState::Locked);
    assert_eq!(kind(clinic.unlock(creds("nina", "wrong-password"))), "unauthenticated");
    assert!(clinic.unlock(creds("nina", &password("nina"))).unwrap().same_user);
    assert_eq!(
        clinic
            .get_patient(infusion_chart::domain::sessions::PatientRef { patient_id: patient.id })
            .unwrap()
            .patient
            .mrn,
        "L-1"
    );

    clinic.lock(Nothing {}).unwrap();
    let other = clinic.unlock(creds("omar", &password("omar"))).unwrap();
    assert!(!other.same_user);
    assert_eq!(other.status.user.unwrap().username, "omar");
}

#[test]
fn the_auto_lock_minutes_are_a_setting() {
    let f = Fixture::staffed();
    let clinic = f.as_user("ada");
    let err = clinic
        .update_settings(infusion_chart::domain::settings::SettingsInput {
            auto_lock_minutes: Some(45.0),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Auto-lock must be between 1 and 30 minutes; 45 was entered."
    );
    clinic
        .update_settings(infusion_chart::domain::settings::SettingsInput {
            auto_lock_minutes: Some(2.0),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(clinic.app_status(Nothing {}).unwrap().auto_lock_minutes, 2);
    f.clock.advance(2);
    assert_eq!(clinic.app_status(Nothing {}).unwrap().state, AppState::Locked);
}

#[test]
fn changing_a_password_rewraps_only_that_users_slot() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let bad = clinic.change_password(PasswordChange {
        current_password: password("nina"),
        new_password: "short".into(),
        new_password_confirm: "shorter".into(),
    });
    assert_eq!(
        bad.unwrap_err().to_string(),
        "New password must be at least 10 characters. The two new password entries do not match."
    );
    clinic
        .change_password(PasswordChange {
            current_password: password("nina"),
            new_password: "a brand new passphrase".into(),
            new_password_confirm: "a brand new passphrase".into(),
        })
        .unwrap();
    clinic.logout(Nothing {}).unwrap();
    assert_eq!(kind(clinic.login(creds("nina", &password("nina")))), "unauthenticated");
    clinic.login(creds("nina", "a brand new passphrase")).unwrap();
    clinic.logout(Nothing {}).unwrap();
    clinic.login(creds("omar", &password("omar"))).unwrap();
}

#[test]
fn a_disabled_user_cannot_sign_in_and_a_reset_password_must_be_changed() {
    let f = Fixture::staffed();
    let clinic = f.as_user("ada");
    let nina = clinic
        .list_users(Nothing {})
        .unwrap()
        .into_iter()
        .find(|u| u.username == "nina")
        .unwrap();
    let ada = clinic
        .list_users(Nothing {})
        .unwrap()
        .into_iter()
        .find(|u| u.username == "ada")
        .unwrap();
    assert_eq!(
        kind(clinic.set_user_active(ActiveChange {
            user_id: ada.id,
            active: false
        })),
        "conflict"
    );
    clinic
        .set_user_active(ActiveChange {
            user_id: nina.id,
            active: false,
        })
        .unwrap();
    clinic.logout(Nothing {}).unwrap();
    assert_eq!(kind(clinic.login(creds("nina", &password("nina")))), "unauthenticated");

    clinic.login(creds("ada", &password("ada"))).unwrap();
    assert_eq!(
        kind(clinic.reset_password(PasswordReset {
            user_id: nina.id,
            new_password: "temporary-again".into()
        })),
        "conflict"
    );
    clinic
        .set_user_active(ActiveChange {
            user_id: nina.id,
            active: true,
        })
        .unwrap();
    clinic
        .reset_password(PasswordReset {
            user_id: nina.id,
            new_password: "temporary-again".into(),
        })
        .unwrap();
    clinic.logout(Nothing {}).unwrap();
    let status = clinic.login(creds("nina", "temporary-again")).unwrap();
    assert!(status.must_change_password);
    let err = clinic
        .search_patients(PatientSearch { query: String::new() })
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.to_string().as_str()),
        (
            "forbidden",
            "Change your temporary password first (Change password, at the top of the screen)."
        )
    );
}

#[test]
fn the_recovery_key_opens_the_database_when_every_password_is_lost() {
    let f = Fixture::staffed();
    let recovery = |key: &str| KeyRecovery {
        recovery_key: key.into(),
        username: "ada".into(),
        new_password: "recovered password".into(),
        new_password_confirm: "recovered password".into(),
    };
    let wrong = f.clinic.recover(recovery(&"00".repeat(32)));
    assert_eq!(
        wrong.unwrap_err().to_string(),
        "That recovery key does not open this database."
    );
    let status = f.clinic.recover(recovery(&f.recovery_key.to_lowercase())).unwrap();
    assert_eq!(
        (status.state, status.user.unwrap().username.as_str()),
        (AppState::Ready, "ada")
    );
    f.clinic.logout(Nothing {}).unwrap();
    f.clinic.login(creds("ada", "recovered password")).unwrap();
    let used = f
        .clinic
        .audit_search(Filter {
            action: Some(Action::RecoveryKeyUsed),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(used.len(), 1);
}

#[test]
fn no_patient_name_appears_in_the_database_its_wal_the_key_file_or_a_backup() {
    let f = Fixture::staffed();
    f.as_user("nina");
    // Needles long enough that random ciphertext does not contain them by chance (a 3-byte one
    // turns up in about one megabyte in twenty).
    let p = f.add_patient("MRN-SECRET-0001");
    let s = f.start_session(&p);
    f.chart_vitals(&s, 120.0, 80.0);
    let needles: [&[u8]; 3] = [b"O'Brien", "Nguyễn".as_bytes(), b"MRN-SECRET-0001"];
    let dir = f.path.parent().unwrap().to_path_buf();
    let mut files = 0;
    let mut check = |folder: &std::path::Path| {
        for path in std::fs::read_dir(folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
        {
            let bytes = std::fs::read(&path).unwrap();
            files += 1;
            for needle in needles {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "{:?} found in {}",
                    String::from_utf8_lossy(needle),
                    path.display()
                );
            }
        }
    };
    check(&dir);
    // Signing out backs up what was charted into backups/: the backup is encrypted too.
    f.clinic.logout(Nothing {}).unwrap();
    check(&dir.join("backups"));
    assert!(
        files >= 6,
        "database, WAL, key file, and a backup with its manifest and key slots were all checked"
    );
}

#[test]
fn a_key_slot_moved_to_another_user_in_the_key_file_opens_nothing() {
    let f = Fixture::staffed();
    let keys = infusion_chart::outside::keyring::Keyring::path_beside(&f.path);
    let text = std::fs::read_to_string(&keys).unwrap();
    // Nina's slot relabelled as Ada's (user 1): an attempt to sign in as the admin with Nina's password.
    let mut ring: serde_json::Value = serde_json::from_str(&text).unwrap();
    for slot in ring["slots"].as_array_mut().unwrap() {
        if slot["username"] == "nina" {
            slot["user_id"] = 1.into();
            slot["username"] = "ada".into();
        } else if slot["username"] == "ada" {
            slot["username"] = "ada-original".into();
        }
    }
    std::fs::write(&keys, serde_json::to_string(&ring).unwrap()).unwrap();
    let clinic = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    assert_eq!(kind(clinic.login(creds("ada", &password("nina")))), "unauthenticated");
    assert_eq!(clinic.app_status(Nothing {}).unwrap().state, AppState::SignedOut);
}

#[test]
fn a_missing_database_is_reported_not_replaced_by_an_empty_one() {
    let f = Fixture::staffed();
    let unplugged = f.path.with_file_name("elsewhere.db");
    std::fs::rename(&f.path, &unplugged).unwrap();
    let err = f.clinic.login(creds("nina", &password("nina"))).unwrap_err();
    assert_eq!(err.kind(), "database");
    assert!(err.to_string().contains("the file is missing"), "{err}");
    assert!(!f.path.exists());
    std::fs::rename(&unplugged, &f.path).unwrap();
    f.clinic.login(creds("nina", &password("nina"))).unwrap();
}

#[test]
fn a_setup_interrupted_after_the_key_file_was_saved_is_finished_at_the_next_start() {
    let f = Fixture::staffed();
    let staged = f.path.with_file_name("infusion-chart.db.setup");
    std::fs::rename(&f.path, &staged).unwrap();
    let clinic = Clinic::with_clock(&f.path, f.clock.clone()).unwrap();
    assert!(f.path.exists() && !staged.exists());
    clinic.login(creds("ada", &password("ada"))).unwrap();
}

#[test]
fn the_audit_export_never_writes_into_the_data_folder() {
    let f = Fixture::staffed();
    let clinic = f.as_user("ada");
    let request = |path: &std::path::Path| infusion_chart::domain::audit::ExportRequest {
        filter: Filter::default(),
        path: path.display().to_string(),
    };
    let before = std::fs::read(&f.path).unwrap();
    let err = clinic.audit_export(request(&f.path)).unwrap_err();
    assert_eq!(err.kind(), "validation");
    assert_eq!(
        std::fs::read(&f.path).unwrap(),
        before,
        "the database was not overwritten"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    assert!(
        clinic
            .audit_export(request(&elsewhere.path().join("audit.csv")))
            .unwrap()
            .rows
            > 5
    );
}
