use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{parse_date, parse_ts, ts, Db};
use crate::audit::{Action, Event};
use crate::error::{Error, Result};
use crate::sessions::{Session, SessionStatus};
use crate::users::User;

/// The columns of a session, its status derived from its signatures.
const COLUMNS: &str = "id, patient_id, session_date, started_at,
    CASE WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'physician') THEN 'cosigned'
         WHEN EXISTS (SELECT 1 FROM signatures g WHERE g.session_id = sessions.id AND g.role = 'nurse') THEN 'signed'
         ELSE 'open' END";

fn session(r: &Row) -> rusqlite::Result<Session> {
    let status = match r.get::<_, String>(4)?.as_str() {
        "cosigned" => SessionStatus::Cosigned,
        "signed" => SessionStatus::Signed,
        _ => SessionStatus::Open,
    };
    Ok(Session {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        started_at: parse_ts(3, r.get(3)?)?,
        status,
    })
}

impl Db {
    /// Starts the patient's session for `date`; refused if one already exists that day.
    pub fn insert_session(&mut self, patient_id: i64, date: NaiveDate, by: &User, now: DateTime<Utc>) -> Result<Session> {
        let tx = self.conn.transaction()?;
        let exists: Option<i64> = tx
            .query_row(
                "SELECT id FROM sessions WHERE patient_id = ?1 AND session_date = ?2",
                (patient_id, date.to_string()),
                |r| r.get(0),
            )
            .optional()?;
        if exists.is_some() {
            return Err(Error::Conflict(format!("This patient already has a session on {date}. Open it from the patient's list.")));
        }
        tx.execute(
            "INSERT INTO sessions (patient_id, session_date, started_at, started_by) VALUES (?1, ?2, ?3, ?4)",
            (patient_id, date.to_string(), ts(&now), by.id),
        )?;
        let id = tx.last_insert_rowid();
        let created = tx.query_row(&format!("SELECT {COLUMNS} FROM sessions WHERE id = ?1"), [id], session)?;
        let event = Event::new(Action::SessionStarted).record("sessions", id).patient(patient_id).change(None::<()>, Some(&created));
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
