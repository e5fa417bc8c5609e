//! Forward-only schema migrations, embedded at compile time (see build.rs). Each runs in one
//! transaction with its SHA-256 recorded; a recorded checksum that no longer matches the embedded
//! SQL means a migration was edited after it shipped, and the database is refused.

use rusqlite::{Connection, OptionalExtension};

use super::APPLICATION_ID;
use crate::error::{Error, Result};

include!(concat!(env!("OUT_DIR"), "/migrations.rs"));

/// The schema version this program writes: the number of the last migration.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Hex SHA-256 of a migration's SQL, as recorded in `schema_migrations`.
pub fn checksum(sql: &str) -> String {
    crate::digest::sha256_hex(sql.as_bytes())
}

pub(super) fn apply(conn: &mut Connection) -> Result<()> {
    if verify_applied(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Counted again under the write lock: the app and the command line opening the file at the
        // same moment must not both apply the same migration.
        let applied = verify_applied(&tx)?;
        let Some((name, sql)) = MIGRATIONS.get(applied) else {
            return Ok(());
        };
        let version = applied as i64 + 1;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    INTEGER PRIMARY KEY,
                 name       TEXT NOT NULL,
                 sha256     TEXT NOT NULL,
                 applied_at TEXT NOT NULL
             ) STRICT;",
        )?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?1, ?2, ?3, ?4)",
            (version, name, checksum(sql), super::ts(&chrono::Utc::now())),
        )?;
        // Header fields written inside the same transaction: a crash leaves the old version, never half.
        tx.pragma_update(None, "user_version", version)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
}

/// Checks the recorded migrations against the embedded ones and returns how many are applied.
fn verify_applied(conn: &Connection) -> Result<usize> {
    let has_table: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    if has_table.is_none() {
        return Ok(0);
    }
    let mut stmt = conn.prepare("SELECT version, name, sha256 FROM schema_migrations ORDER BY version")?;
    let rows = stmt
        .query_map([], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for (position, (version, name, sha)) in rows.iter().enumerate() {
        match recorded(MIGRATIONS, position, *version, name, sha) {
            Recorded::Same => {}
            Recorded::Edited => {
                return Err(Error::Database(format!(
                    "its migration {name} differs from the one in this program (it was edited after it was applied). Install the matching version of Infusion Chart, or call support."
                )))
            }
            Recorded::Newer => {
                return Err(Error::Database(format!(
                    "it was written by a newer version of Infusion Chart (migration {name} is unknown here). Install the newer version."
                )))
            }
        }
    }
    Ok(rows.len())
}

/// How a migration recorded in a database stands against this program's `migrations`.
pub(super) enum Recorded {
    Same,
    /// Its name, place or SQL differs: edited after it was applied.
    Edited,
    /// This program does not have it: a newer version wrote it.
    Newer,
}

/// The `position`th migration a database recorded (`version`, file `name`, SHA-256 `sha`).
pub(super) fn recorded(migrations: &[(&str, &str)], position: usize, version: i64, name: &str, sha: &str) -> Recorded {
    match migrations.get(position) {
        Some((file, sql)) if version == position as i64 + 1 && *file == name && checksum(sql) == sha => Recorded::Same,
        Some(_) => Recorded::Edited,
        None => Recorded::Newer,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order_from_one() {
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(name.starts_with(&format!("{:04}_", i + 1)), "{name} is out of sequence");
        }
    }
}
