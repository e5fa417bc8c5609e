//! Reads for exports: every row of a record table as text cells (CSV), the ids of patients and
//! sessions (the FHIR export walks them through the same reads the screens use), one snapshot.

use rusqlite::types::ValueRef;

use super::{rows, Db};
use crate::digest::hex;
use crate::error::{Error, Result};

/// The tables a CSV export writes, one file each: patients, staff, protocols and everything charted.
/// (The audit trail has its own export; settings and the backup log are not records of care.)
pub const RECORD_TABLES: &[&str] = &[
    "patients",
    "users",
    "protocols",
    "sessions",
    "checklists",
    "infusion_events",
    "vitals",
    "alerts",
    "notes",
    "outcome_scores",
    "side_effects",
    "interventions",
    "aldrete_scores",
    "discharges",
    "wastes",
    "signatures",
    "addenda",
];

impl Db {
    /// Calls `line` first with the column names of `table`, then with each row's cells as text
    /// (numbers as written, NULL as empty, blobs as hex), in id order, one row in memory at a time.
    /// Returns the number of rows.
    pub fn each_row(&self, table: &str, mut line: impl FnMut(&[String]) -> Result<()>) -> Result<u64> {
        if !RECORD_TABLES.contains(&table) {
            return Err(Error::InvalidRequest(format!("{table} is not a record table.")));
        }
        let mut stmt = self.conn.prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))?;
        let columns: Vec<String> = stmt.column_names().map(String::from).collect();
        line(&columns)?;
        let mut rows = stmt.query([])?;
        let mut count = 0;
        let mut cells = vec![String::new(); columns.len()];
        while let Some(r) = rows.next()? {
            for (i, cell) in cells.iter_mut().enumerate() {
                *cell = match r.get_ref(i)? {
                    ValueRef::Null => String::new(),
                    ValueRef::Integer(n) => n.to_string(),
                    ValueRef::Real(x) => x.to_string(),
                    ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    ValueRef::Blob(b) => hex(b),
                };
            }
            line(&cells)?;
            count += 1;
        }
        Ok(count)
    }

    /// Runs `f` inside one read transaction: every read sees the database as of one moment, while
    /// writers on other connections carry on (WAL). An export is then internally consistent.
    pub fn read_snapshot<T>(&mut self, f: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        self.within("BEGIN", |db| f(db))
    }

    pub fn patient_ids(&self) -> Result<Vec<i64>> {
        rows(&self.conn, "SELECT id FROM patients ORDER BY id", [], |r| r.get(0))
    }

    pub fn session_ids(&self) -> Result<Vec<i64>> {
        rows(&self.conn, "SELECT id FROM sessions ORDER BY id", [], |r| r.get(0))
    }
}
