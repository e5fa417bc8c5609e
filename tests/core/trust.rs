//! What the chart records is what happened: nothing before the patient's arrival, one baseline,
//! an infusion that runs past its plan raising its alerts, due scales skipped only on purpose.

use chrono::{DateTime, Duration, Utc};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::alerts::{AlertRef, Rule};
use infusion_chart::domain::audit::{Action, Filter};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::sessions::{ArrivalMove, DayRequest, Session, SessionRef};
use infusion_chart::outside::report::ReportRequest;
use infusion_chart::Clinic;

use crate::support::{vitals_input, Fixture};

fn minutes(m: i64) -> Duration {
    Duration::minutes(m)
}

fn start(session_id: i64, at: DateTime<Utc>) -> EventInput {
    EventInput {
        session_id,
        kind: EventKind::Start,
        clinical_time: Some(at.to_rfc3339()),
        rate_ml_per_h: Some(54.5),
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    }
}

fn arrival(session: &Session, at: DateTime<Utc>, reason: &str) -> ArrivalMove {
    ArrivalMove {
        session_id: session.id,
        arrived_at: Some(at.to_rfc3339()),
        reason: Some(reason.into()),
    }
}

/// Time passes with the nurse at the chair (active), so the screen does not lock.
fn wait(f: &Fixture, clinic: &Clinic, minutes: i64) {
    for _ in 0..minutes {
        f.clock.advance(1);
        clinic.touch(Nothing {}).unwrap();
    }
}

#[test]
fn nothing_is_charted_before_the_arrival_which_moves_back_only_with_a_reason_kept_in_the_audit_trail() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("T-1"));
    let opened = f.clock.now();
    assert_eq!(session.arrived_at, opened);
    let early = vitals_input(session.id, opened - minutes(30), 124.0, 80.0);
    let refused = clinic.add_vitals(early.clone()).unwrap_err();
    assert_eq!(refused.kind(), "validation");
    assert!(
        refused.to_string().contains("is before the patient's arrival"),
        "{refused}"
    );

    for (at, reason, problem) in [
        (opened + minutes(5), "Later", "may only move back"),
        (opened - minutes(13 * 60), "A day early", "by at most 12 hours"),
        (
            opened - minutes(40),
            "",
            "Reason for moving the arrival time is required.",
        ),
    ] {
        let message = clinic
            .move_arrival(arrival(&session, at, reason))
            .unwrap_err()
            .to_string();
        assert!(message.contains(problem), "{message}");
    }
    let moved = clinic
        .move_arrival(arrival(
            &session,
            opened - minutes(40),
            "In the chair before the session was opened",
        ))
        .unwrap();
    assert_eq!(
        (moved.arrived_at, moved.started_at, moved.arrival_reason.as_deref()),
        (
            opened - minutes(40),
            opened,
            Some("In the chair before the session was opened")
        )
    );
    clinic.add_vitals(early).unwrap();

    f.as_user("ada");
    let trail = f
        .clinic
        .audit_search(Filter {
            action: Some(Action::ArrivalMoved),
            ..Filter::default()
        })
        .unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(
        trail[0].detail.as_deref(),
        Some("In the chair before the session was opened")
    );
    assert!(trail[0]
        .old_value
        .as_deref()
        .is_some_and(|old| old.contains(&opened.format("%H:%M").to_string())));
}

#[test]
fn the_infusion_starts_only_after_the_checklist_and_a_baseline_by_clinical_time_and_chair_time_counts_from_the_arrival()
{
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("T-2"));
    let opened = f.clock.now();
    clinic
        .move_arrival(arrival(&session, opened - minutes(30), "Charting began late"))
        .unwrap();
    // The checklist completed now (saved without a time of its own).
    f.prepare(&session);
    let refused = clinic
        .add_infusion_event(start(session.id, opened - minutes(10)))
        .unwrap_err();
    assert_eq!(refused.kind(), "conflict");
    assert!(
        refused
            .to_string()
            .starts_with("The infusion cannot start before the pre-infusion checklist was completed"),
        "{refused}"
    );
    wait(&f, clinic, 10);
    f.chart_vitals(&session, 124.0, 80.0);
    // A start typed for before the only reading: no baseline was taken by then.
    let message = clinic
        .add_infusion_event(start(session.id, f.clock.now() - minutes(5)))
        .unwrap_err()
        .to_string();
    assert_eq!(
        message,
        "Chart baseline vitals, taken before the start time, before starting the infusion."
    );
    clinic.add_infusion_event(start(session.id, f.clock.now())).unwrap();
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(record.aftercare.chair_minutes, Some(40));
    // Saved again with a completion after the start, the checklist is refused.
    let late = infusion_chart::domain::preparation::ChecklistInput {
        completed_at: Some((f.clock.now() + minutes(1)).to_rfc3339()),
        ..crate::support::checklist_input(session.id)
    };
    let message = clinic.save_checklist(late).unwrap_err().to_string();
    assert!(
        message.starts_with("The checklist must have been completed before the infusion's start"),
        "{message}"
    );
}

#[test]
fn the_baseline_is_the_reading_the_hold_judged_on_the_screen_and_in_the_report_whatever_is_entered_late() {
    let f = Fixture::staffed();
    let clinic = f.as_user("omar");
    let session = f.start_session(&f.add_patient("T-3"));
    let opened = f.clock.now();
    clinic
        .move_arrival(arrival(&session, opened - minutes(60), "Charting began late"))
        .unwrap();
    f.prepare(&session);
    let judged = f.chart_vitals(&session, 150.0, 95.0);
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(record.baseline.as_ref().map(|v| v.id), Some(judged.id));
    assert!(record.hold.as_deref().unwrap().starts_with("Baseline BP 150/95"));
    clinic
        .add_infusion_event(EventInput {
            hold_override: Some("Anxious on arrival; repeat BP in 5 minutes".into()),
            ..start(session.id, opened)
        })
        .unwrap();
    // Entered after the start, timed earlier than the judged reading: a late entry, not the baseline.
    clinic
        .add_vitals(vitals_input(session.id, opened - minutes(20), 128.0, 80.0))
        .unwrap();
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    let start = record.events.iter().find(|e| e.kind == EventKind::Start).unwrap();
    assert_eq!(start.baseline_vitals_id, Some(judged.id));
    assert_eq!(record.baseline.as_ref().map(|v| (v.sbp, v.dbp)), Some((150, 95)));

    let file = std::env::temp_dir().join(format!("baseline-{}.pdf", std::process::id()));
    clinic
        .print_report(ReportRequest {
            session_id: Some(session.id),
            patient_id: None,
            path: Some(file.display().to_string()),
        })
        .unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(&file)
        .arg("-")
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(text).unwrap();
    std::fs::remove_file(&file).unwrap();
    assert!(
        text.contains("150/95 (MAP 113)"),
        "the report's baseline is the judged reading:\n{text}"
    );
    assert!(
        !text.contains("128/80 (MAP"),
        "the late entry is not printed as the baseline:\n{text}"
    );
}

#[test]
fn an_infusion_past_its_plan_is_shown_against_it_prompts_the_stop_and_raises_its_alerts_once() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("T-4"));
    f.prepare(&session);
    f.chart_vitals(&session, 124.0, 80.0);
    let started = f.clock.now();
    clinic.add_infusion_event(start(session.id, started)).unwrap();
    let review = || clinic.review_infusion(SessionRef { session_id: session.id }).unwrap();

    wait(&f, clinic, 30);
    let record = review();
    let progress = record.progress.clone().unwrap();
    // 72.5 kg × 0.5 mg/kg at 1 mg/mL: 36.25 mL at 54.5 mL/h runs out 40 minutes after the start.
    assert_eq!((progress.planned_mg, progress.planned_ml), (36.25, 36.25));
    let end = progress.planned_end.unwrap();
    assert!(
        (end - (started + minutes(40))).num_seconds().abs() < 60,
        "planned end {end}"
    );
    assert!(!progress.stop_due && record.alerts.is_empty());

    // No reading between 35 and 45 minutes: the 40-minute check ends as missed.
    wait(&f, clinic, 16);
    let record = review();
    assert!(record.progress.as_ref().unwrap().stop_due);
    assert!(!record.cadence.forty_minute_check_due && record.cadence.forty_minute_check_missed);
    let past: Vec<_> = record.alerts.iter().filter(|a| a.rule == Rule::PastPlan).collect();
    assert_eq!(past.len(), 1, "past the plan by more than 10 %: {:?}", record.alerts);
    assert_eq!(past[0].vitals_id, None);
    assert!(
        past[0]
            .message
            .starts_with("Infusion past its plan: 41.8 of 36.25 mg given"),
        "{}",
        past[0].message
    );
    assert_eq!(review().alerts.len(), 1, "raised once");
    // The day list shows the same: mg given against the plan, and the stop due.
    let day = clinic.day_list(DayRequest::default()).unwrap();
    let entry = &day.entries[0];
    assert_eq!(entry.mg_given, Some(41.8));
    assert!(entry
        .progress
        .as_ref()
        .is_some_and(|p| p.stop_due && p.planned_mg == 36.25));

    // 1.5 mg/kg × 72.5 kg = 108.75 mg: reached after two hours at this rate.
    wait(&f, clinic, 75);
    let record = review();
    let severe = record
        .alerts
        .iter()
        .find(|a| a.rule == Rule::HardLimit)
        .expect("the hard-limit alert");
    assert!(severe.message.contains("limit 108.75 mg"), "{}", severe.message);

    clinic
        .add_infusion_event(EventInput {
            kind: EventKind::Stop,
            rate_ml_per_h: None,
            ..start(session.id, f.clock.now())
        })
        .unwrap();
    let open = clinic.sign_session(SessionRef { session_id: session.id }).unwrap_err();
    assert_eq!(open.to_string(), "Acknowledge the 2 open alert(s) before signing.");
    for alert in review().alerts {
        clinic.acknowledge_alert(AlertRef { alert_id: alert.id }).unwrap();
    }
    clinic.sign_session(SessionRef { session_id: session.id }).unwrap();
}

#[test]
fn a_start_with_due_scales_untaken_asks_for_the_nurses_confirmation_which_is_kept_on_the_start() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let session = f.start_session(&f.add_patient("T-5"));
    f.prepare(&session);
    f.chart_vitals(&session, 124.0, 80.0);
    let unconfirmed = EventInput {
        start_without_scales: false,
        ..start(session.id, f.clock.now())
    };
    let refused = clinic.add_infusion_event(unconfirmed).unwrap_err();
    assert_eq!(refused.kind(), "validation");
    assert_eq!(
        refused.to_string(),
        "PHQ-9 and GAD-7 are due before the infusion and not taken. Take them, or confirm starting without them."
    );
    let started = clinic.add_infusion_event(start(session.id, f.clock.now())).unwrap();
    assert_eq!(started.scales_not_taken.as_deref(), Some("PHQ-9 and GAD-7"));
}

#[test]
fn the_flowsheet_marks_readings_beyond_the_alert_thresholds_and_a_baseline_above_the_hold_in_words() {
    let f = Fixture::staffed();
    let clinic = f.as_user("nina");
    let patient = f.add_patient("MARK-1");
    let session = f.start_session(&patient);
    let marks = || {
        let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
        record
            .vitals
            .iter()
            .map(|v| {
                (
                    v.beyond.bp.as_ref().map(|m| m.word),
                    v.beyond.hr.as_ref().map(|m| m.word),
                )
            })
            .collect::<Vec<_>>()
    };
    // 150/95 is within the alert thresholds, but as the baseline it is above the protocol's hold.
    f.chart_vitals(&session, 150.0, 95.0);
    assert_eq!(marks(), [(Some("above hold"), None)]);
    // A later reading becomes the baseline; 185/100 is beyond the high-BP threshold itself.
    f.clock.advance(5);
    f.chart_vitals(&session, 185.0, 100.0);
    assert_eq!(marks(), [(None, None), (Some("high"), None)]);
}
