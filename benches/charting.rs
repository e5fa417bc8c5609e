//! What staff wait for: signing in (argon2id key unwrap + opening the encrypted database), charting
//! one vitals entry (validate + commit + audit row) against a bare INSERT on a plain SQLite file
//! with the same pragmas, and laying out and writing a session report PDF. Run with `cargo bench`;
//! figures are in the README.

use std::hint::black_box;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion};
use infusion_chart::alerts::Thresholds;
use infusion_chart::clinic::Nothing;
use infusion_chart::patients::{Indication, PatientInput, Sex};
use infusion_chart::protocols::{DoseInput, WeightUnit};
use infusion_chart::report::{session_pdf, Context};
use infusion_chart::sessions::SessionRef;
use infusion_chart::settings::ClinicHeader;
use infusion_chart::users::{Credentials, UserInput};
use infusion_chart::vitals::VitalsInput;
use infusion_chart::Clinic;
use rusqlite::Connection;

const PASSWORD: &str = "bench-password-1";

fn set_up(dir: &std::path::Path) -> Clinic {
    let clinic = Clinic::open(&dir.join("infusion-chart.db")).unwrap();
    clinic
        .setup(UserInput {
            username: Some("nina".into()),
            display_name: Some("Nina Park".into()),
            password: Some(PASSWORD.into()),
            password_confirm: Some(PASSWORD.into()),
            roles: vec![infusion_chart::users::Role::Nurse],
        })
        .unwrap();
    clinic
}

fn login(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let clinic = set_up(dir.path());
    clinic.logout(Nothing {}).unwrap();
    c.bench_function("login (argon2id unwrap + open encrypted database)", |b| {
        b.iter(|| {
            clinic
                .login(Credentials {
                    username: "nina".into(),
                    password: PASSWORD.into(),
                })
                .unwrap();
            clinic.logout(Nothing {}).unwrap();
        })
    });
}

/// Today's session for a new patient: a realistic flowsheet holds about 30 readings, so the
/// benchmark moves to a fresh session every 30 (outside the timed part).
fn new_session(clinic: &Clinic, n: usize) -> i64 {
    let patient = clinic
        .add_patient(PatientInput {
            family_name: Some("Okafor".into()),
            given_names: Some("Ada".into()),
            date_of_birth: Some("1980-01-01".into()),
            mrn: Some(format!("B-{n}")),
            sex: Some(Sex::Female),
            weight: Some(70.0),
            weight_unit: Some(WeightUnit::Kg),
            allergies: Some("None known".into()),
            indication: Some(Indication::MajorDepression),
            ..PatientInput::default()
        })
        .unwrap();
    let dose = DoseInput {
        patient_id: patient.id,
        protocol_id: 1,
        weight: Some(70.0),
        weight_unit: Some(WeightUnit::Kg),
        dose_mg_per_kg: None,
        weight_confirmed: false,
        override_reason: None,
        chair: None,
    };
    clinic.start_session(dose).unwrap().id
}

const READINGS_PER_SESSION: u64 = 30;

fn chart_vitals(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let clinic = set_up(dir.path());
    let mut sessions = 0;
    let mut group = c.benchmark_group("chart one vitals entry");
    group.bench_function(
        "Clinic::add_vitals (validate + commit + audit + alert rules, encrypted)",
        |b| {
            b.iter_custom(|iters| {
                let mut timed = std::time::Duration::ZERO;
                let mut session_id = 0;
                for i in 0..iters {
                    if i % READINGS_PER_SESSION == 0 {
                        sessions += 1;
                        session_id = new_session(&clinic, sessions);
                    }
                    let input = VitalsInput {
                        session_id,
                        clinical_time: Some(Utc::now().to_rfc3339()),
                        sbp: Some(128.0),
                        dbp: Some(82.0),
                        hr: Some(76.0),
                        spo2: Some(98.0),
                        rr: Some(14.0),
                        temp_c: None,
                        etco2: None,
                        dissociation: None,
                        moaas: None,
                    };
                    let start = std::time::Instant::now();
                    black_box(clinic.add_vitals(input).unwrap());
                    timed += start.elapsed();
                }
                timed
            })
        },
    );

    let bare = Connection::open(dir.path().join("bare.db")).unwrap();
    bare.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
         CREATE TABLE vitals (id INTEGER PRIMARY KEY, session_id INTEGER, clinical_time TEXT, recorded_at TEXT,
             sbp INTEGER, dbp INTEGER, map INTEGER, hr INTEGER, spo2 INTEGER, rr INTEGER);",
    )
    .unwrap();
    group.bench_function("bare rusqlite INSERT (same pragmas, plain file)", |b| {
        b.iter(|| {
            let now = Utc::now().to_rfc3339();
            bare.execute(
                "INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr) VALUES (1, ?1, ?1, 128, 82, 97, 76, 98, 14)",
                [now],
            )
            .unwrap();
        })
    });
    group.finish();
}

/// A complete session report (30 and 120 vitals rows), from the record to the PDF's bytes.
fn session_report(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let clinic = set_up(dir.path());
    let mut group = c.benchmark_group("session report PDF");
    for (n, rows) in [(1, 30), (2, 120)] {
        let session_id = new_session(&clinic, 1000 + n);
        for i in 0..rows {
            let input = VitalsInput {
                session_id,
                clinical_time: Some(Utc::now().to_rfc3339()),
                sbp: Some(110.0 + (i % 40) as f64),
                dbp: Some(70.0),
                hr: Some(76.0),
                spo2: Some(98.0),
                rr: Some(14.0),
                temp_c: None,
                etco2: None,
                dissociation: Some(3.0),
                moaas: Some(5.0),
            };
            clinic.add_vitals(input).unwrap();
        }
        let record = clinic.session_record(SessionRef { session_id }).unwrap();
        let clinic_header = ClinicHeader {
            name: "Harbour Ketamine Clinic".into(),
            ..ClinicHeader::default()
        };
        let ctx = Context {
            logo: None,
            clinic: &clinic_header,
            generated_at: Utc::now(),
            generated_by: "Nina Park",
            report_id: "bench",
        };
        let (pdf, pages) = session_pdf(&record, &Thresholds::default(), &ctx);
        eprintln!(
            "session report with {rows} vitals rows: {} bytes, {pages} pages",
            pdf.len()
        );
        group.bench_function(format!("{rows} vitals rows"), |b| {
            b.iter(|| black_box(session_pdf(&record, &Thresholds::default(), &ctx)))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = login, chart_vitals, session_report
}
criterion_main!(benches);
