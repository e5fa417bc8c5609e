use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{json_column, parse_date, parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::infusion::EventKind;
use crate::domain::patients::{Contraindication, FlaggedMedication, Patient};
use crate::domain::protocols::{DosePlan, Protocol, SessionDose};
use crate::domain::sessions::{DayEntry, Session, SessionHead, SessionStatus, Stage};
use crate::domain::users::User;
use crate::error::{Error, Result};

/// A session's status, from its signatures.
macro_rules! status_sql {
    () => {
        "CASE WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'physician') THEN 'cosigned'
              WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'nurse') THEN 'signed'
              ELSE 'open' END"
    };
}

/// The columns of a session (qualified, so they can be joined): its status, its dose with the
/// protocol's name, its chair, its arrival (14 columns; a join's own columns follow).
const COLUMNS: &str = concat!(
    "sessions.id, sessions.patient_id, sessions.session_date, sessions.started_at, ",
    status_sql!(),
    ", sessions.protocol_id, (SELECT name FROM protocols p WHERE p.id = sessions.protocol_id), sessions.dose_plan,
    sessions.dose_override_reason, (SELECT display_name FROM users u WHERE u.id = sessions.dose_override_by),
    sessions.chair, sessions.protocol_at_start, COALESCE(sessions.arrived_at, sessions.started_at), sessions.arrival_reason,
    sessions.laptop"
);

/// The columns of a `SessionHead`.
const HEAD: &str = concat!(
    "sessions.id, sessions.patient_id, sessions.session_date, COALESCE(sessions.arrived_at, sessions.started_at), ",
    status_sql!(),
    ", sessions.laptop"
);

fn status(idx: usize, r: &Row) -> rusqlite::Result<SessionStatus> {
    Ok(match r.get::<_, String>(idx)?.as_str() {
        "cosigned" => SessionStatus::Cosigned,
        "signed" => SessionStatus::Signed,
        _ => SessionStatus::Open,
    })
}

fn head(r: &Row) -> rusqlite::Result<SessionHead> {
    Ok(SessionHead {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        arrived_at: parse_ts(3, r.get(3)?)?,
        status: status(4, r)?,
        laptop: r.get(5)?,
    })
}

/// The dose a new session starts with; `override_reason` is a physician's, for a dose above the soft limit.
pub struct NewDose {
    pub chair: Option<String>,
    pub protocol: Protocol,
    pub plan: DosePlan,
    pub override_reason: Option<String>,
}

fn session(r: &Row) -> rusqlite::Result<Session> {
    let dose = match (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<String>>(7)?) {
        (Some(protocol_id), Some(plan)) => Some(SessionDose {
            protocol_id,
            protocol_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            plan: json_column(7, plan)?,
            override_reason: r.get(8)?,
            override_by: r.get(9)?,
            protocol_at_start: r
                .get::<_, Option<String>>(11)?
                .map(|p| json_column(11, p))
                .transpose()?,
        }),
        _ => None,
    };
    Ok(Session {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        started_at: parse_ts(3, r.get(3)?)?,
        arrived_at: parse_ts(12, r.get(12)?)?,
        arrival_reason: r.get(13)?,
        status: status(4, r)?,
        dose,
        chair: r.get(10)?,
        laptop: r.get(14)?,
    })
}

impl Db {
    /// Starts the patient's session for `date` with its dose; refused if one already exists that day.
    pub fn insert_session(
        &mut self,
        patient_id: i64,
        date: NaiveDate,
        dose: &NewDose,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Session> {
        let tx = self.write()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM sessions WHERE patient_id = ?1 AND session_date = ?2",
                (patient_id, date.to_string()),
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(Error::Conflict(format!(
                "This patient already has a session on {date}. Open it from the patient's list."
            )));
        }
        tx.execute(
            "INSERT INTO sessions (patient_id, session_date, started_at, started_by, protocol_id, dose_plan, dose_override_reason,
                                   dose_override_by, chair, protocol_at_start)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                patient_id,
                date.to_string(),
                ts(&now),
                by.id,
                dose.protocol.id,
                serde_json::to_string(&dose.plan).expect("serialisable"),
                dose.override_reason,
                dose.override_reason.as_ref().map(|_| by.id),
                dose.chair,
                serde_json::to_string(&dose.protocol).expect("serialisable")
            ],
        )?;
        let id = tx.last_insert_rowid();
        let created = tx.query_row(&format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"), [id], session)?;
        let event = Event::new(Action::SessionStarted)
            .record("sessions", id)
            .patient(patient_id)
            .change(None::<()>, Some(&created));
        append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(created)
    }

    pub fn session(&self, id: i64) -> Result<Session> {
        super::by_id(&self.conn, "sessions", COLUMNS, id, session, "session")
    }

    /// Moves the patient's arrival back, with the reason; the old time stays in the audit trail.
    pub fn move_arrival(
        &mut self,
        head: &SessionHead,
        (at, reason): (DateTime<Utc>, &str),
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Session> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE sessions SET arrived_at = ?2, arrival_reason = ?3 WHERE id = ?1",
            (head.id, ts(&at), reason),
        )?;
        let event = Event::new(Action::ArrivalMoved)
            .record("sessions", head.id)
            .patient(head.patient_id)
            .change(Some(ts(&head.arrived_at)), Some(ts(&at)))
            .detail(reason);
        append(&tx, &Author::from(by), &event, now)?;
        let moved = tx.query_row(
            &format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"),
            [head.id],
            session,
        )?;
        tx.commit()?;
        Ok(moved)
    }

    pub fn session_head(&self, id: i64) -> Result<SessionHead> {
        super::by_id(&self.conn, "sessions", HEAD, id, head, "session")
    }

    /// A patient's sessions, newest first.
    pub fn sessions_of_patient(&self, patient_id: i64) -> Result<Vec<Session>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM sessions WHERE patient_id = ?1 ORDER BY session_date DESC, id DESC"),
            [patient_id],
            session,
        )
    }

    /// The sessions of `date` by chair (unnamed chairs last) and start time.
    pub fn day_list(&self, date: NaiveDate) -> Result<Vec<DayEntry>> {
        self.all(
            &format!(
                "SELECT {COLUMNS}, p.family_name || ', ' || p.given_names, p.mrn,
                        (SELECT e.kind FROM infusion_events e WHERE e.session_id = sessions.id
                          ORDER BY e.clinical_time DESC, e.id DESC LIMIT 1),
                        EXISTS (SELECT 1 FROM discharges d WHERE d.session_id = sessions.id),
                        p.contraindications, p.flagged_medications, p.allergies
                 FROM sessions JOIN patients p ON p.id = sessions.patient_id
                 WHERE sessions.session_date = ?1
                 ORDER BY sessions.chair IS NULL, sessions.chair, sessions.started_at, sessions.id"
            ),
            [date.to_string()],
            |r| {
                let s = session(r)?;
                let last: Option<String> = r.get(17)?;
                let stage = Stage::of(last.as_deref().and_then(EventKind::from_name), r.get(18)?);
                let contraindications: Vec<Contraindication> = json_column(19, r.get(19)?)?;
                let medications: Vec<FlaggedMedication> = json_column(20, r.get(20)?)?;
                Ok(DayEntry {
                    session_id: s.id,
                    patient_id: s.patient_id,
                    patient_name: r.get(15)?,
                    mrn: r.get(16)?,
                    chair: s.chair,
                    laptop: s.laptop,
                    started_at: s.started_at,
                    stage,
                    stage_label: stage.label(),
                    status: s.status,
                    mg_given: None,
                    progress: None,
                    flags: Patient::flags_of(&contraindications, &medications, &r.get::<_, String>(21)?),
                })
            },
        )
    }

    /// Whether `user_id` started the session or charted any entry in it.
    pub fn charted_in_session(&self, session_id: i64, user_id: i64) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND started_by = ?2)
                 OR EXISTS (SELECT 1 FROM vitals WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM infusion_events WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM notes WHERE session_id = ?1 AND author_id = ?2)
                 OR EXISTS (SELECT 1 FROM checklists WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM side_effects WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM interventions WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM aldrete_scores WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM discharges WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM wastes WHERE session_id = ?1 AND entered_by = ?2)
                 OR EXISTS (SELECT 1 FROM outcome_scores WHERE session_id = ?1 AND entered_by = ?2)",
            (session_id, user_id),
            |r| r.get(0),
        )?)
    }
}
