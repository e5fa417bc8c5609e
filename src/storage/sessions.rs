use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{parse_date, parse_ts, ts, Db};
use crate::audit::{Action, Event};
use crate::error::{Error, Result};
use crate::protocols::{DosePlan, SessionDose};
use crate::sessions::{Session, SessionStatus};
use crate::users::User;

/// The columns of a session: its status derived from its signatures, its dose with the protocol's name.
const COLUMNS: &str = "id, patient_id, session_date, started_at,
    CASE WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'physician') THEN 'cosigned'
         WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'nurse') THEN 'signed'
         ELSE 'open' END,
    protocol_id, (SELECT name FROM protocols p WHERE p.id = sessions.protocol_id), dose_plan, dose_override_reason,
    (SELECT display_name FROM users u WHERE u.id = sessions.dose_override_by)";

/// The dose a new session starts with; `override_reason` is a physician's, for a dose above the soft limit.
pub struct NewDose {
    pub protocol_id: i64,
    pub plan: DosePlan,
    pub override_reason: Option<String>,
}

fn session(r: &Row) -> rusqlite::Result<Session> {
    let status = match r.get::<_, String>(4)?.as_str() {
        "cosigned" => SessionStatus::Cosigned,
        "signed" => SessionStatus::Signed,
        _ => SessionStatus::Open,
    };
    let dose = match (r.get::<_, Option<i64>>(5)?, r.get::<_, Option<String>>(7)?) {
        (Some(protocol_id), Some(plan)) => Some(SessionDose {
            protocol_id,
            protocol_name: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
            plan: serde_json::from_str(&plan)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, Box::new(e)))?,
            override_reason: r.get(8)?,
            override_by: r.get(9)?,
        }),
        _ => None,
    };
    Ok(Session {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        started_at: parse_ts(3, r.get(3)?)?,
        status,
        dose,
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
        let tx = self.conn.transaction()?;
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
                                   dose_override_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            rusqlite::params![
                patient_id,
                date.to_string(),
                ts(&now),
                by.id,
                dose.protocol_id,
                serde_json::to_string(&dose.plan).expect("serialisable"),
                dose.override_reason,
                dose.override_reason.as_ref().map(|_| by.id)
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
        self.by_id("sessions", COLUMNS, id, session, "session")
    }

    /// A patient's sessions, newest first.
    pub fn sessions_of_patient(&self, patient_id: i64) -> Result<Vec<Session>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM sessions WHERE patient_id = ?1 ORDER BY session_date DESC, id DESC"
        ))?;
        let rows = stmt.query_map([patient_id], session)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether `user_id` started the session or charted any entry in it.
    pub fn charted_in_session(&self, session_id: i64, user_id: i64) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sessions WHERE id = ?1 AND started_by = ?2)
                 OR EXISTS (SELECT 1 FROM vitals WHERE session_id = ?1 AND entered_by = ?2)",
            (session_id, user_id),
            |r| r.get(0),
        )?)
    }
}
