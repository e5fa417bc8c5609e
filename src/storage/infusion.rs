use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::audit::{append, Author};
use super::{alerts, name_column, parse_ts, ts, Db};
use crate::domain::alerts::Rule;
use crate::domain::audit::{Action, Event};
use crate::domain::infusion::{InfusionEvent, NewEvent};
use crate::domain::users::User;
use crate::error::Result;

const COLUMNS: &str = "e.id, e.session_id, e.kind, e.clinical_time, e.recorded_at, e.rate_ml_per_h, e.bolus_mg, u.display_name, e.hold_override,
    e.baseline_vitals_id, e.scales_not_taken";
const FROM: &str = "infusion_events e JOIN users u ON u.id = e.entered_by";

fn event(r: &Row) -> rusqlite::Result<InfusionEvent> {
    Ok(InfusionEvent {
        id: r.get(0)?,
        session_id: r.get(1)?,
        kind: name_column(2, r.get(2)?)?,
        clinical_time: parse_ts(3, r.get(3)?)?,
        recorded_at: parse_ts(4, r.get(4)?)?,
        rate_ml_per_h: r.get(5)?,
        bolus_mg: r.get(6)?,
        entered_by: r.get(7)?,
        hold_override: r.get(8)?,
        baseline_vitals_id: r.get(9)?,
        scales_not_taken: r.get(10)?,
        late: false,
    })
}

impl Db {
    /// Commits one infusion event with its audit row, and the alerts on the infusion it raises
    /// (`alerts::infusion`), in one transaction; returns it as stored.
    pub fn insert_event(
        &mut self,
        e: &NewEvent,
        patient_id: i64,
        raised: &[(Rule, String)],
        by: &User,
        recorded_at: DateTime<Utc>,
    ) -> Result<InfusionEvent> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO infusion_events (session_id, kind, clinical_time, recorded_at, rate_ml_per_h, bolus_mg, entered_by,
                                          hold_override, baseline_vitals_id, scales_not_taken)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            rusqlite::params![
                e.session_id,
                e.kind.name(),
                ts(&e.clinical_time),
                ts(&recorded_at),
                e.rate_ml_per_h,
                e.bolus_mg,
                by.id,
                e.hold_override,
                e.baseline_vitals_id,
                e.scales_not_taken
            ],
        )?;
        let id = tx.last_insert_rowid();
        let stored = tx.query_row(&format!("SELECT {COLUMNS} FROM {FROM} WHERE e.id = ?1"), [id], event)?;
        let audit = Event::new(Action::InfusionEventAdded)
            .patient(patient_id)
            .record("infusion_events", id)
            .change(None::<()>, Some(&stored));
        append(&tx, &Author::from(by), &audit, recorded_at)?;
        alerts::infusion(&tx, (e.session_id, patient_id), raised, by, recorded_at)?;
        tx.commit()?;
        Ok(stored)
    }

    /// A session's infusion events in clinical-time order.
    pub fn events_of_session(&self, session_id: i64) -> Result<Vec<InfusionEvent>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE e.session_id = ?1 ORDER BY e.clinical_time, e.id"),
            [session_id],
            event,
        )
    }
}
