use rusqlite::Row;

use super::Db;
use crate::error::{Error, Result};
use crate::protocols::Protocol;

const COLUMNS: &str =
    "id, name, drug, route, dose_mg_per_kg, duration_min, concentration_mg_per_ml, soft_limit_mg_per_kg,
    hard_limit_mg_per_kg, vitals_every_min, observation_min, hold_sbp, hold_dbp, outcome_scales";

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
        outcome_scales: serde_json::from_str(&scales)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(13, rusqlite::types::Type::Text, Box::new(e)))?,
    })
}

impl Db {
    /// The protocols nurses can start a session with, oldest first (the clinic's default leads).
    pub fn protocols(&self) -> Result<Vec<Protocol>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM protocols WHERE active = 1 ORDER BY id"))?;
        let rows = stmt.query_map([], protocol)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A protocol, retired or not (a past session keeps the protocol it was started on).
    pub fn protocol(&self, id: i64) -> Result<Protocol> {
        self.by_id("protocols", COLUMNS, id, protocol, "protocol")
    }

    /// A protocol a new session may start on.
    pub fn active_protocol(&self, id: i64) -> Result<Protocol> {
        self.protocol(id).and_then(|p| {
            let active: bool = self
                .conn
                .query_row("SELECT active FROM protocols WHERE id = ?1", [id], |r| r.get(0))?;
            if active {
                Ok(p)
            } else {
                Err(Error::Conflict(format!(
                    "The protocol {} is retired; choose another.",
                    p.name
                )))
            }
        })
    }
}
