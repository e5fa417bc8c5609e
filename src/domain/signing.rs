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

impl AddendumInput {
    /// The reason and text, both required.
    pub fn validate(self) -> Result<(String, String)> {
        let mut c = Checker::new();
        let reason = c.text(self.reason, "Reason for addendum", 200);
        let text = c.text(self.text, "Addendum", 5000);
        c.finish()?;
        Ok((reason.expect("checked"), text.expect("checked")))
    }
}
