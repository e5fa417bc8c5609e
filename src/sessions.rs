//! Infusion sessions: one visit of a patient to the chair, charted live.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::Alert;
use crate::infusion::{Cadence, Infusion, InfusionEvent};
use crate::notes::Note;
use crate::patients::Patient;
use crate::protocols::SessionDose;
use crate::signing::{Addendum, Signature};
use crate::vitals::Vitals;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    /// Being charted.
    Open,
    /// Signed by the nurse: locked.
    Signed,
    /// Co-signed by a physician.
    Cosigned,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub id: i64,
    pub patient_id: i64,
    /// The clinic's local calendar date of the session.
    pub session_date: NaiveDate,
    pub started_at: DateTime<Utc>,
    pub status: SessionStatus,
    /// The protocol and dose it was started with (none for sessions charted before protocols existed).
    pub dose: Option<SessionDose>,
}

/// Names one patient in a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientRef {
    pub patient_id: i64,
}

/// Names one session in a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRef {
    pub session_id: i64,
}

/// A patient with their sessions, newest first: the patient screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRecord {
    pub patient: Patient,
    pub sessions: Vec<Session>,
}

/// A session with its patient, flowsheet (clinical-time order), signatures and addenda: the session screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionRecord {
    pub session: Session,
    pub patient: Patient,
    pub vitals: Vec<Vitals>,
    pub events: Vec<InfusionEvent>,
    /// The pump as the events describe it now: state, elapsed time, rate, mg given.
    pub infusion: Infusion,
    /// Why the infusion may not start yet (no baseline, or baseline BP above the hold), if so.
    pub hold: Option<String>,
    /// When the next vitals are due, and whether the 40-minute check is still to be taken.
    pub cadence: Cadence,
    pub alerts: Vec<Alert>,
    pub notes: Vec<Note>,
    pub signatures: Vec<Signature>,
    pub addenda: Vec<Addendum>,
}
