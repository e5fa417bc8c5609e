//! Charting actions, one function per thing a nurse or physician does. Each validates in the domain
//! modules, checks the session's state, then stores through `Db` (which writes the audit row in the
//! same transaction). `Clinic` has already checked who is signed in and what their roles allow.

use chrono::{DateTime, Duration, Local, Utc};

use crate::alerts::{AlertRef, Thresholds};
use crate::error::{Error, Result};
use crate::infusion::{baseline_hold, cadence, summarise, EventInput, EventKind, InfusionEvent, PumpState};
use crate::notes::{Note, NoteInput};
use crate::patients::{Patient, PatientInput, PatientSearch};
use crate::protocols::{DoseInput, DosePlan, Limit, Protocol};
use crate::sessions::{PatientRecord, PatientRef, Session, SessionRecord, SessionRef, SessionStatus};
use crate::signing::AddendumInput;
use crate::storage::{Correction, Db, NewDose};
use crate::users::{require, Permission, Role, User};
use crate::validate::Checker;
use crate::vitals::{Vitals, VitalsCorrection, VitalsInput};

const LOCKED: &str = "This session is signed and locked. Corrections are added as addenda.";

pub fn add_patient(db: &mut Db, by: &User, now: DateTime<Utc>, input: PatientInput) -> Result<Patient> {
    let patient = input.validate(now.with_timezone(&Local).date_naive())?;
    db.insert_patient(&patient, by, now)
}

pub fn search_patients(db: &Db, search: PatientSearch) -> Result<Vec<Patient>> {
    db.search_patients(&search.query)
}

pub fn patient_record(db: &Db, patient: PatientRef) -> Result<PatientRecord> {
    Ok(PatientRecord {
        patient: db.patient(patient.patient_id)?,
        sessions: db.sessions_of_patient(patient.patient_id)?,
    })
}

pub fn protocols(db: &Db) -> Result<Vec<Protocol>> {
    db.protocols()
}

/// The dose a session would start with, its arithmetic, and what still needs resolving. Writes nothing.
pub fn dose_preview(db: &Db, input: &DoseInput) -> Result<DosePlan> {
    let patient = db.patient(input.patient_id)?;
    db.active_protocol(input.protocol_id)?.plan(input, patient.weight_kg)
}

/// Starts the patient's session for today's local date on a protocol, once its dose plan has nothing
/// left to resolve. A dose above the soft limit needs a physician and their reason.
pub fn start_session(db: &mut Db, by: &User, now: DateTime<Utc>, input: DoseInput) -> Result<Session> {
    let plan = dose_preview(db, &input)?;
    let override_reason = input
        .override_reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    if plan.limit == Limit::AboveSoft {
        require(by, Permission::Cosign, "confirm a dose above the protocol's soft limit")?;
    }
    plan.ready()?;
    let dose = NewDose {
        protocol_id: input.protocol_id,
        override_reason: override_reason.filter(|_| plan.limit == Limit::AboveSoft),
        plan,
    };
    db.insert_session(input.patient_id, now.with_timezone(&Local).date_naive(), &dose, by, now)
}

/// The session screen at `now`: late entries labelled by the clinic's setting, the pump summarised.
pub fn session_record(db: &Db, now: DateTime<Utc>, session: SessionRef) -> Result<SessionRecord> {
    let s = db.session(session.session_id)?;
    let settings = db.settings()?;
    let late_after = Duration::minutes(settings.late_entry_minutes as i64);
    let late = |recorded: DateTime<Utc>, clinical: DateTime<Utc>| recorded - clinical > late_after;
    let mut vitals = db.vitals_of_session(s.id)?;
    for v in &mut vitals {
        v.late = late(v.recorded_at, v.clinical_time);
    }
    let mut events = db.events_of_session(s.id)?;
    for e in &mut events {
        e.late = late(e.recorded_at, e.clinical_time);
    }
    let mut notes = db.notes_of_session(s.id)?;
    for n in &mut notes {
        n.late = late(n.recorded_at, n.clinical_time);
    }
    let concentration = s.dose.as_ref().map_or(0.0, |d| d.plan.concentration_mg_per_ml);
    let infusion = summarise(&events, concentration, now);
    let hold = if infusion.state == PumpState::NotStarted {
        start_hold(db, &s, &vitals)?
    } else {
        None
    };
    let every = match &s.dose {
        Some(dose) => db.protocol(dose.protocol_id)?.vitals_every_min,
        None => settings.recovery_vitals_every_min as i64,
    };
    Ok(SessionRecord {
        cadence: cadence(
            &vitals,
            &infusion,
            every,
            settings.recovery_vitals_every_min as i64,
            now,
        ),
        hold,
        patient: db.patient(s.patient_id)?,
        vitals,
        infusion,
        events,
        alerts: db.alerts_of_session(s.id)?,
        notes,
        signatures: db.signatures_of(s.id)?,
        addenda: db.addenda_of(s.id)?,
        session: s,
    })
}

fn open_session(db: &Db, session_id: i64) -> Result<Session> {
    let session = db.session(session_id)?;
    if session.status != SessionStatus::Open {
        return Err(Error::Conflict(LOCKED.into()));
    }
    Ok(session)
}

/// Validates and commits one vitals reading, and the alerts it raises; returns it only once it is
/// durably stored.
pub fn add_vitals(
    db: &mut Db,
    thresholds: &Thresholds,
    by: &User,
    now: DateTime<Utc>,
    input: VitalsInput,
) -> Result<Vitals> {
    let session = open_session(db, input.session_id)?;
    let reading = input.validate(session.session_date, now)?;
    db.insert_vitals(&reading, session.patient_id, thresholds, by, now)
}

/// Charts one infusion event (start, rate change, pause, resume, bolus, stop) in the pump's order.
/// A start needs baseline vitals within the protocol's hold threshold, or a physician's override.
pub fn add_event(db: &mut Db, by: &User, now: DateTime<Utc>, input: EventInput) -> Result<InfusionEvent> {
    let session = open_session(db, input.session_id)?;
    let event = input.validate(&db.events_of_session(session.id)?, session.session_date, now)?;
    if event.kind == EventKind::Start {
        let baseline = db.vitals_of_session(session.id)?;
        if let Some(hold) = start_hold(db, &session, &baseline)? {
            if baseline.is_empty() {
                return Err(Error::Conflict(hold));
            }
            require(by, Permission::Cosign, "override a baseline BP hold")?;
            if event.hold_override.is_none() {
                return Err(Error::Validation(hold));
            }
        }
    }
    db.insert_event(&event, session.patient_id, by, now)
}

/// The hold on starting this session's infusion, if any (see `infusion::baseline_hold`).
fn start_hold(db: &Db, session: &Session, series: &[Vitals]) -> Result<Option<String>> {
    let Some(dose) = &session.dose else { return Ok(None) };
    let protocol = db.protocol(dose.protocol_id)?;
    Ok(baseline_hold(series, protocol.hold_sbp, protocol.hold_dbp))
}

/// A timestamped note on an open session.
pub fn add_note(db: &mut Db, by: &User, now: DateTime<Utc>, input: NoteInput) -> Result<Note> {
    let session = open_session(db, input.session_id)?;
    let (at, text) = input.validate(session.session_date, now)?;
    db.insert_note(session.id, session.patient_id, at, &text, by, now)
}

/// Replaces a reading of an unsigned session; the old values stay in the audit trail.
pub fn correct_vitals(
    db: &mut Db,
    thresholds: &Thresholds,
    by: &User,
    now: DateTime<Utc>,
    correction: VitalsCorrection,
) -> Result<Vitals> {
    let stored = db.vitals(correction.vitals_id)?;
    if correction.vitals.session_id != stored.session_id {
        return Err(Error::InvalidRequest(
            "The correction names another session than the entry it corrects. Nothing was saved.".into(),
        ));
    }
    let session = open_session(db, stored.session_id)?;
    let mut c = Checker::new();
    let reason = c.text(correction.reason, "Reason for correction", 200);
    let reading = correction.vitals.validate(session.session_date, now);
    if let Err(e) = &reading {
        c.problem(e.to_string());
    }
    c.finish()?;
    let (reading, reason) = (reading?, reason.expect("checked"));
    db.correct_vitals(
        Correction {
            id: stored.id,
            reading: &reading,
            reason: &reason,
        },
        session.patient_id,
        thresholds,
        by,
        now,
    )
}

/// Records that a nurse or physician has seen an alert (once; never after signing).
pub fn acknowledge_alert(db: &mut Db, by: &User, now: DateTime<Utc>, alert: AlertRef) -> Result<SessionRecord> {
    let (session_id, acknowledged) = db.alert_owner(alert.alert_id)?;
    let session = open_session(db, session_id)?;
    if acknowledged {
        return Err(Error::Conflict("This alert was already acknowledged.".into()));
    }
    db.acknowledge_alert(alert.alert_id, session.patient_id, by, now)?;
    session_record(db, now, SessionRef { session_id })
}

/// The charting nurse signs: the session is locked from then on.
pub fn sign_session(db: &mut Db, by: &User, now: DateTime<Utc>, session: SessionRef) -> Result<SessionRecord> {
    let s = open_session(db, session.session_id)?;
    let pump = summarise(&db.events_of_session(s.id)?, 0.0, now).state;
    if matches!(pump, PumpState::Running | PumpState::Paused) {
        return Err(Error::Conflict(
            "The infusion has not been stopped. Chart its stop before signing.".into(),
        ));
    }
    let open_alerts = db
        .alerts_of_session(s.id)?
        .iter()
        .filter(|a| a.acknowledged_at.is_none())
        .count();
    if open_alerts > 0 {
        return Err(Error::Conflict(format!(
            "Acknowledge the {open_alerts} open alert(s) before signing."
        )));
    }
    if !db.charted_in_session(s.id, by.id)? {
        return Err(Error::Forbidden(format!(
            "Only a nurse who charted this session may sign it. {} has not charted in it.",
            by.display_name
        )));
    }
    db.insert_signature(s.id, s.patient_id, Role::Nurse, by, now)?;
    session_record(db, now, session)
}

/// A physician co-signs a nurse-signed session.
pub fn cosign_session(db: &mut Db, by: &User, now: DateTime<Utc>, session: SessionRef) -> Result<SessionRecord> {
    let s = db.session(session.session_id)?;
    match s.status {
        SessionStatus::Open => {
            return Err(Error::Conflict(
                "The nurse has not signed this session yet; co-sign after the nurse.".into(),
            ))
        }
        SessionStatus::Cosigned => return Err(Error::Conflict("This session is already co-signed.".into())),
        SessionStatus::Signed => {}
    }
    if db
        .signatures_of(s.id)?
        .iter()
        .any(|g| g.role == Role::Nurse && g.user_id == by.id)
    {
        return Err(Error::Forbidden(
            "A physician other than the nurse who signed must co-sign this session.".into(),
        ));
    }
    db.insert_signature(s.id, s.patient_id, Role::Physician, by, now)?;
    session_record(db, now, session)
}

/// A correction or late note on a signed session, kept beside it, never changing it.
pub fn add_addendum(db: &mut Db, by: &User, now: DateTime<Utc>, input: AddendumInput) -> Result<SessionRecord> {
    let s = db.session(input.session_id)?;
    if s.status == SessionStatus::Open {
        return Err(Error::Conflict(
            "This session is not signed yet: correct its entries directly instead of adding an addendum.".into(),
        ));
    }
    let (reason, text) = input.validate()?;
    db.insert_addendum(s.id, s.patient_id, &reason, &text, by, now)?;
    session_record(db, now, SessionRef { session_id: s.id })
}
