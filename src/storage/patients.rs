use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row};

use super::audit::{append, Author};
use super::{json_column, name_column, parse_date, parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::patients::{Contraindication, FlaggedMedication, NewPatient, Patient};
use crate::domain::users::User;
use crate::domain::weight::{Weight, WeightUnit};
use crate::error::{Error, Result};

/// The weight as typed; a patient recorded before the unit was kept reads as typed in kg.
const COLUMNS: &str =
    "id, family_name, given_names, date_of_birth, mrn, COALESCE(weight_typed, weight_kg), created_at, sex, height_cm,
    allergies, indication, indication_other, emergency_contact, escort, contraindications, flagged_medications,
    COALESCE(weight_unit, 'kg')";
/// Most patients one search returns; a longer list is of no use on screen.
const SEARCH_LIMIT: i64 = 50;

fn patient(r: &Row) -> rusqlite::Result<Patient> {
    let unit: String = r.get(16)?;
    let weight = Weight {
        value: r.get(5)?,
        unit: WeightUnit::from_name(&unit)
            .ok_or_else(|| rusqlite::Error::InvalidColumnType(16, unit, rusqlite::types::Type::Text))?,
    };
    let allergies: String = r.get(9)?;
    let contraindications: Vec<Contraindication> = json_column(14, r.get(14)?)?;
    let flagged_medications: Vec<FlaggedMedication> = json_column(15, r.get(15)?)?;
    Ok(Patient {
        id: r.get(0)?,
        family_name: r.get(1)?,
        given_names: r.get(2)?,
        date_of_birth: parse_date(3, r.get(3)?)?,
        mrn: r.get(4)?,
        weight,
        created_at: parse_ts(6, r.get(6)?)?,
        sex: name_column(7, r.get(7)?)?,
        height_cm: r.get(8)?,
        indication: name_column(10, r.get(10)?)?,
        indication_other: r.get(11)?,
        emergency_contact: r.get(12)?,
        escort: r.get(13)?,
        flags: Patient::flags_of(&contraindications, &flagged_medications, &allergies),
        allergies,
        contraindications,
        flagged_medications,
    })
}

/// The patient as stored, read on a write's connection (what it changes, and the read-back).
fn read_patient(conn: &rusqlite::Connection, id: i64) -> Result<Patient> {
    super::by_id(conn, "patients", COLUMNS, id, patient, "patient")
}

/// The 20 stored values of a patient, in the column order of the INSERT and UPDATE below; `by` and
/// `now` are the creation or the latest change. `weight_kg` keeps the exact kg of the weight as typed.
fn values(p: &NewPatient, by: &User, now: &chrono::DateTime<chrono::Utc>) -> Vec<Value> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::Text);
    vec![
        p.family_name.clone().into(),
        p.given_names.clone().into(),
        p.name_key().into(),
        p.date_of_birth.to_string().into(),
        p.mrn.clone().into(),
        p.weight.kg().into(),
        ts(now).into(),
        by.id.into(),
        p.sex.name().into(),
        p.height_cm.map_or(Value::Null, Value::Real),
        p.allergies.clone().into(),
        p.indication.name().into(),
        text(&p.indication_other),
        text(&p.emergency_contact),
        text(&p.escort),
        serde_json::to_string(&p.contraindications).expect("names").into(),
        serde_json::to_string(&p.flagged_medications).expect("names").into(),
        p.given_key().into(),
        p.weight.value.into(),
        p.weight.unit.name().to_string().into(),
    ]
}

/// A second patient with the same MRN is refused: search for the first instead.
fn refuse_taken_mrn(conn: &rusqlite::Connection, mrn: &str, except: Option<i64>) -> Result<()> {
    let taken: Option<String> = conn
        .query_row(
            "SELECT mrn FROM patients WHERE mrn = ?1 AND id IS NOT ?2",
            (mrn, except),
            |r| r.get(0),
        )
        .optional()?;
    match taken {
        Some(mrn) => Err(Error::Conflict(format!(
            "A patient with MRN {mrn} already exists. Search for them instead of adding them again."
        ))),
        None => Ok(()),
    }
}

/// The bounds of every text that starts with `prefix`: no stored name has a character above U+10FFFF.
fn prefix_range(prefix: &str) -> (String, String) {
    (prefix.to_string(), format!("{prefix}{}", char::MAX))
}

impl Db {
    pub fn insert_patient(&mut self, p: &NewPatient, by: &User, now: chrono::DateTime<chrono::Utc>) -> Result<Patient> {
        let tx = self.write()?;
        refuse_taken_mrn(&tx, &p.mrn, None)?;
        tx.execute(
            "INSERT INTO patients (family_name, given_names, name_key, date_of_birth, mrn, weight_kg, created_at, created_by,
                                   sex, height_cm, allergies, indication, indication_other, emergency_contact, escort,
                                   contraindications, flagged_medications, given_key, weight_typed, weight_unit)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
            rusqlite::params_from_iter(values(p, by, &now)),
        )?;
        let id = tx.last_insert_rowid();
        let created = read_patient(&tx, id)?;
        let event = Event::new(Action::PatientAdded)
            .record("patients", id)
            .patient(id)
            .change(None::<()>, Some(&created));
        append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(created)
    }

    /// Replaces a patient's details; the audit row keeps the old and new record.
    pub fn update_patient(
        &mut self,
        id: i64,
        p: &NewPatient,
        by: &User,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Patient> {
        let tx = self.write()?;
        let old = read_patient(&tx, id)?;
        refuse_taken_mrn(&tx, &p.mrn, Some(id))?;
        let mut values = values(p, by, &now);
        values.push(id.into());
        tx.execute(
            "UPDATE patients SET family_name = ?1, given_names = ?2, name_key = ?3, date_of_birth = ?4, mrn = ?5,
                    weight_kg = ?6, updated_at = ?7, updated_by = ?8, sex = ?9, height_cm = ?10, allergies = ?11,
                    indication = ?12, indication_other = ?13, emergency_contact = ?14, escort = ?15,
                    contraindications = ?16, flagged_medications = ?17, given_key = ?18, weight_typed = ?19,
                    weight_unit = ?20
             WHERE id = ?21",
            rusqlite::params_from_iter(values),
        )?;
        let updated = read_patient(&tx, id)?;
        let event = Event::new(Action::PatientUpdated)
            .record("patients", id)
            .patient(id)
            .change(Some(&old), Some(&updated));
        append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(updated)
    }

    pub fn patient(&self, id: i64) -> Result<Patient> {
        read_patient(&self.conn, id)
    }

    /// Patients whose family name, given names or MRN starts with `query` (case-insensitive), by
    /// name; newest first if `query` is empty. Each of the three is an index range, never a scan.
    pub fn search_patients(&self, query: &str) -> Result<Vec<Patient>> {
        let query = query.trim().to_lowercase();
        if query.is_empty() {
            return self.all(
                &format!("SELECT {COLUMNS} FROM patients ORDER BY id DESC LIMIT ?1"),
                [SEARCH_LIMIT],
                patient,
            );
        }
        let (from, to) = prefix_range(&query);
        self.all(
            &format!(
                "SELECT {COLUMNS} FROM patients
                 WHERE (name_key >= ?1 AND name_key < ?2) OR (given_key >= ?1 AND given_key < ?2)
                    OR (mrn >= ?1 AND mrn < ?2)
                 ORDER BY name_key, id LIMIT ?3"
            ),
            (from, to, SEARCH_LIMIT),
            patient,
        )
    }
}
