//! A clinic on a temp-dir database with a clock the test moves, and its staff.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Local, TimeZone, Utc};
use infusion_chart::app::backups::Restored;
use infusion_chart::app::clinic::{Clock, Nothing};
use infusion_chart::domain::patients::{Indication, Patient, PatientInput, Sex};
use infusion_chart::domain::preparation::{ChecklistInput, Pregnancy};
use infusion_chart::domain::protocols::DoseInput;
use infusion_chart::domain::sessions::Session;
use infusion_chart::domain::users::{Credentials, PasswordChange, Role, User, UserInput};
use infusion_chart::domain::vitals::{Vitals, VitalsInput};
use infusion_chart::domain::weight::WeightUnit;
use infusion_chart::outside::crypto::DataKey;
use infusion_chart::Clinic;
use rusqlite::Connection;
use tempfile::TempDir;

pub struct TestClock(Mutex<DateTime<Utc>>);

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        TestClock::now(self)
    }
}

impl TestClock {
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }

    pub fn advance(&self, minutes: i64) {
        *self.0.lock().unwrap() += Duration::minutes(minutes);
    }
}

pub struct Fixture {
    _dir: TempDir,
    pub path: PathBuf,
    pub clinic: Clinic,
    pub clock: Arc<TestClock>,
    pub recovery_key: String,
}

/// `path` (the chart or a backup) opened with the clinic's key, as the sqlite3 tool would.
pub fn keyed(path: &Path, recovery_key: &str) -> Connection {
    let conn = raw_connection(path);
    let key = DataKey::from_recovery_code(recovery_key).unwrap();
    conn.pragma_update(None, "key", key.sqlcipher_key().as_str()).unwrap();
    conn
}

/// A connection of the test's own to `path` (to read or tamper with a file as another program
/// would), made once SQLite and SQLCipher have started (`storage::start`).
pub fn raw_connection(path: &Path) -> Connection {
    infusion_chart::storage::start();
    Connection::open(path).unwrap()
}

fn noon_today() -> DateTime<Utc> {
    let noon = Local::now().date_naive().and_hms_opt(12, 0, 0).unwrap();
    Local.from_local_datetime(&noon).earliest().unwrap().with_timezone(&Utc)
}

pub fn password(username: &str) -> String {
    format!("{username}-password-1")
}

impl Fixture {
    /// A clinic before setup, its clock at local noon today: moving it by minutes or hours never
    /// rolls "today" over mid-test.
    pub fn empty() -> (TempDir, PathBuf, Arc<TestClock>, Clinic) {
        Fixture::empty_at(noon_today())
    }

    /// A clinic before setup, its clock at `start`.
    pub fn empty_at(start: DateTime<Utc>) -> (TempDir, PathBuf, Arc<TestClock>, Clinic) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("infusion-chart.db");
        let clock = Arc::new(TestClock(Mutex::new(start)));
        let clinic = Clinic::with_clock(&path, clock.clone()).unwrap();
        (dir, path, clock, clinic)
    }

    /// A clinic set up elsewhere: a laptop that joined a clinic server, whose recovery key is the
    /// clinic's (the server tests, which share this file).
    #[allow(dead_code)]
    pub fn joined(dir: TempDir, path: PathBuf, clock: Arc<TestClock>, clinic: Clinic, recovery_key: String) -> Fixture {
        Fixture {
            _dir: dir,
            path,
            clinic,
            clock,
            recovery_key,
        }
    }

    /// Set up with admin "ada" (admin only), nurse "nina" and physician "omar", nobody signed in.
    pub fn staffed() -> Fixture {
        Fixture::staffed_at(noon_today())
    }

    /// `staffed`, its clock at `start`.
    pub fn staffed_at(start: DateTime<Utc>) -> Fixture {
        Fixture::staffed_with(Fixture::empty_at(start))
    }

    fn staffed_with((dir, path, clock, clinic): (TempDir, PathBuf, Arc<TestClock>, Clinic)) -> Fixture {
        let done = clinic
            .setup(UserInput {
                username: Some("ada".into()),
                display_name: Some("Ada Admin".into()),
                password: Some(password("ada")),
                password_confirm: Some(password("ada")),
                roles: vec![],
            })
            .unwrap();
        let f = Fixture {
            _dir: dir,
            path,
            clinic,
            clock,
            recovery_key: done.recovery_key,
        };
        f.add_user("nina", "Nina Park", Role::Nurse);
        f.add_user("omar", "Dr Omar Haddad", Role::Physician);
        f.clinic.logout(Nothing {}).unwrap();
        for name in ["nina", "omar"] {
            f.first_sign_in(name);
        }
        f
    }

    /// Adds an account (the admin must be signed in) with the temporary password `temporary-NAME`.
    pub fn add_user(&self, username: &str, name: &str, role: Role) -> User {
        self.add_user_with_roles(username, name, &[role])
    }

    pub fn add_user_with_roles(&self, username: &str, name: &str, roles: &[Role]) -> User {
        self.clinic
            .add_user(UserInput {
                username: Some(username.into()),
                display_name: Some(name.into()),
                password: Some(format!("temporary-{username}")),
                password_confirm: None,
                roles: roles.to_vec(),
            })
            .unwrap()
    }

    /// Signs in with the temporary password and sets the real one, then signs out.
    pub fn first_sign_in(&self, username: &str) {
        self.clinic
            .login(creds(username, &format!("temporary-{username}")))
            .unwrap();
        self.clinic
            .change_password(PasswordChange {
                current_password: format!("temporary-{username}"),
                new_password: password(username),
                new_password_confirm: password(username),
            })
            .unwrap();
        self.clinic.logout(Nothing {}).unwrap();
    }

    /// Signs out whoever is signed in and signs `username` in.
    pub fn as_user(&self, username: &str) -> &Clinic {
        self.clinic.logout(Nothing {}).unwrap();
        self.clinic.login(creds(username, &password(username))).unwrap();
        &self.clinic
    }

    pub fn add_patient(&self, mrn: &str) -> Patient {
        self.clinic.add_patient(patient_input(mrn)).unwrap()
    }

    pub fn start_session(&self, patient: &Patient) -> Session {
        self.clinic.start_session(dose_input(patient)).unwrap()
    }

    /// Saves a complete pre-infusion checklist, as a nurse does before the start.
    pub fn prepare(&self, session: &Session) {
        self.clinic.save_checklist(checklist_input(session.id)).unwrap();
    }

    pub fn chart_vitals(&self, session: &Session, sbp: f64, dbp: f64) -> Vitals {
        self.clinic
            .add_vitals(vitals_input(session.id, self.clock.now(), sbp, dbp))
            .unwrap()
    }

    /// A raw connection to the file, as someone with the key and the sqlite3 tool would have.
    pub fn raw(&self) -> Connection {
        keyed(&self.path, &self.recovery_key)
    }
}

/// Today's session on the default protocol (0.5 mg/kg over 40 min) at the recorded weight.
pub fn dose_input(patient: &Patient) -> DoseInput {
    DoseInput {
        patient_id: patient.id,
        protocol_id: 1,
        weight: Some(patient.weight.value),
        weight_unit: Some(patient.weight.unit),
        dose_mg_per_kg: None,
        weight_confirmed: false,
        override_reason: None,
        chair: Some("2".into()),
    }
}

/// A complete pre-infusion checklist with an unexpired vial.
pub fn checklist_input(session_id: i64) -> ChecklistInput {
    ChecklistInput {
        session_id,
        consent_on_file: true,
        fasting_confirmed: true,
        escort_confirmed: true,
        escort_name: Some("Sam Okafor".into()),
        medication_changes_reviewed: true,
        pregnancy: Some(Pregnancy::NotApplicable),
        iv_site: Some("Left antecubital".into()),
        iv_gauge: Some(22.0),
        vial_lot: Some("KX2291".into()),
        vial_expiry: Some("2099-12".into()),
        completed_at: None,
    }
}

pub fn creds(username: &str, password: &str) -> Credentials {
    Credentials {
        username: username.into(),
        password: password.into(),
    }
}

pub fn patient_input(mrn: &str) -> PatientInput {
    PatientInput {
        family_name: Some("Nguyễn-O'Brien".into()),
        given_names: Some("Zoë".into()),
        date_of_birth: Some("1984-03-27".into()),
        mrn: Some(mrn.into()),
        sex: Some(Sex::Female),
        weight: Some(72.5),
        weight_unit: Some(WeightUnit::Kg),
        allergies: Some("None known".into()),
        indication: Some(Indication::TreatmentResistantDepression),
        ..PatientInput::default()
    }
}

pub fn vitals_input(session_id: i64, at: DateTime<Utc>, sbp: f64, dbp: f64) -> VitalsInput {
    VitalsInput {
        session_id,
        clinical_time: Some(at.to_rfc3339()),
        sbp: Some(sbp),
        dbp: Some(dbp),
        hr: Some(76.0),
        spo2: Some(98.0),
        rr: Some(14.0),
        temp_c: Some(36.8),
        etco2: None,
        dissociation: None,
        moaas: None,
    }
}

/// Admin ada restores the newest backup over a damaged database, which is moved aside, not erased.
pub fn restore_damaged(clinic: &Clinic) -> Restored {
    let restored = clinic.restore_newest(creds("ada", &password("ada"))).unwrap();
    assert!(
        restored.previous_kept_at.contains(".damaged-"),
        "{}",
        restored.previous_kept_at
    );
    restored
}
