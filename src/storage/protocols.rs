use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};

use super::{json_column, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::protocols::Protocol;
use crate::domain::users::User;
use crate::error::{Error, Result};

const COLUMNS: &str =
    "id, name, drug, route, dose_mg_per_kg, duration_min, concentration_mg_per_ml, soft_limit_mg_per_kg,
    hard_limit_mg_per_kg, vitals_every_min, observation_min, hold_sbp, hold_dbp, outcome_scales, active, overrun_margin_pct";

fn protocol(r: &Row) -> rusqlite::Result<Protocol> {
    let scales: String = r.get(13)?;
    Ok(Protocol {
        id: r.get(0)?,
        name: r.get(1)?,
        drug: r.get(2)?,
        route: r.get(3)?,
        dose_mg_per_kg: r.get(4)?,
        duration_min: r.get(5)?,
        concentration_mg_per_ml: r.get(6)?,
        soft_limit_mg_per_kg: r.get(7)?,
        hard_limit_mg_per_kg: r.get(8)?,
        vitals_every_min: r.get(9)?,
        observation_min: r.get(10)?,
        hold_sbp: r.get(11)?,
        hold_dbp: r.get(12)?,
        outcome_scales: json_column(13, scales)?,
        active: r.get(14)?,
        overrun_margin_pct: r.get(15)?,
    })
}

impl Db {
    /// The protocols nurses can start a session with, oldest first (the clinic's default leads).
    pub fn protocols(&self) -> Result<Vec<Protocol>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM protocols WHERE active = 1 ORDER BY id"),
            [],
            protocol,
        )
    }

    /// A protocol, retired or not (a past session keeps the protocol it was started on).
    pub fn protocol(&self, id: i64) -> Result<Protocol> {
        super::by_id(&self.conn, "protocols", COLUMNS, id, protocol, "protocol")
    }

    /// Every protocol, retired ones too, for the protocol editor.
    pub fn all_protocols(&self) -> Result<Vec<Protocol>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM protocols ORDER BY active DESC, id"),
            [],
            protocol,
        )
    }

    /// A protocol a new session may start on.
    pub fn active_protocol(&self, id: i64) -> Result<Protocol> {
        let p = self.protocol(id)?;
        if !p.active {
            return Err(Error::Conflict(format!(
                "The protocol {} is retired; choose another.",
                p.name
            )));
        }
        Ok(p)
    }

    /// Adds a protocol (`p.id` 0) or changes one; the old version stays in the audit trail.
    pub fn save_protocol(&mut self, p: &Protocol, by: &User, now: DateTime<Utc>) -> Result<Protocol> {
        let taken: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM protocols WHERE name = ?1 AND id <> ?2",
                (&p.name, p.id),
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Err(Error::Conflict(format!("A protocol named {} already exists.", p.name)));
        }
        let values = rusqlite::params![
            p.id,
            p.name,
            p.drug,
            p.route,
            p.dose_mg_per_kg,
            p.duration_min,
            p.concentration_mg_per_ml,
            p.soft_limit_mg_per_kg,
            p.hard_limit_mg_per_kg,
            p.vitals_every_min,
            p.observation_min,
            p.hold_sbp,
            p.hold_dbp,
            serde_json::to_string(&p.outcome_scales).expect("names"),
            p.active,
            p.overrun_margin_pct
        ];
        let read = |conn: &Connection, id| {
            conn.query_row(
                &format!("SELECT {COLUMNS} FROM protocols WHERE id = ?1"),
                [id],
                protocol,
            )
        };
        if p.id == 0 {
            return self.insert_audited(
                (
                    "INSERT INTO protocols (name, drug, route, dose_mg_per_kg, duration_min, concentration_mg_per_ml,
                         soft_limit_mg_per_kg, hard_limit_mg_per_kg, vitals_every_min, observation_min, hold_sbp, hold_dbp,
                         outcome_scales, active, overrun_margin_pct)
                     VALUES (?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
                    values,
                ),
                read,
                (Event::new(Action::ProtocolAdded), "protocols"),
                by,
                now,
            );
        }
        self.protocol(p.id)?;
        self.update_audited(
            p.id,
            (
                "UPDATE protocols SET name = ?2, drug = ?3, route = ?4, dose_mg_per_kg = ?5, duration_min = ?6,
                     concentration_mg_per_ml = ?7, soft_limit_mg_per_kg = ?8, hard_limit_mg_per_kg = ?9,
                     vitals_every_min = ?10, observation_min = ?11, hold_sbp = ?12, hold_dbp = ?13, outcome_scales = ?14,
                     active = ?15, overrun_margin_pct = ?16
                 WHERE id = ?1",
                values,
            ),
            read,
            (Event::new(Action::ProtocolChanged), "protocols"),
            by,
            now,
        )
    }
}
