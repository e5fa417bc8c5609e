//! Infusion sessions: one visit of a patient to the chair, charted live.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::alerts::Alert;
use crate::domain::catalogue::catalogue;
use crate::domain::discharge::Aftercare;
use crate::domain::infusion::{Cadence, EventKind, Infusion, InfusionEvent, Progress};
use crate::domain::notes::Note;
use crate::domain::outcomes::{OutcomeScore, Scale, Trend};
use crate::domain::patients::Patient;
use crate::domain::preparation::{Checklist, Waste};
use crate::domain::protocols::SessionDose;
use crate::domain::side_effects::{Intervention, SideEffect};
use crate::domain::signing::{Addendum, Signature};
use crate::domain::vitals::Vitals;

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
    /// When the session was opened.
    pub started_at: DateTime<Utc>,
    /// When the patient arrived: the opening, unless moved back (with `arrival_reason`). Nothing
    /// is charted before it.
    pub arrived_at: DateTime<Utc>,
    pub arrival_reason: Option<String>,
    pub status: SessionStatus,
    /// The protocol and dose it was started with (none for sessions charted before protocols existed).
    pub dose: Option<SessionDose>,
    /// The infusion chair, as the clinic names them.
    pub chair: Option<String>,
    /// The laptop of the clinic that opened it and alone charts it; None: this one.
    pub laptop: Option<String>,
}

/// What charting an entry needs to know of its session: whose it is, its date, and whether it is
/// still open (read without the dose and protocol a whole `Session` carries: every entry asks).
#[derive(Debug, Clone, PartialEq)]
pub struct SessionHead {
    pub id: i64,
    pub patient_id: i64,
    pub session_date: NaiveDate,
    pub arrived_at: DateTime<Utc>,
    pub status: SessionStatus,
    /// The laptop of the clinic that opened it and alone charts it; None: this one.
    pub laptop: Option<String>,
}

/// The longest reason for moving an arrival back.
pub const MAX_ARRIVAL_REASON_CHARS: usize = 500;

/// The patient arrived before the session was opened: the time, resolved by `read_clinical_time`
/// with `for_arrival`, and why it is moved.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArrivalMove {
    pub session_id: i64,
    /// RFC 3339.
    pub arrived_at: Option<String>,
    pub reason: Option<String>,
}

impl ArrivalMove {
    /// The earlier arrival and its reason: before the one recorded (so every entry stays after
    /// it), by at most `clock::ARRIVAL_MOVE_LIMIT`.
    pub fn validate(self, arrived: DateTime<Utc>) -> crate::error::Result<(DateTime<Utc>, String)> {
        use crate::domain::clock::{hm, ARRIVAL_MOVE_LIMIT};
        let mut c = crate::domain::validate::Checker::new();
        let at = c.timestamp(self.arrived_at, "Arrival time", "a time like 10:40");
        let reason = c.text(
            self.reason,
            "Reason for moving the arrival time",
            MAX_ARRIVAL_REASON_CHARS,
        );
        if let Some(at) = at.map(|t| t.with_timezone(&Utc)) {
            if at >= arrived || at < arrived - ARRIVAL_MOVE_LIMIT {
                c.problem(format!(
                    "Arrival time may only move back, by at most {} hours, from {}.",
                    ARRIVAL_MOVE_LIMIT.num_hours(),
                    hm(arrived)
                ));
            }
        }
        c.finish()?;
        Ok((at.expect("checked").with_timezone(&Utc), reason.expect("checked")))
    }
}

catalogue! {
    /// Where a session is in the day, for the day list.
    Stage {
        BeforeInfusion => "Before infusion",
        Infusing => "Infusing",
        Paused => "Paused",
        Recovery => "Recovery",
        Discharged => "Discharged",
    }
}

impl Stage {
    /// The stage from the last infusion event (in the pump's order) and whether the patient has left.
    pub fn of(last_event: Option<EventKind>, discharged: bool) -> Stage {
        match (discharged, last_event) {
            (true, _) => Stage::Discharged,
            (false, None) => Stage::BeforeInfusion,
            (false, Some(EventKind::Stop)) => Stage::Recovery,
            (false, Some(EventKind::Pause)) => Stage::Paused,
            (false, Some(_)) => Stage::Infusing,
        }
    }
}

/// One row of the day list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayEntry {
    pub session_id: i64,
    pub patient_id: i64,
    pub patient_name: String,
    pub mrn: String,
    pub chair: Option<String>,
    /// The laptop of the clinic that charts it; None: this one.
    pub laptop: Option<String>,
    pub started_at: DateTime<Utc>,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub status: SessionStatus,
    /// The patient's banner flags (contraindications, flagged medications, allergies).
    pub flags: Vec<String>,
    /// While the infusion runs or is paused: mg given so far, and where it stands against its plan
    /// (planned end, the stop due).
    pub mg_given: Option<f64>,
    pub progress: Option<Progress>,
}

/// Which day's list: empty for today; a date as typed (domain/dates.rs).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DayRequest {
    pub date: Option<String>,
}

/// The day list: the day as read (ISO, whatever form it was typed in) and its sessions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayList {
    pub date: NaiveDate,
    pub entries: Vec<DayEntry>,
}

/// Names one patient in a request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientRef {
    pub patient_id: i64,
}

/// Names one session in a request.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionRef {
    pub session_id: i64,
}

/// A patient with their sessions, newest first: the patient screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientRecord {
    pub patient: Patient,
    pub sessions: Vec<Session>,
    /// The course on each outcome scale across the series.
    pub outcomes: Vec<Trend>,
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
    /// The one baseline reading (`infusion::baseline`): what the start was, or would be, judged on.
    pub baseline: Option<Vitals>,
    /// Why the infusion may not start yet (no baseline, or baseline BP above the hold), if so.
    pub hold: Option<String>,
    /// A started infusion against its plan: planned mg and end, whether the stop is due.
    pub progress: Option<Progress>,
    /// When the next vitals are due, and whether the 40-minute check is still to be taken.
    pub cadence: Cadence,
    pub alerts: Vec<Alert>,
    pub notes: Vec<Note>,
    /// The pre-infusion checklist with the vial, once saved.
    pub checklist: Option<Checklist>,
    pub wastes: Vec<Waste>,
    /// Outcome scores taken for this session (before it, and 24 hours / 1 week after).
    pub outcomes: Vec<OutcomeScore>,
    /// The protocol's scales not yet scored before the infusion.
    pub scales_due: Vec<Scale>,
    pub side_effects: Vec<SideEffect>,
    pub interventions: Vec<Intervention>,
    pub aftercare: Aftercare,
    pub signatures: Vec<Signature>,
    pub addenda: Vec<Addendum>,
}
