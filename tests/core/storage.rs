//! Opening, migrating, refusing foreign or newer files, pragmas in force, and charting that
//! survives a reopen.

use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::patients::{PatientInput, PatientSearch};
use infusion_chart::domain::sessions::{PatientRef, SessionRef};
use infusion_chart::domain::vitals::VitalsInput;
use infusion_chart::domain::weight::{Weight, WeightUnit, KG_PER_LB};
use infusion_chart::storage::{checksum, Db, APPLICATION_ID, LATEST_VERSION};
use infusion_chart::{Clinic, Error};
use tempfile::TempDir;

use crate::support::{creds, dose_input, password, patient_input, raw_connection, vitals_input, Fixture};

fn temp_db() -> (TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chart").join("infusion-chart.db");
    (dir, path)
}

fn open_error(path: &std::path::Path) -> String {
    match Db::open(path, None) {
        Err(Error::Database(message) | Error::Unreadable(message, _)) => message,
        Err(other) => panic!("expected a database error, got {other:?}"),
        Ok(_) => panic!("expected {} to be refused", path.display()),
    }
}

#[test]
fn a_new_database_is_migrated_to_the_latest_schema_with_our_application_id() {
    let (_dir, path) = temp_db();
    let db = Db::create(&path, None).unwrap();
    assert_eq!(db.pragma("user_version").unwrap(), LATEST_VERSION.to_string());
    assert_eq!(db.pragma("application_id").unwrap(), APPLICATION_ID.to_string());
    drop(db);
    let conn = raw_connection(&path);
    let recorded: i64 = conn
        .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(recorded, LATEST_VERSION);
}

#[test]
fn pragmas_are_really_in_force_on_the_open_connection() {
    let (_dir, path) = temp_db();
    let db = Db::create(&path, None).unwrap();
    let cases = [
        ("journal_mode", "wal"),
        ("synchronous", "2"),
        ("foreign_keys", "1"),
        ("busy_timeout", "5000"),
        ("trusted_schema", "0"),
    ];
    for (name, expected) in cases {
        assert_eq!(db.pragma(name).unwrap(), expected, "PRAGMA {name}");
    }
}

#[cfg(unix)]
#[test]
fn the_database_file_is_private_to_its_owner() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, path) = temp_db();
    Db::create(&path, None).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let dir_mode = std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777;
    assert_eq!(dir_mode, 0o700);
}

#[test]
fn another_applications_database_is_refused_untouched() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let conn = raw_connection(&path);
    conn.execute_batch("PRAGMA application_id = 1234; CREATE TABLE recipes (name TEXT);")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    let message = open_error(&path);
    assert!(message.contains("belongs to another application"), "{message}");
    assert!(
        message.contains(&path.display().to_string()),
        "the path is named: {message}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before, "file unchanged");

    // A plain SQLite file with tables but no application id is someone else's too.
    let other = path.with_file_name("plain.db");
    raw_connection(&other).execute_batch("CREATE TABLE t (x);").unwrap();
    assert!(open_error(&other).contains("belongs to another application"));
}

#[test]
fn a_file_that_is_not_a_database_is_refused_untouched() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let message = open_error(&path);
    assert!(message.contains("not an Infusion Chart database"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_database_from_a_newer_version_is_refused_untouched() {
    let (_dir, path) = temp_db();
    drop(Db::create(&path, None).unwrap());
    raw_connection(&path)
        .pragma_update(None, "user_version", LATEST_VERSION + 1)
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let message = open_error(&path);
    assert!(message.contains("newer version of Infusion Chart"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn an_edited_migration_is_a_startup_error() {
    let (_dir, path) = temp_db();
    drop(Db::create(&path, None).unwrap());
    // What the database recorded no longer matches the SQL embedded in this binary.
    raw_connection(&path)
        .execute(
            "UPDATE schema_migrations SET sha256 = ?1 WHERE version = 1",
            [checksum("-- edited")],
        )
        .unwrap();
    let message = open_error(&path);
    assert!(message.contains("0001_init.sql differs"), "{message}");
}

#[test]
fn everything_charted_is_there_after_reopening() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let p = f.add_patient("A-1");
    let s = f.start_session(&p);
    let v = f.chart_vitals(&s, 128.0, 82.0);
    assert_eq!((v.map, v.entered_by.as_str()), (97, "Nina Park"));
    f.clinic.logout(Nothing {}).unwrap();

    let clinic = Clinic::open(&f.path).unwrap();
    clinic.login(creds("nina", &password("nina"))).unwrap();
    let record = clinic.get_session(SessionRef { session_id: s.id }).unwrap();
    assert_eq!(record.patient.id, p.id);
    assert_eq!(record.patient.given_names, "Zoë");
    assert_eq!(record.vitals.len(), 1);
    assert_eq!(
        (record.vitals[0].id, record.vitals[0].sbp, record.vitals[0].map),
        (v.id, 128, 97)
    );
    assert_eq!(record.vitals[0].temp_c, Some(36.8));
    let found = clinic
        .search_patients(PatientSearch {
            query: "nguyễn".into()
        })
        .unwrap();
    assert_eq!(found.iter().map(|p| p.id).collect::<Vec<_>>(), vec![p.id]);
}

#[test]
fn refused_vitals_write_nothing() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = f.add_patient("A-2");
    let s = f.start_session(&p);
    let now = f.clock.now();
    let cases = [
        (
            vitals_input(s.id, now, 80.0, 90.0),
            "Systolic BP (80) must be higher than diastolic BP (90).",
        ),
        (
            VitalsInput {
                spo2: Some(101.0),
                ..vitals_input(s.id, now, 120.0, 80.0)
            },
            "SpO2 must be between 50 and 100%; 101 was entered.",
        ),
        (
            VitalsInput {
                hr: Some(0.0),
                ..vitals_input(s.id, now, 120.0, 80.0)
            },
            "Heart rate must be between 20 and 300 bpm; 0 was entered.",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(clinic.add_vitals(input).unwrap_err(), Error::Validation(message.into()));
    }
    assert!(clinic
        .get_session(SessionRef { session_id: s.id })
        .unwrap()
        .vitals
        .is_empty());
    assert_eq!(
        clinic.add_vitals(vitals_input(999, now, 120.0, 80.0)).unwrap_err(),
        Error::NotFound("No session with id 999 was found.".into())
    );
}

#[test]
fn duplicate_mrn_and_second_session_today_are_conflicts() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = f.add_patient("B-7");
    let err = clinic.add_patient(patient_input("b-7")).unwrap_err();
    assert_eq!(err.kind(), "conflict");
    assert!(err.to_string().contains("MRN B-7 already exists"), "{err}");
    f.start_session(&p);
    assert_eq!(clinic.start_session(dose_input(&p)).unwrap_err().kind(), "conflict");
    assert_eq!(
        clinic
            .get_patient(PatientRef { patient_id: p.id })
            .unwrap()
            .sessions
            .len(),
        1
    );
}

#[test]
fn search_treats_percent_and_underscore_literally() {
    let f = Fixture::staffed();
    let clinic = f.as_user("omar");
    f.add_patient("C_1");
    clinic
        .add_patient(infusion_chart::domain::patients::PatientInput {
            family_name: Some("Smith".into()),
            ..patient_input("C21")
        })
        .unwrap();
    let mrns = |q: &str| {
        clinic
            .search_patients(PatientSearch { query: q.into() })
            .unwrap()
            .into_iter()
            .map(|p| p.mrn)
            .collect::<Vec<_>>()
    };
    assert_eq!(mrns("c_1"), vec!["C_1"]);
    assert_eq!(mrns("%"), Vec::<String>::new());
    assert_eq!(mrns("SMI"), vec!["C21"]);
    assert_eq!(mrns("").len(), 2);
}

#[test]
fn a_keyed_database_is_encrypted_and_opens_only_with_its_key() {
    let (_dir, path) = temp_db();
    drop(
        Db::create(
            &path,
            Some("x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'"),
        )
        .unwrap(),
    );
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "SQLCipher writes no plain header"
    );
    assert!(open_error(&path).contains("wrong key"));
    assert!(matches!(
        Db::open(
            &path,
            Some("x'ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'")
        ),
        Err(Error::Unreadable(..))
    ));
    let db = Db::open(
        &path,
        Some("x'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'"),
    )
    .unwrap();
    assert_eq!(db.pragma("user_version").unwrap(), LATEST_VERSION.to_string());
}

#[test]
fn opening_never_creates_a_database_and_creating_never_touches_an_existing_one() {
    let (_dir, path) = temp_db();
    let message = open_error(&path);
    assert!(message.contains("the file is missing"), "{message}");
    assert!(
        !path.exists(),
        "a missing database (an unplugged drive) is not replaced by an empty one"
    );
    drop(Db::create(&path, None).unwrap());
    assert!(matches!(Db::create(&path, None), Err(Error::Database(m)) if m.contains("could not be created")));
}

#[test]
fn search_finds_the_start_of_the_given_names_and_follows_an_edit() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = clinic
        .add_patient(infusion_chart::domain::patients::PatientInput {
            family_name: Some("Nguyễn".into()),
            given_names: Some("Zoë Anh".into()),
            ..patient_input("G-1")
        })
        .unwrap();
    let found = |q: &str| {
        clinic
            .search_patients(PatientSearch { query: q.into() })
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(found("ZOË A"), vec![p.id]);
    assert_eq!(found("zoë anh ngu"), vec![p.id]);
    assert_eq!(
        found("anh"),
        Vec::<i64>::new(),
        "a search matches the start of a name, not its middle"
    );
    clinic
        .update_patient(infusion_chart::domain::patients::PatientUpdate {
            patient_id: p.id,
            patient: infusion_chart::domain::patients::PatientInput {
                family_name: Some("Nguyễn".into()),
                given_names: Some("Amara".into()),
                ..patient_input("G-1")
            },
        })
        .unwrap();
    assert_eq!(found("amara"), vec![p.id]);
    assert_eq!(found("zoë"), Vec::<i64>::new());
}

#[test]
fn an_emptied_database_beside_a_wal_with_entries_is_refused_untouched() {
    let (_dir, path) = temp_db();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"").unwrap();
    let wal = infusion_chart::files::suffixed(&path, "-wal");
    std::fs::write(&wal, vec![7u8; 4096]).unwrap();
    match Db::open(&path, None) {
        Err(Error::Damaged(message)) => assert!(message.contains("is empty"), "{message}"),
        other => panic!(
            "expected the empty file to be refused as damaged, got {:?}",
            other.map(drop)
        ),
    }
    assert_eq!(std::fs::read(&wal).unwrap(), vec![7u8; 4096]);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[test]
fn a_write_waits_its_turn_behind_another_connections_write_instead_of_failing_busy() {
    use infusion_chart::domain::audit::{Action, Event};
    use infusion_chart::storage::Author;
    let (_dir, path) = temp_db();
    drop(Db::create(&path, None).unwrap());
    let (mut window, mut backup) = (Db::open(&path, None).unwrap(), Db::open(&path, None).unwrap());
    let author = Author {
        user_id: None,
        username: Some("tester"),
    };
    let now = chrono::Utc::now();
    let (writing, held) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        let window = scope.spawn(|| {
            window.in_one_transaction(|db| {
                db.audit(&author, &Event::new(Action::Login), now)?;
                writing.send(()).unwrap();
                // Holds the write lock well within busy_timeout (5 s), as a long write would, and
                // long enough that the write below surely starts while it is held.
                std::thread::sleep(std::time::Duration::from_millis(1500));
                Ok(())
            })
        });
        held.recv().unwrap();
        // An audited write reads the chain's last hash before inserting: it must wait, not fail.
        backup
            .audit(&author, &Event::new(Action::BackupMade), now)
            .expect("the second connection waits for the first to commit");
        window.join().unwrap().unwrap();
    });
    let chain = backup.audit_verify().unwrap();
    assert!(chain.intact, "{}", chain.message);
    assert_eq!(chain.entries, 2);
}

#[test]
fn two_programs_opening_an_older_database_at_once_apply_each_migration_once() {
    assert_eq!(LATEST_VERSION, 21, "this test rewinds the newest migration, 0021");
    let (_dir, path) = temp_db();
    drop(Db::create(&path, None).unwrap());
    // A second apply of 0021 fails ("table sync_ids already exists"), so both opens succeeding is
    // the proof; a few rounds, because the two may not meet every time.
    for round in 0..5 {
        // Back to schema 20: what 0021 made, and its record, gone.
        let raw = raw_connection(&path);
        let triggers: Vec<String> = raw
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'sync%'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        for trigger in triggers {
            raw.execute_batch(&format!("DROP TRIGGER {trigger}")).unwrap();
        }
        raw.execute_batch(
            "DROP TABLE sync_ids; DROP TABLE sync_state; DROP TABLE sync_outbox; DROP TABLE remote_audit_log;
             DROP TABLE key_slots; DROP VIEW sync_new_uid; ALTER TABLE sessions DROP COLUMN laptop;
             DELETE FROM schema_migrations WHERE version = 21;
             PRAGMA user_version = 20;",
        )
        .unwrap();
        drop(raw);
        let gate = std::sync::Barrier::new(2);
        std::thread::scope(|scope| {
            let opens: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        gate.wait();
                        Db::open(&path, None).map(drop)
                    })
                })
                .collect();
            for open in opens {
                if let Err(e) = open.join().unwrap() {
                    panic!("round {round}: both programs open the database, but one got: {e}");
                }
            }
        });
        let db = Db::open(&path, None).unwrap();
        assert_eq!(db.pragma("user_version").unwrap(), "21");
    }
}

#[test]
fn a_weight_typed_in_lb_reads_back_as_typed_and_doses_from_its_exact_kg() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = clinic
        .add_patient(PatientInput {
            weight: Some(154.0),
            weight_unit: Some(WeightUnit::Lb),
            ..patient_input("W-1")
        })
        .unwrap();
    let read = clinic.get_patient(PatientRef { patient_id: p.id }).unwrap().patient;
    let typed = Weight {
        value: 154.0,
        unit: WeightUnit::Lb,
    };
    assert_eq!((read.weight, read.weight.label()), (typed, "154 lb (69.85 kg)".into()));
    let stored: (f64, f64, String) = f
        .raw()
        .query_row(
            "SELECT weight_kg, weight_typed, weight_unit FROM patients WHERE id = ?1",
            [p.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        stored,
        (154.0 * KG_PER_LB, 154.0, "lb".into()),
        "the exact kg beside the typed figure"
    );
    let session = f.start_session(&read);
    let plan = clinic
        .get_session(SessionRef { session_id: session.id })
        .unwrap()
        .session
        .dose
        .unwrap()
        .plan;
    assert_eq!((plan.weight, plan.total_mg, plan.rate_ml_per_h), (typed, 34.93, 52.4));
}

#[test]
fn a_patient_and_a_dose_stored_before_the_unit_was_kept_read_as_typed_in_kg() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = f.add_patient("W-2");
    let s = f.start_session(&p);
    // As the program wrote them before migration 0018: the kg rounded to one decimal, no unit, and
    // a plan with weight_kg and weight_lb.
    let old_plan = r#"{"weight_kg":72.6,"weight_lb":160.1,"dose_mg_per_kg":0.5,"total_mg":36.3,
        "concentration_mg_per_ml":1.0,"volume_ml":36.3,"rate_ml_per_h":54.5,"mg_per_kg_per_h":0.75,"duration_min":40,
        "limit":"within","weight_far_from_recorded":false,"arithmetic":["72.6 kg × 0.5 mg/kg = 36.3 mg"],"warnings":[]}"#;
    let raw = f.raw();
    raw.execute(
        "UPDATE patients SET weight_kg = 72.6, weight_typed = NULL, weight_unit = NULL WHERE id = ?1",
        [p.id],
    )
    .unwrap();
    raw.execute("UPDATE sessions SET dose_plan = ?1 WHERE id = ?2", (old_plan, s.id))
        .unwrap();
    let record = clinic.get_session(SessionRef { session_id: s.id }).unwrap();
    let in_kg = Weight {
        value: 72.6,
        unit: WeightUnit::Kg,
    };
    assert_eq!(record.patient.weight, in_kg);
    assert_eq!(record.patient.weight.label(), "72.6 kg (160.06 lb)");
    let plan = record.session.dose.unwrap().plan;
    assert_eq!((plan.weight, plan.total_mg, plan.rate_ml_per_h), (in_kg, 36.3, 54.5));
}
