//! This laptop's side of sharing the record: the queue of changes to push (`sync_outbox`, filled by
//! the triggers of migration 0021 in commit order), each row read as it is now with its references
//! as global ids, and the rows pulled from the server applied here by those ids, without being
//! queued back or audited again as local edits.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::types::Value as Sql;
use rusqlite::{Connection, OptionalExtension};
use serde_json::{Map, Value};

use super::{parse_ts, ts, Db};
use crate::domain::sync::{Change, Failure, Pulled, PushAck, SharedSlot, SyncState, AUDIT_TABLE};
use crate::error::{Error, Result};

/// The shared tables, parents before children: the order a laptop's whole history is queued in
/// when it joins (a signed session's rows reach the server before its signature locks it).
pub const SHARED_TABLES: &[&str] = &[
    "users",
    "key_slots",
    "protocols",
    "settings",
    "patients",
    "sessions",
    "vitals",
    "infusion_events",
    "alerts",
    "notes",
    "checklists",
    "wastes",
    "outcome_scores",
    "side_effects",
    "interventions",
    "aldrete_scores",
    "discharges",
    "signatures",
    "addenda",
];

/// Shared rows that name the same thing on every laptop by a key of their own: a laptop joining
/// with its own copy (the protocols every new database starts with) takes the clinic's id for it.
fn natural_key(table: &str) -> Option<&'static str> {
    match table {
        "users" | "key_slots" => Some("username"),
        "protocols" => Some("name"),
        "settings" => Some("key"),
        _ => None,
    }
}

/// The local key of a shared table's rows (settings are keyed by name and have only a rowid).
fn key_column(table: &str) -> &'static str {
    if table == "settings" {
        "rowid"
    } else {
        "id"
    }
}

/// Which table each reference column of `table` points to, as the schema declares it.
type References = HashMap<String, String>;

fn references(conn: &Connection, table: &str) -> Result<References> {
    let mut stmt = conn.prepare_cached("SELECT \"from\", \"table\" FROM pragma_foreign_key_list(?1)")?;
    let rows = stmt.query_map([table], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// `references` of `table`, read once per batch.
fn cached_references<'a>(
    cache: &'a mut HashMap<String, References>,
    conn: &Connection,
    table: &str,
) -> Result<&'a References> {
    if !cache.contains_key(table) {
        cache.insert(table.to_string(), references(conn, table)?);
    }
    Ok(&cache[table])
}

fn uid_of(conn: &Connection, table: &str, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT uid FROM sync_ids WHERE table_name = ?1 AND row_id = ?2")?
        .query_row((table, id), |r| r.get(0))
        .optional()?)
}

fn local_id(conn: &Connection, table: &str, uid: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT row_id FROM sync_ids WHERE table_name = ?1 AND uid = ?2")?
        .query_row((table, uid), |r| r.get(0))
        .optional()?)
}

/// The global id a reference names, or an error: every shared row has one (migration 0021).
fn uid_for(conn: &Connection, table: &str, id: i64) -> Result<String> {
    uid_of(conn, table, id)?
        .ok_or_else(|| Error::Database(format!("The {table} row {id} has no shared id; nothing was sent.")))
}

/// The local row a pulled reference names: its parent always arrives first.
fn id_for(conn: &Connection, table: &str, uid: &str) -> Result<i64> {
    local_id(conn, table, uid)?.ok_or_else(|| {
        Error::Database(format!(
            "A row from the clinic server names a {table} row ({uid}) this laptop does not hold yet."
        ))
    })
}

fn to_json(value: Sql) -> Value {
    match value {
        Sql::Null => Value::Null,
        Sql::Integer(i) => i.into(),
        Sql::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        Sql::Text(t) => t.into(),
        Sql::Blob(b) => b.iter().map(|byte| format!("{byte:02x}")).collect::<String>().into(),
    }
}

fn to_sql(value: &Value) -> Sql {
    match value {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Number(n) => n
            .as_i64()
            .map_or_else(|| Sql::Real(n.as_f64().unwrap_or(0.0)), Sql::Integer),
        Value::String(s) => Sql::Text(s.clone()),
        other => Sql::Text(other.to_string()),
    }
}

/// Row `id` of `table` as it travels: every column but the local key, each reference as a global id,
/// and the laptop that opened a session named (`me` for this laptop's own).
fn shared_row(conn: &Connection, table: &str, id: i64, refs: &References, me: &str) -> Result<Value> {
    let key = key_column(table);
    let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} WHERE {key} = ?1"))?;
    let names: Vec<String> = stmt.column_names().into_iter().map(str::to_string).collect();
    let values: Vec<Sql> = stmt
        .query_row([id], |r| (0..names.len()).map(|i| r.get::<_, Sql>(i)).collect())
        .optional()?
        .ok_or_else(|| Error::Database(format!("The {table} row {id} to share is missing.")))?;
    let mut row = Map::new();
    for (name, value) in names.into_iter().zip(values) {
        if name == "id" {
            continue;
        }
        let value = match (refs.get(&name), value) {
            (Some(parent), Sql::Integer(i)) => uid_for(conn, parent, i)?.into(),
            (None, Sql::Null) if table == "sessions" && name == "laptop" => me.into(),
            (_, value) => to_json(value),
        };
        row.insert(name, value);
    }
    Ok(Value::Object(row))
}

/// Audit entry `id` as it travels: the fields its hash covers, as written, and the global ids of the
/// user, patient and record it names.
fn shared_audit_entry(conn: &Connection, id: i64) -> Result<Value> {
    let entry = conn
        .prepare_cached(&format!(
            "SELECT {} FROM audit_log WHERE id = ?1",
            super::audit::COLUMNS
        ))?
        .query_row([id], super::audit::entry)?;
    let uid = |table: Option<&str>, id: Option<i64>| -> Result<Value> {
        Ok(match (table, id) {
            (Some(table), Some(id)) if SHARED_TABLES.contains(&table) => uid_of(conn, table, id)?.into(),
            _ => Value::Null,
        })
    };
    let mut row = serde_json::to_value(&entry).expect("an audit entry is plain text and numbers");
    // Kept out of the entry as screens see it, but the chain is what the server checks.
    row["prev_hash"] = entry.prev_hash.clone().into();
    row["hash"] = entry.hash.clone().into();
    row["user_uid"] = uid(Some("users"), entry.user_id)?;
    row["patient_uid"] = uid(Some("patients"), entry.patient_id)?;
    row["record_uid"] = uid(entry.table_name.as_deref(), entry.record_id)?;
    Ok(row)
}

impl Db {
    /// Where this laptop stands with the clinic server.
    pub fn sync_state(&self) -> Result<SyncState> {
        let queued: i64 = self
            .conn
            .query_row("SELECT coalesce(max(seq), 0) FROM sync_outbox", [], |r| r.get(0))?;
        Ok(self.conn.query_row(
            "SELECT laptop, server_url, pushed_through, pulled_through, last_shared_at, unreachable_since, last_error
             FROM sync_state",
            [],
            |r| {
                let at = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
                    r.get::<_, Option<String>>(i)?.map(|t| parse_ts(i, t)).transpose()
                };
                Ok(SyncState {
                    laptop: r.get(0)?,
                    server_url: r
                        .get::<_, Option<String>>(1)?
                        .map(|url| super::server::without_secret(&url)),
                    waiting: queued - r.get::<_, i64>(2)?,
                    pulled_through: r.get(3)?,
                    last_shared_at: at(4)?,
                    unreachable_since: at(5)?,
                    last_error: r.get(6)?,
                })
            },
        )?)
    }

    /// The server address and CA certificate (PEM text) this laptop shares through, once joined.
    pub fn sync_server(&self) -> Result<Option<(String, String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT laptop, server_url, server_ca FROM sync_state WHERE laptop IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Makes this laptop `laptop` of the clinic at `url`. With `share_history`, everything it holds
    /// (rows, parents first, then its audit trail) is queued to push; a new laptop that only pulls
    /// the clinic's record shares nothing of its empty start.
    pub fn join_clinic(
        &mut self,
        laptop: &str,
        url: &str,
        ca_pem: &str,
        share_history: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write()?;
        let joined = tx.execute(
            "UPDATE sync_state SET laptop = ?1, server_url = ?2, server_ca = ?3, joined_at = ?4 WHERE laptop IS NULL",
            (laptop, url, ca_pem, ts(&now)),
        )?;
        if joined != 1 {
            return Err(Error::Conflict(
                "This laptop has already joined a clinic server.".into(),
            ));
        }
        if share_history {
            for table in SHARED_TABLES {
                let key = key_column(table);
                tx.execute(
                    &format!(
                        "INSERT INTO sync_outbox (table_name, row_id) SELECT ?1, {key} FROM {table} ORDER BY {key}"
                    ),
                    [table],
                )?;
            }
            tx.execute(
                "INSERT INTO sync_outbox (table_name, row_id) SELECT ?1, id FROM audit_log ORDER BY id",
                [AUDIT_TABLE],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Up to `limit` changes the server has not taken yet, in order, each read as it is now.
    pub fn outbox(&self, limit: u32) -> Result<Vec<Change>> {
        let Some((me, _, _)) = self.sync_server()? else {
            return Ok(Vec::new());
        };
        let queued: Vec<(i64, String, i64)> = self.all(
            "SELECT seq, table_name, row_id FROM sync_outbox
             WHERE seq > (SELECT pushed_through FROM sync_state) ORDER BY seq LIMIT ?1",
            [limit],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut refs: HashMap<String, References> = HashMap::new();
        queued
            .into_iter()
            .map(|(seq, table, row_id)| {
                if table == AUDIT_TABLE {
                    return Ok(Change {
                        seq,
                        uid: format!("{me}/{row_id}"),
                        base: 0,
                        row: shared_audit_entry(&self.conn, row_id)?,
                        table,
                        row_id,
                    });
                }
                let table_refs = cached_references(&mut refs, &self.conn, &table)?;
                let (uid, base): (String, i64) = self
                    .conn
                    .prepare_cached("SELECT uid, base_seq FROM sync_ids WHERE table_name = ?1 AND row_id = ?2")?
                    .query_row((&table, row_id), |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(Change {
                    seq,
                    row: shared_row(&self.conn, &table, row_id, table_refs, &me)?,
                    table,
                    uid,
                    base,
                    row_id,
                })
            })
            .collect()
    }

    /// Records what the server took of `sent`: how far it holds this laptop's changes, and the
    /// server version each row it took now derives from.
    pub fn pushed(&mut self, sent: &[Change], ack: &PushAck) -> Result<()> {
        let tx = self.write()?;
        for change in sent.iter().filter(|c| c.table != AUDIT_TABLE) {
            let taken = ack
                .acks
                .iter()
                .find(|(seq, _)| *seq == change.seq)
                .and_then(|(_, s)| *s);
            if let Some(server_seq) = taken {
                tx.prepare_cached("UPDATE sync_ids SET base_seq = ?1 WHERE table_name = ?2 AND row_id = ?3")?
                    .execute((server_seq, &change.table, change.row_id))?;
            }
        }
        tx.execute(
            "UPDATE sync_state SET pushed_through = max(pushed_through, ?1)",
            [ack.through],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Applies rows pulled from the server, in their order, in one transaction, and moves the pull
    /// cursor past them. A row this laptop changed and has not pushed yet is left as it is here: its
    /// edit goes to the server next and is merged there.
    pub fn apply_pulled(&mut self, pulled: &[Pulled]) -> Result<()> {
        let Some(last) = pulled.last() else {
            return Ok(());
        };
        let Some((me, _, _)) = self.sync_server()? else {
            return Err(Error::Conflict("This laptop has not joined a clinic server.".into()));
        };
        let tx = self.write()?;
        tx.execute("UPDATE sync_state SET applying = 1", [])?;
        let mut refs: HashMap<String, References> = HashMap::new();
        for change in pulled {
            let Some(row) = &change.row else { continue };
            if change.table == AUDIT_TABLE {
                apply_audit_entry(&tx, &change.laptop, row)?;
                continue;
            }
            if !SHARED_TABLES.contains(&change.table.as_str()) {
                return Err(Error::Database(format!(
                    "The clinic server sent a row of an unknown table ({}); install the newer version of Infusion Chart.",
                    change.table
                )));
            }
            let table_refs = cached_references(&mut refs, &tx, &change.table)?;
            apply_row(&tx, change, row, table_refs, &me)?;
        }
        tx.execute(
            "UPDATE sync_state SET applying = 0, pulled_through = max(pulled_through, ?1)",
            [last.server_seq],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The key slots as shared with the clinic, each with whether its user is active here.
    pub fn shared_slots(&self) -> Result<Vec<SharedSlot>> {
        self.all(
            "SELECT k.username, k.user_id, k.owner, k.wrapped, k.changed_at, u.active
             FROM key_slots k JOIN users u ON u.id = k.user_id ORDER BY k.id",
            [],
            |r| {
                Ok(SharedSlot {
                    username: r.get(0)?,
                    user_id: r.get(1)?,
                    owner: r.get(2)?,
                    wrapped: r.get(3)?,
                    changed_at: r.get::<_, Option<String>>(4)?.map(|t| parse_ts(4, t)).transpose()?,
                    active: r.get(5)?,
                })
            },
        )
    }

    /// Shares the key slots given (made or changed on this laptop): each replaces its user's, if it
    /// differs. Replacing, not deleting: a disabled user's slot stays, and their account refuses them.
    pub fn share_slots(&mut self, slots: &[SharedSlot]) -> Result<()> {
        // Levelled before every action: with nothing to share, the write lock is not taken.
        if slots.is_empty() {
            return Ok(());
        }
        let tx = self.write()?;
        for slot in slots {
            tx.prepare_cached(
                "INSERT INTO key_slots (username, user_id, owner, wrapped, changed_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (username) DO UPDATE SET user_id = excluded.user_id, owner = excluded.owner,
                     wrapped = excluded.wrapped, changed_at = excluded.changed_at
                 WHERE (user_id, owner, wrapped) IS NOT (excluded.user_id, excluded.owner, excluded.wrapped)",
            )?
            .execute((
                &slot.username,
                slot.user_id,
                &slot.owner,
                &slot.wrapped,
                slot.changed_at.as_ref().map(ts),
            ))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A SHA-256 over every shared row, as it travels (by global id, references as global ids), in
    /// the order of table and id: two laptops holding the same record give the same digest.
    pub fn shared_digest(&self) -> Result<String> {
        let me = self.sync_server()?.map(|(laptop, _, _)| laptop).unwrap_or_default();
        let mut lines = Vec::new();
        for table in SHARED_TABLES {
            let refs = references(&self.conn, table)?;
            let ids: Vec<(String, i64)> =
                self.all("SELECT uid, row_id FROM sync_ids WHERE table_name = ?1", [table], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            for (uid, id) in ids {
                lines.push(digest_line(
                    table,
                    &uid,
                    &shared_row(&self.conn, table, id, &refs, &me)?,
                ));
            }
        }
        lines.sort();
        Ok(crate::digest::sha256_hex(lines.concat().as_bytes()))
    }

    /// Notes the end of a round with the server: shared now, or why not: the server unreachable
    /// (since the first failure), or a problem on this laptop.
    pub fn note_sync(&mut self, now: DateTime<Utc>, failure: Option<&Failure>) -> Result<()> {
        let tx = self.write()?;
        match failure {
            None => tx.execute(
                "UPDATE sync_state SET last_shared_at = ?1, unreachable_since = NULL, last_error = NULL",
                [ts(&now)],
            )?,
            Some(Failure::Server(reason)) => tx.execute(
                "UPDATE sync_state SET unreachable_since = coalesce(unreachable_since, ?1), last_error = ?2",
                (ts(&now), reason),
            )?,
            Some(Failure::Here(reason)) => tx.execute(
                "UPDATE sync_state SET unreachable_since = NULL, last_error = ?1",
                [reason],
            )?,
        };
        tx.commit()?;
        Ok(())
    }
}

/// One row's line of `shared_digest`; the server's rows give the same line for the same row.
pub fn digest_line(table: &str, uid: &str, row: &Value) -> String {
    format!("{table}\t{uid}\t{row}\n")
}

/// One pulled row: the same row (by global id) updated if it differs, or a new row inserted with
/// its references made local. A row of a shared name (a user, protocol or setting this laptop
/// already holds under another id) takes the clinic's id.
fn apply_row(conn: &Connection, change: &Pulled, row: &Value, refs: &References, me: &str) -> Result<()> {
    let table = change.table.as_str();
    let Value::Object(fields) = row else {
        return Err(Error::Database(format!(
            "The clinic server sent a {table} row that is not a record."
        )));
    };
    let mut local = local_id(conn, table, &change.uid)?;
    if local.is_none() {
        if let Some(name) = natural_key(table) {
            if let Some(same) = fields.get(name) {
                let key = key_column(table);
                local = conn
                    .query_row(
                        &format!("SELECT {key} FROM {table} WHERE {name} = ?1"),
                        [to_sql(same)],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(id) = local {
                    conn.execute(
                        "UPDATE sync_ids SET uid = ?1 WHERE table_name = ?2 AND row_id = ?3",
                        (&change.uid, table, id),
                    )?;
                }
            }
        }
    }
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for (name, value) in fields {
        let value = match (refs.get(name), value) {
            (Some(parent), Value::String(uid)) => Sql::Integer(id_for(conn, parent, uid)?),
            (None, Value::String(laptop)) if table == "sessions" && name == "laptop" && laptop == me => Sql::Null,
            (_, value) => to_sql(value),
        };
        columns.push(name.as_str());
        values.push(value);
    }
    match local {
        Some(id) => {
            // Left as it is: an edit here still waiting to be pushed (the server merges it), a copy
            // that already derives from a later version (this laptop's own edit, pushed after the
            // one arriving), or the same row.
            let (waiting, newer): (bool, bool) = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE table_name = ?1 AND row_id = ?2
                                    AND seq > (SELECT pushed_through FROM sync_state)),
                            (SELECT base_seq FROM sync_ids WHERE table_name = ?1 AND row_id = ?2) > ?3",
                )?
                .query_row((table, id, change.server_seq), |r| Ok((r.get(0)?, r.get(1)?)))?;
            if waiting || newer || shared_row(conn, table, id, refs, me)? == *row {
                return Ok(());
            }
            let set: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ?{}", i + 1))
                .collect();
            let key = key_column(table);
            let sql = format!(
                "UPDATE {table} SET {} WHERE {key} = ?{}",
                set.join(", "),
                columns.len() + 1
            );
            values.push(Sql::Integer(id));
            conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
            conn.prepare_cached("UPDATE sync_ids SET base_seq = ?1 WHERE table_name = ?2 AND row_id = ?3")?
                .execute((change.server_seq, table, id))?;
        }
        None if table == "patients" => {
            // Two laptops gave one MRN to two patients while apart: the server flags them to merge;
            // this laptop says so rather than losing either.
            let mrn = fields.get("mrn").and_then(Value::as_str).unwrap_or_default();
            let taken: bool = conn
                .prepare_cached("SELECT EXISTS (SELECT 1 FROM patients WHERE mrn = ?1)")?
                .query_row([mrn], |r| r.get(0))?;
            if taken {
                return Err(Error::Conflict(format!(
                    "Laptop {} added a patient with MRN {mrn}, which a patient here already has; the clinic server flags the two to merge. Correct one of the MRNs on the laptop that added it.",
                    change.laptop
                )));
            }
            insert_row(conn, change, table, &columns, values)?;
        }
        None => insert_row(conn, change, table, &columns, values)?,
    }
    Ok(())
}

/// Inserts a pulled row that is new here, under its global id.
fn insert_row(conn: &Connection, change: &Pulled, table: &str, columns: &[&str], values: Vec<Sql>) -> Result<()> {
    let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
    let sql = format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        columns.join(", "),
        marks.join(", ")
    );
    conn.prepare_cached(&sql)?.execute(rusqlite::params_from_iter(values))?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO sync_ids (table_name, row_id, uid, base_seq) VALUES (?1, ?2, ?3, ?4)")?
        .execute((table, id, &change.uid, change.server_seq))?;
    Ok(())
}

/// Another laptop's audit entry, kept in its own chain as it arrived (the server checked it).
fn apply_audit_entry(conn: &Connection, laptop: &str, entry: &Value) -> Result<()> {
    let text = |name: &str| entry.get(name).and_then(Value::as_str).map(str::to_string);
    let number = |name: &str| entry.get(name).and_then(Value::as_i64);
    conn.prepare_cached(
        "INSERT OR IGNORE INTO remote_audit_log (laptop, id, at_utc, at_local, user_id, username, action, table_name,
             record_id, patient_id, old_value, new_value, detail, prev_hash, hash, user_uid, record_uid, patient_uid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?
    .execute(rusqlite::params![
        laptop,
        number("id"),
        text("at_utc"),
        text("at_local"),
        number("user_id"),
        text("username"),
        text("action"),
        text("table_name"),
        number("record_id"),
        number("patient_id"),
        text("old_value"),
        text("new_value"),
        text("detail"),
        text("prev_hash"),
        text("hash"),
        text("user_uid"),
        text("record_uid"),
        text("patient_uid"),
    ])?;
    Ok(())
}
