//! The whole course of a session through `Clinic`: patient details and flags, the checklist and vial,
//! outcome scores, side effects with rescue medications, recovery with the Aldrete gate, discharge,
//! the day list, witnessed waste, protocol editing, and the locks on every new table.

use chrono::{DateTime, Duration, Utc};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::discharge::{AldreteInput, DischargeInput};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::outcomes::{OutcomeInput, Scale, Timepoint};
use infusion_chart::domain::patients::{Contraindication, FlaggedMedication, PatientInput, PatientUpdate};
use infusion_chart::domain::preparation::{ChecklistInput, WasteInput};
use infusion_chart::domain::protocols::ProtocolInput;
use infusion_chart::domain::sessions::{DayRequest, PatientRef, SessionRef, Stage};
use infusion_chart::domain::side_effects::{
    DoseUnit, Effect, InterventionInput, RescueMedication, Resolution, Route, Severity,
};
use infusion_chart::domain::weight::WeightUnit;
use infusion_chart::Clinic;

use crate::support::{checklist_input, dose_input, patient_input, Fixture};

fn at(t: DateTime<Utc>) -> Option<String> {
    Some(t.to_rfc3339())
}

fn event(session_id: i64, kind: EventKind, t: DateTime<Utc>) -> EventInput {
    EventInput {
        session_id,
        kind,
        clinical_time: at(t),
        rate_ml_per_h: (kind == EventKind::Start).then_some(54.4),
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    }
}

fn aldrete(session_id: i64, t: DateTime<Utc>, circulation: f64, consciousness: f64) -> AldreteInput {
    AldreteInput {
        session_id,
        clinical_time: at(t),
        activity: Some(2.0),
        respiration: Some(2.0),
        circulation: Some(circulation),
        consciousness: Some(consciousness),
        oxygen: Some(2.0),
    }
}

fn discharge(session_id: i64, t: DateTime<Utc>, reason: Option<&str>) -> DischargeInput {
    DischargeInput {
        session_id,
        clinical_time: at(t),
        escort_name: Some("Sam Okafor".into()),
        instructions_given: true,
        override_reason: reason.map(str::to_string),
    }
}

fn phq9(session_id: i64, timepoint: Timepoint, t: DateTime<Utc>, items: [f64; 9]) -> OutcomeInput {
    OutcomeInput {
        session_id,
        scale: Some(Scale::Phq9),
        timepoint: Some(timepoint),
        clinical_time: at(t),
        items: items.into_iter().map(Some).collect(),
    }
}

/// Keeps the nurse's screen awake while clinical time passes at the chair.
fn wait(f: &Fixture, clinic: &Clinic, minutes: i64) {
    for _ in 0..minutes {
        f.clock.advance(1);
        clinic.touch(Nothing {}).unwrap();
    }
}

fn audit_rows(f: &Fixture) -> i64 {
    f.raw()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_complete_session_is_charted_from_checklist_to_discharge_with_the_aldrete_gate() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = clinic
        .add_patient(PatientInput {
            weight: Some(160.0),
            weight_unit: Some(WeightUnit::Lb),
            contraindications: vec![Contraindication::UncontrolledHypertension],
            flagged_medications: vec![FlaggedMedication::Benzodiazepines],
            allergies: Some("Penicillin".into()),
            ..patient_input("C-1")
        })
        .unwrap();
    assert_eq!(patient.weight.label(), "160 lb (72.57 kg)");
    let session = f.start_session(&patient);
    let s = session.id;
    let t0 = f.clock.now();

    let record = clinic.get_session(SessionRef { session_id: s }).unwrap();
    assert_eq!(
        record.patient.flags,
        [
            "Contraindication: Uncontrolled hypertension",
            "Takes Benzodiazepines",
            "Allergies: Penicillin"
        ]
    );
    assert_eq!(record.scales_due, [Scale::Phq9, Scale::Gad7]);

    // An expired vial is refused and writes nothing.
    let before = audit_rows(&f);
    let expired = ChecklistInput {
        vial_expiry: Some("2020-01".into()),
        ..checklist_input(s)
    };
    assert!(clinic
        .save_checklist(expired)
        .unwrap_err()
        .to_string()
        .starts_with("The vial expired on 2020-01-31."));
    assert_eq!(audit_rows(&f), before);
    f.prepare(&session);

    clinic
        .add_outcome(phq9(
            s,
            Timepoint::PreInfusion,
            t0,
            [3., 3., 2., 2., 2., 2., 2., 2., 0.],
        ))
        .unwrap();
    f.chart_vitals(&session, 128.0, 82.0);
    clinic
        .add_infusion_event(event(s, EventKind::Start, f.clock.now()))
        .unwrap();
    wait(&f, clinic, 15);
    let nausea = clinic
        .add_side_effect(infusion_chart::domain::side_effects::SideEffectInput {
            session_id: s,
            effect: Some(Effect::Nausea),
            other: None,
            severity: Some(Severity::Moderate),
            onset_time: at(f.clock.now()),
        })
        .unwrap();
    let rescue = clinic
        .add_intervention(InterventionInput {
            session_id: s,
            medication: Some(RescueMedication::Ondansetron),
            other: None,
            dose: Some(4.0),
            unit: Some(DoseUnit::Mg),
            route: Some(Route::Iv),
            clinical_time: at(f.clock.now()),
            indication: Some(nausea.label.clone()),
            side_effect_id: Some(nausea.id),
            effect: Some("Settled within 10 minutes".into()),
        })
        .unwrap();
    assert_eq!(
        (rescue.name.as_str(), rescue.side_effect_id),
        ("Ondansetron", Some(nausea.id))
    );
    wait(&f, clinic, 10);
    let resolved = clinic
        .resolve_side_effect(Resolution {
            side_effect_id: nausea.id,
            resolved_time: at(f.clock.now()),
        })
        .unwrap();
    assert!(resolved.resolved_at.is_some());
    assert_eq!(
        clinic
            .resolve_side_effect(Resolution {
                side_effect_id: nausea.id,
                resolved_time: at(f.clock.now())
            })
            .unwrap_err()
            .to_string(),
        "This side effect is already marked resolved."
    );

    // Discharge waits for the stop and a score.
    assert_eq!(
        clinic
            .discharge(discharge(s, f.clock.now(), None))
            .unwrap_err()
            .to_string(),
        "The infusion has not been stopped. Chart its stop before discharge."
    );
    wait(&f, clinic, 15);
    clinic
        .add_infusion_event(event(s, EventKind::Stop, f.clock.now()))
        .unwrap();
    let stop = f.clock.now();
    assert_eq!(
        clinic
            .discharge(discharge(s, f.clock.now(), None))
            .unwrap_err()
            .to_string(),
        "Score the modified Aldrete before discharge."
    );
    wait(&f, clinic, 60);
    clinic.add_aldrete(aldrete(s, f.clock.now(), 1.0, 1.0)).unwrap();
    let err = clinic.discharge(discharge(s, f.clock.now(), None)).unwrap_err();
    assert_eq!(err.kind(), "forbidden");
    assert!(
        err.to_string()
            .contains("The latest modified Aldrete score is 8; discharge needs at least 9"),
        "{err}"
    );
    assert!(clinic
        .get_session(SessionRef { session_id: s })
        .unwrap()
        .aftercare
        .discharge
        .is_none());

    wait(&f, clinic, 10);
    let nine = clinic.add_aldrete(aldrete(s, f.clock.now(), 2.0, 1.0)).unwrap();
    assert_eq!(nine.total, 9);
    let record = clinic
        .discharge(discharge(s, f.clock.now(), Some("not needed")))
        .unwrap();
    let out = record.aftercare.discharge.as_ref().unwrap();
    assert_eq!(
        (out.aldrete_total, out.override_reason.as_deref()),
        (9, None),
        "no override when none is needed"
    );
    assert_eq!(
        record.aftercare.recovery_minutes,
        Some((f.clock.now() - stop).num_minutes())
    );
    assert_eq!(
        record.aftercare.chair_minutes,
        Some((f.clock.now() - session.started_at).num_minutes())
    );
    assert_eq!(
        (
            record.side_effects.len(),
            record.interventions.len(),
            record.outcomes[0].total
        ),
        (1, 1, 18)
    );
    assert!(record.checklist.is_some());

    let day = clinic.day_list(DayRequest::default()).unwrap().entries;
    assert_eq!(
        (day.len(), day[0].stage, day[0].chair.as_deref()),
        (1, Stage::Discharged, Some("2"))
    );

    clinic.sign_session(SessionRef { session_id: s }).unwrap();
    // Follow-up scores attach to the series after signing; a before-infusion score does not.
    assert_eq!(
        clinic
            .add_outcome(phq9(s, Timepoint::PreInfusion, f.clock.now(), [0.; 9]))
            .unwrap_err()
            .kind(),
        "conflict"
    );
    clinic
        .add_outcome(phq9(
            s,
            Timepoint::After24h,
            f.clock.now(),
            [1., 1., 1., 1., 1., 1., 1., 1., 0.],
        ))
        .unwrap();
    let course = clinic
        .get_patient(PatientRef { patient_id: patient.id })
        .unwrap()
        .outcomes;
    assert_eq!(
        (course[0].baseline, course[0].latest, course[0].response),
        (Some(18), 8, true)
    );
    assert!(course[0].status.contains("response"), "{}", course[0].status);
}

#[test]
fn below_the_minimum_a_physician_discharges_with_a_reason_that_is_kept() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("C-2"));
    let s = session.id;
    f.prepare(&session);
    f.chart_vitals(&session, 124.0, 80.0);
    clinic
        .add_infusion_event(event(s, EventKind::Start, f.clock.now()))
        .unwrap();
    wait(&f, clinic, 40);
    clinic
        .add_infusion_event(event(s, EventKind::Stop, f.clock.now()))
        .unwrap();
    wait(&f, clinic, 30);
    clinic.add_aldrete(aldrete(s, f.clock.now(), 2.0, 0.0)).unwrap();
    let clinic = f.as_user("omar");
    let holds = clinic
        .get_session(SessionRef { session_id: s })
        .unwrap()
        .aftercare
        .holds;
    assert_eq!(holds.len(), 2, "score 8 and 30 of 60 minutes observed: {holds:?}");
    assert_eq!(
        clinic.discharge(discharge(s, f.clock.now(), None)).unwrap_err().kind(),
        "validation"
    );
    let reason = "Drowsy but rousable, escort is a nurse; reviewed at the chair";
    let record = clinic.discharge(discharge(s, f.clock.now(), Some(reason))).unwrap();
    let out = record.aftercare.discharge.unwrap();
    assert_eq!(
        (
            out.aldrete_total,
            out.override_reason.as_deref(),
            out.override_by.as_deref()
        ),
        (8, Some(reason), Some("Dr Omar Haddad"))
    );
    assert_eq!(
        clinic
            .discharge(discharge(s, f.clock.now(), Some(reason)))
            .unwrap_err()
            .to_string(),
        "This patient is already discharged from this session."
    );
}

#[test]
fn waste_needs_a_second_person_who_confirms_with_their_own_password() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("C-3"));
    let waste = |username: &str, password: &str| WasteInput {
        session_id: session.id,
        clinical_time: at(f.clock.now()),
        amount_mg: Some(13.7),
        witness_username: username.into(),
        witness_password: password.into(),
    };
    let before = audit_rows(&f);
    assert_eq!(
        clinic
            .record_waste(waste("omar", "wrong-password"))
            .unwrap_err()
            .to_string(),
        "The witness's username or password is not right. Nothing was saved."
    );
    assert_eq!(
        clinic
            .record_waste(waste("nina", "nina-password-1"))
            .unwrap_err()
            .to_string(),
        "The witness must be someone other than the nurse recording the waste."
    );
    assert_eq!(
        clinic
            .record_waste(waste("ada", "ada-password-1"))
            .unwrap_err()
            .to_string(),
        "Ada Admin cannot witness a waste: only a nurse or a physician may."
    );
    assert!(
        f.raw()
            .query_row("SELECT count(*) FROM wastes", [], |r| r.get::<_, i64>(0))
            .unwrap()
            == 0
    );
    assert!(
        audit_rows(&f) > before,
        "the failed witness sign-in is audited like any other"
    );
    let recorded = clinic.record_waste(waste("omar", "omar-password-1")).unwrap();
    assert_eq!(
        (
            recorded.amount_mg,
            recorded.witness.as_str(),
            recorded.entered_by.as_str()
        ),
        (13.7, "Dr Omar Haddad", "Nina Park")
    );
}

#[test]
fn a_patient_edit_keeps_the_old_details_in_the_audit_trail() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("C-4");
    let changed = clinic
        .update_patient(PatientUpdate {
            patient_id: patient.id,
            patient: PatientInput {
                allergies: Some("Latex".into()),
                ..patient_input("C-4")
            },
        })
        .unwrap();
    assert_eq!(changed.allergies, "Latex");
    let other = f.add_patient("C-5");
    assert_eq!(
        clinic
            .update_patient(PatientUpdate {
                patient_id: other.id,
                patient: patient_input("C-4")
            })
            .unwrap_err()
            .kind(),
        "conflict"
    );
    let admin = f.as_user("ada");
    let rows = admin
        .audit_search(Filter {
            action: Some(Action::PatientUpdated),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0]
        .old_value
        .as_deref()
        .unwrap()
        .contains("\"allergies\":\"None known\""));
    assert!(rows[0]
        .new_value
        .as_deref()
        .unwrap()
        .contains("\"allergies\":\"Latex\""));
}

#[test]
fn physicians_edit_and_retire_protocols_and_a_retired_one_starts_nothing() {
    let f = Fixture::staffed();
    let clinic = f.as_user("omar");
    let mut protocol = clinic.all_protocols(Nothing {}).unwrap().remove(1);
    let running = clinic
        .start_session(infusion_chart::domain::protocols::DoseInput {
            protocol_id: protocol.id,
            ..dose_input(&f.add_patient("C-5b"))
        })
        .unwrap();
    let edit = |p: &infusion_chart::domain::protocols::Protocol, active: bool| ProtocolInput {
        protocol_id: Some(p.id),
        name: Some(p.name.clone()),
        drug: Some(p.drug.clone()),
        route: Some(p.route.clone()),
        dose_mg_per_kg: Some(p.dose_mg_per_kg),
        duration_min: Some(p.duration_min as f64),
        concentration_mg_per_ml: Some(p.concentration_mg_per_ml),
        soft_limit_mg_per_kg: Some(p.soft_limit_mg_per_kg),
        hard_limit_mg_per_kg: Some(p.hard_limit_mg_per_kg),
        vitals_every_min: Some(5.0),
        observation_min: Some(120.0),
        hold_sbp: Some(p.hold_sbp as f64),
        hold_dbp: Some(p.hold_dbp as f64),
        overrun_margin_pct: Some(p.overrun_margin_pct),
        outcome_scales: vec![Scale::Phq9, Scale::Pcl5],
        active: Some(active),
    };
    protocol = clinic.save_protocol(edit(&protocol, true)).unwrap();
    assert_eq!((protocol.vitals_every_min, protocol.observation_min), (5, 120));
    let kept = clinic
        .get_session(SessionRef { session_id: running.id })
        .unwrap()
        .session
        .dose
        .unwrap();
    let at_start = kept.protocol_at_start.unwrap();
    assert_eq!(
        (at_start.vitals_every_min, at_start.observation_min),
        (10, 60),
        "a session started before the edit keeps the protocol it started on"
    );
    let retired = clinic.save_protocol(edit(&protocol, false)).unwrap();
    assert!(!retired.active);
    let patient = f.add_patient("C-6");
    let err = clinic
        .start_session(infusion_chart::domain::protocols::DoseInput {
            protocol_id: retired.id,
            ..dose_input(&patient)
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("The protocol {} is retired; choose another.", retired.name)
    );
    assert_eq!(clinic.list_protocols(Nothing {}).unwrap().len(), 1);
}

#[test]
fn the_database_refuses_raw_changes_to_the_new_records_of_a_signed_session() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("C-7"));
    let s = session.id;
    f.prepare(&session);
    f.chart_vitals(&session, 120.0, 80.0);
    let now = f.clock.now();
    clinic
        .add_side_effect(infusion_chart::domain::side_effects::SideEffectInput {
            session_id: s,
            effect: Some(Effect::Other),
            other: Some("Tingling lips".into()),
            severity: Some(Severity::Mild),
            onset_time: at(now),
        })
        .unwrap();
    clinic
        .add_aldrete(aldrete(s, now + Duration::minutes(1), 2.0, 2.0))
        .unwrap();
    clinic.sign_session(SessionRef { session_id: s }).unwrap();
    let raw = f.raw();
    for sql in [
        "UPDATE checklists SET vial_lot = 'X'",
        "DELETE FROM checklists",
        "UPDATE side_effects SET resolved_at = '2026-01-01T00:00:00.000Z'",
        "DELETE FROM side_effects",
        "INSERT INTO aldrete_scores (session_id, clinical_time, recorded_at, activity, respiration, circulation, consciousness, oxygen, entered_by) SELECT session_id, clinical_time, recorded_at, 2, 2, 2, 2, 2, entered_by FROM aldrete_scores",
        "DELETE FROM aldrete_scores",
    ] {
        let err = raw.execute(sql, []).expect_err(sql);
        assert!(err.to_string().starts_with("Refused:"), "{sql}: {err}");
    }
}

#[test]
fn a_hold_override_typed_where_no_hold_applied_is_not_charted_and_a_nurse_who_charted_events_may_sign() {
    let f = Fixture::staffed();
    f.as_user("omar");
    let session = f.start_session(&f.add_patient("C-8"));
    let (s, now) = (session.id, f.clock.now());
    f.prepare(&session);
    f.chart_vitals(&session, 120.0, 80.0);
    let clinic = f.as_user("nina");
    let start = clinic
        .add_infusion_event(EventInput {
            hold_override: Some("just in case".into()),
            start_without_scales: true,
            ..event(s, EventKind::Start, now)
        })
        .unwrap();
    assert_eq!(start.hold_override, None, "there was no hold to override");
    clinic.add_infusion_event(event(s, EventKind::Stop, now)).unwrap();
    clinic.sign_session(SessionRef { session_id: s }).unwrap();
}

#[test]
fn typed_dates_are_read_in_iso_or_an_unambiguous_form_and_otherwise_refused_naming_the_field() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let p = clinic
        .add_patient(PatientInput {
            date_of_birth: Some("29.02.1988".into()),
            ..patient_input("T-1")
        })
        .unwrap();
    assert_eq!(p.date_of_birth.to_string(), "1988-02-29", "kept in ISO");
    let err = clinic
        .add_patient(PatientInput {
            date_of_birth: Some("03/04/1988".into()),
            ..patient_input("T-2")
        })
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.to_string().as_str()),
        (
            "validation",
            "Date of birth: type the date as YYYY-MM-DD, like 1988-02-29 (03/04/1988 could be March 4 or April 3)."
        )
    );

    let s = f.start_session(&p);
    let today = s.session_date;
    let day = clinic
        .day_list(DayRequest {
            date: Some(today.format("%-d %B %Y").to_string()),
        })
        .unwrap();
    assert_eq!((day.date, day.entries.len()), (today, 1), "the day as read, in ISO");
    let err = clinic
        .day_list(DayRequest {
            date: Some("2026-02-30".into()),
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Day: 2026-02-30 is not a date: February 2026 has 28 days."
    );

    let admin = f.as_user("ada");
    let found = admin
        .audit_search(Filter {
            action: Some(Action::PatientAdded),
            from: Some(today.format("%B %-d, %Y").to_string()),
            to: Some(today.to_string()),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(found.len(), 1);
    let err = admin
        .audit_search(Filter {
            from: Some("01/02/2026".into()),
            to: Some("tomorrow".into()),
            ..Filter::default()
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "From: type the date as YYYY-MM-DD, like 1988-02-29 (01/02/2026 could be January 2 or February 1). \
         To: type the date as YYYY-MM-DD, like 1988-02-29."
    );
}
