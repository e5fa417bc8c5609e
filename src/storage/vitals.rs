use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row};

use super::alerts;
use super::audit::{append, Author};
use super::{parse_ts, rows, ts, Db};
use crate::domain::alerts::{Thresholds, RULE_REACH_MINUTES};
use crate::domain::audit::{Action, Event};
use crate::domain::users::User;
use crate::domain::vitals::{mean_arterial_pressure, Beyond, NewVitals, Vitals};
use crate::error::{Error, Result};

const COLUMNS: &str = "v.id, v.session_id, v.clinical_time, v.recorded_at, v.sbp, v.dbp, v.map, v.hr, v.spo2, v.rr,
    v.temp_c, v.etco2, COALESCE(u.display_name, ''), v.corrected_at IS NOT NULL, v.dissociation, v.moaas";
const FROM: &str = "vitals v LEFT JOIN users u ON u.id = v.entered_by";

fn vitals(r: &Row) -> rusqlite::Result<Vitals> {
    Ok(Vitals {
        id: r.get(0)?,
        session_id: r.get(1)?,
        clinical_time: parse_ts(2, r.get(2)?)?,
        recorded_at: parse_ts(3, r.get(3)?)?,
        sbp: r.get(4)?,
        dbp: r.get(5)?,
        map: r.get(6)?,
        hr: r.get(7)?,
        spo2: r.get(8)?,
        rr: r.get(9)?,
        temp_c: r.get(10)?,
        etco2: r.get(11)?,
        entered_by: r.get(12)?,
        corrected: r.get(13)?,
        dissociation: r.get(14)?,
        moaas: r.get(15)?,
        late: false,
        beyond: Beyond::default(),
    })
}

fn read(conn: &Connection, id: i64) -> Result<Vitals> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM {FROM} WHERE v.id = ?1"))?
        .query_row([id], vitals)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("No vitals entry with id {id} was found.")))
}

/// Which reading is corrected, to what, and why.
pub struct Correction<'a> {
    pub id: i64,
    pub reading: &'a NewVitals,
    pub reason: &'a str,
}

/// A session's readings in clinical-time order, on any connection or transaction.
fn series(conn: &Connection, session_id: i64) -> Result<Vec<Vitals>> {
    rows(
        conn,
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE v.session_id = ?1 ORDER BY v.clinical_time, v.id"),
        [session_id],
        vitals,
    )
}

/// The readings within `RULE_REACH_MINUTES` of `at`, in clinical-time order: all that the alert rules
/// need to judge a reading charted or corrected at `at`.
fn around(conn: &Connection, session_id: i64, at: DateTime<Utc>) -> Result<Vec<Vitals>> {
    let reach = chrono::Duration::minutes(RULE_REACH_MINUTES);
    let (from, to) = (at - reach, at + reach);
    rows(conn, &format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE v.session_id = ?1 AND v.clinical_time BETWEEN ?2 AND ?3 ORDER BY v.clinical_time, v.id"
    ), (session_id, ts(&from), ts(&to)), vitals)
}

impl Db {
    /// Commits one reading with its audit row (durably: WAL + synchronous=FULL) and returns it as stored.
    /// Alerts the reading raises are stored in the same transaction (`thresholds`: the clinic's setting).
    pub fn insert_vitals(
        &mut self,
        v: &NewVitals,
        patient_id: i64,
        thresholds: &Thresholds,
        by: &User,
        recorded_at: DateTime<Utc>,
    ) -> Result<Vitals> {
        let tx = self.write()?;
        // Cached: this statement runs for every reading charted.
        tx.prepare_cached(
            "INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr, temp_c, etco2, entered_by,
                                 dissociation, moaas)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        )?
        .execute(rusqlite::params![
                v.session_id, ts(&v.clinical_time), ts(&recorded_at), v.sbp, v.dbp, mean_arterial_pressure(v.sbp, v.dbp),
                v.hr, v.spo2, v.rr, v.temp_c, v.etco2, by.id, v.dissociation, v.moaas
            ],
        )?;
        // Read back rather than echo the input: the caller sees exactly what was committed.
        let stored = read(&tx, tx.last_insert_rowid())?;
        let event = Event::new(Action::VitalsAdded)
            .record("vitals", stored.id)
            .patient(patient_id)
            .change(None::<()>, Some(&stored));
        append(&tx, &Author::from(by), &event, recorded_at)?;
        let series = around(&tx, v.session_id, v.clinical_time)?;
        alerts::record(&tx, v.session_id, patient_id, &series, thresholds, by, recorded_at)?;
        tx.commit()?;
        Ok(stored)
    }

    pub fn vitals(&self, id: i64) -> Result<Vitals> {
        read(&self.conn, id)
    }

    /// Replaces a reading before signing; the audit row keeps the old values and the reason.
    pub fn correct_vitals(
        &mut self,
        fix: Correction,
        patient_id: i64,
        thresholds: &Thresholds,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Vitals> {
        let Correction { id, reading: v, reason } = fix;
        let tx = self.write()?;
        let old = read(&tx, id)?;
        tx.execute(
            "UPDATE vitals SET clinical_time = ?2, sbp = ?3, dbp = ?4, map = ?5, hr = ?6, spo2 = ?7, rr = ?8, temp_c = ?9,
                               etco2 = ?10, corrected_at = ?11, corrected_by = ?12, dissociation = ?13, moaas = ?14
             WHERE id = ?1",
            rusqlite::params![
                id, ts(&v.clinical_time), v.sbp, v.dbp, mean_arterial_pressure(v.sbp, v.dbp), v.hr, v.spo2, v.rr, v.temp_c,
                v.etco2, ts(&now), by.id, v.dissociation, v.moaas
            ],
        )?;
        let new = read(&tx, id)?;
        let event = Event::new(Action::VitalsCorrected)
            .record("vitals", id)
            .patient(patient_id)
            .change(Some(&old), Some(&new))
            .detail(reason);
        append(&tx, &Author::from(by), &event, now)?;
        let series = around(&tx, old.session_id, v.clinical_time)?;
        alerts::record(&tx, old.session_id, patient_id, &series, thresholds, by, now)?;
        tx.commit()?;
        Ok(new)
    }

    /// A session's flowsheet in clinical-time order (late entries sit where they happened).
    pub fn vitals_of_session(&self, session_id: i64) -> Result<Vec<Vitals>> {
        series(&self.conn, session_id)
    }
}
