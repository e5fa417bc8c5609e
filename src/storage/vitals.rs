use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::{parse_ts, ts, Db};
use crate::error::Result;
use crate::vitals::{mean_arterial_pressure, NewVitals, Vitals};

const COLUMNS: &str = "id, session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr, temp_c, etco2";

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
    })
}

impl Db {
    /// Commits one reading (durably: WAL + synchronous=FULL) and returns it as stored.
    pub fn insert_vitals(&mut self, v: &NewVitals, recorded_at: DateTime<Utc>) -> Result<Vitals> {
        let map = mean_arterial_pressure(v.sbp, v.dbp);
        let id: i64 = self.conn.query_row(
            "INSERT INTO vitals (session_id, clinical_time, recorded_at, sbp, dbp, map, hr, spo2, rr, temp_c, etco2)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) RETURNING id",
            (v.session_id, ts(&v.clinical_time), ts(&recorded_at), v.sbp, v.dbp, map, v.hr, v.spo2, v.rr, v.temp_c, v.etco2),
            |r| r.get(0),
        )?;
        // Read back rather than echo the input: the caller sees exactly what was committed.
        self.by_id("vitals", COLUMNS, id, vitals, "vitals entry")
    }

    /// A session's flowsheet in clinical-time order (late entries sit where they happened).
    pub fn vitals_of_session(&self, session_id: i64) -> Result<Vec<Vitals>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM vitals WHERE session_id = ?1 ORDER BY clinical_time, id"
        ))?;
        let rows = stmt.query_map([session_id], vitals)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
