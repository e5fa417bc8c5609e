//! Charting actions, one function per thing a nurse or physician does. Each validates in the domain
//! modules, checks the session's state, then stores through `Db` (which writes the audit row in the
//! same transaction). The gate (`Clinic::gate`) has already checked who is signed in and what their
//! roles allow; the command table (`commands.rs`) hands each its guard's database, user and clock.

use chrono::{DateTime, Duration, Local, Utc};

use crate::app::access::check_credentials;
use crate::app::clinic::Guard;
use crate::domain::alerts::{mark_beyond, AlertRef, Thresholds};
use crate::domain::clock::{self, TimeReading, TypedTime};
use crate::domain::discharge::{
    discharge_holds, minutes_between, Aftercare, Aldrete, AldreteInput, DischargeInput, NewDischarge,
};
use crate::domain::infusion::{
    baseline, baseline_before, cadence, overrun_alerts, progress, start_hold, summarise, EventInput, EventKind,
    InfusionEvent, PumpState,
};
use crate::domain::late::mark_late;
use crate::domain::notes::{Note, NoteInput};
use crate::domain::outcomes::{scales_due, skip_due_scales, trends, OutcomeInput, OutcomeScore, Timepoint};
use crate::domain::patients::{Patient, PatientInput, PatientSearch, PatientUpdate};
use crate::domain::preparation::{Checklist, ChecklistInput, Waste, WasteInput};
use crate::domain::protocols::{
    DoseInput, DosePlan, Limit, Protocol, ProtocolInput, MAX_CHAIR_CHARS, MAX_DOSE_OVERRIDE_CHARS,
};
use crate::domain::sessions::{
    ArrivalMove, DayList, DayRequest, PatientRecord, PatientRef, Session, SessionHead, SessionRecord, SessionRef,
    SessionStatus, Stage,
};
use crate::domain::settings::Settings;
use crate::domain::side_effects::{Intervention, InterventionInput, Resolution, SideEffect, SideEffectInput};
use crate::domain::signing::AddendumInput;
use crate::domain::users::{require, Credentials, Permission, Role, User};
use crate::domain::validate::{clinic_date, Checker};
use crate::domain::vitals::{Vitals, VitalsCorrection, VitalsInput, MAX_CORRECTION_REASON_CHARS};
use crate::error::{Error, Result};
use crate::storage::{Correction, Db, NewDose};

const LOCKED: &str = "This session is signed and locked. Corrections are added as addenda.";

pub fn add_patient(db: &mut Db, by: &User, now: DateTime<Utc>, input: PatientInput) -> Result<Patient> {
    let patient = input.validate(clinic_date(now))?;
    db.insert_patient(&patient, by, now)
}

/// Changes a patient's details; the old record stays in the audit trail.
pub fn update_patient(db: &mut Db, by: &User, now: DateTime<Utc>, update: PatientUpdate) -> Result<Patient> {
    let patient = update.patient.validate(clinic_date(now))?;
    db.update_patient(update.patient_id, &patient, by, now)
}

pub fn search_patients(db: &Db, search: PatientSearch) -> Result<Vec<Patient>> {
    db.search_patients(&search.query)
}

/// The patient screen: details, sessions newest first, and the course of every outcome scale.
pub fn patient_record(db: &Db, patient: PatientRef) -> Result<PatientRecord> {
    Ok(PatientRecord {
        patient: db.patient(patient.patient_id)?,
        sessions: db.sessions_of_patient(patient.patient_id)?,
        outcomes: trends(&db.outcomes_of_patient(patient.patient_id)?),
    })
}

/// A patient's series for its report: the patient screen's record and every session's, oldest first.
pub fn series(
    db: &Db,
    settings: &Settings,
    now: DateTime<Utc>,
    patient: PatientRef,
) -> Result<(PatientRecord, Vec<SessionRecord>)> {
    let record = patient_record(db, patient)?;
    let sessions = record
        .sessions
        .iter()
        .rev()
        .map(|s| session_record(db, settings, now, SessionRef { session_id: s.id }))
        .collect::<Result<Vec<_>>>()?;
    Ok((record, sessions))
}

/// The day's sessions by chair and start time, with where each one is, and the day as read.
pub fn day_list(db: &Db, now: DateTime<Utc>, request: DayRequest) -> Result<DayList> {
    let mut c = Checker::new();
    let date = c.optional_date(request.date, "Day");
    c.finish()?;
    let date = date.unwrap_or_else(|| clinic_date(now));
    let mut entries = db.day_list(date)?;
    // The infusions under way, against their plans: a few chairs a day, read one by one.
    for entry in entries
        .iter_mut()
        .filter(|e| matches!(e.stage, Stage::Infusing | Stage::Paused))
    {
        let session = db.session(entry.session_id)?;
        let (Some(protocol), Some(dose)) = (protocol_of(db, &session)?, &session.dose) else {
            continue;
        };
        let pump = summarise(
            &db.events_of_session(session.id)?,
            dose.plan.concentration_mg_per_ml,
            now,
        );
        entry.mg_given = Some(pump.mg_given);
        entry.progress = progress(&pump, &dose.plan, &protocol, now);
    }
    Ok(DayList { date, entries })
}

pub fn protocols(db: &Db) -> Result<Vec<Protocol>> {
    db.protocols()
}

/// The dose a session would start with, its arithmetic, and what still needs resolving. Writes nothing.
pub fn dose_preview(db: &Db, input: &DoseInput) -> Result<DosePlan> {
    Ok(planned(db, input)?.1)
}

/// The protocol a session would start on, and its dose plan.
fn planned(db: &Db, input: &DoseInput) -> Result<(Protocol, DosePlan)> {
    let patient = db.patient(input.patient_id)?;
    let protocol = db.active_protocol(input.protocol_id)?;
    let plan = protocol.plan(input, patient.weight)?;
    Ok((protocol, plan))
}

/// The protocol a session runs on: as it was at the session's start, or (for sessions started
/// before that was kept) as it is now.
fn protocol_of(db: &Db, session: &Session) -> Result<Option<Protocol>> {
    match &session.dose {
        Some(dose) => match &dose.protocol_at_start {
            Some(protocol) => Ok(Some(protocol.clone())),
            None => db.protocol(dose.protocol_id).map(Some),
        },
        None => Ok(None),
    }
}

/// Starts the patient's session for today's local date on a protocol, once its dose plan has nothing
/// left to resolve. A dose above the soft limit needs a physician and their reason.
pub fn start_session(db: &mut Db, by: &User, now: DateTime<Utc>, input: DoseInput) -> Result<Session> {
    let (protocol, plan) = planned(db, &input)?;
    if plan.limit == Limit::AboveSoft {
        require(by, Permission::Cosign, "confirm a dose above the protocol's soft limit")?;
    }
    let mut c = Checker::new();
    let chair = c.optional_text(input.chair.clone(), "Chair", MAX_CHAIR_CHARS);
    let override_reason = c.optional_text(
        input.override_reason.clone(),
        "Override reason",
        MAX_DOSE_OVERRIDE_CHARS,
    );
    c.finish()?;
    plan.ready()?;
    let dose = NewDose {
        chair,
        protocol,
        override_reason: override_reason.filter(|_| plan.limit == Limit::AboveSoft),
        plan,
    };
    db.insert_session(input.patient_id, clinic_date(now), &dose, by, now)
}

/// The session screen at `now`: late entries labelled by the clinic's setting, the pump summarised,
/// recovery times and what discharge would still need.
pub fn session_record(db: &Db, settings: &Settings, now: DateTime<Utc>, session: SessionRef) -> Result<SessionRecord> {
    let s = db.session(session.session_id)?;
    let late_after = Duration::minutes(settings.late_entry_minutes as i64);
    let mut vitals = db.vitals_of_session(s.id)?;
    let mut events = db.events_of_session(s.id)?;
    let mut notes = db.notes_of_session(s.id)?;
    let mut side_effects = db.side_effects_of(s.id)?;
    let mut interventions = db.interventions_of(s.id)?;
    let mut wastes = db.wastes_of(s.id)?;
    let mut aldrete = db.aldrete_of(s.id)?;
    let mut discharge = db.discharge_of(s.id)?;
    mark_late(&mut vitals, late_after);
    mark_late(&mut events, late_after);
    mark_late(&mut notes, late_after);
    mark_late(&mut side_effects, late_after);
    mark_late(&mut interventions, late_after);
    mark_late(&mut wastes, late_after);
    mark_late(&mut aldrete, late_after);
    mark_late(discharge.as_mut_slice(), late_after);
    let protocol = protocol_of(db, &s)?;
    let concentration = s.dose.as_ref().map_or(0.0, |d| d.plan.concentration_mg_per_ml);
    let infusion = summarise(&events, concentration, now);
    let checklist = db.checklist_of(s.id)?;
    let baseline_hold = baseline(&vitals, &events, now)
        .map(|b| b.id)
        .zip(protocol.as_ref())
        .map(|(id, p)| (id, p.hold_sbp, p.hold_dbp));
    mark_beyond(&mut vitals, &settings.alerts, baseline_hold);
    let baseline = baseline(&vitals, &events, now).cloned();
    let hold = if infusion.state == PumpState::NotStarted {
        start_hold(protocol.as_ref(), checklist.is_some(), baseline.as_ref())
    } else {
        None
    };
    let progress = match (&protocol, &s.dose) {
        (Some(p), Some(dose)) => progress(&infusion, &dose.plan, p, now),
        _ => None,
    };
    let every = protocol
        .as_ref()
        .map_or(settings.recovery_vitals_every_min as i64, |p| p.vitals_every_min);
    let outcomes = db.outcomes_of_session(s.id)?;
    let scales_due = protocol
        .as_ref()
        .map_or_else(Vec::new, |p| scales_due(&p.outcome_scales, &outcomes));
    let stopped_at = infusion.stopped_at;
    let end = discharge.as_ref().map_or(now, |d| d.clinical_time);
    let aftercare = Aftercare {
        recovery_minutes: minutes_between(stopped_at, Some(end)),
        chair_minutes: minutes_between(Some(s.arrived_at), Some(end)),
        holds: match (&discharge, aldrete.last()) {
            (None, Some(latest)) => discharge_holds(
                latest.total,
                settings.discharge_min_aldrete as i64,
                stopped_at,
                protocol.as_ref().map_or(0, |p| p.observation_min),
                now,
            ),
            _ => Vec::new(),
        },
        min_aldrete: settings.discharge_min_aldrete as i64,
        aldrete,
        discharge,
    };
    Ok(SessionRecord {
        cadence: cadence(
            &vitals,
            &infusion,
            every,
            settings.recovery_vitals_every_min as i64,
            now,
        ),
        baseline,
        hold,
        progress,
        patient: db.patient(s.patient_id)?,
        vitals,
        infusion,
        events,
        alerts: db.alerts_of_session(s.id)?,
        notes,
        checklist,
        wastes,
        outcomes,
        scales_due,
        side_effects,
        interventions,
        aftercare,
        signatures: db.signatures_of(s.id)?,
        addenda: db.addenda_of(s.id)?,
        session: s,
    })
}

fn open_session(db: &Db, session_id: i64) -> Result<SessionHead> {
    let session = db.session_head(session_id)?;
    if session.status != SessionStatus::Open {
        return Err(Error::Conflict(LOCKED.into()));
    }
    if let Some(laptop) = &session.laptop {
        return Err(Error::Conflict(format!(
            "This session is charted on laptop {laptop}, which opened it; chart it there. Addenda and co-signatures may be added here once it is signed."
        )));
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
    let reading = input.validate(session.arrived_at, now)?;
    db.insert_vitals(&reading, session.patient_id, thresholds, by, now)
}

/// Charts one infusion event (start, rate change, pause, resume, bolus, stop) in the pump's order,
/// with the alerts it raises if the infusion has run past its plan. A start needs the checklist and
/// a baseline reading taken before it, within the protocol's hold threshold or with a physician's
/// override, and the nurse's confirmation if outcome scales due before it are not taken.
pub fn add_event(db: &mut Db, by: &User, now: DateTime<Utc>, input: EventInput) -> Result<InfusionEvent> {
    let session = open_session(db, input.session_id)?;
    let start_without_scales = input.start_without_scales;
    let earlier = db.events_of_session(session.id)?;
    let mut event = input.validate(&earlier, session.arrived_at, now)?;
    let full = db.session(session.id)?;
    let protocol = protocol_of(db, &full)?;
    let mut overridden = false;
    if event.kind == EventKind::Start {
        let series = db.vitals_of_session(session.id)?;
        let baseline = baseline_before(&series, event.clinical_time);
        let checklist = db.checklist_of(session.id)?;
        if let Some(done) = checklist.as_ref().filter(|c| c.completed_at > event.clinical_time) {
            return Err(Error::Conflict(format!(
                "The infusion cannot start before the pre-infusion checklist was completed, at {}.",
                clock::hm(done.completed_at)
            )));
        }
        let checklist_done = checklist.is_some();
        if let Some(hold) = start_hold(protocol.as_ref(), checklist_done, baseline) {
            if baseline.is_none() || !checklist_done {
                return Err(Error::Conflict(hold));
            }
            require(by, Permission::Cosign, "override a baseline BP hold")?;
            if event.hold_override.is_none() {
                return Err(Error::Validation(hold));
            }
            overridden = true;
        }
        event.baseline_vitals_id = baseline.map(|v| v.id);
        let due = match &protocol {
            Some(p) => scales_due(&p.outcome_scales, &db.outcomes_of_session(session.id)?),
            None => Vec::new(),
        };
        event.scales_not_taken = skip_due_scales(&due, start_without_scales)?;
    }
    // A reason typed where no hold applied overrides nothing and is not charted as an override.
    if !overridden {
        event.hold_override = None;
    }
    let raised = match (&protocol, &full.dose) {
        (Some(p), Some(dose)) => {
            let mut after = earlier;
            after.push(InfusionEvent::charted(&event, by, now));
            let pump = summarise(&after, dose.plan.concentration_mg_per_ml, event.clinical_time);
            progress(&pump, &dose.plan, p, event.clinical_time).map_or_else(Vec::new, |at| overrun_alerts(&pump, &at))
        }
        _ => Vec::new(),
    };
    db.insert_event(&event, session.patient_id, &raised, by, now)
}

/// The session screen's watch over a running infusion: raises the alerts it has come to (past its
/// plan, at the hard limit) as time passes, then answers with the record.
pub fn review_infusion(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    session: SessionRef,
) -> Result<SessionRecord> {
    let record = session_record(db, settings, now, session)?;
    // Another laptop's session is reviewed there, by the laptop that charts it.
    if record.session.status != SessionStatus::Open || !record.infusion.in_progress() || record.session.laptop.is_some()
    {
        return Ok(record);
    }
    let raised = record
        .progress
        .as_ref()
        .map_or_else(Vec::new, |p| overrun_alerts(&record.infusion, p));
    let new = raised
        .iter()
        .any(|(rule, _)| !record.alerts.iter().any(|a| a.rule == *rule && a.vitals_id.is_none()));
    if !new {
        return Ok(record);
    }
    db.raise_infusion_alerts((record.session.id, record.session.patient_id), &raised, by, now)?;
    session_record(db, settings, now, session)
}

/// Moves the patient's arrival back (they were in the chair before the session was opened).
pub fn move_arrival(db: &mut Db, by: &User, now: DateTime<Utc>, input: ArrivalMove) -> Result<Session> {
    let session = open_session(db, input.session_id)?;
    let (at, reason) = input.validate(session.arrived_at)?;
    db.move_arrival(&session, (at, &reason), by, now)
}

/// The instants a time the nurse typed can name for an entry of a session (two in the hour
/// repeated when the clocks go back); writes nothing.
pub fn read_clinical_time(db: &Db, now: DateTime<Utc>, typed: TypedTime) -> Result<TimeReading> {
    let session = db.session_head(typed.session_id)?;
    let choices = if typed.for_arrival {
        clock::arrival_choices(&Local, &typed.text, session.arrived_at)?
    } else {
        clock::choices(&Local, "Clinical time", &typed.text, session.arrived_at, now)?
    };
    Ok(TimeReading { choices })
}

/// A timestamped note on an open session.
pub fn add_note(db: &mut Db, by: &User, now: DateTime<Utc>, input: NoteInput) -> Result<Note> {
    let session = open_session(db, input.session_id)?;
    let (at, text) = input.validate(session.arrived_at, now)?;
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
    let reason = c.text(correction.reason, "Reason for correction", MAX_CORRECTION_REASON_CHARS);
    let reading = correction.vitals.validate(session.arrived_at, now);
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
pub fn acknowledge_alert(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    alert: AlertRef,
) -> Result<SessionRecord> {
    let (session_id, acknowledged) = db.alert_owner(alert.alert_id)?;
    let session = open_session(db, session_id)?;
    if acknowledged {
        return Err(Error::Conflict("This alert was already acknowledged.".into()));
    }
    db.acknowledge_alert(alert.alert_id, session.patient_id, by, now)?;
    session_record(db, settings, now, SessionRef { session_id })
}

/// The charting nurse signs: the session is locked from then on.
pub fn sign_session(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    session: SessionRef,
) -> Result<SessionRecord> {
    let s = open_session(db, session.session_id)?;
    if summarise(&db.events_of_session(s.id)?, 0.0, now).in_progress() {
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
    session_record(db, settings, now, session)
}

/// A physician co-signs a nurse-signed session.
pub fn cosign_session(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    session: SessionRef,
) -> Result<SessionRecord> {
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
    session_record(db, settings, now, session)
}

/// A correction or late note on a signed session, kept beside it, never changing it.
pub fn add_addendum(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    input: AddendumInput,
) -> Result<SessionRecord> {
    let s = db.session(input.session_id)?;
    if s.status == SessionStatus::Open {
        return Err(Error::Conflict(
            "This session is not signed yet: correct its entries directly instead of adding an addendum.".into(),
        ));
    }
    let (reason, text) = input.validate()?;
    db.insert_addendum(s.id, s.patient_id, &reason, &text, by, now)?;
    session_record(db, settings, now, SessionRef { session_id: s.id })
}

/// The pre-infusion checklist of an open session, with the vial's lot and expiry.
pub fn save_checklist(db: &mut Db, by: &User, now: DateTime<Utc>, input: ChecklistInput) -> Result<Checklist> {
    let session = open_session(db, input.session_id)?;
    let checklist = input.validate(session.session_date, session.arrived_at, now)?;
    let start = db
        .events_of_session(session.id)?
        .into_iter()
        .find(|e| e.kind == EventKind::Start);
    if let Some(start) = start.filter(|start| checklist.completed_at > start.clinical_time) {
        return Err(Error::Validation(format!(
            "The checklist must have been completed before the infusion's start at {}.",
            clock::hm(start.clinical_time)
        )));
    }
    db.save_checklist(&checklist, session.patient_id, by, now)
}

/// The waste of what is left in the vial, witnessed by `witness` (already authenticated by `Clinic`).
/// A waste checked against its open session, before the witness is asked for their password.
pub struct CheckedWaste {
    session: SessionHead,
    at: DateTime<Utc>,
    amount_mg: f64,
}

pub fn check_waste(db: &Db, by: &User, now: DateTime<Utc>, input: &WasteInput) -> Result<CheckedWaste> {
    let session = open_session(db, input.session_id)?;
    let (at, amount_mg) = input.validate(session.arrived_at, now)?;
    if input.witness_username.trim().eq_ignore_ascii_case(&by.username) {
        return Err(Error::Validation(
            "The witness must be someone other than the nurse recording the waste.".into(),
        ));
    }
    Ok(CheckedWaste { session, at, amount_mg })
}

/// Records a checked waste once `witness` has proved who they are; only clinical staff witness.
pub fn record_waste(db: &mut Db, by: &User, witness: &User, now: DateTime<Utc>, waste: CheckedWaste) -> Result<Waste> {
    require(witness, Permission::Chart, "witness a waste").map_err(|_| {
        Error::Validation(format!(
            "{} cannot witness a waste: only a nurse or a physician may.",
            witness.display_name
        ))
    })?;
    let s = waste.session;
    db.insert_waste((s.id, s.patient_id), (waste.at, waste.amount_mg), witness, by, now)
}

/// An outcome score. Before-infusion scores need an open session; 24-hour and 1-week scores attach
/// to the series later, even after signing.
pub fn add_outcome(db: &mut Db, by: &User, now: DateTime<Utc>, input: OutcomeInput) -> Result<OutcomeScore> {
    let session = db.session(input.session_id)?;
    let score = input.validate(session.arrived_at, now)?;
    if score.timepoint == Timepoint::PreInfusion && session.status != SessionStatus::Open {
        return Err(Error::Conflict(LOCKED.into()));
    }
    if db.outcome_exists(&score)? {
        return Err(Error::Conflict(format!(
            "{} ({}) is already recorded for this session. Add a note if it needs a comment.",
            score.scale.label(),
            score.timepoint.label().to_lowercase()
        )));
    }
    db.insert_outcome(&score, session.patient_id, by, now)
}

pub fn add_side_effect(db: &mut Db, by: &User, now: DateTime<Utc>, input: SideEffectInput) -> Result<SideEffect> {
    let session = open_session(db, input.session_id)?;
    let effect = input.validate(session.arrived_at, now)?;
    db.insert_side_effect(&effect, session.patient_id, by, now)
}

/// Marks a side effect resolved, once.
pub fn resolve_side_effect(db: &mut Db, by: &User, now: DateTime<Utc>, input: Resolution) -> Result<SideEffect> {
    let effect = db.side_effect(input.side_effect_id)?;
    let session = open_session(db, effect.session_id)?;
    if effect.resolved_at.is_some() {
        return Err(Error::Conflict("This side effect is already marked resolved.".into()));
    }
    let at = input.validate(&effect, session.arrived_at, now)?;
    db.resolve_side_effect((effect.id, session.patient_id), at, by, now)
}

pub fn add_intervention(db: &mut Db, by: &User, now: DateTime<Utc>, input: InterventionInput) -> Result<Intervention> {
    let session = open_session(db, input.session_id)?;
    let intervention = input.validate(session.arrived_at, now)?;
    if let Some(id) = intervention.side_effect_id {
        if db.side_effect(id)?.session_id != session.id {
            return Err(Error::InvalidRequest(
                "The side effect named belongs to another session. Nothing was saved.".into(),
            ));
        }
    }
    db.insert_intervention(&intervention, session.patient_id, by, now)
}

pub fn add_aldrete(db: &mut Db, by: &User, now: DateTime<Utc>, input: AldreteInput) -> Result<Aldrete> {
    let session = open_session(db, input.session_id)?;
    let score = input.validate(session.arrived_at, now)?;
    db.insert_aldrete(&score, session.patient_id, by, now)
}

/// Discharges the patient: the infusion stopped (or never started), a modified Aldrete scored, and
/// a physician's override with a reason for a score below the minimum or an early discharge.
pub fn discharge(
    db: &mut Db,
    settings: &Settings,
    by: &User,
    now: DateTime<Utc>,
    input: DischargeInput,
) -> Result<SessionRecord> {
    let session = open_session(db, input.session_id)?;
    let discharge = input.validate(session.arrived_at, now)?;
    if db.discharge_of(session.id)?.is_some() {
        return Err(Error::Conflict(
            "This patient is already discharged from this session.".into(),
        ));
    }
    let pump = summarise(&db.events_of_session(session.id)?, 0.0, now);
    if pump.in_progress() {
        return Err(Error::Conflict(
            "The infusion has not been stopped. Chart its stop before discharge.".into(),
        ));
    }
    if let Some(stop) = pump.stopped_at.filter(|stop| discharge.clinical_time < *stop) {
        return Err(Error::Validation(format!(
            "Discharge time must not be before the infusion's stop at {}.",
            clock::hm(stop)
        )));
    }
    let Some(latest) = db.aldrete_of(session.id)?.pop() else {
        return Err(Error::Conflict("Score the modified Aldrete before discharge.".into()));
    };
    let observation_min = protocol_of(db, &db.session(session.id)?)?.map_or(0, |p| p.observation_min);
    // Judged at the charted time, but never later than now: a clock running ahead gains no observation time.
    let holds = discharge_holds(
        latest.total,
        settings.discharge_min_aldrete as i64,
        pump.stopped_at,
        observation_min,
        discharge.clinical_time.min(now),
    );
    if !holds.is_empty() {
        if !by.has(Role::Physician) {
            return Err(Error::Forbidden(format!(
                "Only a physician may discharge now: {}",
                holds.join(" ")
            )));
        }
        if discharge.override_reason.is_none() {
            return Err(Error::Validation(format!(
                "{} Enter the override reason.",
                holds.join(" ")
            )));
        }
    }
    let discharge = NewDischarge {
        override_reason: discharge.override_reason.filter(|_| !holds.is_empty()),
        ..discharge
    };
    db.insert_discharge(&discharge, (session.patient_id, latest.total), by, now)?;
    session_record(db, settings, now, SessionRef { session_id: session.id })
}

/// Every protocol, retired ones too (the protocol editor's list).
pub fn all_protocols(db: &Db) -> Result<Vec<Protocol>> {
    db.all_protocols()
}

pub fn save_protocol(db: &mut Db, by: &User, now: DateTime<Utc>, input: ProtocolInput) -> Result<Protocol> {
    db.sync_state()?.clinic_wide_change("Protocols")?;
    db.save_protocol(&input.validate()?, by, now)
}

/// Records a waste; the witness proves who they are with their own password (failures count
/// toward their sign-in throttle, like any sign-in).
pub fn witnessed_waste(g: &mut Guard, input: WasteInput) -> Result<Waste> {
    let waste = check_waste(g.db, &g.by, g.now, &input)?;
    let witness = Credentials {
        username: input.witness_username.clone(),
        password: input.witness_password.clone(),
    };
    let (_, slot) = check_credentials(g.clinic, g.keyring, Some(&mut *g.db), &witness, g.now).map_err(|e| match e {
        Error::Unauthenticated(_) => {
            Error::Validation("The witness's username or password is not right. Nothing was saved.".into())
        }
        other => other,
    })?;
    let witness = g.db.user(slot.user_id)?;
    if !witness.active {
        return Err(Error::Validation("The witness's account is disabled.".into()));
    }
    record_waste(g.db, &g.by, &witness, g.now, waste)
}
