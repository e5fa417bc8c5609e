//! The only code that writes SQL. Every connection is made by `connect`; `Db::open` configures the
//! chart's: it identifies the file before changing anything, sets and verifies every pragma, then migrates.

mod alerts;
mod audit;
mod backup;
mod discharge;
mod errors;
mod export;
mod infusion;
mod migrations;
mod notes;
mod outcomes;
mod patients;
mod plans;
mod preparation;
mod protocols;
pub mod server;
mod sessions;
mod settings;
mod side_effects;
mod signing;
pub mod sync;
mod users;
mod vitals;
mod wal;

pub use audit::Author;
pub use backup::{inspect, Inspection, NewBackup};
pub use export::RECORD_TABLES;
pub use plans::Plan;
/// Stops a statement running on another thread (a long check when the app closes or a restore replaces the file).
pub use rusqlite::InterruptHandle as Interrupt;
pub use sessions::NewDose;
pub use vitals::Correction;

use std::fs;
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Savepoint, Transaction, TransactionBehavior};

use crate::domain::audit::Event;
use crate::domain::users::User;
use crate::error::{Error, Result, Unreadable};

pub use migrations::{checksum, LATEST_VERSION};

/// `PRAGMA application_id` of every Infusion Chart database ("ICHT"), so other SQLite files are refused.
pub const APPLICATION_ID: i32 = 0x4943_4854;
/// How long a writer waits for another connection's lock before reporting the database busy.
const BUSY_TIMEOUT_MS: &str = "5000";

pub struct Db {
    conn: Connection,
    /// Inside `in_one_transaction`: writes nest there as savepoints. Kept apart from SQLite's own
    /// autocommit state, so a transaction left open by mistake makes the next write fail loudly
    /// instead of quietly nesting into something that is never committed.
    batch: bool,
}

impl Db {
    /// Creates a new chart database at `path` (mode 0600, folder 0700), refusing to touch an existing file.
    pub fn create(path: &Path, key: Option<&str>) -> Result<Db> {
        create_private_file(path).map_err(|e| {
            Error::Database(format!(
                "The chart database {} could not be created ({e}).",
                path.display()
            ))
        })?;
        Db::open(path, key)
    }

    /// Opens the existing chart database at `path`. `key` is the SQLCipher key; `None` means a plain
    /// SQLite file. Refuses, without writing to it, a missing file, a file that is not a database,
    /// another application's database, one whose schema is newer than this program, and one whose
    /// write-ahead log holds entries but is missing or cut short (`wal.rs`).
    pub fn open(path: &Path, key: Option<&str>) -> Result<Db> {
        let sentence = |reason: &str| format!("The chart database {} cannot be opened: {reason}", path.display());
        let describe = |reason: &str| Error::Database(sentence(reason));
        let Ok(file) = fs::metadata(path) else {
            return Err(describe("the file is missing. If it is on a removable or network drive, connect it; otherwise restore a backup."));
        };
        // Before SQLite sees the file: without its WAL it would open an older state and lose entries,
        // and an emptied database file makes it delete the WAL it finds beside it.
        wal::check(path).map_err(|problem| wal::refusal(path, problem))?;
        let wal_left = wal::left_behind(path);
        if file.len() == 0 && wal_left {
            return Err(Error::Damaged(format!(
                "The chart database {} is empty, but the write-ahead log beside it holds entries, so it is not the right file. Put the right database file back, or an admin restores the newest backup. Nothing was changed.",
                path.display()
            )));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = connect(path, flags).map_err(|e| describe(&format!("{e}.")))?;
        // Until the file is known to be ours, closing must not checkpoint a WAL a crash left behind
        // into it (SQLite would write into a file it cannot read, then delete the WAL).
        let no_checkpoint_on_close = rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE;
        conn.set_db_config(no_checkpoint_on_close, wal_left)?;
        if let Some(key) = key {
            conn.pragma_update(None, "key", key)?;
        }
        identify(&conn).map_err(|refusal| match refusal {
            Refusal::Unreadable(reason, why) => Error::Unreadable(sentence(&reason), why),
            Refusal::Other(reason) => describe(&reason),
        })?;
        conn.set_db_config(no_checkpoint_on_close, false)?;
        configure(&conn).map_err(|reason| describe(&reason))?;
        let mut db = Db { conn, batch: false };
        migrations::apply(&mut db.conn).map_err(|e| match e {
            Error::Database(reason) => describe(&reason),
            other => other,
        })?;
        db.verify_header().map_err(|reason| describe(&reason))?;
        Ok(db)
    }

    /// After migrating, the header must name this app and the latest schema.
    fn verify_header(&self) -> std::result::Result<(), String> {
        let read = |name| read_pragma(&self.conn, name).map_err(|e| format!("reading {name} failed ({e})."));
        let (app_id, version) = (read("application_id")?, read("user_version")?);
        if app_id != APPLICATION_ID.to_string() || version != LATEST_VERSION.to_string() {
            return Err(format!("after migrating, application_id is {app_id} and user_version {version}; expected {APPLICATION_ID} and {LATEST_VERSION}."));
        }
        Ok(())
    }

    /// Inserts one charted row and its audit row in one transaction. `read` reads the row back by id
    /// as stored; the audit row records it as the new value. `event` names the patient.
    fn insert_audited<T: serde::Serialize>(
        &mut self,
        (insert, params): (&str, impl rusqlite::Params),
        read: impl Fn(&Connection, i64) -> rusqlite::Result<T>,
        (event, table): (Event, &'static str),
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<T> {
        let tx = self.write()?;
        tx.execute(insert, params)?;
        let id = tx.last_insert_rowid();
        let stored = read(&tx, id)?;
        let event = event.record(table, id).change(None::<()>, Some(&stored));
        audit::append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(stored)
    }

    /// Changes row `id` and records the old and new row in the audit trail, in one transaction.
    fn update_audited<T: serde::Serialize>(
        &mut self,
        id: i64,
        (update, params): (&str, impl rusqlite::Params),
        read: impl Fn(&Connection, i64) -> rusqlite::Result<T>,
        (event, table): (Event, &'static str),
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<T> {
        let tx = self.write()?;
        let old = read(&tx, id)?;
        if tx.execute(update, params)? != 1 {
            return Err(Error::Conflict(format!(
                "The {table} entry {id} could not be changed; nothing was saved."
            )));
        }
        let new = read(&tx, id)?;
        let event = event.record(table, id).change(Some(&old), Some(&new));
        audit::append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(new)
    }

    /// Begins one write: all of it or none. On its own it is BEGIN IMMEDIATE, taking the write lock
    /// before it reads, so it waits its turn (busy_timeout) behind another connection's write; a
    /// deferred one that had read first would be refused at once as busy. Inside
    /// `in_one_transaction` it is a savepoint.
    fn write(&mut self) -> rusqlite::Result<Write<'_>> {
        Ok(if self.batch {
            Write::Nested(self.conn.savepoint()?)
        } else {
            Write::Alone(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
        })
    }

    /// Runs `f` as one transaction: all of its writes or none. Each write (`Db::write`) nests here,
    /// so a bulk load (the demo dataset) commits and syncs once per batch, not per row.
    /// Nothing inside is saved until it returns, so it is never for what a nurse charts on screen.
    pub fn in_one_transaction<T>(&mut self, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        self.batch = true;
        let out = self.within("BEGIN IMMEDIATE", f);
        self.batch = false;
        out
    }

    /// Runs `f` between `begin` and COMMIT, or ROLLBACK if anything failed; the first error is the
    /// one reported (a failed rollback is SQLite's to finish).
    fn within<T>(&mut self, begin: &str, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        self.conn.execute_batch(begin)?;
        let out = f(self).and_then(|out| Ok(self.conn.execute_batch("COMMIT").map(|_| out)?));
        if out.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        out
    }

    /// Every row `sql` selects with `params`.
    fn all<T>(&self, sql: &str, params: impl rusqlite::Params, row: fn(&Row) -> rusqlite::Result<T>) -> Result<Vec<T>> {
        rows(&self.conn, sql, params, row)
    }

    /// Copies the write-ahead log into the database file and empties it (after a bulk load, so the
    /// file's size on disk is the chart's size). Best effort: a reader elsewhere can keep part of it.
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// Stops this connection's running statement from another thread (a whole-file check).
    pub fn interrupt_handle(&self) -> Interrupt {
        self.conn.get_interrupt_handle()
    }

    /// Reads one pragma as text; tests use it to prove the settings are really in force.
    pub fn pragma(&self, name: &str) -> Result<String> {
        Ok(read_pragma(&self.conn, name)?)
    }
}

/// The row `id` of `table` read on `conn` (a write's, to read what it is about to change), or a
/// not-found error naming what was looked for.
fn by_id<T>(
    conn: &Connection,
    table: &str,
    columns: &str,
    id: i64,
    row: fn(&Row) -> rusqlite::Result<T>,
    what: &str,
) -> Result<T> {
    conn.prepare_cached(&format!("SELECT {columns} FROM {table} WHERE id = ?1"))?
        .query_row([id], row)
        .optional()?
        .ok_or_else(|| Error::NotFound(format!("No {what} with id {id} was found.")))
}

/// A write begun by `Db::write`; it reads as the connection it runs on.
enum Write<'c> {
    Alone(Transaction<'c>),
    Nested(Savepoint<'c>),
}

impl Write<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            Write::Alone(tx) => tx.commit(),
            Write::Nested(sp) => sp.commit(),
        }
    }
}

impl std::ops::Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Alone(tx) => tx,
            Write::Nested(sp) => sp,
        }
    }
}

/// Opens a connection once SQLite and SQLCipher are ready (`start`).
fn connect(path: &Path, flags: OpenFlags) -> rusqlite::Result<Connection> {
    start();
    Connection::open_with_flags(path, flags)
}

/// Starts SQLite and SQLCipher, once per process, before any connection is made. SQLCipher finishes
/// its own start-up just after SQLite reports itself started, so a thread opening its first
/// connection in that moment found no cipher and `PRAGMA key` failed ("sqlcipher not initialized").
/// The first connection is therefore made alone, and every other waits for it. Code that opens a
/// connection of its own while other threads may be starting (the tests) calls this first.
pub fn start() {
    static STARTED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    STARTED.get_or_init(|| drop(Connection::open_in_memory()));
}

/// Why `identify` refused a file: it does not open with the key, or it opens but is not ours to use.
enum Refusal {
    Unreadable(String, Unreadable),
    Other(String),
}

/// Refuses files that are not ours, reading only: nothing is written before this passes.
fn identify(conn: &Connection) -> std::result::Result<(), Refusal> {
    let read = |sql: &str| {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => Refusal::Unreadable(
                    "it is not an Infusion Chart database (not a database file, or the wrong key).".into(),
                    Unreadable::WrongKey,
                ),
                Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                    Refusal::Unreadable(format!("it is damaged ({e})."), Unreadable::Corrupt)
                }
                _ => Refusal::Other(format!("it could not be read ({e}).")),
            })
    };
    let app_id = read("PRAGMA application_id")?;
    let objects = read("SELECT count(*) FROM sqlite_schema")?;
    let version = read("PRAGMA user_version")?;
    if app_id as i32 != APPLICATION_ID && !(app_id == 0 && objects == 0) {
        return Err(Refusal::Other(format!(
            "it belongs to another application (application id {app_id:#x}), not Infusion Chart."
        )));
    }
    if version > LATEST_VERSION {
        return Err(Refusal::Other(format!(
            "it was written by a newer version of Infusion Chart (schema {version}; this version knows up to {LATEST_VERSION}). Install the newer version."
        )));
    }
    Ok(())
}

/// Every pragma this app relies on, with the value it must read back as.
const PRAGMAS: &[(&str, &str, &str)] = &[
    ("journal_mode", "WAL", "wal"),
    // FULL, not NORMAL: in WAL mode NORMAL can lose the last commits on power loss.
    ("synchronous", "FULL", "2"),
    ("foreign_keys", "ON", "1"),
    ("busy_timeout", BUSY_TIMEOUT_MS, BUSY_TIMEOUT_MS),
    ("trusted_schema", "OFF", "0"),
];

/// Sets every pragma and reads each back: a setting that did not take is an error, not a surprise later.
fn configure(conn: &Connection) -> std::result::Result<(), String> {
    for &(name, value, expect) in PRAGMAS {
        let apply = || -> rusqlite::Result<String> {
            // Some pragmas answer the assignment with a row, some do not; step once either way.
            conn.prepare(&format!("PRAGMA {name} = {value}"))?.query([])?.next()?;
            read_pragma(conn, name)
        };
        let got = apply().map_err(|e| format!("setting {name} failed ({e})."))?;
        if got != expect {
            return Err(format!(
                "{name} is {got}, expected {expect} (is the disk or folder read-only?)."
            ));
        }
    }
    Ok(())
}

fn read_pragma(conn: &Connection, name: &str) -> rusqlite::Result<String> {
    conn.query_row(&format!("PRAGMA {name}"), [], |r| {
        Ok(match r.get::<_, rusqlite::types::Value>(0)? {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
    })
}

/// The new file, 0600 on Unix, in its folder (made 0700); never over an existing file.
fn create_private_file(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::private_folder(dir).map_err(std::io::Error::other)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Timestamps are stored as RFC 3339 UTC with milliseconds, so text order is time order.
fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_ts(idx: usize, text: String) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(&text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

fn parse_date(idx: usize, text: String) -> rusqlite::Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d")
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

/// Every row `sql` selects with `params`, on any connection or transaction; the statement is cached.
fn rows<T>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    row: fn(&Row) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params, row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A column holding JSON (a list of names, a dose plan), read back into its type.
fn json_column<T: serde::de::DeserializeOwned>(idx: usize, text: String) -> rusqlite::Result<T> {
    serde_json::from_str(&text)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e)))
}

/// A column holding one catalogue name (src/catalogue.rs), read back into its enum.
fn name_column<T: serde::de::DeserializeOwned>(idx: usize, name: String) -> rusqlite::Result<T> {
    serde_json::from_value(serde_json::Value::String(name.clone()))
        .map_err(|_| rusqlite::Error::InvalidColumnType(idx, name, rusqlite::types::Type::Text))
}
