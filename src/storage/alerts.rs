use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row};

use super::audit::{append, Author};
use super::{name_column, parse_ts, ts, Db};
use crate::domain::alerts::{evaluate, Alert, Rule, Thresholds};
use crate::domain::audit::{Action, Event};
use crate::domain::users::User;
use crate::domain::vitals::Vitals;
use crate::error::{Error, Result};

const COLUMNS: &str = "a.id, a.rule, a.vitals_id, a.message, a.raised_at, u.display_name, a.acknowledged_at";
const FROM: &str = "alerts a LEFT JOIN users u ON u.id = a.acknowledged_by";

fn alert(r: &Row) -> rusqlite::Result<Alert> {
    Ok(Alert {
        id: r.get(0)?,
        rule: name_column(1, r.get(1)?)?,
        vitals_id: r.get(2)?,
        message: r.get(3)?,
        raised_at: parse_ts(4, r.get(4)?)?,
        acknowledged_by: r.get(5)?,
        acknowledged_at: r.get::<_, Option<String>>(6)?.map(|t| parse_ts(6, t)).transpose()?,
    })
}

/// Evaluates `series` (the readings around a new or corrected one, `vitals::around`) and stores, with an audit row each, the alerts not yet stored. Called inside
/// the transaction that wrote the reading.
pub(super) fn record(
    conn: &Connection,
    session_id: i64,
    patient_id: i64,
    series: &[Vitals],
    t: &Thresholds,
    by: &User,
    at: DateTime<Utc>,
) -> Result<()> {
    for found in evaluate(series, t) {
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO alerts (session_id, vitals_id, rule, message, raised_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            (session_id, found.vitals_id, found.rule.name(), &found.message, ts(&at)),
        )?;
        if inserted == 1 {
            let event = Event::new(Action::AlertRaised)
                .record("alerts", conn.last_insert_rowid())
                .patient(patient_id)
                .detail(found.message);
            append(conn, &Author::from(by), &event, at)?;
        }
    }
    Ok(())
}

/// Stores, with an audit row each, the alerts on the infusion not yet raised in the session (each
/// rule once). Called inside the transaction that wrote what raised them.
pub(super) fn infusion(
    conn: &Connection,
    (session_id, patient_id): (i64, i64),
    raised: &[(Rule, String)],
    by: &User,
    at: DateTime<Utc>,
) -> Result<()> {
    for (rule, message) in raised {
        let inserted = conn.execute(
            "INSERT OR IGNORE INTO alerts (session_id, vitals_id, rule, message, raised_at) VALUES (?1, NULL, ?2, ?3, ?4)",
            (session_id, rule.name(), message, ts(&at)),
        )?;
        if inserted == 1 {
            let event = Event::new(Action::AlertRaised)
                .record("alerts", conn.last_insert_rowid())
                .patient(patient_id)
                .detail(message.as_str());
            append(conn, &Author::from(by), &event, at)?;
        }
    }
    Ok(())
}

impl Db {
    /// Raises the alerts on a running infusion found as time passes, in one transaction.
    pub fn raise_infusion_alerts(
        &mut self,
        session: (i64, i64),
        raised: &[(Rule, String)],
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write()?;
        infusion(&tx, session, raised, by, now)?;
        tx.commit()?;
        Ok(())
    }

    pub fn alerts_of_session(&self, session_id: i64) -> Result<Vec<Alert>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE a.session_id = ?1 ORDER BY a.id"),
            [session_id],
            alert,
        )
    }

    /// The session an alert belongs to, and whether it is already acknowledged.
    pub fn alert_owner(&self, alert_id: i64) -> Result<(i64, bool)> {
        self.conn
            .query_row(
                "SELECT session_id, acknowledged_at IS NOT NULL FROM alerts WHERE id = ?1",
                [alert_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("No alert with id {alert_id} was found.")))
    }

    pub fn acknowledge_alert(&mut self, alert_id: i64, patient_id: i64, by: &User, now: DateTime<Utc>) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "UPDATE alerts SET acknowledged_by = ?2, acknowledged_at = ?3 WHERE id = ?1",
            (alert_id, by.id, ts(&now)),
        )?;
        append(
            &tx,
            &Author::from(by),
            &Event::new(Action::AlertAcknowledged)
                .record("alerts", alert_id)
                .patient(patient_id),
            now,
        )?;
        tx.commit()?;
        Ok(())
    }
}
