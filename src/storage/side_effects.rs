use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};

use super::{name_column, parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::side_effects::{medication_name, Intervention, NewIntervention, NewSideEffect, SideEffect};
use crate::domain::users::User;
use crate::error::{Error, Result};

const SIDE_EFFECT: &str = "SELECT s.id, s.session_id, s.effect, s.other, s.severity, s.onset_time, s.recorded_at,
    u.display_name, s.resolved_at, r.display_name
    FROM side_effects s JOIN users u ON u.id = s.entered_by LEFT JOIN users r ON r.id = s.resolved_by";
const INTERVENTION: &str = "SELECT i.id, i.session_id, i.medication, i.other, i.dose, i.unit, i.route, i.clinical_time,
    i.recorded_at, i.indication, i.side_effect_id, i.effect, u.display_name
    FROM interventions i JOIN users u ON u.id = i.entered_by";

fn side_effect(r: &Row) -> rusqlite::Result<SideEffect> {
    let effect: crate::domain::side_effects::Effect = name_column(2, r.get(2)?)?;
    let other: Option<String> = r.get(3)?;
    Ok(SideEffect {
        id: r.get(0)?,
        session_id: r.get(1)?,
        label: other.unwrap_or_else(|| effect.label().to_string()),
        effect,
        severity: name_column(4, r.get(4)?)?,
        onset_time: parse_ts(5, r.get(5)?)?,
        recorded_at: parse_ts(6, r.get(6)?)?,
        entered_by: r.get(7)?,
        resolved_at: r.get::<_, Option<String>>(8)?.map(|t| parse_ts(8, t)).transpose()?,
        resolved_by: r.get(9)?,
        late: false,
    })
}

fn intervention(r: &Row) -> rusqlite::Result<Intervention> {
    let medication = name_column(2, r.get(2)?)?;
    Ok(Intervention {
        id: r.get(0)?,
        session_id: r.get(1)?,
        medication,
        name: medication_name(medication, r.get(3)?),
        dose: r.get(4)?,
        unit: name_column(5, r.get(5)?)?,
        route: name_column(6, r.get(6)?)?,
        clinical_time: parse_ts(7, r.get(7)?)?,
        recorded_at: parse_ts(8, r.get(8)?)?,
        indication: r.get(9)?,
        side_effect_id: r.get(10)?,
        effect: r.get(11)?,
        entered_by: r.get(12)?,
        late: false,
    })
}

fn read_side_effect(conn: &Connection, id: i64) -> rusqlite::Result<SideEffect> {
    conn.query_row(&format!("{SIDE_EFFECT} WHERE s.id = ?1"), [id], side_effect)
}

impl Db {
    pub fn insert_side_effect(
        &mut self,
        e: &NewSideEffect,
        patient_id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<SideEffect> {
        self.insert_audited(
            (
                "INSERT INTO side_effects (session_id, effect, other, severity, onset_time, recorded_at, entered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (
                    e.session_id,
                    e.effect.name(),
                    &e.other,
                    e.severity.name(),
                    ts(&e.onset_time),
                    ts(&now),
                    by.id,
                ),
            ),
            read_side_effect,
            (Event::new(Action::SideEffectAdded).patient(patient_id), "side_effects"),
            by,
            now,
        )
    }

    pub fn side_effect(&self, id: i64) -> Result<SideEffect> {
        read_side_effect(&self.conn, id)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("No side effect with id {id} was found.")))
    }

    pub fn resolve_side_effect(
        &mut self,
        (id, patient_id): (i64, i64),
        at: DateTime<Utc>,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<SideEffect> {
        self.update_audited(
            id,
            (
                "UPDATE side_effects SET resolved_at = ?2, resolved_recorded_at = ?3, resolved_by = ?4 WHERE id = ?1",
                (id, ts(&at), ts(&now), by.id),
            ),
            read_side_effect,
            (
                Event::new(Action::SideEffectResolved).patient(patient_id),
                "side_effects",
            ),
            by,
            now,
        )
    }

    pub fn side_effects_of(&self, session_id: i64) -> Result<Vec<SideEffect>> {
        self.all(
            &format!("{SIDE_EFFECT} WHERE s.session_id = ?1 ORDER BY s.onset_time, s.id"),
            [session_id],
            side_effect,
        )
    }

    pub fn insert_intervention(
        &mut self,
        i: &NewIntervention,
        patient_id: i64,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Intervention> {
        self.insert_audited(
            (
                "INSERT INTO interventions (session_id, side_effect_id, medication, other, dose, unit, route, clinical_time,
                     recorded_at, indication, effect, entered_by)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                rusqlite::params![
                    i.session_id,
                    i.side_effect_id,
                    i.medication.name(),
                    i.other,
                    i.dose,
                    i.unit.name(),
                    i.route.name(),
                    ts(&i.clinical_time),
                    ts(&now),
                    i.indication,
                    i.effect,
                    by.id
                ],
            ),
            |conn, id| conn.query_row(&format!("{INTERVENTION} WHERE i.id = ?1"), [id], intervention),
            (Event::new(Action::InterventionAdded).patient(patient_id), "interventions"),
            by,
            now,
        )
    }

    pub fn interventions_of(&self, session_id: i64) -> Result<Vec<Intervention>> {
        self.all(
            &format!("{INTERVENTION} WHERE i.session_id = ?1 ORDER BY i.clinical_time, i.id"),
            [session_id],
            intervention,
        )
    }
}
