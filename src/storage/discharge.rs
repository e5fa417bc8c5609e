use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row};

use super::{parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::discharge::{Aldrete, Discharge, NewAldrete, NewDischarge};
use crate::domain::users::User;
use crate::error::Result;

const ALDRETE: &str = "SELECT a.id, a.session_id, a.clinical_time, a.recorded_at, a.activity, a.respiration,
    a.circulation, a.consciousness, a.oxygen, u.display_name FROM aldrete_scores a JOIN users u ON u.id = a.entered_by";
const DISCHARGE: &str = "SELECT d.id, d.session_id, d.clinical_time, d.recorded_at, d.aldrete_total, d.escort_name,
    d.instructions_given, d.override_reason, o.display_name, u.display_name
    FROM discharges d JOIN users u ON u.id = d.entered_by LEFT JOIN users o ON o.id = d.override_by";

fn aldrete(r: &Row) -> rusqlite::Result<Aldrete> {
    let items: [i64; 5] = [r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?];
    Ok(Aldrete {
        id: r.get(0)?,
        session_id: r.get(1)?,
        clinical_time: parse_ts(2, r.get(2)?)?,
        recorded_at: parse_ts(3, r.get(3)?)?,
        total: items.iter().sum(),
        items,
        entered_by: r.get(9)?,
        late: false,
    })
}

fn discharge(r: &Row) -> rusqlite::Result<Discharge> {
    Ok(Discharge {
        id: r.get(0)?,
        session_id: r.get(1)?,
        clinical_time: parse_ts(2, r.get(2)?)?,
        recorded_at: parse_ts(3, r.get(3)?)?,
        aldrete_total: r.get(4)?,
        escort_name: r.get(5)?,
        instructions_given: r.get(6)?,
        override_reason: r.get(7)?,
        override_by: r.get(8)?,
        entered_by: r.get(9)?,
        late: false,
    })
}

impl Db {
    pub fn insert_aldrete(
        &mut self,
        a: &NewAldrete,
        patient_id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Aldrete> {
        let [activity, respiration, circulation, consciousness, oxygen] = a.items;
        self.insert_audited(
            (
                "INSERT INTO aldrete_scores (session_id, clinical_time, recorded_at, activity, respiration, circulation,
                     consciousness, oxygen, entered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                rusqlite::params![
                    a.session_id,
                    ts(&a.clinical_time),
                    ts(&now),
                    activity,
                    respiration,
                    circulation,
                    consciousness,
                    oxygen,
                    by.id
                ],
            ),
            |conn, id| conn.query_row(&format!("{ALDRETE} WHERE a.id = ?1"), [id], aldrete),
            (Event::new(Action::AldreteScored).patient(patient_id), "aldrete_scores"),
            by,
            now,
        )
    }

    pub fn aldrete_of(&self, session_id: i64) -> Result<Vec<Aldrete>> {
        self.all(
            &format!("{ALDRETE} WHERE a.session_id = ?1 ORDER BY a.clinical_time, a.id"),
            [session_id],
            aldrete,
        )
    }

    /// Records the discharge with the score it was made on; `override_reason` is the physician's (`by`).
    pub fn insert_discharge(
        &mut self,
        d: &NewDischarge,
        (patient_id, aldrete_total): (i64, i64),
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Discharge> {
        self.insert_audited(
            (
                "INSERT INTO discharges (session_id, clinical_time, recorded_at, aldrete_total, escort_name,
                     instructions_given, override_reason, override_by, entered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8)",
                rusqlite::params![
                    d.session_id,
                    ts(&d.clinical_time),
                    ts(&now),
                    aldrete_total,
                    d.escort_name,
                    d.override_reason,
                    d.override_reason.as_ref().map(|_| by.id),
                    by.id
                ],
            ),
            |conn, id| conn.query_row(&format!("{DISCHARGE} WHERE d.id = ?1"), [id], discharge),
            (Event::new(Action::PatientDischarged).patient(patient_id), "discharges"),
            by,
            now,
        )
    }

    pub fn discharge_of(&self, session_id: i64) -> Result<Option<Discharge>> {
        Ok(self
            .conn
            .query_row(&format!("{DISCHARGE} WHERE d.session_id = ?1"), [session_id], discharge)
            .optional()?)
    }
}
