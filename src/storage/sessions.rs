use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row};

use super::{parse_date, parse_ts, ts, Db};
use crate::error::{Error, Result};
use crate::sessions::Session;

const COLUMNS: &str = "id, patient_id, session_date, started_at";

fn session(r: &Row) -> rusqlite::Result<Session> {
    Ok(Session {
        id: r.get(0)?,
        patient_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        started_at: parse_ts(3, r.get(3)?)?,
    })
}

impl Db {
    /// Starts the patient's session for `date`; refused if one already exists that day.
    pub fn insert_session(&mut self, patient_id: i64, date: NaiveDate, now: DateTime<Utc>) -> Result<Session> {
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
            "INSERT INTO sessions (patient_id, session_date, started_at) VALUES (?1, ?2, ?3)",
            (patient_id, date.to_string(), ts(&now)),
        )?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        self.session(id)
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
}
