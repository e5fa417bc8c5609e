use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::{json_column, name_column, parse_date, parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::outcomes::{warning, NewOutcome, OutcomeScore, Scale};
use crate::domain::users::User;
use crate::error::Result;

const SCORE: &str = "SELECT o.id, o.session_id, s.session_date, o.scale, o.timepoint, o.clinical_time, o.recorded_at,
    o.items, o.total, u.display_name
    FROM outcome_scores o JOIN sessions s ON s.id = o.session_id JOIN users u ON u.id = o.entered_by";

fn score(r: &Row) -> rusqlite::Result<OutcomeScore> {
    let scale: Scale = name_column(3, r.get(3)?)?;
    let items: Vec<i64> = json_column(7, r.get(7)?)?;
    let total: i64 = r.get(8)?;
    Ok(OutcomeScore {
        id: r.get(0)?,
        session_id: r.get(1)?,
        session_date: parse_date(2, r.get(2)?)?,
        scale,
        timepoint: name_column(4, r.get(4)?)?,
        clinical_time: parse_ts(5, r.get(5)?)?,
        recorded_at: parse_ts(6, r.get(6)?)?,
        warning: warning(scale, &items),
        items,
        severity: scale.severity(total),
        total,
        entered_by: r.get(9)?,
    })
}

impl Db {
    pub fn insert_outcome(
        &mut self,
        o: &NewOutcome,
        patient_id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<OutcomeScore> {
        self.insert_audited(
            (
                "INSERT INTO outcome_scores (patient_id, session_id, scale, timepoint, items, total, clinical_time,
                     recorded_at, entered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    patient_id,
                    o.session_id,
                    o.scale.name(),
                    o.timepoint.name(),
                    serde_json::to_string(&o.items).expect("numbers"),
                    o.total,
                    ts(&o.clinical_time),
                    ts(&now),
                    by.id
                ],
            ),
            |conn, id| conn.query_row(&format!("{SCORE} WHERE o.id = ?1"), [id], score),
            (Event::new(Action::OutcomeScored).patient(patient_id), "outcome_scores"),
            by,
            now,
        )
    }

    /// Whether the session already has this scale at this timepoint.
    pub fn outcome_exists(&self, o: &NewOutcome) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM outcome_scores WHERE session_id = ?1 AND scale = ?2 AND timepoint = ?3)",
            (o.session_id, o.scale.name(), o.timepoint.name()),
            |r| r.get(0),
        )?)
    }

    pub fn outcomes_of_session(&self, session_id: i64) -> Result<Vec<OutcomeScore>> {
        self.all(
            &format!("{SCORE} WHERE o.session_id = ?1 ORDER BY o.clinical_time, o.id"),
            [session_id],
            score,
        )
    }

    pub fn outcomes_of_patient(&self, patient_id: i64) -> Result<Vec<OutcomeScore>> {
        self.all(
            &format!("{SCORE} WHERE o.patient_id = ?1 ORDER BY o.clinical_time, o.id"),
            [patient_id],
            score,
        )
    }
}
