use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::audit::{append, Author};
use super::Db;
use crate::digest::{hex, sha256_hex, unhex};
use crate::domain::audit::{Action, Event};
use crate::domain::settings::Settings;
use crate::domain::users::User;
use crate::error::Result;

impl Db {
    /// The clinic's settings; a value never set, unreadable or out of range has its default.
    pub fn settings(&self) -> Result<Settings> {
        read_settings(&self.conn)
    }

    pub fn save_settings(&mut self, new: &Settings, by: &User, now: DateTime<Utc>) -> Result<Settings> {
        // The old value is read inside the write, so the audit row shows what was really replaced.
        let tx = self.write()?;
        let old = read_settings(&tx)?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('settings', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [serde_json::to_string(new).expect("serialisable")],
        )?;
        append(
            &tx,
            &Author::from(by),
            &Event::new(Action::SettingsChanged)
                .record("settings", 1)
                .change(Some(&old), Some(new)),
            now,
        )?;
        tx.commit()?;
        Ok(new.clone())
    }

    /// The clinic's report logo (PNG), if one is set.
    pub fn logo(&self) -> Result<Option<Vec<u8>>> {
        let hex: Option<String> = self
            .conn
            .query_row("SELECT value FROM settings WHERE key = 'logo'", [], |r| r.get(0))
            .optional()?;
        Ok(hex.filter(|h| !h.is_empty()).and_then(|h| unhex(&h)))
    }

    /// Size of the report logo in bytes (0: none), without reading it.
    pub fn logo_bytes(&self) -> Result<usize> {
        let hex_chars: Option<i64> = self
            .conn
            .query_row("SELECT length(value) FROM settings WHERE key = 'logo'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(hex_chars.unwrap_or(0) as usize / 2)
    }

    /// Sets (or with `None` removes) the report logo; the audit row names its size and SHA-256.
    pub fn save_logo(&mut self, png: Option<&[u8]>, by: &User, now: DateTime<Utc>) -> Result<()> {
        let stored = hex(png.unwrap_or_default());
        let detail = match png {
            Some(bytes) => format!("report logo set: {} bytes, SHA-256 {}", bytes.len(), sha256_hex(bytes)),
            None => "report logo removed".into(),
        };
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO settings (key, value) VALUES ('logo', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [stored],
        )?;
        append(
            &tx,
            &Author::from(by),
            &Event::new(Action::SettingsChanged).record("settings", 2).detail(detail),
            now,
        )?;
        tx.commit()?;
        Ok(())
    }
}

fn read_settings(conn: &Connection) -> Result<Settings> {
    let stored: Option<String> = conn
        .query_row("SELECT value FROM settings WHERE key = 'settings'", [], |r| r.get(0))
        .optional()?;
    Ok(stored
        .and_then(|json| serde_json::from_str::<Settings>(&json).ok())
        .map(Settings::sanitised)
        .unwrap_or_default())
}
