use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::{parse_ts, ts, Db};
use crate::domain::audit::{Action, Event};
use crate::domain::notes::Note;
use crate::domain::users::User;
use crate::error::Result;

const COLUMNS: &str = "n.id, n.session_id, n.clinical_time, n.recorded_at, n.body, u.display_name";
const FROM: &str = "notes n JOIN users u ON u.id = n.author_id";

fn note(r: &Row) -> rusqlite::Result<Note> {
    Ok(Note {
        id: r.get(0)?,
        session_id: r.get(1)?,
        clinical_time: parse_ts(2, r.get(2)?)?,
        recorded_at: parse_ts(3, r.get(3)?)?,
        text: r.get(4)?,
        author: r.get(5)?,
        late: false,
    })
}

impl Db {
    pub fn insert_note(
        &mut self,
        session_id: i64,
        patient_id: i64,
        at: DateTime<Utc>,
        text: &str,
        by: &User,
        now: DateTime<Utc>,
    ) -> Result<Note> {
        self.insert_audited(
            (
                "INSERT INTO notes (session_id, clinical_time, recorded_at, body, author_id) VALUES (?1, ?2, ?3, ?4, ?5)",
                (session_id, ts(&at), ts(&now), text, by.id),
            ),
            |conn, id| conn.query_row(&format!("SELECT {COLUMNS} FROM {FROM} WHERE n.id = ?1"), [id], note),
            (Event::new(Action::NoteAdded).patient(patient_id), "notes"),
            by,
            now,
        )
    }

    pub fn notes_of_session(&self, session_id: i64) -> Result<Vec<Note>> {
        self.all(
            &format!("SELECT {COLUMNS} FROM {FROM} WHERE n.session_id = ?1 ORDER BY n.clinical_time, n.id"),
            [session_id],
            note,
        )
    }
}
