//! `Chart`: what the app and the command line can do with the chart, one method per action.
//! Each validates in the domain modules, then stores through `Db`; the answer is what was committed.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Local, SubsecRound, Utc};

use crate::error::Result;
use crate::patients::{Patient, PatientInput, PatientSearch};
use crate::sessions::{PatientRecord, PatientRef, Session, SessionRecord, SessionRef};
use crate::storage::Db;
use crate::vitals::{Vitals, VitalsInput};

/// Shared by every window command; the mutex serialises writers on the one connection.
pub struct Chart {
    db: Mutex<Db>,
}

/// Now, at the millisecond precision timestamps are stored with.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

impl Chart {
    pub fn open(path: &Path, key: Option<&str>) -> Result<Chart> {
        Ok(Chart { db: Mutex::new(Db::open(path, key)?) })
    }

    /// The connection; a panic in another command must not lock every nurse out, so poisoning is ignored.
    fn db(&self) -> MutexGuard<'_, Db> {
        self.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn add_patient(&self, input: PatientInput) -> Result<Patient> {
        let patient = input.validate(Local::now().date_naive())?;
        self.db().insert_patient(&patient, now())
    }

    pub fn search_patients(&self, search: PatientSearch) -> Result<Vec<Patient>> {
        self.db().search_patients(&search.query)
    }

    pub fn patient_record(&self, patient: PatientRef) -> Result<PatientRecord> {
        let db = self.db();
        Ok(PatientRecord { patient: db.patient(patient.patient_id)?, sessions: db.sessions_of_patient(patient.patient_id)? })
    }

    /// Starts the patient's session for today's local date.
    pub fn start_session(&self, patient: PatientRef) -> Result<Session> {
        let mut db = self.db();
        db.patient(patient.patient_id)?;
        db.insert_session(patient.patient_id, Local::now().date_naive(), now())
    }

    pub fn session_record(&self, session: SessionRef) -> Result<SessionRecord> {
        let db = self.db();
        let s = db.session(session.session_id)?;
        Ok(SessionRecord { patient: db.patient(s.patient_id)?, vitals: db.vitals_of_session(s.id)?, session: s })
    }

    /// Validates and commits one vitals reading; returns it only once it is durably stored.
    pub fn add_vitals(&self, input: VitalsInput) -> Result<Vitals> {
        let mut db = self.db();
        let session = db.session(input.session_id)?;
        let recorded_at = now();
        let reading = input.validate(session.session_date, recorded_at)?;
        db.insert_vitals(&reading, recorded_at)
    }
}
