//! Timestamped free-text notes of a session: what happened, in the nurse's words.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::validate::Checker;
use crate::error::Result;

/// Longest note accepted; longer text belongs in several notes.
pub const MAX_NOTE_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Note {
    pub id: i64,
    pub session_id: i64,
    pub clinical_time: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub text: String,
    pub author: String,
    /// Saved long after its clinical time (the clinic's late-entry setting); set when read.
    pub late: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    pub session_id: i64,
    pub clinical_time: Option<String>,
    pub text: Option<String>,
}

impl NoteInput {
    /// The note's clinical time and text, checked.
    pub fn validate(self, arrived: DateTime<Utc>, now: DateTime<Utc>) -> Result<(DateTime<Utc>, String)> {
        let mut c = Checker::new();
        let at = crate::domain::vitals::check_clinical_time(&mut c, self.clinical_time, arrived, now);
        let text = c.text(self.text, "Note", MAX_NOTE_CHARS);
        c.finish()?;
        Ok((at.expect("checked"), text.expect("checked")))
    }
}
