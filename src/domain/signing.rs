//! Signing and addenda. A nurse's signature locks a session (the database refuses changes to its
//! rows); a physician co-signs after; corrections after signing are addenda, never edits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::users::Role;
use crate::domain::validate::Checker;
use crate::error::Result;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signature {
    pub role: Role,
    pub user_id: i64,
    pub display_name: String,
    pub signed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Addendum {
    pub id: i64,
    pub author: String,
    pub created_at: DateTime<Utc>,
    pub reason: String,
    pub text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddendumInput {
    pub session_id: i64,
    pub reason: Option<String>,
    pub text: Option<String>,
}

/// Longest addendum, and its reason.
pub const MAX_ADDENDUM_CHARS: usize = 5000;
pub const MAX_ADDENDUM_REASON_CHARS: usize = 200;

impl AddendumInput {
    /// The reason and text, both required.
    pub fn validate(self) -> Result<(String, String)> {
        let mut c = Checker::new();
        let reason = c.text(self.reason, "Reason for addendum", MAX_ADDENDUM_REASON_CHARS);
        let text = c.text(self.text, "Addendum", MAX_ADDENDUM_CHARS);
        c.finish()?;
        Ok((reason.expect("checked"), text.expect("checked")))
    }
}
