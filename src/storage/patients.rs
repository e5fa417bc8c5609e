use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{parse_date, parse_ts, ts, Db};
use crate::audit::{Action, Event};
use crate::error::{Error, Result};
use crate::patients::{NewPatient, Patient};
use crate::users::User;

const COLUMNS: &str = "id, family_name, given_names, date_of_birth, mrn, weight_kg, created_at";
/// Most patients one search returns; a longer list is of no use on screen.
const SEARCH_LIMIT: i64 = 50;

fn patient(r: &Row) -> rusqlite::Result<Patient> {
    Ok(Patient {
        id: r.get(0)?,
        family_name: r.get(1)?,
        given_names: r.get(2)?,
        date_of_birth: parse_date(3, r.get(3)?)?,
        mrn: r.get(4)?,
        weight_kg: r.get(5)?,
        created_at: parse_ts(6, r.get(6)?)?,
    })
}

/// `%text%` for LIKE, with the user's own % and _ taken literally.
fn contains_pattern(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Db {
    pub fn insert_patient(&mut self, p: &NewPatient, by: &User, now: chrono::DateTime<chrono::Utc>) -> Result<Patient> {
        let tx = self.conn.transaction()?;
        let taken: Option<String> = tx
            .query_row("SELECT mrn FROM patients WHERE mrn = ?1", [&p.mrn], |r| r.get(0))
            .optional()?;
        if let Some(mrn) = taken {
            return Err(Error::Conflict(format!(
                "A patient with MRN {mrn} already exists. Search for them instead of adding them again."
            )));
        }
        tx.execute(
            "INSERT INTO patients (family_name, given_names, name_key, date_of_birth, mrn, weight_kg, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            (&p.family_name, &p.given_names, p.name_key(), p.date_of_birth.to_string(), &p.mrn, p.weight_kg, ts(&now), by.id),
        )?;
        let id = tx.last_insert_rowid();
        let created = tx.query_row(&format!("SELECT {COLUMNS} FROM patients WHERE id = ?1"), [id], patient)?;
        let event = Event::new(Action::PatientAdded)
            .record("patients", id)
            .patient(id)
            .change(None::<()>, Some(&created));
        append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(created)
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        self.by_id("patients", COLUMNS, id, patient, "patient")
    }

    /// Patients whose name or MRN contains `query` (case-insensitive), by name; newest first if `query` is empty.
    pub fn search_patients(&self, query: &str) -> Result<Vec<Patient>> {
        let query = query.trim().to_lowercase();
        let mut stmt;
        let rows = if query.is_empty() {
            stmt = self
                .conn
                .prepare(&format!("SELECT {COLUMNS} FROM patients ORDER BY id DESC LIMIT ?1"))?;
            stmt.query_map([SEARCH_LIMIT], patient)?
        } else {
            stmt = self.conn.prepare(&format!(
                "SELECT {COLUMNS} FROM patients
                 WHERE name_key LIKE ?1 ESCAPE '\\' OR mrn LIKE ?1 ESCAPE '\\'
                 ORDER BY name_key, id LIMIT ?2"
            ))?;
            stmt.query_map((contains_pattern(&query), SEARCH_LIMIT), patient)?
        };
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
