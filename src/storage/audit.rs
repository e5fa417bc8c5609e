use chrono::{DateTime, Local, SecondsFormat, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};

use super::{ts, Db};
use crate::domain::audit::{
    verify, verify_every_laptop, Entry, Event, Filter, Period, Verification, GENESIS, SEARCH_LIMIT,
};
use crate::domain::users::User;
use crate::error::Result;

pub(super) const COLUMNS: &str =
    "id, at_utc, at_local, user_id, username, action, table_name, record_id, patient_id, old_value, new_value, detail, prev_hash, hash";

/// Who an audit row names: a signed-in user, or only a typed username (a failed sign-in).
pub struct Author<'a> {
    pub user_id: Option<i64>,
    pub username: Option<&'a str>,
}

impl<'a> From<&'a User> for Author<'a> {
    fn from(user: &'a User) -> Self {
        Author {
            user_id: Some(user.id),
            username: Some(&user.username),
        }
    }
}

pub(super) fn entry(r: &Row) -> rusqlite::Result<Entry> {
    Ok(Entry {
        id: r.get(0)?,
        at_utc: r.get(1)?,
        at_local: r.get(2)?,
        user_id: r.get(3)?,
        username: r.get(4)?,
        action: r.get(5)?,
        table_name: r.get(6)?,
        record_id: r.get(7)?,
        patient_id: r.get(8)?,
        old_value: r.get(9)?,
        new_value: r.get(10)?,
        detail: r.get(11)?,
        prev_hash: r.get(12)?,
        hash: r.get(13)?,
        laptop: None,
    })
}

pub(super) fn highest_id_issued(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(conn
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Appends one row, chained to the last. Call it inside the transaction of the change it records.
pub(super) fn append(conn: &Connection, author: &Author, event: &Event, at: DateTime<Utc>) -> Result<()> {
    // Cached statements: this runs inside every charted write.
    let prev_hash: String = conn
        .prepare_cached("SELECT hash FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")?
        .query_row([], |r| r.get(0))
        .optional()?
        .unwrap_or_else(|| GENESIS.to_string());
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string());
    let mut e = Entry {
        id: highest_id_issued(conn)? + 1,
        at_utc: ts(&at),
        at_local: at.with_timezone(&Local).to_rfc3339_opts(SecondsFormat::Millis, false),
        user_id: author.user_id,
        username: author.username.map(str::to_string),
        action: event.action.name(),
        table_name: event.table_name.map(str::to_string),
        record_id: event.record_id,
        patient_id: event.patient_id,
        old_value: json(&event.old_value),
        new_value: json(&event.new_value),
        detail: event.detail.clone(),
        prev_hash,
        hash: String::new(),
        laptop: None,
    };
    e.hash = e.compute_hash();
    conn.prepare_cached(&format!(
        "INSERT INTO audit_log ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    ))?
    .execute(rusqlite::params![
        e.id,
        e.at_utc,
        e.at_local,
        e.user_id,
        e.username,
        e.action,
        e.table_name,
        e.record_id,
        e.patient_id,
        e.old_value,
        e.new_value,
        e.detail,
        e.prev_hash,
        e.hash
    ])?;
    Ok(())
}

/// Whose audit trail a search reads: this laptop's, or those of the clinic's other laptops.
#[derive(Clone, Copy)]
enum Trail {
    Here,
    Others,
}

impl Db {
    /// Records an event that changes nothing else in the database (a sign-in, a lock) in its own transaction.
    pub fn audit(&mut self, author: &Author, event: &Event, at: DateTime<Utc>) -> Result<()> {
        self.audit_around(author, event, at, || Ok(()))
    }

    /// Records several events in one transaction: all of them or none.
    pub fn audit_all(&mut self, rows: &[(Author, Event, DateTime<Utc>)]) -> Result<()> {
        let tx = self.write()?;
        for (author, event, at) in rows {
            append(&tx, author, event, *at)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Records `event` and runs `f` (work outside the database, such as writing an export file);
    /// the row is committed only if `f` succeeds.
    pub fn audit_around<T>(
        &mut self,
        author: &Author,
        event: &Event,
        at: DateTime<Utc>,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        let tx = self.write()?;
        append(&tx, author, event, at)?;
        let out = f()?;
        tx.commit()?;
        Ok(out)
    }

    /// Matching rows, newest first, between the days of `period` (the filter's, as read): this
    /// laptop's and the other laptops' of the clinic; `limit` None means every match (for export).
    pub fn audit_search(&self, f: &Filter, period: Period, limit: Option<u32>) -> Result<Vec<Entry>> {
        let limit = limit.map(|l| l.min(SEARCH_LIMIT) as i64).unwrap_or(-1);
        let mut found = self.search_trail(f, period, limit, Trail::Here)?;
        let others = self.search_trail(f, period, limit, Trail::Others)?;
        if !others.is_empty() {
            found.extend(others);
            found.sort_by(|a, b| b.at_utc.cmp(&a.at_utc));
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(found)
    }

    /// One trail's matches, newest first. Only the filters given are in the statement, so a
    /// patient's history is read through its index (`?1 IS NULL OR …` terms would make SQLite read
    /// the whole trail). Another laptop's entries name this laptop's records (by their shared ids).
    fn search_trail(&self, f: &Filter, period: Period, limit: i64, trail: Trail) -> Result<Vec<Entry>> {
        let mut terms: Vec<(&str, Value)> = Vec::new();
        if let Some(username) = f.username.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            terms.push(("username = ? COLLATE NOCASE", username.to_string().into()));
        }
        if let Some(patient_id) = f.patient_id {
            terms.push((
                match trail {
                    Trail::Here => "patient_id = ?",
                    Trail::Others => {
                        "patient_uid = (SELECT uid FROM sync_ids WHERE table_name = 'patients' AND row_id = ?)"
                    }
                },
                patient_id.into(),
            ));
        }
        if let Some(action) = f.action {
            terms.push(("action = ?", action.name().to_string().into()));
        }
        if let Some(from) = period.from {
            terms.push(("substr(at_local, 1, 10) >= ?", from.to_string().into()));
        }
        if let Some(to) = period.to {
            terms.push(("substr(at_local, 1, 10) <= ?", to.to_string().into()));
        }
        let filter: String = terms.iter().map(|(term, _)| format!(" AND {term}")).collect();
        let sql = match trail {
            Trail::Here => format!("SELECT {COLUMNS}, NULL FROM audit_log WHERE 1{filter} ORDER BY id DESC LIMIT ?"),
            Trail::Others => format!(
                "SELECT id, at_utc, at_local,
                        (SELECT row_id FROM sync_ids s WHERE s.table_name = 'users' AND s.uid = user_uid),
                        username, action, table_name,
                        (SELECT row_id FROM sync_ids s WHERE s.table_name = r.table_name AND s.uid = record_uid),
                        (SELECT row_id FROM sync_ids s WHERE s.table_name = 'patients' AND s.uid = patient_uid),
                        old_value, new_value, detail, prev_hash, hash, laptop
                 FROM remote_audit_log r WHERE 1{filter} ORDER BY at_utc DESC LIMIT ?"
            ),
        };
        let params = terms.into_iter().map(|(_, value)| value).chain([limit.into()]);
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
            Ok(Entry {
                laptop: r.get(14)?,
                ..entry(r)?
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// This laptop's chain, and each chain pulled from the other laptops of the clinic.
    pub fn audit_verify(&self) -> Result<Verification> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY id"))?;
        let entries = stmt.query_map([], entry)?.collect::<rusqlite::Result<Vec<_>>>()?;
        let here = verify(&entries, highest_id_issued(&self.conn)?);
        let laptops: Vec<(String, i64)> = self
            .conn
            .prepare("SELECT laptop, max(id) FROM remote_audit_log GROUP BY laptop ORDER BY laptop")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut others = Vec::new();
        for (laptop, highest) in laptops {
            let mut stmt = self.conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM remote_audit_log WHERE laptop = ?1 ORDER BY id"
            ))?;
            let chain = stmt
                .query_map([&laptop], entry)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            others.push((laptop, verify(&chain, highest)));
        }
        Ok(verify_every_laptop(here, others))
    }
}
