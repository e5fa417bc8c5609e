//! Online backups and what is known about them: a consistent copy made with SQLite's backup API
//! while nurses keep charting, checks of a copy, the backup log, and the database's own quick check.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::backup::StepResult;
use rusqlite::{Connection, OpenFlags, Row};

use super::audit::{append, highest_id_issued, Author};
use super::{parse_ts, read_pragma, rows, ts, Db, APPLICATION_ID};
use crate::domain::audit::{Action, Event};
use crate::domain::backups::{BackupKind, BackupRecord};
use crate::error::{Error, Result};

/// What a database file turned out to be when opened read-only.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    pub application_id: i32,
    pub schema_version: i64,
    /// integrity_check's findings; empty when sound.
    pub problems: Vec<String>,
    pub tables: BTreeMap<String, i64>,
}

const COLUMNS: &str = "b.id, b.kind, b.created_at, b.path, b.bytes, b.sha256, u.display_name, b.audit_through";
const FROM: &str = "backups b LEFT JOIN users u ON u.id = b.made_by";

/// A backup file just made and checked, as the backup log records it.
pub struct NewBackup<'a> {
    pub kind: BackupKind,
    pub path: &'a str,
    pub bytes: i64,
    pub sha256: &'a str,
    /// The last audit row id the copy holds; None when it is not a copy of this database (the one a
    /// restore replaced).
    pub audit_through: Option<i64>,
}

fn record(r: &Row) -> rusqlite::Result<BackupRecord> {
    Ok(BackupRecord {
        id: r.get(0)?,
        kind: super::name_column(1, r.get(1)?)?,
        created_at: parse_ts(2, r.get(2)?)?,
        path: r.get(3)?,
        bytes: r.get(4)?,
        sha256: r.get(5)?,
        made_by: r.get(6)?,
        audit_through: r.get(7)?,
    })
}

impl Db {
    /// A backup file opened read-only, as it is: nothing is migrated or written.
    pub fn read_only(path: &Path, key: Option<&str>) -> Result<Db> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = super::connect(path, flags)?;
        if let Some(key) = key {
            conn.pragma_update(None, "key", key)?;
        }
        Ok(Db { conn, batch: false })
    }

    /// Copies the whole database, as of one moment, into the new file `dest` encrypted with `key`.
    /// One backup step copies every page inside a single read transaction: writers on other
    /// connections carry on (WAL), and the copy is the database exactly as it was when the step began.
    /// The copy uses a rollback journal, so it can be checked and read on read-only media.
    /// Returns the id of the last audit row the copy holds (what it is a backup of).
    pub fn snapshot_into(&self, dest: &Path, key: Option<&str>) -> Result<i64> {
        let copy = || -> rusqlite::Result<Option<i64>> {
            let mut copy = super::connect(dest, OpenFlags::default())?;
            if let Some(key) = key {
                copy.pragma_update(None, "key", key)?;
            }
            let done = rusqlite::backup::Backup::new(&self.conn, &mut copy)?.step(-1)?;
            copy.query_row("PRAGMA journal_mode = DELETE", [], |_| Ok(()))?;
            // Read only from a finished copy: an unfinished one may not hold the table yet.
            let through = match done {
                StepResult::Done => Some(highest_id_issued(&copy)?),
                _ => None,
            };
            copy.close().map_err(|(_, e)| e)?;
            Ok(through)
        };
        copy()
            .map_err(copy_failure)?
            .ok_or_else(|| Error::Storage("the database was busy and the copy did not finish; try again.".into()))
    }

    /// SQLite's quick check of the whole file: the problems found (none when the database is sound),
    /// or None when it could not finish for a passing reason (busy, locked, out of memory,
    /// interrupted), which says nothing about the file. A page that does not decrypt is an error.
    pub fn quick_check(&self) -> Result<Option<Vec<String>>> {
        use rusqlite::ErrorCode::*;
        match problems(&self.conn, "PRAGMA quick_check") {
            Ok(found) => Ok(Some(found)),
            Err(e)
                if matches!(
                    e.sqlite_error_code(),
                    Some(DatabaseBusy | DatabaseLocked | OutOfMemory | OperationInterrupted)
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Records a backup made, with its audit row, in one transaction.
    pub fn record_backup(&mut self, made: &NewBackup, by: &Author, now: DateTime<Utc>) -> Result<BackupRecord> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO backups (kind, created_at, path, bytes, sha256, made_by, audit_through)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![
                made.kind.name(),
                ts(&now),
                made.path,
                made.bytes,
                made.sha256,
                by.user_id,
                made.audit_through
            ],
        )?;
        let id = tx.last_insert_rowid();
        let stored = tx.query_row(&format!("SELECT {COLUMNS} FROM {FROM} WHERE b.id = ?1"), [id], record)?;
        let event = Event::new(Action::BackupMade)
            .record("backups", id)
            .change(None::<()>, Some(&stored));
        append(&tx, by, &event, now)?;
        tx.commit()?;
        Ok(stored)
    }

    /// The newest backups first.
    pub fn backups(&self, limit: u32) -> Result<Vec<BackupRecord>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM {FROM} ORDER BY b.created_at DESC, b.id DESC LIMIT ?1"),
            [limit],
            record,
        )
    }

    /// Whether anything but the `ignored` actions was audited after the last row any backup copy
    /// holds: the highest mark, since row ids only grow whatever the clock said when each backup was
    /// made. With no marked backup (all made before marks were kept) every row counts. Reads only
    /// the rows after the mark.
    pub fn changed_since_last_backup(&self, ignored: &[Action]) -> Result<bool> {
        let names: Vec<String> = ignored.iter().map(|a| format!("'{}'", a.name())).collect();
        let sql = format!(
            "SELECT EXISTS (SELECT 1 FROM audit_log
                            WHERE id > coalesce((SELECT max(audit_through) FROM backups), 0) AND action NOT IN ({}))",
            names.join(", ")
        );
        Ok(self.conn.query_row(&sql, [], |r| r.get(0))?)
    }

    /// The newest backup made with this database, if any.
    pub fn last_backup(&self) -> Result<Option<BackupRecord>> {
        Ok(self.backups(1)?.into_iter().next())
    }
}

/// Opens the database file at `path` read-only with `key` and reports what it is and whether it is
/// sound (integrity check of every page), with its row count per table. Writes nothing.
pub fn inspect(path: &Path, key: Option<&str>) -> Result<Inspection> {
    let header = |key| -> Result<(Connection, i32, i64)> {
        let conn = Db::read_only(path, key)?.conn;
        let number = |name| read_pragma(&conn, name).map(|v| v.parse().unwrap_or(-1));
        let (id, version) = (number("application_id")?, number("user_version")?);
        Ok((conn, id as i32, version))
    };
    // Page 1 unreadable with the key: either the key is not this file's, or the file is not
    // encrypted at all (another application's plain SQLite file, which then names itself).
    let (conn, application_id, schema_version) = match header(key) {
        Ok(read) => read,
        Err(_) => match header(None) {
            Ok(read) if key.is_some() && read.1 != APPLICATION_ID => read,
            _ => return Err(Error::Unauthenticated("The file cannot be read with this key.".into())),
        },
    };
    // A page that cannot be decrypted or parsed is a problem found, like integrity_check's own rows.
    let problems = problems(&conn, "PRAGMA integrity_check").unwrap_or_else(|e| vec![e.to_string()]);
    let mut tables = BTreeMap::new();
    if problems.is_empty() {
        let names: Vec<String> = rows(
            &conn,
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
            [],
            |r| r.get(0),
        )?;
        for name in names {
            let count = conn.query_row(&format!("SELECT count(*) FROM \"{name}\""), [], |r| r.get(0))?;
            tables.insert(name, count);
        }
    }
    Ok(Inspection {
        application_id,
        schema_version,
        problems,
        tables,
    })
}

/// The rows a check pragma returns, less its single "ok".
fn problems(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(pragma)?;
    let found = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(found.into_iter().filter(|p| p != "ok").collect())
}

/// Why writing a copy failed, in an admin's words (the backup's own message names the folder).
fn copy_failure(e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::*;
    Error::Storage(
        match e.sqlite_error_code() {
            Some(DiskFull) => "the drive is full.",
            Some(ReadOnly) | Some(PermissionDenied) | Some(CannotOpen) => {
                "the folder is read-only or cannot be written."
            }
            Some(SystemIoFailure) => "the drive could not be written; was it removed?",
            _ => "the database could not be copied.",
        }
        .to_string(),
    )
}
