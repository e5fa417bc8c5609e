//! The hot paths' statements and how SQLite plans them (EXPLAIN QUERY PLAN, printed with
//! `--nocapture`): charting vitals, patient search, opening a session and a patient, the day list,
//! and a patient's audit history. None may scan a whole table that grows with the clinic, so speed
//! holds in year ten.

use chrono::{Duration, Local};
use infusion_chart::app::chart;
use infusion_chart::app::demo::DemoRequest;
use infusion_chart::domain::audit::{Action, Filter, Period, SEARCH_LIMIT};
use infusion_chart::domain::patients::PatientSearch;
use infusion_chart::domain::sessions::{DayRequest, PatientRef, SessionRef};
use infusion_chart::outside::crypto::DataKey;
use infusion_chart::storage::{Db, Plan};

use crate::support::{checklist_input, dose_input, patient_input, vitals_input, Fixture};

/// Tables that stay small whatever the clinic's age (staff, settings, protocols; `u`, `o`, `r`, `x`
/// are the queries' names for users), which may be read whole.
const SMALL: &[&str] = &[
    "users",
    "u",
    "o",
    "r",
    "x",
    "settings",
    "protocols",
    "sqlite_sequence",
    "CONSTANT",
];

/// The plan steps that read a growing table from end to end.
fn full_scans(plans: &[Plan]) -> Vec<String> {
    let mut found = Vec::new();
    for plan in plans {
        eprintln!("{}", plan.sql.split_whitespace().collect::<Vec<_>>().join(" "));
        for step in &plan.steps {
            eprintln!("    {step}");
            let scanned = step
                .strip_prefix("SCAN ")
                .and_then(|rest| rest.split_whitespace().next());
            if scanned.is_some_and(|table| !SMALL.contains(&table)) {
                found.push(format!("{step}  <-  {}", plan.sql));
            }
        }
    }
    found
}

#[test]
fn hot_paths_search_by_index_and_never_scan_a_growing_table() {
    let f = Fixture::staffed();
    let request = DemoRequest {
        patients: 10,
        sessions: 60,
        seed: 3,
        last_day: Local::now().date_naive() - Duration::days(1),
    };
    f.as_user("ada").demo_data(request, |_, _| ()).unwrap();
    f.clinic.logout(infusion_chart::app::clinic::Nothing {}).unwrap();
    let key = DataKey::from_recovery_code(&f.recovery_key).unwrap();
    let mut db = Db::open(&f.path, Some(&key.sqlcipher_key())).unwrap();
    let nina = db.users().unwrap().into_iter().find(|u| u.username == "nina").unwrap();
    let settings = db.settings().unwrap();
    let now = f.clock.now();
    let patient = chart::add_patient(&mut db, &nina, now, patient_input("P-1")).unwrap();
    let session = chart::start_session(&mut db, &nina, now, dose_input(&patient)).unwrap();
    chart::save_checklist(&mut db, &nina, now, checklist_input(session.id)).unwrap();

    let mut scans = Vec::new();
    let mut check = |plans: Vec<Plan>| {
        assert!(!plans.is_empty());
        scans.extend(full_scans(&plans));
    };
    let (_, plans) = db
        .plans_of(|db| {
            chart::add_vitals(
                db,
                &settings.alerts,
                &nina,
                now,
                vitals_input(session.id, now, 128.0, 82.0),
            )
        })
        .unwrap();
    check(plans);
    let demo = db.patient(1).unwrap();
    let start = |name: &str| name.chars().take(3).collect::<String>();
    for query in [start(&demo.family_name), start(&demo.given_names), "demo-00000".into()] {
        let (found, plans) = db
            .plans_of(|db| chart::search_patients(db, PatientSearch { query: query.clone() }))
            .unwrap();
        assert!(!found.is_empty(), "{query}");
        check(plans);
    }
    let (record, plans) = db
        .plans_of(|db| chart::session_record(db, &settings, now, SessionRef { session_id: 5 }))
        .unwrap();
    assert!(record.vitals.len() >= 17);
    check(plans);
    let (_, plans) = db
        .plans_of(|db| chart::patient_record(db, PatientRef { patient_id: 2 }))
        .unwrap();
    check(plans);
    let (day, plans) = db
        .plans_of(|db| chart::day_list(db, now, DayRequest { date: None }))
        .unwrap();
    assert_eq!(day.entries.len(), 1);
    check(plans);
    let history = Filter {
        patient_id: Some(2),
        ..Filter::default()
    };
    let (rows, plans) = db
        .plans_of(|db| db.audit_search(&history, Period::default(), Some(SEARCH_LIMIT)))
        .unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.patient_id == Some(2)));
    check(plans);
    // The sign-out backup's question reads only the audit rows after the last backup's mark.
    let (_, plans) = db
        .plans_of(|db| db.changed_since_last_backup(&[Action::Login]))
        .unwrap();
    check(plans);
    assert!(scans.is_empty(), "full-table scans on hot paths:\n{}", scans.join("\n"));
}
