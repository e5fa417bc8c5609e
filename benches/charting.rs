//! What staff wait for, on a clinic's tenth year (benches/support): signing in (and the quick check of
//! the whole file that the first sign-in starts beside), charting one vitals
//! entry (validate + commit + audit row + alert rules) against a bare INSERT into the same table of
//! the same encrypted file with the same pragmas, patient search, opening a session, the day list,
//! and a session report PDF. Run with `cargo bench --bench charting`; figures are in the README.

mod support;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::domain::patients::PatientSearch;
use infusion_chart::domain::sessions::{DayRequest, SessionRef};
use infusion_chart::domain::settings::ClinicHeader;
use infusion_chart::outside::report::{session_pdf, Context};
use infusion_chart::storage::Db;
use rusqlite::Connection;
use support::{credentials, new_session, ten_years, vitals, TenYears};

const READINGS_PER_SESSION: u64 = 30;

fn login(c: &mut Criterion, ten: &TenYears) {
    ten.clinic.logout(Nothing {}).unwrap();
    c.bench_function("login (argon2id unwrap + open encrypted database)", |b| {
        b.iter(|| {
            ten.clinic.login(credentials()).unwrap();
            ten.clinic.logout(Nothing {}).unwrap();
        })
    });
    ten.clinic.login(credentials()).unwrap();
}

/// SQLite's quick check of the whole file, which the first sign-in after the app starts runs beside
/// on a connection of its own (`clinic::check`): how long until damage would be found.
fn quick_check(c: &mut Criterion, ten: &TenYears) {
    let mut group = c.benchmark_group("quick check after the first sign-in");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(60));
    let db = Db::read_only(&ten.database, Some(&ten.key)).unwrap();
    group.bench_function("Db::quick_check of the whole file, on its own connection", |b| {
        b.iter(|| assert_eq!(db.quick_check().unwrap(), Some(Vec::new())))
    });
    group.finish();
}

fn chart_vitals(c: &mut Criterion, ten: &TenYears) {
    let clinic = &ten.clinic;
    let mut sessions = 0;
    let mut group = c.benchmark_group("chart one vitals entry");
    group.bench_function(
        "Clinic::add_vitals (validate + commit + audit row + alert rules)",
        |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut session_id = 0;
                for i in 0..iters {
                    if i % READINGS_PER_SESSION == 0 {
                        sessions += 1;
                        session_id = new_session(clinic, sessions);
                    }
                    let input = vitals(session_id, i);
                    let start = Instant::now();
                    black_box(clinic.add_vitals(input).unwrap());
                    timed += start.elapsed();
                }
                timed
            })
        },
    );

    // The nearest bare baseline: the same table of the same encrypted file, the same pragmas and
    // triggers, one INSERT per transaction (a cached statement, as the app's); no validation, no
    // audit row, no alert rules.
    let session_id = new_session(clinic, 1_000_000);
    let bare = Connection::open(&ten.database).unwrap();
    bare.pragma_update(None, "key", &ten.key).unwrap();
    bare.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
        .unwrap();
    group.bench_function("bare rusqlite INSERT (same table, file, key and pragmas)", |b| {
        b.iter(|| {
            let now = Utc::now().to_rfc3339();
            bare.prepare_cached(
                "INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr, entered_by)
                 VALUES (?1, ?2, ?2, 128, 82, 97, 76, 98, 14, 1)",
            )
            .unwrap()
            .execute((session_id, now))
            .unwrap();
        })
    });
    group.finish();
}

/// Search, opening a session with 30 readings, the day list and the report: what a screen waits for.
fn reading(c: &mut Criterion, ten: &TenYears) {
    let clinic = &ten.clinic;
    let session_id = new_session(clinic, 2_000_000);
    for i in 0..30 {
        clinic.add_vitals(vitals(session_id, i)).unwrap();
    }
    let mut group = c.benchmark_group(format!("ten-year clinic ({} sessions)", ten.sessions));
    for (what, query) in [
        ("patient search by name prefix (\"Oka\")", "Oka"),
        ("patient search by MRN (\"DEMO-004321\")", "DEMO-004321"),
    ] {
        let found = clinic.search_patients(PatientSearch { query: query.into() }).unwrap();
        eprintln!("{what}: {} patients found", found.len());
        group.bench_function(what, |b| {
            b.iter(|| black_box(clinic.search_patients(PatientSearch { query: query.into() }).unwrap()))
        });
    }
    group.bench_function("open a session with 30 vitals (Clinic::get_session)", |b| {
        b.iter(|| black_box(clinic.get_session(SessionRef { session_id }).unwrap()))
    });
    eprintln!(
        "day list of {}: {} sessions",
        ten.last_day,
        clinic.day_list(day_request(ten)).unwrap().entries.len()
    );
    group.bench_function("the day's session list (a full clinic day)", |b| {
        b.iter(|| black_box(clinic.day_list(day_request(ten)).unwrap()))
    });

    let record = clinic.get_session(SessionRef { session_id }).unwrap();
    let clinic_header = ClinicHeader {
        name: "Harbour Ketamine Clinic".into(),
        ..ClinicHeader::default()
    };
    let settings = clinic.get_settings(Nothing {}).unwrap();
    let ctx = Context {
        logo: None,
        clinic: &clinic_header,
        generated_at: Utc::now(),
        generated_by: "Bench Admin",
        report_id: "bench",
    };
    let (pdf, pages) = session_pdf(&record, &settings.alerts, &ctx);
    eprintln!("session report with 30 vitals rows: {} bytes, {pages} pages", pdf.len());
    group.bench_function("session report PDF, 30 vitals rows (layout + PDF bytes)", |b| {
        b.iter(|| black_box(session_pdf(&record, &settings.alerts, &ctx)))
    });
    group.finish();
}

fn day_request(ten: &TenYears) -> DayRequest {
    DayRequest {
        date: Some(ten.last_day.to_string()),
    }
}

fn benches(c: &mut Criterion) {
    let ten = ten_years();
    // First: its warm-up outlasts the quick check that `ten_years`' sign-in started beside.
    quick_check(c, &ten);
    login(c, &ten);
    chart_vitals(c, &ten);
    reading(c, &ten);
}

criterion_group! {
    name = charting;
    config = Criterion::default().sample_size(30).measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(charting);
