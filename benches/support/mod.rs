//! The clinic after ten years that the benchmarks run on: 5,000 patients, 50,000 sessions and about
//! 1,000,000 vitals rows, charted by the `demo-data` generator (seed 1, ending today). It is built once
//! into target/bench-data (delete that folder to rebuild) and copied for each run, so runs never
//! change it. INFUSION_BENCH_SESSIONS builds a smaller one for a quick look.

use std::path::{Path, PathBuf};

use chrono::{Datelike, Local, NaiveDate};
use infusion_chart::app::clinic::Nothing;
use infusion_chart::app::demo::DemoRequest;
use infusion_chart::domain::patients::{Indication, PatientInput, Sex};
use infusion_chart::domain::preparation::{ChecklistInput, Pregnancy};
use infusion_chart::domain::protocols::DoseInput;
use infusion_chart::domain::users::{Credentials, Role, UserInput};
use infusion_chart::domain::vitals::VitalsInput;
use infusion_chart::domain::weight::WeightUnit;
use infusion_chart::outside::keyring::Keyring;
use infusion_chart::storage::LATEST_VERSION;
use infusion_chart::Clinic;

/// Raise when the demo generator changes, so the cached database is built again.
const GENERATOR: u32 = 2;
pub const ADMIN: &str = "bench";
pub const PASSWORD: &str = "bench-password-1";

pub fn credentials() -> Credentials {
    Credentials {
        username: ADMIN.into(),
        password: PASSWORD.into(),
    }
}

/// A private copy of the ten-year database, signed in as an admin who also charts and co-signs.
/// Each benchmark binary reads the fields it needs.
#[allow(dead_code)]
pub struct TenYears {
    pub _dir: tempfile::TempDir,
    pub database: PathBuf,
    /// The last day of the history: a full clinic day.
    pub last_day: NaiveDate,
    pub sessions: u32,
    /// The SQLCipher key, for the bare baselines that open the file directly.
    pub key: String,
    pub clinic: Clinic,
}

pub fn ten_years() -> TenYears {
    let sessions: u32 = std::env::var("INFUSION_BENCH_SESSIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    let cache = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-data")
        .join(format!("ten-years-s{sessions}-schema{LATEST_VERSION}-v{GENERATOR}"));
    let done = cache.join("built-through");
    if !done.exists() {
        build(&cache, sessions);
    }
    let last_day = std::fs::read_to_string(&done).unwrap().trim().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("infusion-chart.db");
    let source = cache.join("infusion-chart.db");
    std::fs::copy(&source, &database).unwrap();
    std::fs::copy(Keyring::path_beside(&source), Keyring::path_beside(&database)).unwrap();
    let clinic = Clinic::open(&database).unwrap();
    let key = clinic.key_for(&credentials()).unwrap().0.sqlcipher_key().to_string();
    clinic.login(credentials()).unwrap();
    TenYears {
        _dir: dir,
        database,
        last_day,
        sessions,
        key,
        clinic,
    }
}

fn build(cache: &Path, sessions: u32) {
    let _ = std::fs::remove_dir_all(cache);
    std::fs::create_dir_all(cache).unwrap();
    let clinic = Clinic::open(&cache.join("infusion-chart.db")).unwrap();
    clinic
        .setup(UserInput {
            username: Some(ADMIN.into()),
            display_name: Some("Bench Admin".into()),
            password: Some(PASSWORD.into()),
            password_confirm: Some(PASSWORD.into()),
            roles: vec![Role::Nurse, Role::Physician],
        })
        .unwrap();
    // The last weekday before today: a full clinic day, apart from the sessions the benchmarks chart today.
    let mut last_day = Local::now().date_naive() - chrono::Duration::days(1);
    while matches!(last_day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
        last_day -= chrono::Duration::days(1);
    }
    let request = DemoRequest {
        patients: (sessions / 10).max(1),
        sessions,
        seed: 1,
        last_day,
    };
    let started = std::time::Instant::now();
    let loaded = clinic
        .demo_data(request, |done, total| {
            eprint!("\rbuilding the ten-year database: {done}/{total} sessions")
        })
        .unwrap();
    eprintln!(
        "\nbuilt in {:.0} s: {:?}; {:.1} MB on disk",
        started.elapsed().as_secs_f64(),
        loaded.tables,
        loaded.bytes as f64 / 1e6
    );
    clinic.logout(Nothing {}).unwrap();
    std::fs::write(cache.join("built-through"), last_day.to_string()).unwrap();
}

/// A new patient's session today, ready for vitals: a realistic flowsheet holds about 30 readings,
/// so the charting benchmark moves to a fresh session every 30 (outside the timed part).
#[allow(dead_code)]
pub fn new_session(clinic: &Clinic, n: usize) -> i64 {
    let patient = clinic
        .add_patient(PatientInput {
            family_name: Some("Okafor".into()),
            given_names: Some("Ada".into()),
            date_of_birth: Some("1980-01-01".into()),
            mrn: Some(format!("BENCH-{n}")),
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
    let session = clinic.start_session(dose).unwrap().id;
    clinic
        .save_checklist(ChecklistInput {
            session_id: session,
            consent_on_file: true,
            fasting_confirmed: true,
            escort_confirmed: true,
            escort_name: Some("Sam Okafor".into()),
            medication_changes_reviewed: true,
            pregnancy: Some(Pregnancy::NegativeTest),
            iv_site: Some("Left antecubital".into()),
            iv_gauge: Some(22.0),
            vial_lot: Some("KT-1".into()),
            vial_expiry: Some("2099-12".into()),
            completed_at: None,
        })
        .unwrap();
    session
}

/// Reading `i` of a session: its clinical time now, the systolic varying.
#[allow(dead_code)]
pub fn vitals(session_id: i64, i: u64) -> VitalsInput {
    VitalsInput {
        session_id,
        clinical_time: Some(chrono::Utc::now().to_rfc3339()),
        sbp: Some(110.0 + (i % 40) as f64),
        dbp: Some(72.0),
        hr: Some(76.0),
        spo2: Some(98.0),
        rr: Some(14.0),
        temp_c: None,
        etco2: None,
        dissociation: Some(3.0),
        moaas: Some(5.0),
    }
}
