//! Starting a session on a protocol: the dose plan is stored with its arithmetic; limits and weight
//! checks are enforced by the core whoever calls it.

use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::alerts::{AlertRef, Rule};
use infusion_chart::domain::protocols::{DoseInput, Limit};
use infusion_chart::domain::sessions::SessionRef;
use infusion_chart::domain::weight::{Weight, WeightUnit};

use crate::support::{dose_input, Fixture};

#[test]
fn the_shipped_protocols_are_the_reference_defaults() {
    let f = Fixture::staffed();
    let protocols = f.as_user("nina").list_protocols(Nothing {}).unwrap();
    let summary: Vec<_> = protocols
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.dose_mg_per_kg,
                p.duration_min,
                p.soft_limit_mg_per_kg,
                p.hard_limit_mg_per_kg,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("Ketamine IV 0.5 mg/kg over 40 min", 0.5, 40, 0.75, 1.5),
            ("Ketamine IV 0.5 mg/kg over 100 min", 0.5, 100, 0.75, 1.5)
        ]
    );
}

#[test]
fn a_session_keeps_the_dose_it_was_started_with() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("D-1");
    let session = clinic
        .start_session(DoseInput {
            weight: Some(159.8),
            weight_unit: Some(WeightUnit::Lb),
            ..dose_input(&patient)
        })
        .unwrap();
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    let dose = record.session.dose.expect("a dose");
    assert_eq!(dose.protocol_name, "Ketamine IV 0.5 mg/kg over 40 min");
    assert_eq!(
        (dose.plan.weight, dose.plan.total_mg, dose.plan.rate_ml_per_h),
        (
            Weight {
                value: 159.8,
                unit: WeightUnit::Lb
            },
            36.24,
            54.4
        )
    );
    assert_eq!(dose.plan.arithmetic[0], "159.8 lb = 72.48 kg × 0.5 mg/kg = 36.24 mg");
    assert_eq!(dose.override_reason, None);
}

#[test]
fn above_the_soft_limit_only_a_physician_with_a_reason_may_start() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("D-2");
    let high = |reason: Option<&str>| DoseInput {
        dose_mg_per_kg: Some(0.9),
        override_reason: reason.map(str::to_string),
        ..dose_input(&patient)
    };
    assert_eq!(clinic.dose_preview(high(None)).unwrap().limit, Limit::AboveSoft);
    let err = clinic.start_session(high(Some("titration"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only a physician may confirm a dose above the protocol's soft limit. You are signed in as Nina Park (nurse)."
    );
    let clinic = f.as_user("omar");
    let err = clinic.start_session(high(None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "0.9 mg/kg is above this protocol's soft limit of 0.75 mg/kg: a physician must confirm it with a reason."
    );
    let session = clinic
        .start_session(high(Some("Titrated course; partial response at 0.75")))
        .unwrap();
    let dose = session.dose.unwrap();
    assert_eq!(
        dose.override_reason.as_deref(),
        Some("Titrated course; partial response at 0.75")
    );
    assert_eq!(dose.override_by.as_deref(), Some("Dr Omar Haddad"));
}

#[test]
fn a_dose_past_the_hard_limit_or_an_unconfirmed_weight_starts_nothing() {
    let f = Fixture::staffed();
    let clinic = f.as_user("omar");
    let patient = f.add_patient("D-3");
    let cases = [
        (
            DoseInput {
                dose_mg_per_kg: Some(2.0),
                override_reason: Some("x".into()),
                ..dose_input(&patient)
            },
            "2 mg/kg is above this protocol's hard limit of 1.5 mg/kg and cannot be given.",
        ),
        (
            DoseInput {
                weight: Some(159.8),
                ..dose_input(&patient)
            },
            "159.8 kg (352.30 lb) is 120% away from the recorded 72.5 kg (159.84 lb). Check the unit (kg or lb) and confirm the weight.",
        ),
        (
            DoseInput {
                protocol_id: 99,
                ..dose_input(&patient)
            },
            "No protocol with id 99 was found.",
        ),
    ];
    for (input, message) in cases {
        assert_eq!(clinic.start_session(input).unwrap_err().to_string(), message);
    }
    assert!(clinic
        .get_patient(infusion_chart::domain::sessions::PatientRef { patient_id: patient.id })
        .unwrap()
        .sessions
        .is_empty());
    let confirmed = DoseInput {
        weight: Some(80.0),
        weight_confirmed: true,
        ..dose_input(&patient)
    };
    assert_eq!(
        clinic.start_session(confirmed).unwrap().dose.unwrap().plan.weight.kg(),
        80.0
    );
}

#[test]
fn infusion_events_drive_the_pump_summary_and_late_entries_are_labelled() {
    use infusion_chart::domain::infusion::{EventInput, EventKind, PumpState};
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("D-4");
    let session = f.start_session(&patient);
    let event = |kind, minutes_ago: i64, rate: Option<f64>| EventInput {
        session_id: session.id,
        kind,
        clinical_time: Some((f.clock.now() - chrono::Duration::minutes(minutes_ago)).to_rfc3339()),
        rate_ml_per_h: rate,
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    };
    // The nurse stays at the chair (active), so the screen does not lock while time passes.
    let wait = |minutes: i64| {
        for _ in 0..minutes {
            f.clock.advance(1);
            clinic.touch(Nothing {}).unwrap();
        }
    };
    assert_eq!(
        clinic
            .add_infusion_event(event(EventKind::Start, 0, Some(54.5)))
            .unwrap_err()
            .to_string(),
        "Complete the pre-infusion checklist (consent, fasting, escort, vial) before starting the infusion."
    );
    f.prepare(&session);
    assert_eq!(
        clinic
            .add_infusion_event(event(EventKind::Start, 0, Some(54.5)))
            .unwrap_err()
            .to_string(),
        "Chart baseline vitals, taken before the start time, before starting the infusion."
    );
    f.chart_vitals(&session, 128.0, 82.0);
    clinic
        .add_infusion_event(event(EventKind::Start, 0, Some(54.5)))
        .unwrap();
    wait(20);
    let paused = clinic.add_infusion_event(event(EventKind::Pause, 0, None)).unwrap();
    assert!(!paused.late);
    wait(30);
    // Charted 25 minutes after it happened: a late entry, placed at its clinical time.
    clinic.add_infusion_event(event(EventKind::Resume, 25, None)).unwrap();
    assert_eq!(
        clinic
            .add_infusion_event(event(EventKind::Resume, 0, None))
            .unwrap_err()
            .kind(),
        "conflict"
    );
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(
        record.events.iter().map(|e| e.late).collect::<Vec<_>>(),
        vec![false, false, true]
    );
    let pump = record.infusion;
    assert_eq!(
        (pump.state, pump.rate_ml_per_h, pump.elapsed_min),
        (PumpState::Running, Some(54.5), 50)
    );
    // 20 min + 25 min running at 54.5 mL/h and 1 mg/mL.
    assert_eq!((pump.running_min, pump.mg_given), (45.0, 40.9));
    f.chart_vitals(&session, 120.0, 80.0);
    let err = clinic.sign_session(SessionRef { session_id: session.id }).unwrap_err();
    assert_eq!(
        err.to_string(),
        "The infusion has not been stopped. Chart its stop before signing."
    );
    clinic.add_infusion_event(event(EventKind::Stop, 0, None)).unwrap();
    // 45 min at a rate planned for 40: past the plan by more than the protocol's 10 %, raised with the stop.
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    let past = record
        .alerts
        .iter()
        .find(|a| a.rule == Rule::PastPlan)
        .expect("an alert past the plan");
    assert!(
        past.message.starts_with("Infusion past its plan: 40.9 of "),
        "{}",
        past.message
    );
    assert_eq!(
        clinic
            .sign_session(SessionRef { session_id: session.id })
            .unwrap_err()
            .to_string(),
        "Acknowledge the 1 open alert(s) before signing."
    );
    clinic.acknowledge_alert(AlertRef { alert_id: past.id }).unwrap();
    clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
}

#[test]
fn a_baseline_bp_over_the_hold_needs_a_physicians_override_with_a_reason() {
    use infusion_chart::domain::infusion::{EventInput, EventKind};
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("D-5");
    let session = f.start_session(&patient);
    f.prepare(&session);
    f.chart_vitals(&session, 152.0, 88.0);
    let hold = "Baseline BP 152/88 (at 12:00) is above the hold threshold of 140/90: a physician must override the hold, with a reason, to start.";
    assert_eq!(
        clinic
            .get_session(SessionRef { session_id: session.id })
            .unwrap()
            .hold
            .as_deref(),
        Some(hold)
    );
    let start = |reason: Option<&str>| EventInput {
        session_id: session.id,
        kind: EventKind::Start,
        clinical_time: Some(f.clock.now().to_rfc3339()),
        rate_ml_per_h: Some(54.5),
        bolus_mg: None,
        hold_override: reason.map(str::to_string),
        start_without_scales: true,
    };
    let err = clinic.add_infusion_event(start(Some("looks fine"))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Only a physician may override a baseline BP hold. You are signed in as Nina Park (nurse)."
    );
    let clinic = f.as_user("omar");
    assert_eq!(clinic.add_infusion_event(start(None)).unwrap_err().to_string(), hold);
    let started = clinic
        .add_infusion_event(start(Some("Anxious on arrival; 148/86 on repeat, usual baseline")))
        .unwrap();
    assert_eq!(
        started.hold_override.as_deref(),
        Some("Anxious on arrival; 148/86 on repeat, usual baseline")
    );
    assert_eq!(started.entered_by, "Dr Omar Haddad");
    assert_eq!(
        clinic.get_session(SessionRef { session_id: session.id }).unwrap().hold,
        None
    );
}
