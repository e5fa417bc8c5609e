//! The demo history (`infusion-chart demo-data`): charted through the real checks, reproducible
//! from its seed, and only ever into a chart with no patients.

use chrono::{Duration, Local};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::demo::DemoRequest;
use infusion_chart::domain::users::Role;

use crate::support::Fixture;

fn request(seed: u64) -> DemoRequest {
    DemoRequest {
        patients: 8,
        sessions: 40,
        seed,
        last_day: Local::now().date_naive() - Duration::days(1),
    }
}

fn count(f: &Fixture, sql: &str) -> i64 {
    f.raw().query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn demo_data_charts_a_signed_history_through_the_real_checks_with_an_intact_audit_trail() {
    let f = Fixture::staffed();
    let clinic = f.as_user("ada");
    let mut reported = Vec::new();
    let loaded = clinic
        .demo_data(request(7), |done, total| reported.push((done, total)))
        .unwrap();
    assert_eq!(reported.last(), Some(&(40, 40)));
    let tables = &loaded.tables;
    assert_eq!((tables["patients"], tables["sessions"]), (8, 40));
    assert!((40 * 17..=40 * 23).contains(&tables["vitals"]), "{tables:?}");
    // Every session has its checklist, start and stop, two Aldrete scores and a discharge.
    for table in ["checklists", "discharges"] {
        assert_eq!(tables[table], 40, "{table}");
    }
    assert!(
        tables["infusion_events"] >= 80 && tables["aldrete_scores"] == 80,
        "{tables:?}"
    );
    assert!(tables["outcome_scores"] >= 80, "{tables:?}");
    // Every session is signed; all but the last two days' are co-signed.
    assert_eq!(count(&f, "SELECT count(*) FROM signatures WHERE role = 'nurse'"), 40);
    let cosigned = count(&f, "SELECT count(*) FROM signatures WHERE role = 'physician'");
    assert!((30..=40).contains(&cosigned), "{cosigned}");
    // The audit trail holds a row for every charted record, and its chain is intact.
    assert!(
        tables["audit_log"] > tables["vitals"] + tables["sessions"],
        "{tables:?}"
    );
    let verified = clinic.audit_verify(Nothing {}).unwrap();
    assert!(verified.intact, "{}", verified.message);
    assert_eq!(
        count(&f, "SELECT count(*) FROM patients WHERE mrn NOT LIKE 'DEMO-%'"),
        0
    );
    assert!(loaded.bytes > 0);
    // The history spans years, on weekdays only, and ends on the requested day.
    let first = loaded.first_day.unwrap();
    assert!(first < loaded.last_day - Duration::days(365), "{first}");
    let weekend = count(
        &f,
        "SELECT count(*) FROM sessions WHERE strftime('%w', session_date) IN ('0', '6')",
    );
    assert_eq!(weekend, 0);
    // Demo staff exist as real accounts with key slots, waiting for an admin to set their passwords.
    assert_eq!(loaded.staff.len(), 9);
    let users = clinic.list_users(Nothing {}).unwrap();
    let nurses = users
        .iter()
        .filter(|u| u.username.starts_with("demo.") && u.has(Role::Nurse))
        .count();
    assert_eq!(nurses, 6);
}

#[test]
fn the_same_seed_gives_the_same_records_and_another_seed_different_ones() {
    let rows = |seed| {
        let f = Fixture::staffed();
        f.as_user("ada").demo_data(request(seed), |_, _| ()).unwrap();
        let conn = f.raw();
        let mut stmt = conn
            .prepare(
                "SELECT p.mrn, p.family_name, p.given_names, p.weight_kg, s.session_date, s.chair, v.clinical_time,
                        v.sbp, v.dbp, v.hr, v.spo2, v.dissociation
                 FROM vitals v JOIN sessions s ON s.id = v.session_id JOIN patients p ON p.id = s.patient_id
                 ORDER BY v.id",
            )
            .unwrap();
        let rows: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..12)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        rows
    };
    let (first, again, other) = (rows(11), rows(11), rows(12));
    assert!(first.len() > 40 * 17);
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn demo_data_is_refused_in_a_chart_with_patients_and_for_non_admins() {
    let f = Fixture::staffed();
    let nurse = f.as_user("nina");
    let err = nurse.demo_data(request(1), |_, _| ()).unwrap_err();
    assert_eq!(err.kind(), "forbidden", "{err}");
    f.add_patient("REAL-1");
    let changes = "SELECT count(*) FROM audit_log WHERE action NOT IN ('login', 'logout')";
    let admin = f.as_user("ada");
    let before = count(&f, changes);
    let err = admin.demo_data(request(1), |_, _| ()).unwrap_err();
    assert_eq!(err.kind(), "conflict");
    assert_eq!(
        err.to_string(),
        "This chart already holds 1 patient(s). Demo data goes only into a chart with no patients, so it can never mix with real records. Nothing was changed."
    );
    // Nothing was written: no staff, no audited change (signing in and out are audited too).
    assert_eq!(count(&f, "SELECT count(*) FROM users WHERE username LIKE 'demo.%'"), 0);
    assert_eq!(count(&f, changes), before);
    let small = DemoRequest {
        sessions: 3,
        ..request(1)
    };
    assert_eq!(
        f.clinic.demo_data(small, |_, _| ()).unwrap_err().to_string(),
        "Sessions must be between the number of patients (8) and 60000: each demo patient has at least one session."
    );
}
