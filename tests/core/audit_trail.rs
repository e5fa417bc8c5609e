//! Every action leaves an audit row in the same transaction; the hash chain finds rows edited,
//! deleted or inserted directly in the file; the CSV export neutralises formulas.

use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::audit::{Action, ExportRequest, Filter};
use infusion_chart::domain::sessions::SessionRef;

use crate::support::Fixture;

/// A staffed clinic with some charting done, signed in as the admin.
fn charted() -> Fixture {
    let f = Fixture::staffed();
    f.as_user("nina");
    let patient = f.add_patient("=cmd|'/c calc'!A1");
    let session = f.start_session(&patient);
    f.chart_vitals(&session, 120.0, 80.0);
    f.chart_vitals(&session, 124.0, 82.0);
    f.clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    f.as_user("ada");
    f
}

#[test]
fn every_action_is_recorded_with_who_and_when() {
    let f = charted();
    let rows = f.clinic.audit_search(Filter::default()).unwrap();
    let mut actions: Vec<String> = rows.iter().rev().map(|e| e.action.clone()).collect();
    actions.dedup();
    for expected in [
        "setup",
        "login",
        "user_added",
        "logout",
        "password_changed",
        "patient_added",
        "session_started",
        "vitals_added",
        "session_signed",
    ] {
        assert!(
            actions.contains(&expected.to_string()),
            "{expected} missing from {actions:?}"
        );
    }
    let vitals_rows: Vec<_> = rows.iter().filter(|e| e.action == "vitals_added").collect();
    assert_eq!(vitals_rows.len(), 2);
    assert!(vitals_rows
        .iter()
        .all(|e| e.username.as_deref() == Some("nina") && e.patient_id == Some(1)));
    assert!(vitals_rows[0].at_local.len() > 20 && vitals_rows[0].at_utc.ends_with('Z'));
    let by_nina = f
        .clinic
        .audit_search(Filter {
            username: Some("NINA".into()),
            ..Filter::default()
        })
        .unwrap();
    assert!(by_nina.iter().all(|e| e.username.as_deref() == Some("nina")));
    let for_patient = f
        .clinic
        .audit_search(Filter {
            patient_id: Some(1),
            action: Some(Action::PatientAdded),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(for_patient.len(), 1);
}

#[test]
fn an_untouched_trail_verifies() {
    let f = charted();
    let v = f.clinic.audit_verify(Nothing {}).unwrap();
    assert!(v.intact, "{}", v.message);
    assert!(v.entries > 10);
}

#[test]
fn verify_finds_an_edit_a_deletion_and_an_insertion_made_in_the_file() {
    let cases = [
        (
            "DROP TRIGGER audit_never_updated; UPDATE audit_log SET username = 'mallory' WHERE id = 12;",
            "The audit trail is broken at entry 12: its contents were changed after it was written.",
        ),
        ("DROP TRIGGER audit_never_deleted; DELETE FROM audit_log WHERE id = 12;", "The audit trail is broken at entry 12: entries 12–12 are missing (deleted outside the app)."),
        (
            "INSERT INTO audit_log (at_utc, at_local, action, prev_hash, hash) VALUES ('2026-01-01T00:00:00.000Z', 'x', 'login', 'forged', 'forged');",
            "does not follow entry",
        ),
        (
            "DROP TRIGGER audit_never_deleted; DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log);",
            "are missing (deleted outside the app)",
        ),
    ];
    for (sql, expected) in cases {
        let f = charted();
        f.raw().execute_batch(sql).unwrap();
        let v = f.clinic.audit_verify(Nothing {}).unwrap();
        assert!(!v.intact, "{sql} went unnoticed");
        assert!(v.message.contains(expected), "{sql}: {}", v.message);
    }
}

#[test]
fn the_csv_export_has_every_row_and_no_formulas_and_is_itself_audited() {
    let f = charted();
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("audit.csv");
    let exported = f
        .clinic
        .audit_export(ExportRequest {
            filter: Filter::default(),
            path: path.display().to_string(),
        })
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), exported.rows + 1, "a header and one line per row");
    assert!(
        text.contains("=cmd"),
        "the patient's MRN is exported inside its JSON value"
    );
    for formula_start in [",\"=", ",\"+", ",\"@", ",\"-"] {
        assert!(
            !text.contains(formula_start),
            "no cell starts a formula ({formula_start})"
        );
    }
    let audited = f
        .clinic
        .audit_search(Filter {
            action: Some(Action::AuditExported),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(audited.len(), 1);
}
