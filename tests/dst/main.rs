//! The nights the clocks change, in the clinic's own time zone: America/New_York, where they went
//! forward at 02:00 on 2026-03-08 and back at 02:00 on 2026-11-01. Every test here sets that zone
//! first (this binary's process only), then charts and reads times as a nurse would.

#[allow(dead_code)]
#[path = "../core/support.rs"]
mod support;

use std::path::Path;
use std::process::Command;
use std::sync::Once;

use chrono::{DateTime, Duration, Local, Utc};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::clock::{self, choices, hm, TypedTime};
use infusion_chart::domain::infusion::{EventInput, EventKind};
use infusion_chart::domain::sessions::SessionRef;
use infusion_chart::outside::report::ReportRequest;

use support::{dose_input, vitals_input, Fixture};

fn new_york() {
    static SET: Once = Once::new();
    // Before any test reads the clock: every test calls this first, and all set the same zone.
    SET.call_once(|| std::env::set_var("TZ", "America/New_York"));
}

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

/// What a typed time names in a session the patient arrived at `arrived`, read at `now`: each
/// instant with its label, or the refusal.
fn read(typed: &str, arrived: &str, now: &str) -> Result<Vec<(String, String)>, String> {
    choices(&Local, "Clinical time", typed, utc(arrived), utc(now))
        .map(|found| {
            found
                .into_iter()
                .map(|c| (c.at.format("%H:%MZ").to_string(), c.label))
                .collect()
        })
        .map_err(|e| e.to_string())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

#[test]
fn a_time_typed_in_the_repeated_hour_offers_both_and_one_in_the_skipped_hour_is_refused() {
    new_york();
    // Clocks back: arrived 00:30 EDT (04:30Z); now 01:50 EST (06:50Z), past both 01:30s.
    let (arrived, now) = ("2026-11-01T04:30:00Z", "2026-11-01T06:50:00Z");
    assert_eq!(
        read("01:30", arrived, now),
        Ok(pairs(&[
            ("05:30Z", "01:30 UTC−4 (the first, before the clocks went back)"),
            ("06:30Z", "01:30 UTC−5 (the second, after the clocks went back)"),
        ]))
    );
    assert_eq!(read("00:45", arrived, now), Ok(pairs(&[("04:45Z", "00:45 UTC−4")])));
    // At 01:35 EDT the second 01:30 has not happened yet: only the first is offered.
    assert_eq!(
        read("1:30", arrived, "2026-11-01T05:35:00Z"),
        Ok(pairs(&[("05:30Z", "01:30 UTC−4")]))
    );
    assert_eq!(
        read("8:41 PM", arrived, now),
        Err("Clinical time cannot be in the future (it is 01:50 UTC−5 now).".into())
    );
    assert_eq!(
        read("00:10", arrived, now),
        Err("Clinical time 00:10 is before the patient's arrival at 00:30 UTC−4.".into())
    );

    // Clocks forward: arrived 01:00 EST (06:00Z); now 03:40 EDT (07:40Z); 02:00–03:00 never was.
    let (arrived, now) = ("2026-03-08T06:00:00Z", "2026-03-08T07:40:00Z");
    assert_eq!(
        read("02:30", arrived, now),
        Err("Clinical time 02:30 does not exist on 2026-03-08: the clocks went forward an hour that night. Check the time.".into())
    );
    assert_eq!(read("01:59", arrived, now), Ok(pairs(&[("06:59Z", "01:59 UTC−5")])));
    assert_eq!(read("03:10", arrived, now), Ok(pairs(&[("07:10Z", "03:10 UTC−4")])));
}

#[test]
fn on_a_day_the_clocks_change_every_time_carries_its_offset_and_on_other_days_none() {
    new_york();
    let cases = [
        ("2026-11-01T05:30:00Z", "01:30 UTC−4"),
        ("2026-11-01T06:30:00Z", "01:30 UTC−5"),
        ("2026-11-01T20:00:00Z", "15:00 UTC−5"),
        ("2026-03-08T07:10:00Z", "03:10 UTC−4"),
        ("2026-03-08T06:59:00Z", "01:59 UTC−5"),
        ("2026-11-02T06:30:00Z", "01:30"),
        ("2026-07-04T14:00:00Z", "10:00"),
    ];
    for (at, shown) in cases {
        assert_eq!(hm(utc(at)), shown, "{at}");
    }
    assert_eq!(clock::date_hm(utc("2026-11-01T06:30:00Z")), "2026-11-01 01:30 UTC−5");
}

/// Time passes with the nurse at the chair (active), so the screen does not lock.
fn wait(f: &Fixture, minutes: i64) {
    for _ in 0..minutes {
        f.clock.advance(1);
        f.clinic.touch(Nothing {}).unwrap();
    }
}

fn start(session_id: i64, at: DateTime<Utc>) -> EventInput {
    EventInput {
        session_id,
        kind: EventKind::Start,
        clinical_time: Some(at.to_rfc3339()),
        rate_ml_per_h: Some(52.5),
        bolus_mg: None,
        hold_override: None,
        start_without_scales: true,
    }
}

fn stop(session_id: i64, at: DateTime<Utc>) -> EventInput {
    EventInput {
        kind: EventKind::Stop,
        rate_ml_per_h: None,
        ..start(session_id, at)
    }
}

#[test]
fn a_session_charted_through_the_night_the_clocks_go_back_keeps_each_instant_and_prints_its_offset() {
    new_york();
    // Opened at 00:40 EDT.
    let f = Fixture::staffed_at(utc("2026-11-01T04:40:00Z"));
    let clinic = f.as_user("nina");
    let patient = f.add_patient("DST-1");
    let session = f.start_session(&patient);
    let s = session.id;
    f.prepare(&session);
    wait(&f, 5);
    let baseline = f.chart_vitals(&session, 124.0, 80.0);
    // Started at 01:50 EDT, a reading live at 01:55 EDT.
    wait(&f, 65);
    clinic.add_infusion_event(start(s, f.clock.now())).unwrap();
    wait(&f, 5);
    let first = f.chart_vitals(&session, 130.0, 84.0);
    assert_eq!(first.clinical_time, utc("2026-11-01T05:55:00Z"));

    // An hour of wall clock later it is 01:05 EST: a reading charted live is stored at that
    // instant, after 01:55 EDT, and is not a late entry.
    wait(&f, 10);
    let live = f.chart_vitals(&session, 128.0, 82.0);
    assert_eq!(live.clinical_time, utc("2026-11-01T06:05:00Z"));
    // The nurse types 01:00 for the reading just before: two 01:00s that night, and she chooses.
    let typed = clinic
        .read_clinical_time(TypedTime {
            session_id: s,
            text: "01:00".into(),
            for_arrival: false,
        })
        .unwrap();
    let labels: Vec<&str> = typed.choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(
        labels,
        [
            "01:00 UTC−4 (the first, before the clocks went back)",
            "01:00 UTC−5 (the second, after the clocks went back)"
        ]
    );
    clinic
        .add_vitals(vitals_input(s, typed.choices[1].at, 126.0, 81.0))
        .unwrap();
    // Stopped at 01:20 EST: 30 minutes after the 01:50 EDT start, never -30.
    wait(&f, 15);
    clinic.add_infusion_event(stop(s, f.clock.now())).unwrap();
    let record = clinic.get_session(SessionRef { session_id: s }).unwrap();
    let times: Vec<String> = record.vitals.iter().map(|v| hm(v.clinical_time)).collect();
    assert_eq!(times, ["00:45 UTC−4", "01:55 UTC−4", "01:00 UTC−5", "01:05 UTC−5"]);
    assert!(
        record.vitals.iter().all(|v| !v.late),
        "charted live, none is a late entry"
    );
    assert_eq!((record.infusion.elapsed_min, record.infusion.running_min), (30, 30.0));
    assert_eq!(record.baseline.as_ref().map(|v| v.id), Some(baseline.id));

    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-output/dst-night-report.pdf");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    clinic
        .print_report(ReportRequest {
            session_id: Some(s),
            patient_id: None,
            path: Some(file.display().to_string()),
        })
        .unwrap();
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&file)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for shown in [
        "start 01:50 UTC−4, stop 01:20 UTC−5, 30 min from start",
        "RR 14 at 00:45 UTC−4",
        "2026-11-01 00:40 UTC−4",
    ] {
        assert!(text.contains(shown), "the report prints {shown:?}:\n{text}");
    }
    // In the flowsheet the offset sits under its time, in the same cell.
    let lines: Vec<&str> = text.lines().collect();
    for (bp, time, offset) in [("130/84", "01:55", "UTC−4"), ("126/81", "01:00", "UTC−5")] {
        let row = lines.iter().position(|l| l.contains(bp)).expect("the reading's row");
        assert!(
            lines[row].trim_start().starts_with(time) && lines[row + 1].trim_start().starts_with(offset),
            "{bp} is printed at {time} {offset}:\n{}\n{}",
            lines[row],
            lines[row + 1]
        );
    }
}

#[test]
fn on_the_night_the_clocks_go_forward_a_live_entry_keeps_its_instant_and_the_missing_hour_is_refused() {
    new_york();
    // Opened at 01:30 EST; started at 01:45 EST.
    let f = Fixture::staffed_at(utc("2026-03-08T06:30:00Z"));
    let clinic = f.as_user("nina");
    let patient = f.add_patient("DST-2");
    let session = clinic.start_session(dose_input(&patient)).unwrap();
    f.prepare(&session);
    f.chart_vitals(&session, 122.0, 78.0);
    wait(&f, 15);
    clinic.add_infusion_event(start(session.id, f.clock.now())).unwrap();
    // 25 minutes on, the clock reads 03:10 EDT.
    wait(&f, 25);
    let live = f.chart_vitals(&session, 126.0, 80.0);
    assert_eq!(hm(live.clinical_time), "03:10 UTC−4");
    let refused = clinic
        .read_clinical_time(TypedTime {
            session_id: session.id,
            text: "02:30".into(),
            for_arrival: false,
        })
        .unwrap_err();
    assert_eq!(refused.kind(), "validation");
    assert!(
        refused.to_string().contains("02:30 does not exist on 2026-03-08"),
        "{refused}"
    );
    let record = clinic.get_session(SessionRef { session_id: session.id }).unwrap();
    assert_eq!(record.infusion.elapsed_min, 25);
    assert_eq!(
        record.cadence.next_due,
        Some(live.clinical_time + Duration::minutes(10)),
        "the next vitals are due 10 minutes after the last, across the missing hour"
    );
}
