use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::audit::{append, Author};
use super::{parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::signing::{Addendum, Signature};
use crate::domain::users::{Role, User};
use crate::error::Result;

fn signature(r: &Row) -> rusqlite::Result<Signature> {
    let role = if r.get::<_, String>(0)? == "physician" {
        Role::Physician
    } else {
        Role::Nurse
    };
    Ok(Signature {
        role,
        user_id: r.get(1)?,
        display_name: r.get(2)?,
        signed_at: parse_ts(3, r.get(3)?)?,
    })
}

fn addendum(r: &Row) -> rusqlite::Result<Addendum> {
    Ok(Addendum {
        id: r.get(0)?,
        author: r.get(1)?,
        created_at: parse_ts(2, r.get(2)?)?,
        reason: r.get(3)?,
        text: r.get(4)?,
    })
}

impl Db {
    /// Signs (nurse) or co-signs (physician) a session; the database refuses a second one of a kind,
    /// and a co-signature before the nurse's.
    pub fn insert_signature(
        &mut self,
        session_id: i64,
        patient_id: i64,
        role: Role,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO signatures (session_id, role, user_id, signed_at) VALUES (?1, ?2, ?3, ?4)",
            (session_id, role.as_str(), by.id, ts(&now)),
        )?;
        let action = if role == Role::Physician {
            Action::SessionCosigned
        } else {
            Action::SessionSigned
        };
        append(
            &tx,
            &Author::from(by),
            &Event::new(action).record("sessions", session_id).patient(patient_id),
            now,
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn signatures_of(&self, session_id: i64) -> Result<Vec<Signature>> {
        self.all(
            "SELECT g.role, g.user_id, u.display_name, g.signed_at FROM signatures g JOIN users u ON u.id = g.user_id
             WHERE g.session_id = ?1 ORDER BY g.id",
            [session_id],
            signature,
        )
    }

    pub fn insert_addendum(
        &mut self,
        session_id: i64,
        patient_id: i64,
        reason: &str,
        text: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.write()?;
        tx.execute(
            "INSERT INTO addenda (session_id, author_id, created_at, reason, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            (session_id, by.id, ts(&now), reason, text),
        )?;
        let id = tx.last_insert_rowid();
        let event = Event::new(Action::AddendumAdded)
            .record("addenda", id)
            .patient(patient_id)
            .change(
                None::<()>,
                Some(serde_json::json!({"session_id": session_id, "reason": reason, "text": text})),
            );
        append(&tx, &Author::from(by), &event, now)?;
        tx.commit()?;
        Ok(())
    }

    pub fn addenda_of(&self, session_id: i64) -> Result<Vec<Addendum>> {
        self.all("SELECT a.id, u.display_name, a.created_at, a.reason, a.body FROM addenda a JOIN users u ON u.id = a.author_id
             WHERE a.session_id = ?1 ORDER BY a.id", [session_id], addendum)
    }
}
