use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};

use super::{name_column, parse_date, parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::preparation::{Checklist, NewChecklist, Waste};
use crate::domain::users::User;
use crate::error::Result;

const CHECKLIST: &str = "SELECT c.id, c.session_id, c.escort_name, c.pregnancy, c.iv_site, c.iv_gauge, c.vial_lot,
    c.vial_expiry, c.recorded_at, u.display_name, COALESCE(c.completed_at, c.recorded_at)
    FROM checklists c JOIN users u ON u.id = c.entered_by";
const WASTE: &str =
    "SELECT w.id, w.session_id, w.clinical_time, w.recorded_at, w.amount_mg, u.display_name, x.display_name
    FROM wastes w JOIN users u ON u.id = w.entered_by JOIN users x ON x.id = w.witness_id";

fn checklist(r: &Row) -> rusqlite::Result<Checklist> {
    Ok(Checklist {
        id: r.get(0)?,
        session_id: r.get(1)?,
        escort_name: r.get(2)?,
        pregnancy: name_column(3, r.get(3)?)?,
        iv_site: r.get(4)?,
        iv_gauge: r.get(5)?,
        vial_lot: r.get(6)?,
        vial_expiry: parse_date(7, r.get(7)?)?,
        recorded_at: parse_ts(8, r.get(8)?)?,
        entered_by: r.get(9)?,
        completed_at: parse_ts(10, r.get(10)?)?,
    })
}

fn waste(r: &Row) -> rusqlite::Result<Waste> {
    Ok(Waste {
        id: r.get(0)?,
        session_id: r.get(1)?,
        clinical_time: parse_ts(2, r.get(2)?)?,
        recorded_at: parse_ts(3, r.get(3)?)?,
        amount_mg: r.get(4)?,
        entered_by: r.get(5)?,
        witness: r.get(6)?,
        late: false,
    })
}

fn read_checklist(conn: &Connection, id: i64) -> rusqlite::Result<Checklist> {
    conn.query_row(&format!("{CHECKLIST} WHERE c.id = ?1"), [id], checklist)
}

impl Db {
    /// Saves the session's checklist; saving again replaces it, the old answers kept in the audit trail.
    pub fn save_checklist(
        &mut self,
        c: &NewChecklist,
        patient_id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Checklist> {
        let values = rusqlite::params![
            c.session_id,
            c.escort_name,
            c.pregnancy.name(),
            c.iv_site,
            c.iv_gauge,
            c.vial_lot,
            c.vial_expiry.to_string(),
            ts(&now),
            by.id,
            ts(&c.completed_at)
        ];
        let event = (Event::new(Action::ChecklistSaved).patient(patient_id), "checklists");
        match self.checklist_of(c.session_id)? {
            None => self.insert_audited(
                (
                    "INSERT INTO checklists (session_id, consent_on_file, fasting_confirmed, escort_confirmed, escort_name,
                         medication_changes_reviewed, pregnancy, iv_site, iv_gauge, vial_lot, vial_expiry, recorded_at, entered_by,
                         completed_at)
                     VALUES (?1, 1, 1, 1, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    values,
                ),
                read_checklist,
                event,
                by,
                now,
            ),
            Some(old) => self.update_audited(
                old.id,
                (
                    "UPDATE checklists SET escort_name = ?2, pregnancy = ?3, iv_site = ?4, iv_gauge = ?5, vial_lot = ?6,
                         vial_expiry = ?7, recorded_at = ?8, entered_by = ?9, completed_at = ?10
                     WHERE session_id = ?1",
                    values,
                ),
                read_checklist,
                event,
                by,
                now,
            ),
        }
    }

    pub fn checklist_of(&self, session_id: i64) -> Result<Option<Checklist>> {
        Ok(self
            .conn
            .query_row(&format!("{CHECKLIST} WHERE c.session_id = ?1"), [session_id], checklist)
            .optional()?)
    }

    pub fn insert_waste(
        &mut self,
        (session_id, patient_id): (i64, i64),
        (at, amount_mg): (DateTime<Utc>, f64),
        witness: &User,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Waste> {
        self.insert_audited(
            (
                "INSERT INTO wastes (session_id, clinical_time, recorded_at, amount_mg, entered_by, witness_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (session_id, ts(&at), ts(&now), amount_mg, by.id, witness.id),
            ),
            |conn, id| conn.query_row(&format!("{WASTE} WHERE w.id = ?1"), [id], waste),
            (Event::new(Action::WasteRecorded).patient(patient_id), "wastes"),
            by,
            now,
        )
    }

    pub fn wastes_of(&self, session_id: i64) -> Result<Vec<Waste>> {
        self.all(
            &format!("{WASTE} WHERE w.session_id = ?1 ORDER BY w.clinical_time, w.id"),
            [session_id],
            waste,
        )
    }
}
