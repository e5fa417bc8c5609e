//! Signing locks a session; the database itself refuses changes to it; corrections after signing
//! are addenda, and corrections before signing keep the old values in the audit trail.

use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::sessions::{SessionRef, SessionStatus};
use infusion_chart::domain::signing::AddendumInput;
use infusion_chart::domain::users::Role;
use infusion_chart::domain::vitals::VitalsCorrection;

use crate::support::{vitals_input, Fixture};

#[test]
fn a_signed_session_is_locked_then_co_signed_and_amended_only_by_addenda() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("S-10");
    let session = f.start_session(&patient);
    let vitals = f.chart_vitals(&session, 128.0, 82.0);
    let id = SessionRef { session_id: session.id };

    assert_eq!(
        clinic
            .add_addendum(AddendumInput {
                session_id: session.id,
                reason: Some("x".into()),
                text: Some("y".into())
            })
            .unwrap_err()
            .kind(),
        "conflict",
        "an open session is corrected directly, not by addendum"
    );
    f.as_user("omar");
    assert_eq!(
        f.clinic
            .cosign_session(SessionRef { session_id: session.id })
            .unwrap_err()
            .kind(),
        "conflict",
        "co-sign waits for the nurse"
    );

    let clinic = f.as_user("nina");
    let signed = clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(signed.session.status, SessionStatus::Signed);
    assert_eq!(
        (signed.signatures[0].role, signed.signatures[0].display_name.as_str()),
        (Role::Nurse, "Nina Park")
    );
    let refused = clinic
        .add_vitals(vitals_input(session.id, f.clock.now(), 120.0, 80.0))
        .unwrap_err();
    assert_eq!(
        refused.to_string(),
        "This session is signed and locked. Corrections are added as addenda."
    );
    let correction = VitalsCorrection {
        vitals_id: vitals.id,
        reason: Some("typo".into()),
        vitals: vitals_input(session.id, f.clock.now(), 118.0, 80.0),
    };
    assert_eq!(clinic.correct_vitals(correction).unwrap_err().kind(), "conflict");

    let clinic = f.as_user("omar");
    let cosigned = clinic.cosign_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(cosigned.session.status, SessionStatus::Cosigned);
    let amended = clinic
        .add_addendum(AddendumInput {
            session_id: session.id,
            reason: Some("Late entry".into()),
            text: Some("Patient reported mild nausea at 10:50.".into()),
        })
        .unwrap();
    assert_eq!(amended.addenda.len(), 1);
    assert_eq!(
        (amended.addenda[0].author.as_str(), amended.addenda[0].reason.as_str()),
        ("Dr Omar Haddad", "Late entry")
    );
    assert_eq!(
        clinic.get_session(id).unwrap().vitals[0].sbp,
        128,
        "the signed reading is unchanged"
    );
}

#[test]
fn only_a_nurse_who_charted_the_session_may_sign_it() {
    let f = Fixture::staffed();
    f.as_user("omar");
    let patient = f.add_patient("S-11");
    let session = f.start_session(&patient);
    f.chart_vitals(&session, 120.0, 80.0);
    let err = f
        .as_user("nina")
        .sign_session(SessionRef { session_id: session.id })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only a nurse who charted this session may sign it. Nina Park has not charted in it."
    );
}

#[test]
fn a_nurse_whose_only_entry_is_an_outcome_score_may_sign() {
    let f = Fixture::staffed();
    f.as_user("omar");
    let patient = f.add_patient("S-12");
    let session = f.start_session(&patient);
    let clinic = f.as_user("nina");
    clinic
        .add_outcome(OutcomeInput {
            session_id: session.id,
            scale: Some(Scale::Gad7),
            timepoint: Some(Timepoint::PreInfusion),
            clinical_time: Some(f.clock.now().to_rfc3339()),
            items: vec![Some(1.0); 7],
        })
        .unwrap();
    let signed = clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(signed.session.status, SessionStatus::Signed);
}

#[test]
fn nobody_co_signs_their_own_signature() {
    let f = Fixture::staffed();
    f.as_user("ada");
    f.add_user_with_roles("sam", "Sam Both", &[Role::Nurse, Role::Physician]);
    f.clinic.logout(infusion_chart::app::clinic::Nothing {}).unwrap();
    f.first_sign_in("sam");
    let clinic = f.as_user("sam");
    let patient = f.add_patient("S-14");
    let session = f.start_session(&patient);
    f.chart_vitals(&session, 120.0, 80.0);
    clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    let err = clinic
        .cosign_session(SessionRef { session_id: session.id })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "A physician other than the nurse who signed must co-sign this session."
    );
    let raw = f.raw().execute(
        "INSERT INTO signatures (session_id, role, user_id, signed_at) VALUES (?1, 'physician', 4, 'now')",
        [session.id],
    );
    assert!(raw
        .unwrap_err()
        .to_string()
        .starts_with("Refused: the co-signing physician must be someone other"));
    assert_eq!(
        f.as_user("omar")
            .cosign_session(SessionRef { session_id: session.id })
            .unwrap()
            .signatures
            .len(),
        2
    );
}

#[test]
fn the_database_refuses_raw_sql_changes_to_a_signed_session() {
    let f = Fixture::staffed();
    f.as_user("nina");
    let patient = f.add_patient("S-12");
    let session = f.start_session(&patient);
    f.chart_vitals(&session, 128.0, 82.0);
    f.clinic.sign_session(SessionRef { session_id: session.id }).unwrap();

    let raw = f.raw();
    let attempts = [
        "UPDATE vitals SET sbp = 90",
        "DELETE FROM vitals",
        "INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr) SELECT session_id, clinical_time, recorded_at, 100, 60, 73, 60, 99, 12 FROM vitals",
        "UPDATE sessions SET session_date = '2020-01-01'",
        "DELETE FROM signatures",
        "UPDATE signatures SET user_id = 1",
        "DELETE FROM patients",
        "DELETE FROM audit_log",
        "UPDATE audit_log SET detail = 'x'",
    ];
    for sql in attempts {
        let err = raw.execute(sql, []).expect_err(sql);
        assert!(err.to_string().starts_with("Refused:"), "{sql}: {err}");
    }
    drop(raw);
    let record = f.clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(
        (record.vitals.len(), record.vitals[0].sbp, record.signatures.len()),
        (1, 128, 1)
    );
}

#[test]
fn a_correction_before_signing_keeps_the_old_value_in_the_audit_trail() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("S-13");
    let session = f.start_session(&patient);
    let vitals = f.chart_vitals(&session, 182.0, 82.0);
    let no_reason = VitalsCorrection {
        vitals_id: vitals.id,
        reason: None,
        vitals: vitals_input(session.id, f.clock.now(), 128.0, 82.0),
    };
    assert_eq!(
        clinic.correct_vitals(no_reason).unwrap_err().to_string(),
        "Reason for correction is required."
    );
    let fixed = clinic
        .correct_vitals(VitalsCorrection {
            vitals_id: vitals.id,
            reason: Some("Digits swapped".into()),
            vitals: vitals_input(session.id, f.clock.now(), 128.0, 82.0),
        })
        .unwrap();
    assert!(fixed.corrected);
    assert_eq!((fixed.sbp, fixed.map), (128, 97));

    let clinic = f.as_user("ada");
    let rows = clinic
        .audit_search(Filter {
            action: Some(Action::VitalsCorrected),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    let old: serde_json::Value = serde_json::from_str(rows[0].old_value.as_deref().unwrap()).unwrap();
    let new: serde_json::Value = serde_json::from_str(rows[0].new_value.as_deref().unwrap()).unwrap();
    assert_eq!((old["sbp"].as_i64(), new["sbp"].as_i64()), (Some(182), Some(128)));
    assert_eq!(rows[0].detail.as_deref(), Some("Digits swapped"));
    assert_eq!(rows[0].patient_id, Some(patient.id));
}

#[test]
fn alerts_are_recorded_with_the_reading_and_must_be_acknowledged_before_signing() {
    use infusion_chart::domain::alerts::{AlertRef, Rule};
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("S-15");
    let session = f.start_session(&patient);
    f.chart_vitals(&session, 185.0, 100.0);
    f.clock.advance(3);
    let second = f.chart_vitals(&session, 188.0, 104.0);
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(record.alerts.len(), 1);
    assert_eq!(
        (record.alerts[0].rule, record.alerts[0].vitals_id),
        (Rule::RepeatedHypertension, Some(second.id))
    );
    let err = clinic.sign_session(SessionRef { session_id: session.id }).unwrap_err();
    assert_eq!(err.to_string(), "Acknowledge the 1 open alert(s) before signing.");
    let acknowledged = clinic
        .acknowledge_alert(AlertRef {
            alert_id: record.alerts[0].id,
        })
        .unwrap();
    assert_eq!(acknowledged.alerts[0].acknowledged_by.as_deref(), Some("Nina Park"));
    assert_eq!(
        clinic
            .acknowledge_alert(AlertRef {
                alert_id: record.alerts[0].id
            })
            .unwrap_err()
            .kind(),
        "conflict"
    );
    clinic.sign_session(SessionRef { session_id: session.id }).unwrap();

    let clinic = f.as_user("ada");
    let raised = clinic
        .audit_search(Filter {
            action: Some(Action::AlertRaised),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].detail.as_deref(), Some(record.alerts[0].message.as_str()));
}

#[test]
fn notes_are_timestamped_bounded_and_locked_with_the_session() {
    use infusion_chart::domain::notes::NoteInput;
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("S-16");
    let session = f.start_session(&patient);
    let note = |text: &str| NoteInput {
        session_id: session.id,
        clinical_time: Some(f.clock.now().to_rfc3339()),
        text: Some(text.into()),
    };
    let saved = clinic
        .add_note(note("Patient relaxed, music on, eyes closed."))
        .unwrap();
    assert_eq!((saved.author.as_str(), saved.late), ("Nina Park", false));
    assert_eq!(
        clinic.add_note(note(&"x".repeat(2001))).unwrap_err().to_string(),
        "Note must be at most 2000 characters."
    );
    assert_eq!(
        clinic.add_note(note("  ")).unwrap_err().to_string(),
        "Note is required."
    );
    f.chart_vitals(&session, 120.0, 80.0);
    clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(clinic.add_note(note("after signing")).unwrap_err().kind(), "conflict");
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(record.notes.len(), 1);
    let raw = f.raw().execute("INSERT INTO notes (session_id, clinical_time, recorded_at, body, author_id) VALUES (?1, 'x', 'x', 'sneaky', 2)", [session.id]);
    assert!(raw.unwrap_err().to_string().starts_with("Refused:"));
}
